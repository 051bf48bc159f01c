"""The mel-image GAN: SpecGAN grown to 256 x 256 mel images (notebook ``03_specgan_dcgan``).

The street-music GAN of the course's source reports trained a DCGAN on 256 x 256 images of mel
spectrograms (:class:`~audiogan_lesson.representations.MelImage`). Here it is SpecGAN's design
(Donahue et al. 2019: 5 x 5 kernels, stride 2, a dense projection to 4 x 4 x 16d, ReLU and tanh
in G, LeakyReLU 0.2 in D, no batch norm) with as many stride-2 layers as the image needs:
``k = log2(min(height, width) / 4)``. At 256 x 256 that is one layer more than SpecGAN on each
side: the generator's channels are ``16d -> 8d -> 4d -> 2d -> d -> d -> c`` and the
discriminator's ``c -> d -> d -> 2d -> 4d -> 8d -> 16d``. At 128 x 128 both are exactly SpecGAN
(19,065,345 and 17,427,969 parameters at d=64); at 64 x 64 the widest layer is dropped.
Non-square images work when both sides are a multiple of ``2**k`` (64 x 256 starts from 4 x 16).

Selected by ``python -m audiogan_lesson train specgan --representation mel-image`` (the
registry's ``specgan-mel`` entry). Images are ``(N, c, height, width)``, mel bands by frames.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from ..representations import MelImage
from ..scales import MelImageScale
from .dcgan import discriminator_layers, generator_layers
from .entry import ModelEntry, Recipe, both
from .layers import LatentGenerator, LogitDiscriminator, init_like_tensorflow
from .specgan import (DISCRIMINATOR_MULTS, REPRESENTATIONS, START, STRIDE,
                      SpecGANDiscriminatorConfig, SpecGANGeneratorConfig)

PAPER_SIZE = 256  # the street-music GAN's images (resize_shape = (256, 256))


def num_layers(height: int, width: int, where: str = "mel-image model") -> int:
    """Stride-2 layers for a ``height`` x ``width`` image: ``log2(min side / 4)`` (6 at 256).

    Raises a ValueError naming the sizes unless the shorter side is ``4 * 2**k`` (k >= 1) and
    the longer one a multiple of ``2**k``.
    """
    short = min(height, width)
    k = (short // START).bit_length() - 1
    if short < 2 * START or START * 2**k != short or height % 2**k or width % 2**k:
        raise ValueError(f"{where}: height={height}, width={width}; the shorter side must be "
                         f"4 * 2**k (8, 16, ..., 128, 256) and the other a multiple of 2**k "
                         f"(paper: {PAPER_SIZE} x {PAPER_SIZE})")
    return k


def discriminator_mults(k: int) -> tuple[int, ...]:
    """Channels of the ``k`` convolutions in units of d: SpecGAN's (1, 2, 4, 8, 16), with
    extra ``1``s in front for bigger images and its first ones dropped for smaller."""
    if k >= len(DISCRIMINATOR_MULTS):
        return (1,) * (k - len(DISCRIMINATOR_MULTS)) + DISCRIMINATOR_MULTS
    return DISCRIMINATOR_MULTS[len(DISCRIMINATOR_MULTS) - k:]


def generator_mults(k: int) -> tuple[int, ...]:
    """Channels of the ``k`` upsampling layers in units of d (0 = the c outputs): the
    discriminator's mirror, (8, 4, 2, 1, 0) at 128 x 128 as SpecGAN, (8, 4, 2, 1, 1, 0) at 256."""
    return tuple(reversed(discriminator_mults(k)[:-1])) + (0,)


def _check(config) -> None:
    """A mel-image config's own checks: an image size the stride-2 layers reach, and no classes
    (SpecGAN's ``n_classes`` is not used: the mel-image GAN has no class-conditional form)."""
    name = type(config).__name__.removesuffix("Config")
    if config.n_classes:
        raise ValueError(f"{name}: n_classes={config.n_classes}, but the mel-image GAN is "
                         "unconditional; use SpecGAN (representation 'specgan') for a "
                         "class-conditional spectrogram GAN")
    num_layers(config.height, config.width, name)


@dataclass(frozen=True)
class MelImageGeneratorConfig(SpecGANGeneratorConfig):
    """Mel-image generator settings: SpecGAN's (:class:`SpecGANGeneratorConfig`, the same
    defaults), at ``height`` x ``width`` (256 x 256)."""

    height: int = PAPER_SIZE
    width: int = PAPER_SIZE

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(self)


@dataclass(frozen=True)
class MelImageDiscriminatorConfig(SpecGANDiscriminatorConfig):
    """Mel-image discriminator settings: SpecGAN's (:class:`SpecGANDiscriminatorConfig`, the
    same defaults), at ``height`` x ``width`` (256 x 256)."""

    height: int = PAPER_SIZE
    width: int = PAPER_SIZE

    def __post_init__(self) -> None:
        super().__post_init__()
        _check(self)


class _Images:
    @property
    def example_shape(self) -> tuple[int, ...]:
        """One image's shape: ``(c, height, width)``."""
        return (self.config.c, self.config.height, self.config.width)


class MelImageGenerator(_Images, LatentGenerator, nn.Module):
    """``(N, latent_dim)`` -> mel images ``(N, c, height, width)`` in [-1, 1] (notebook 03)."""

    config_class = MelImageGeneratorConfig

    def __init__(self, config: MelImageGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        k = num_layers(cfg.height, cfg.width)
        start = (cfg.height // 2**k, cfg.width // 2**k)
        plan = [(mult, STRIDE) for mult in generator_mults(k)]
        top = discriminator_mults(k)[-1]
        self.net = nn.Sequential(generator_layers(2, cfg.latent_dim, start, top * cfg.d, plan,
                                                  cfg.d, cfg.c, cfg.kernel_len, cfg.upsample,
                                                  cfg.batch_norm))
        init_like_tensorflow(self)


class MelImageDiscriminator(_Images, LogitDiscriminator, nn.Module):
    """Mel images ``(N, c, height, width)`` -> logits ``(N,)`` (notebook 03)."""

    config_class = MelImageDiscriminatorConfig
    input_name = "mel images"

    def __init__(self, config: MelImageDiscriminatorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        k = num_layers(cfg.height, cfg.width)
        plan = [(mult, STRIDE) for mult in discriminator_mults(k)]
        self.net = nn.Sequential(discriminator_layers(2, (cfg.height, cfg.width), cfg.c, plan,
                                                      cfg.d, cfg.kernel_len, cfg.batch_norm,
                                                      cfg.negative_slope))
        init_like_tensorflow(self)

# ----------------------------------------------------------------------------- the course's entry

SPECGAN_MEL = Recipe()  # the mel-image GAN is SpecGAN's design on mel images: SpecGAN's recipe

# The street-music mel-image GAN's training (the course's source reports, UrbanSound8K): BCE
# with one-sided label smoothing 0.1, two generator updates per step, noise of 0.02 on the
# discriminator's inputs, a one-sided gradient penalty of weight 25, its gradients clipped at 0.5
# and the real and fake losses weighted dynamically (training.tricks). With loss="bce":
# make_experiment("specgan", "urbansound8k_street_music", representation="mel-image",
# loss="bce", recipe=STREET_MUSIC) (notebook 03's "Run at full scale").
STREET_MUSIC = Recipe(train=dict(label_smoothing=0.1, g_steps_per_d=2, instance_noise=0.02,
                                 bce_gp_weight=25.0, bce_gp_kind="one-sided",
                                 grad_clip_value=0.5, dynamic_weighting=True))


def _sizes(scale) -> tuple[dict, dict]:
    """The mel-image GAN at ``scale`` (a :class:`scales.MelImageScale`): width ``d`` and the
    image's height and width."""
    height, width = scale.image_size
    return both(d=scale.width, height=height, width=width)


def _representation(scale, options) -> MelImage:
    """The mel image at ``scale`` (a :class:`scales.MelImageScale`)."""
    return MelImage(sample_rate=scale.sample_rate, length=scale.slice_len, n_mels=scale.n_mels,
                    n_fft=scale.n_fft, hop=scale.hop, size=tuple(scale.image_size), **options)


SCALES = {
    # 3 resolutions (2x16 to 8x64, a 512-sample clip), 5 pitches, 2 steps per stage
    "smoke": MelImageScale(width=4, batch_size=8, slice_len=8192, steps=4, minutes=0.2,
                           image_size=(32, 32)),
    # one-second drums at 22,050 Hz (44 frames of hop 512, resized to 256 x 256 as the report),
    # d=8 so that its steps cost about SpecGAN's laptop steps
    "laptop": MelImageScale(width=8, batch_size=32, slice_len=22050, steps=600, minutes=4.0),
    "gpu": MelImageScale(steps=200_000, minutes=4.0),
}

ENTRY = ModelEntry(
    "specgan-mel", MelImageGenerator, MelImageDiscriminator, sizes=_sizes,
    representation=_representation, recipe=SPECGAN_MEL, notebook="03_specgan_dcgan",
    scales=SCALES, representations=REPRESENTATIONS)
