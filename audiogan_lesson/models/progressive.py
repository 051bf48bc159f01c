"""Progressive growing's arithmetic (Karras et al. 2018, as GANSynth's code uses it; notebook
``06_gansynth_progressive``): which stage works at which resolution with how many blocks, the
fade-in weight, the channels of each block, and the real images brought to a stage.
:mod:`.gansynth` builds the networks and the training schedule on these.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from .layers import resize

__all__ = ["START_RESOLUTION", "num_filters", "num_stages", "stage_blocks", "is_fade_in",
           "stage_resolution", "stage_alpha", "downsample_to", "real_at_stage"]

START_RESOLUTION = (2, 16)  # frames x bins of the first block ("hifreqres" in the code)


# ----------------------------------------------------------------------------- schedule arithmetic


def num_filters(block_id: int, fmap_base: int = 4096, fmap_decay: float = 1.0,
                fmap_max: int = 256) -> int:
    """Channels of network block ``block_id``: ``int(min(fmap_base / 2^(block_id * fmap_decay),
    fmap_max))``, as the code's ``num_filters``.

    Block ``b`` (1 to 7) works at resolution index ``b - 1``; block 0 is the discriminator's last
    convolution. With the paper's values: 256 for blocks 0-4, then 128, 64, 32.
    """
    return int(min(fmap_base / math.pow(2.0, block_id * fmap_decay), fmap_max))


def num_stages(num_resolutions: int = 7) -> int:
    """Training stages for ``num_resolutions`` resolutions: ``2 * num_resolutions - 1`` (13)."""
    return 2 * num_resolutions - 1


def stage_blocks(stage: int) -> int:
    """Resolutions (network blocks) in use at ``stage``: ``(stage + 1) // 2 + 1``.

    Stage 0 uses 1 block, stages 1 and 2 use 2 (stage 1 fades the second one in), and so on.
    """
    if stage < 0:
        raise ValueError(f"stage={stage}; stages count from 0")
    return (stage + 1) // 2 + 1


def is_fade_in(stage: int) -> bool:
    """True for the odd stages, where a new resolution is faded in."""
    return stage % 2 == 1


def stage_resolution(stage: int, start: tuple[int, int] = START_RESOLUTION) -> tuple[int, int]:
    """``(frames, bins)`` the models work at in ``stage``: ``start`` doubled once per added block.

    ``stage_resolution(0) == (2, 16)``, ``(1)`` and ``(2)`` are ``(4, 32)``, ``(12)`` is
    ``(128, 1024)``. A fade-in stage works at its new, higher resolution.
    """
    factor = 2 ** (stage_blocks(stage) - 1)
    return (start[0] * factor, start[1] * factor)


def stage_alpha(stage: int, fraction: float) -> float:
    """The fade-in weight ``alpha`` after ``fraction`` (0 to 1) of ``stage`` has been trained.

    A fade-in stage moves linearly from 0 to 1 (as the code's ``compute_progress``); a stable
    stage always has 1 (the newest block alone).
    """
    if not is_fade_in(stage):
        return 1.0
    return float(min(max(fraction, 0.0), 1.0))


def _check_stage(where: str, stage: int, num_resolutions: int) -> None:
    total = num_stages(num_resolutions)
    if not isinstance(stage, int) or not 0 <= stage < total:
        raise ValueError(f"{where}: stage={stage!r}; with num_resolutions={num_resolutions} the "
                         f"stages are 0 to {total - 1}")


def _check_alpha(where: str, alpha: Any) -> None:
    if isinstance(alpha, (int, float)) and not 0.0 <= alpha <= 1.0:
        raise ValueError(f"{where}: alpha={alpha}; the fade-in weight must be in [0, 1]")


# ----------------------------------------------------------------------------- real data


def downsample_to(x: torch.Tensor, resolution: tuple[int, int]) -> torch.Tensor:
    """Average-pool images ``(N, C, H, W)`` to ``(N, C, *resolution)``.

    The factor must be the same integer on both axes (``H / h == W / w``), as between the
    resolutions of GANSynth; each output is the mean of a ``f x f`` block, as the code's
    ``downscale``. Used to bring real data to a lower stage's resolution (notebook 06).
    """
    h, w = x.shape[-2:]
    rh, rw = resolution
    if h % rh or w % rw or h // rh != w // rw:
        raise ValueError(f"downsample_to: cannot pool {h} x {w} to {rh} x {rw}; the resolution "
                         "must divide both axes by the same integer factor")
    factor = h // rh
    return x if factor == 1 else F.avg_pool2d(x, factor)


def real_at_stage(x: torch.Tensor, stage: int, alpha: float | torch.Tensor = 1.0,
                  start: tuple[int, int] = START_RESOLUTION) -> torch.Tensor:
    """Real images ``(N, C, H, W)`` at full size -> what the discriminator sees at ``stage``.

    A stable stage: :func:`downsample_to` the stage's resolution. A fade-in stage: ``alpha *
    downsample_to(x, res) + (1 - alpha) * upsample(downsample_to(x, res / 2))``, the same blend
    as the generator's output, so that real and fake images change alike while a resolution
    fades in (the code's ``blend_images``). Returns ``(N, C, *stage_resolution(stage))``.
    """
    res = stage_resolution(stage, start)
    new = downsample_to(x, res)
    if not is_fade_in(stage):
        return new
    old = resize(downsample_to(x, (res[0] // 2, res[1] // 2)), 2, "nn")
    return alpha * new + (1 - alpha) * old
