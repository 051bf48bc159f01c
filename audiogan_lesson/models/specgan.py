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

from collections import OrderedDict
from dataclasses import dataclass

from torch import nn

from .layers import (
    UPSAMPLE_MODES,
    LatentGenerator,
    LogitDiscriminator,
    init_like_tensorflow,
    strided_conv,
    up_conv,
)

SIZE = 128  # output height and width
START = 4  # spatial size after the dense projection
STRIDE = 2
GENERATOR_MULTS = (8, 4, 2, 1, 0)  # channels of each upconv in units of d; 0 = c
DISCRIMINATOR_MULTS = (1, 2, 4, 8, 16)


def _check(where: str, d: int, c: int, kernel_len: int) -> None:
    if d < 1 or c < 1:
        raise ValueError(f"{where}: d={d}, c={c}; both must be >= 1 (paper: d=64, c=1)")
    if kernel_len < STRIDE:
        raise ValueError(f"{where}: kernel_len={kernel_len} must be >= the stride {STRIDE} "
                         "(paper: 5)")


@dataclass(frozen=True)
class SpecGANGeneratorConfig:
    """SpecGAN generator settings; defaults are the paper's.

    ``d`` width (64), ``c`` channels (1), ``latent_dim`` (100), ``upsample`` (``zeros``: transposed
    conv; ``nn``/``linear``/``cubic``: resize then conv), ``kernel_len`` (5), ``batch_norm``
    (False).
    """

    d: int = 64
    c: int = 1
    latent_dim: int = 100
    upsample: str = "zeros"
    kernel_len: int = 5
    batch_norm: bool = False

    def __post_init__(self) -> None:
        where = "SpecGANGenerator"
        _check(where, self.d, self.c, self.kernel_len)
        if self.upsample not in UPSAMPLE_MODES:
            raise ValueError(f"{where}: upsample={self.upsample!r}; choose one of "
                             f"{', '.join(UPSAMPLE_MODES)} (paper: zeros)")
        if self.upsample != "zeros" and self.kernel_len % 2 == 0:
            raise ValueError(f"{where}: upsample={self.upsample!r} needs an odd kernel_len, "
                             f"got {self.kernel_len}")
        if self.latent_dim < 1:
            raise ValueError(f"{where}: latent_dim={self.latent_dim} must be >= 1 (paper: 100)")


class _Spectrograms:
    """SpecGAN's data: one example is a ``(c, 128, 128)`` spectrogram."""

    @property
    def example_shape(self) -> tuple[int, ...]:
        """One spectrogram's shape: ``(c, 128, 128)``."""
        return (self.config.c, SIZE, SIZE)


class SpecGANGenerator(_Spectrograms, LatentGenerator, nn.Module):
    """SpecGAN generator: ``(N, latent_dim)`` -> ``(N, c, 128, 128)`` (notebook 03).

    ``SpecGANGenerator(d=8, upsample="nn")`` or ``SpecGANGenerator(config)``: the settings and
    their defaults are :class:`SpecGANGeneratorConfig`'s.
    """

    config_class = SpecGANGeneratorConfig

    def __init__(self, config: SpecGANGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        channels = 16 * cfg.d
        layers["z_project"] = nn.Linear(cfg.latent_dim, START * START * channels)
        layers["reshape"] = nn.Unflatten(1, (channels, START, START))
        if cfg.batch_norm:
            layers["z_project_bn"] = nn.BatchNorm2d(channels)
        layers["z_project_relu"] = nn.ReLU()
        for i, mult in enumerate(GENERATOR_MULTS):
            out = mult * cfg.d if mult else cfg.c
            layers[f"upconv_{i}"] = up_conv(2, channels, out, cfg.kernel_len, STRIDE, cfg.upsample)
            if mult:
                if cfg.batch_norm:
                    layers[f"upconv_{i}_bn"] = nn.BatchNorm2d(out)
                layers[f"upconv_{i}_relu"] = nn.ReLU()
            channels = out
        layers["tanh"] = nn.Tanh()
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)


@dataclass(frozen=True)
class SpecGANDiscriminatorConfig:
    """SpecGAN discriminator settings; defaults are the paper's.

    ``d`` width (64), ``c`` channels (1), ``kernel_len`` (5), ``batch_norm`` (False),
    ``negative_slope`` of the LeakyReLU (0.2).
    """

    d: int = 64
    c: int = 1
    kernel_len: int = 5
    batch_norm: bool = False
    negative_slope: float = 0.2

    def __post_init__(self) -> None:
        _check("SpecGANDiscriminator", self.d, self.c, self.kernel_len)


class SpecGANDiscriminator(_Spectrograms, LogitDiscriminator, nn.Module):
    """SpecGAN discriminator: ``(N, c, 128, 128)`` -> logits ``(N,)`` (notebook 03).

    ``SpecGANDiscriminator(d=8)`` or ``SpecGANDiscriminator(config)``: the settings and their
    defaults are :class:`SpecGANDiscriminatorConfig`'s.
    """

    config_class = SpecGANDiscriminatorConfig
    input_name = "spectrograms"

    def __init__(self, config: SpecGANDiscriminatorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        channels = cfg.c
        for i, mult in enumerate(DISCRIMINATOR_MULTS):
            layers[f"downconv_{i}"] = strided_conv(2, channels, mult * cfg.d, cfg.kernel_len, STRIDE)
            if cfg.batch_norm and i > 0:
                layers[f"downconv_{i}_bn"] = nn.BatchNorm2d(mult * cfg.d)
            layers[f"downconv_{i}_lrelu"] = nn.LeakyReLU(cfg.negative_slope)
            channels = mult * cfg.d
        layers["flatten"] = nn.Flatten()
        layers["output"] = nn.Linear(channels * START * START, 1)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)
