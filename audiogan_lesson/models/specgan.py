"""SpecGAN (Donahue et al. 2019): DCGAN on 128 x 128 spectrograms (notebook ``03_specgan_dcgan``).

The generator maps ``z ~ Uniform(-1, 1)`` of shape ``(N, 100)`` to normalised log-magnitude
spectrograms ``(N, c, 128, 128)`` (frequency x time) in [-1, 1]; the discriminator maps them to
one logit per example, ``(N,)``. Defaults are the paper's Table 2 and the original TensorFlow
code: 5 x 5 kernels, stride 2, a dense projection to 4 x 4 x 16d, ReLU and tanh in G, LeakyReLU
0.2 in D, no batch norm, no phase shuffle. The generator has 19,065,345 parameters and the
discriminator 17,427,969 (the same as WaveGAN's: 5 x 5 = 25 taps).

Upsampling ``zeros`` (transposed conv, paper) or ``nn``/``linear``/``cubic`` (resize then conv,
in the original code). Weights start as in TensorFlow's layers (Glorot-uniform, zero biases).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from ..representations import SpecGANSpectrogram
from ..scales import TrainScale
from .conditional import (DEFAULT_CONDITIONING, ConditionalDiscriminator, ConditionalGenerator,
                          check_conditioning)
from .dcgan import check_sizes, check_upsample, discriminator_layers, generator_layers
from .entry import ModelEntry, Recipe, both, frozen
from .layers import init_like_tensorflow

SIZE = 128  # output height and width
START = 4  # spatial size after the dense projection
STRIDE = 2
GENERATOR_MULTS = (8, 4, 2, 1, 0)  # channels of each upconv in units of d; 0 = c
DISCRIMINATOR_MULTS = (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class SpecGANGeneratorConfig:
    """SpecGAN generator settings; defaults are the paper's.

    ``d`` width (64), ``c`` channels (1), ``latent_dim`` (100), ``upsample`` (``zeros``: transposed
    conv; ``nn``/``linear``/``cubic``: resize then conv), ``kernel_len`` (5), ``batch_norm``
    (False). Course option, not in the paper: ``n_classes`` (0 = unconditional; K: a class
    label's one-hot times ``label_scale`` (1.0), beside ``z``; notebook 09).
    """

    d: int = 64
    c: int = 1
    latent_dim: int = 100
    upsample: str = "zeros"
    kernel_len: int = 5
    batch_norm: bool = False
    n_classes: int = 0
    label_scale: float = 1.0

    def __post_init__(self) -> None:
        where = type(self).__name__.removesuffix("Config")  # the mel-image GAN's subclass too
        check_conditioning(where, self.n_classes)
        check_sizes(where, self.d, self.c, self.kernel_len, STRIDE, paper_kernel=5)
        check_upsample(where, self.upsample, self.kernel_len)
        if self.latent_dim < 1:
            raise ValueError(f"{where}: latent_dim={self.latent_dim} must be >= 1 (paper: 100)")


class _Spectrograms:
    """SpecGAN's data: one example is a ``(c, 128, 128)`` spectrogram."""

    @property
    def example_shape(self) -> tuple[int, ...]:
        """One spectrogram's shape: ``(c, 128, 128)``."""
        return (self.config.c, SIZE, SIZE)


class SpecGANGenerator(_Spectrograms, ConditionalGenerator, nn.Module):
    """SpecGAN generator: ``(N, latent_dim)`` -> ``(N, c, 128, 128)`` (notebook 03).

    ``SpecGANGenerator(d=8, upsample="nn")`` or ``SpecGANGenerator(config)``: the settings and
    their defaults are :class:`SpecGANGeneratorConfig`'s.
    """

    config_class = SpecGANGeneratorConfig

    def __init__(self, config: SpecGANGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers = generator_layers(2, self.net_inputs, (START, START), 16 * cfg.d,
                                  [(mult, STRIDE) for mult in GENERATOR_MULTS], cfg.d, cfg.c,
                                  cfg.kernel_len, cfg.upsample, cfg.batch_norm)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)


@dataclass(frozen=True)
class SpecGANDiscriminatorConfig:
    """SpecGAN discriminator settings; defaults are the paper's.

    ``d`` width (64), ``c`` channels (1), ``kernel_len`` (5), ``batch_norm`` (False),
    ``negative_slope`` of the LeakyReLU (0.2). Course option, not in the paper: ``n_classes``
    (0 = unconditional) and ``conditioning`` (``"acgan"``, the default, or
    ``"projection"``: :mod:`.conditional`; notebook 09).
    """

    d: int = 64
    c: int = 1
    kernel_len: int = 5
    batch_norm: bool = False
    negative_slope: float = 0.2
    n_classes: int = 0
    conditioning: str = DEFAULT_CONDITIONING

    def __post_init__(self) -> None:
        check_conditioning(type(self).__name__.removesuffix("Config"), self.n_classes,
                           self.conditioning)
        check_sizes(type(self).__name__.removesuffix("Config"), self.d, self.c, self.kernel_len,
                    STRIDE, paper_kernel=5)


class SpecGANDiscriminator(_Spectrograms, ConditionalDiscriminator, nn.Module):
    """SpecGAN discriminator: ``(N, c, 128, 128)`` -> logits ``(N,)`` (notebook 03).

    ``SpecGANDiscriminator(d=8)`` or ``SpecGANDiscriminator(config)``: the settings and their
    defaults are :class:`SpecGANDiscriminatorConfig`'s.
    """

    config_class = SpecGANDiscriminatorConfig
    input_name = "spectrograms"

    def __init__(self, config: SpecGANDiscriminatorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers = discriminator_layers(2, (SIZE, SIZE), cfg.c,
                                      [(mult, STRIDE) for mult in DISCRIMINATOR_MULTS], cfg.d,
                                      cfg.kernel_len, cfg.batch_norm, cfg.negative_slope)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)
        self.add_label_head()

# ----------------------------------------------------------------------------- the course's entry

SPECGAN = Recipe()

SLICE_LEN = 16384  # 128 frames of hop 128: SpecGAN's image is always 128 x 128
# the ways SpecGAN's design can see its data, each the registry name of the entry that does
REPRESENTATIONS = frozen({"linear": "specgan", "mel-image": "specgan-mel"})

SCALES = {
    "smoke": TrainScale(width=4, batch_size=8, slice_len=16384, sample_rate=16000, steps=4,
                        minutes=0.2),
    "laptop": TrainScale(width=16, batch_size=32, slice_len=16384, sample_rate=16000, steps=600,
                         minutes=4.0),
    "gpu": TrainScale(width=64, batch_size=64, slice_len=16384, sample_rate=16000,
                      steps=200_000, minutes=4.0),
}

ENTRY = ModelEntry(
    "specgan", SpecGANGenerator, SpecGANDiscriminator,
    sizes=lambda s: both(d=s.width),
    representation=lambda s, options: SpecGANSpectrogram(**options),
    recipe=SPECGAN, notebook="03_specgan_dcgan", scales=SCALES, slice_len=SLICE_LEN,
    representations=REPRESENTATIONS, conditions=True)
