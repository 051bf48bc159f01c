"""WaveGAN (Donahue et al. 2019): DCGAN flattened to 1-D (notebook ``04_wavegan_phase_shuffle``).

The generator maps ``z ~ Uniform(-1, 1)`` of shape ``(N, 100)`` to audio ``(N, c, slice_len)``
in [-1, 1]; the discriminator maps audio to one logit per example, shape ``(N,)``. At the
defaults (d=64, c=1, 16384 samples) both match the paper's Table 1 and the original TensorFlow
code: kernel 25, stride 4, a dense projection to 16 x 16d, ReLU and tanh in G, LeakyReLU 0.2 and
phase shuffle (n=2) after each of D's first four convolutions, no batch norm. The generator has
19,065,345 parameters and the discriminator 17,427,969, the same as SpecGAN's.

Slice lengths, as in the original code: 16384 (paper); 32768 and 65536 double the channels of
the dense projection and add a sixth layer (stride 2 for 32768, stride 4 for 65536; 64d
channels at 16384 samples). Course option, not in the paper: a shorter ``slice_len`` that is a
multiple of 1024 (1024 ... 16384) keeps the five layers and shortens the dense projection
(4096 samples start from 4 steps instead of 16), so small profiles train the same design.

Weights start as in TensorFlow's layers (Glorot-uniform kernels, zero biases). Sizes follow
TensorFlow's ``'same'`` padding exactly; windows may sit one sample away from TensorFlow's
(see :func:`~audiogan_lesson.models.layers.same_padding_transposed`).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from ..representations import Waveform
from ..scales import TrainScale
from .conditional import (DEFAULT_CONDITIONING, ConditionalDiscriminator, ConditionalGenerator,
                          check_conditioning)
from .dcgan import check_sizes, check_upsample, discriminator_layers, generator_layers
from .entry import ModelEntry, Recipe, both
from .layers import PostFilter, init_like_tensorflow

LONG_SLICE_LENS = (32768, 65536)
PAPER_SLICE_LEN = 16384
STRIDE = 4


def _check_slice_len(slice_len: int, where: str) -> None:
    short_ok = 1024 <= slice_len <= PAPER_SLICE_LEN and slice_len % 1024 == 0
    if not (short_ok or slice_len in LONG_SLICE_LENS):
        raise ValueError(
            f"{where}: slice_len={slice_len} is not supported; use 16384 (paper), 32768 or 65536 "
            "(original code), or a multiple of 1024 below 16384 (e.g. 4096, 8192)"
        )


def generator_plan(slice_len: int) -> tuple[int, int, list[tuple[int, int]]]:
    """The generator's layout for ``slice_len``: ``(start_len, start_mult, [(mult, stride), ...])``.

    The dense layer projects to ``start_mult * d`` channels of ``start_len`` steps; each entry is
    one upsampling layer to ``mult * d`` channels (``0`` means the ``c`` output channels).
    """
    if slice_len in LONG_SLICE_LENS:
        last = 2 if slice_len == 32768 else 4
        return 16, 32, [(16, 4), (8, 4), (4, 4), (2, 4), (1, 4), (0, last)]
    return slice_len // 1024, 16, [(8, 4), (4, 4), (2, 4), (1, 4), (0, 4)]


def discriminator_plan(slice_len: int) -> list[tuple[int, int]]:
    """The discriminator's convolutions for ``slice_len``: ``[(mult, stride), ...]``, to
    ``mult * d`` channels each."""
    plan = [(1, 4), (2, 4), (4, 4), (8, 4), (16, 4)]
    if slice_len in LONG_SLICE_LENS:
        plan.append((32, 2 if slice_len == 32768 else 4))
    return plan


@dataclass(frozen=True)
class WaveGANGeneratorConfig:
    """WaveGAN generator settings; defaults are the paper's.

    ``d`` model width (64), ``c`` audio channels (1), ``latent_dim`` (100), ``slice_len`` output
    samples (16384), ``upsample`` ``zeros`` (transposed conv, paper) or ``nn``/``linear``/``cubic``
    (resize then conv), ``post_filter`` taps of the learned output filter (0 = off; the original
    code offers 512), ``kernel_len`` (25), ``batch_norm`` (False). Course option, not in the
    paper: ``n_classes`` (0 = unconditional; K: a class label's one-hot beside ``z``, times
    ``label_scale`` (1.0), beside ``z``; notebook 09).
    """

    d: int = 64
    c: int = 1
    latent_dim: int = 100
    slice_len: int = PAPER_SLICE_LEN
    upsample: str = "zeros"
    post_filter: int = 0
    kernel_len: int = 25
    batch_norm: bool = False
    n_classes: int = 0
    label_scale: float = 1.0

    def __post_init__(self) -> None:
        where = "WaveGANGenerator"
        check_conditioning(where, self.n_classes)
        check_sizes(where, self.d, self.c, self.kernel_len, STRIDE, paper_kernel=25)
        _check_slice_len(self.slice_len, where)
        check_upsample(where, self.upsample, self.kernel_len)
        if self.post_filter < 0 or self.latent_dim < 1:
            raise ValueError(f"{where}: post_filter={self.post_filter} must be >= 0 (0 = off, "
                             f"original: 512) and latent_dim={self.latent_dim} >= 1")


class WaveGANGenerator(ConditionalGenerator, nn.Module):
    """WaveGAN generator: ``(N, latent_dim)`` -> ``(N, c, slice_len)`` (notebook 04); with
    ``n_classes`` > 0, ``G(z, labels)`` (notebook 09).

    ``WaveGANGenerator(d=8, slice_len=2048, upsample="nn")`` or ``WaveGANGenerator(config)``:
    the settings and their defaults are :class:`WaveGANGeneratorConfig`'s.
    ``self.net`` is a ``Sequential`` named like the original's variable scopes (``z_project``,
    ``upconv_0`` ... ``upconv_4``, ``post_filter``), so :func:`layer_table` lists every step.
    """

    config_class = WaveGANGeneratorConfig

    def __init__(self, config: WaveGANGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        start_len, start_mult, plan = generator_plan(cfg.slice_len)
        layers = generator_layers(1, self.net_inputs, (start_len,), start_mult * cfg.d, plan,
                                  cfg.d, cfg.c, cfg.kernel_len, cfg.upsample, cfg.batch_norm)
        if cfg.post_filter:
            layers["post_filter"] = PostFilter(cfg.c, cfg.post_filter)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)


@dataclass(frozen=True)
class WaveGANDiscriminatorConfig:
    """WaveGAN discriminator settings; defaults are the paper's.

    ``d`` width (64), ``c`` channels (1), ``slice_len`` input samples (16384), ``phase_shuffle``
    radius n (2; 0 turns it off), ``phase_shuffle_per_example`` (False: one shift per layer for
    the whole batch, as the original; True: one per example), ``kernel_len`` (25),
    ``batch_norm`` (False), ``negative_slope`` of the LeakyReLU (0.2). Course option, not in
    the paper: ``n_classes`` (0 = unconditional) and ``conditioning`` (``"acgan"``, the
    default, or ``"projection"``: :mod:`.conditional`; notebook 09).
    """

    d: int = 64
    c: int = 1
    slice_len: int = PAPER_SLICE_LEN
    phase_shuffle: int = 2
    phase_shuffle_per_example: bool = False
    kernel_len: int = 25
    batch_norm: bool = False
    negative_slope: float = 0.2
    n_classes: int = 0
    conditioning: str = DEFAULT_CONDITIONING

    def __post_init__(self) -> None:
        where = "WaveGANDiscriminator"
        check_conditioning(where, self.n_classes, self.conditioning)
        check_sizes(where, self.d, self.c, self.kernel_len, STRIDE, paper_kernel=25)
        _check_slice_len(self.slice_len, where)
        if self.phase_shuffle < 0:
            raise ValueError(f"{where}: phase_shuffle={self.phase_shuffle}; use a radius >= 0 "
                             "(paper: 2, 0 = off)")


class WaveGANDiscriminator(ConditionalDiscriminator, nn.Module):
    """WaveGAN discriminator: ``(N, c, slice_len)`` -> logits ``(N,)`` (notebook 04); with
    ``n_classes`` > 0 as :class:`~.conditional.ConditionalDiscriminator` says (notebook 09).

    ``WaveGANDiscriminator(d=8, slice_len=2048)`` or ``WaveGANDiscriminator(config)``: the
    settings and their defaults are :class:`WaveGANDiscriminatorConfig`'s. Phase shuffle follows
    the LeakyReLU of each of the first four convolutions; it shuffles only in training mode
    (``model.train()``), never in ``model.eval()``.
    """

    config_class = WaveGANDiscriminatorConfig
    input_hint = "; pad/trim the slices or build the model with that slice_len"

    def __init__(self, config: WaveGANDiscriminatorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers = discriminator_layers(1, (cfg.slice_len,), cfg.c, discriminator_plan(cfg.slice_len),
                                      cfg.d, cfg.kernel_len, cfg.batch_norm, cfg.negative_slope,
                                      cfg.phase_shuffle, cfg.phase_shuffle_per_example)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)
        self.add_label_head()

# ----------------------------------------------------------------------------- the course's entry

WAVEGAN = Recipe()  # Donahue et al. 2019: every value is a default of TrainConfig and the configs

# WaveGAN with WGAN-GP on 2 cores: one critic step per generator step, Adam 3e-4, batch norm in
# G, an EMA of G (0.99), and the best weights kept by an inception score that falls when a class
# goes missing (scored every 500 steps); no pre-emphasis, as in the paper. Notebook 05 says what
# each change bought. One critic step comes from notebook 09's ten-minute class-conditional
# runs: with two a run made 5,001 steps and 62% of the real drums' inception score, with one
# 9,236-9,744 steps and 70-75%. Pre-emphasis (0.9, then 0.5) had been part of this recipe; in
# ten-minute runs with one critic step an independent listener (`listen`) gave 44% and 39% of
# the real drums' score with 0.5 and heard no hi-hat, 53% and 51% without it, hearing every
# kind; without it the click at the end of a clip went (the last 5 ms 2 dB above real, against
# 22 dB with 0.5): de-emphasis integrates the generator's slow errors into a tail.
LAPTOP_WAVEGAN_WGAN = Recipe(train=dict(n_critic=1, lr_g=3e-4, lr_d=3e-4, ema_decay=0.99,
                                        select_every=500),
                             generator=dict(batch_norm=True))

# WaveGAN with WGAN-GP on a GPU: the gradient penalty's double backward under the step's bf16
# autocast. On an H200 the gpu profile's training ran at 12.6 steps/s against 8.1 with the
# penalty in fp32, and a 40-second laptop-size run scored 29% of the real drums' inception score
# against 26% (one seed each: no loss seen). `train --gp-precision fp32` goes back.
GPU_WAVEGAN_WGAN = Recipe(train=dict(gp_precision="autocast"))

# The class-conditional WaveGAN with WGAN-GP on 2 cores, on top of the laptop recipe:
# pre-emphasis 0.5. In notebook 09's ten-minute runs with one critic step, 0.9 turned a slow
# error of the generator into a rumble under 100 Hz (41% of the hi-hats' energy; real ones have
# none) and up to 27% of its hi-hats were heard as snares; 0.5 (a gain of 2 at the lowest
# frequencies, against 10) kept 77% of the real drums' inception score, every class heard as
# asked at least 96% of the time; none kept 66%, with toms at 65%. Notebook 09 has the table.
LAPTOP_CONDITIONAL_WAVEGAN_WGAN = Recipe(representation=dict(preemphasis=0.5))

SCALES = {
    "smoke": TrainScale(width=4, batch_size=8, slice_len=4096, sample_rate=8000, steps=4,
                        minutes=0.2),
    # d=8, batch 32, quarter-second slices at 8 kHz (its WGAN-GP recipe for this budget:
    # LAPTOP_WAVEGAN_WGAN)
    "laptop": TrainScale(width=8, batch_size=32, slice_len=2048, sample_rate=8000, steps=600,
                         minutes=4.0),
    "gpu": TrainScale(width=64, batch_size=64, slice_len=16384, sample_rate=16000,
                      steps=200_000, minutes=4.0),
}

ENTRY = ModelEntry(
    "wavegan", WaveGANGenerator, WaveGANDiscriminator,
    sizes=lambda s: both(d=s.width, slice_len=s.slice_len),
    representation=lambda s, options: Waveform(**options),
    recipe=WAVEGAN, notebook="04_wavegan_phase_shuffle", scales=SCALES, conditions=True,
    profile_recipes={("laptop", "wgan-gp"): LAPTOP_WAVEGAN_WGAN,
                     ("gpu", "wgan-gp"): GPU_WAVEGAN_WGAN},
    conditional_recipes={("laptop", "wgan-gp"): LAPTOP_CONDITIONAL_WAVEGAN_WGAN})
