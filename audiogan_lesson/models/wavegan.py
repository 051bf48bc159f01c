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

from collections import OrderedDict
from dataclasses import dataclass

from torch import nn

from .layers import (
    UPSAMPLE_MODES,
    LatentGenerator,
    LogitDiscriminator,
    PhaseShuffle,
    PostFilter,
    init_like_tensorflow,
    strided_conv,
    up_conv,
)

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


def _check_common(where: str, d: int, c: int, kernel_len: int) -> None:
    if d < 1 or c < 1:
        raise ValueError(f"{where}: d={d}, c={c}; both must be >= 1 (paper: d=64, c=1)")
    if kernel_len < STRIDE:
        raise ValueError(f"{where}: kernel_len={kernel_len} must be >= the stride {STRIDE} "
                         "(paper: 25)")


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
    code offers 512), ``kernel_len`` (25), ``batch_norm`` (False).
    """

    d: int = 64
    c: int = 1
    latent_dim: int = 100
    slice_len: int = PAPER_SLICE_LEN
    upsample: str = "zeros"
    post_filter: int = 0
    kernel_len: int = 25
    batch_norm: bool = False

    def __post_init__(self) -> None:
        where = "WaveGANGenerator"
        _check_common(where, self.d, self.c, self.kernel_len)
        _check_slice_len(self.slice_len, where)
        if self.upsample not in UPSAMPLE_MODES:
            raise ValueError(f"{where}: upsample={self.upsample!r}; choose one of "
                             f"{', '.join(UPSAMPLE_MODES)} (paper: zeros)")
        if self.post_filter < 0 or self.latent_dim < 1:
            raise ValueError(f"{where}: post_filter={self.post_filter} must be >= 0 (0 = off, "
                             f"original: 512) and latent_dim={self.latent_dim} >= 1")
        if self.upsample != "zeros" and self.kernel_len % 2 == 0:
            raise ValueError(f"{where}: upsample={self.upsample!r} needs an odd kernel_len, "
                             f"got {self.kernel_len}")


class WaveGANGenerator(LatentGenerator, nn.Module):
    """WaveGAN generator: ``(N, latent_dim)`` -> ``(N, c, slice_len)`` (notebook 04).

    ``WaveGANGenerator(d=8, slice_len=2048, upsample="nn")`` or ``WaveGANGenerator(config)``:
    the settings and their defaults are :class:`WaveGANGeneratorConfig`'s.
    ``self.net`` is a ``Sequential`` named like the original's variable scopes (``z_project``,
    ``upconv_0`` ... ``upconv_4``, ``post_filter``), so :func:`layer_table` lists every step.
    """

    config_class = WaveGANGeneratorConfig

    def __init__(self, config: WaveGANGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        d, c = cfg.d, cfg.c
        start_len, start_mult, plan = generator_plan(cfg.slice_len)
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        layers["z_project"] = nn.Linear(cfg.latent_dim, start_len * start_mult * d)
        layers["reshape"] = nn.Unflatten(1, (start_mult * d, start_len))
        if cfg.batch_norm:
            layers["z_project_bn"] = nn.BatchNorm1d(start_mult * d)
        layers["z_project_relu"] = nn.ReLU()
        channels = start_mult * d
        for i, (mult, stride) in enumerate(plan):
            out = mult * d if mult else c
            layers[f"upconv_{i}"] = up_conv(1, channels, out, cfg.kernel_len, stride, cfg.upsample)
            if mult:
                if cfg.batch_norm:
                    layers[f"upconv_{i}_bn"] = nn.BatchNorm1d(out)
                layers[f"upconv_{i}_relu"] = nn.ReLU()
            channels = out
        layers["tanh"] = nn.Tanh()
        if cfg.post_filter:
            layers["post_filter"] = PostFilter(c, cfg.post_filter)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)


@dataclass(frozen=True)
class WaveGANDiscriminatorConfig:
    """WaveGAN discriminator settings; defaults are the paper's.

    ``d`` width (64), ``c`` channels (1), ``slice_len`` input samples (16384), ``phase_shuffle``
    radius n (2; 0 turns it off), ``phase_shuffle_per_example`` (False: one shift per layer for
    the whole batch, as the original; True: one per example), ``kernel_len`` (25),
    ``batch_norm`` (False), ``negative_slope`` of the LeakyReLU (0.2).
    """

    d: int = 64
    c: int = 1
    slice_len: int = PAPER_SLICE_LEN
    phase_shuffle: int = 2
    phase_shuffle_per_example: bool = False
    kernel_len: int = 25
    batch_norm: bool = False
    negative_slope: float = 0.2

    def __post_init__(self) -> None:
        where = "WaveGANDiscriminator"
        _check_common(where, self.d, self.c, self.kernel_len)
        _check_slice_len(self.slice_len, where)
        if self.phase_shuffle < 0:
            raise ValueError(f"{where}: phase_shuffle={self.phase_shuffle}; use a radius >= 0 "
                             "(paper: 2, 0 = off)")


class WaveGANDiscriminator(LogitDiscriminator, nn.Module):
    """WaveGAN discriminator: ``(N, c, slice_len)`` -> logits ``(N,)`` (notebook 04).

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
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        channels, length = cfg.c, cfg.slice_len
        for i, (mult, stride) in enumerate(discriminator_plan(cfg.slice_len)):
            layers[f"downconv_{i}"] = strided_conv(1, channels, mult * cfg.d, cfg.kernel_len, stride)
            if cfg.batch_norm and i > 0:
                layers[f"downconv_{i}_bn"] = nn.BatchNorm1d(mult * cfg.d)
            layers[f"downconv_{i}_lrelu"] = nn.LeakyReLU(cfg.negative_slope)
            if i < 4 and cfg.phase_shuffle > 0:
                layers[f"phase_shuffle_{i}"] = PhaseShuffle(
                    cfg.phase_shuffle, per_example=cfg.phase_shuffle_per_example)
            channels, length = mult * cfg.d, -(-length // stride)
        layers["flatten"] = nn.Flatten()
        layers["output"] = nn.Linear(channels * length, 1)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)
