"""The dense (fully connected) GAN baseline (notebook ``02_dense_gan_baseline``).

The course card's source builds a generator ``latent -> Dense 512-512-1024-1024 -> one waveform``
with ReLU and a tanh output, and a discriminator ``Dense 1024-512-256-1`` with dropout, trained
with BCE and Adam. Here the generator returns ``(N, c, slice_len)`` and the discriminator takes
the same shape and returns logits ``(N,)`` (the sigmoid lives in the loss), so the trainer treats
it like WaveGAN.

``width`` scales every hidden layer: the generator's are ``(w/2, w/2, w, w)`` and the
discriminator's ``(w, w/2, w/4)``; ``width=1024`` is the source's size. The source generated
64000 samples (4 s at 16 kHz); the course default is 16384, the length of the other models.
The source does not give the dropout rate nor the latent size: 0.3 and 100 here. Weights start
as Keras's (Glorot-uniform, zero biases). ``batch_norm`` (off, as the source) puts a batch norm
after every hidden dense layer of both networks, one of the GTZAN classical report's changes
(notebook 02's table of tricks).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from torch import nn

from ..representations import Waveform
from ..scales import TrainScale
from .entry import ModelEntry, Recipe, both
from .layers import LatentGenerator, LogitDiscriminator, init_like_tensorflow


def generator_widths(width: int) -> tuple[int, ...]:
    """Hidden sizes of the dense generator: ``(w/2, w/2, w, w)``; 512-512-1024-1024 at 1024."""
    return (width // 2, width // 2, width, width)


def discriminator_widths(width: int) -> tuple[int, ...]:
    """Hidden sizes of the dense discriminator: ``(w, w/2, w/4)``; 1024-512-256 at 1024."""
    return (width, width // 2, width // 4)


@dataclass(frozen=True)
class DenseConfig:
    """The settings both dense networks have: ``slice_len`` (16384), ``c`` (1), ``width``
    (1024, the source's widest layer), ``batch_norm`` after each hidden layer (False)."""

    slice_len: int = 16384
    c: int = 1
    width: int = 1024
    batch_norm: bool = False

    def __post_init__(self) -> None:
        if self.width < 4 or self.slice_len < 1 or self.c < 1:
            where = type(self).__name__.removesuffix("Config")
            raise ValueError(f"{where}: width={self.width}, slice_len={self.slice_len}, "
                             f"c={self.c}; need width >= 4 (source: 1024), slice_len >= 1 and "
                             "c >= 1")


@dataclass(frozen=True)
class DenseGeneratorConfig(DenseConfig):
    """Dense generator settings: those of :class:`DenseConfig`, and ``latent_dim`` (100)."""

    latent_dim: int = 100

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.latent_dim < 1:
            raise ValueError(f"DenseGenerator: latent_dim={self.latent_dim} must be >= 1")


class DenseGenerator(LatentGenerator, nn.Module):
    """Dense generator: ``(N, latent_dim)`` -> ``(N, c, slice_len)`` in [-1, 1] (notebook 02).

    ``DenseGenerator(width=256)`` or ``DenseGenerator(config)``: the settings and their defaults
    are :class:`DenseGeneratorConfig`'s.
    """

    config_class = DenseGeneratorConfig

    def __init__(self, config: DenseGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        size = cfg.latent_dim
        for i, hidden in enumerate(generator_widths(cfg.width)):
            layers[f"dense_{i}"] = nn.Linear(size, hidden)
            if cfg.batch_norm:
                layers[f"dense_{i}_bn"] = nn.BatchNorm1d(hidden)
            layers[f"dense_{i}_relu"] = nn.ReLU()
            size = hidden
        layers["output"] = nn.Linear(size, cfg.c * cfg.slice_len)
        layers["tanh"] = nn.Tanh()
        layers["reshape"] = nn.Unflatten(1, (cfg.c, cfg.slice_len))
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)


@dataclass(frozen=True)
class DenseDiscriminatorConfig(DenseConfig):
    """Dense discriminator settings: those of :class:`DenseConfig`, and ``dropout`` after each
    hidden layer (0.3), ``negative_slope`` of the LeakyReLU (0.2)."""

    dropout: float = 0.3
    negative_slope: float = 0.2

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"DenseDiscriminator: dropout={self.dropout} must be in [0, 1)")


class DenseDiscriminator(LogitDiscriminator, nn.Module):
    """Dense discriminator: ``(N, c, slice_len)`` -> logits ``(N,)`` (notebook 02).

    ``DenseDiscriminator(width=256)`` or ``DenseDiscriminator(config)``: the settings and their
    defaults are :class:`DenseDiscriminatorConfig`'s.
    """

    config_class = DenseDiscriminatorConfig

    def __init__(self, config: DenseDiscriminatorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        layers["flatten"] = nn.Flatten()
        size = cfg.c * cfg.slice_len
        for i, hidden in enumerate(discriminator_widths(cfg.width)):
            layers[f"dense_{i}"] = nn.Linear(size, hidden)
            if cfg.batch_norm:
                layers[f"dense_{i}_bn"] = nn.BatchNorm1d(hidden)
            layers[f"dense_{i}_lrelu"] = nn.LeakyReLU(cfg.negative_slope)
            if cfg.dropout > 0:
                layers[f"dense_{i}_dropout"] = nn.Dropout(cfg.dropout)
            size = hidden
        layers["output"] = nn.Linear(size, 1)
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)

# ----------------------------------------------------------------------------- the course's entry

DENSE = Recipe()  # the dense baseline of notebook 02: TrainConfig's defaults, loss chosen per run

# Sizes per profile: the gpu's is the source report's Dense 512-512-1024-1024 at width 1024
SCALES = {
    "smoke": TrainScale(width=16, batch_size=16, slice_len=4096, sample_rate=8000, steps=4,
                        minutes=0.2),
    "laptop": TrainScale(width=128, batch_size=64, slice_len=4096, sample_rate=8000, steps=1500,
                         minutes=2.0),
    "gpu": TrainScale(width=1024, batch_size=64, slice_len=16384, sample_rate=16000, steps=20000,
                      minutes=4.0),
}

ENTRY = ModelEntry(
    "dense", DenseGenerator, DenseDiscriminator,
    sizes=lambda s: both(slice_len=s.slice_len, width=s.width),
    representation=lambda s, options: Waveform(**options),
    recipe=DENSE, notebook="02_dense_gan_baseline", scales=SCALES)
