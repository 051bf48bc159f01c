"""The DCGAN stacks that WaveGAN (1-D) and SpecGAN (2-D) share (notebooks ``03_specgan_dcgan``
and ``04_wavegan_phase_shuffle``).

Donahue et al. (2019) build both models from one design. The generator projects ``z`` with a
dense layer to a short, wide map, then upsamples it with strided (transposed) convolutions, ReLU
after each but the last, tanh at the end. The discriminator mirrors it with strided
convolutions and LeakyReLU, then one dense layer to a logit. WaveGAN is that design flattened to
1-D (kernel 25, stride 4); SpecGAN is the 2-D one (5 x 5, stride 2). Layer names follow the
original code's variable scopes, so :func:`~audiogan_lesson.models.summary.layer_table` reads
like the paper's tables.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Sequence

from torch import nn

from .layers import UPSAMPLE_MODES, PhaseShuffle, strided_conv, up_conv

SHUFFLED_LAYERS = 4  # WaveGAN shuffles the phase after its first four convolutions


def check_sizes(where: str, d: int, c: int, kernel_len: int, stride: int,
                paper_kernel: int) -> None:
    """Raise a ValueError naming ``where`` unless ``d, c >= 1`` and ``kernel_len >= stride``."""
    if d < 1 or c < 1:
        raise ValueError(f"{where}: d={d}, c={c}; both must be >= 1 (paper: d=64, c=1)")
    if kernel_len < stride:
        raise ValueError(f"{where}: kernel_len={kernel_len} must be >= the stride {stride} "
                         f"(paper: {paper_kernel})")


def check_upsample(where: str, upsample: str, kernel_len: int) -> None:
    """Raise a ValueError naming ``where`` unless ``upsample`` is one of
    :data:`~layers.UPSAMPLE_MODES` and, for a resize, ``kernel_len`` is odd."""
    if upsample not in UPSAMPLE_MODES:
        raise ValueError(f"{where}: upsample={upsample!r}; choose one of "
                         f"{', '.join(UPSAMPLE_MODES)} (paper: zeros)")
    if upsample != "zeros" and kernel_len % 2 == 0:
        raise ValueError(f"{where}: upsample={upsample!r} needs an odd kernel_len, "
                         f"got {kernel_len}")


def _batch_norm(dims: int, channels: int) -> nn.Module:
    return nn.BatchNorm1d(channels) if dims == 1 else nn.BatchNorm2d(channels)


def generator_layers(dims: int, latent_dim: int, start: tuple[int, ...], start_channels: int,
                     plan: Sequence[tuple[int, int]], d: int, c: int, kernel_len: int,
                     upsample: str, batch_norm: bool) -> OrderedDict[str, nn.Module]:
    """The generator's layers, ``(N, latent_dim)`` -> ``(N, c, *spatial)``, in order.

    ``z_project`` (dense to ``start_channels`` maps of size ``start``), ``reshape``, then for
    each ``(mult, stride)`` of ``plan`` an ``upconv_i`` (:func:`~layers.up_conv`) to ``mult * d``
    channels (``0``: the ``c`` output channels), ReLU after each but the last, and ``tanh``.
    ``batch_norm`` adds a batch norm before each ReLU (an option of the original code).
    """
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    layers["z_project"] = nn.Linear(latent_dim, math.prod(start) * start_channels)
    layers["reshape"] = nn.Unflatten(1, (start_channels, *start))
    if batch_norm:
        layers["z_project_bn"] = _batch_norm(dims, start_channels)
    layers["z_project_relu"] = nn.ReLU()
    channels = start_channels
    for i, (mult, stride) in enumerate(plan):
        out = mult * d if mult else c
        layers[f"upconv_{i}"] = up_conv(dims, channels, out, kernel_len, stride, upsample)
        if mult:
            if batch_norm:
                layers[f"upconv_{i}_bn"] = _batch_norm(dims, out)
            layers[f"upconv_{i}_relu"] = nn.ReLU()
        channels = out
    layers["tanh"] = nn.Tanh()
    return layers


def discriminator_layers(dims: int, size: tuple[int, ...], c: int,
                         plan: Sequence[tuple[int, int]], d: int, kernel_len: int,
                         batch_norm: bool, negative_slope: float, phase_shuffle: int = 0,
                         per_example: bool = False) -> OrderedDict[str, nn.Module]:
    """The discriminator's layers, ``(N, c, *size)`` -> logits ``(N, 1)``, in order.

    For each ``(mult, stride)`` of ``plan`` a ``downconv_i`` (:func:`~layers.strided_conv`,
    each axis ``ceil(length / stride)``) to ``mult * d`` channels, a batch norm from the second
    one on when ``batch_norm``, LeakyReLU, and with ``phase_shuffle > 0`` a phase shuffle of
    radius ``phase_shuffle`` after the first four (WaveGAN); then ``flatten`` and the dense
    ``output``.
    """
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    channels = c
    for i, (mult, stride) in enumerate(plan):
        layers[f"downconv_{i}"] = strided_conv(dims, channels, mult * d, kernel_len, stride)
        if batch_norm and i > 0:
            layers[f"downconv_{i}_bn"] = _batch_norm(dims, mult * d)
        layers[f"downconv_{i}_lrelu"] = nn.LeakyReLU(negative_slope)
        if i < SHUFFLED_LAYERS and phase_shuffle > 0:
            layers[f"phase_shuffle_{i}"] = PhaseShuffle(phase_shuffle, per_example=per_example)
        channels, size = mult * d, tuple(-(-n // stride) for n in size)
    layers["flatten"] = nn.Flatten()
    layers["output"] = nn.Linear(channels * math.prod(size), 1)
    return layers
