"""Progressive growing's arithmetic (Karras et al. 2018, as GANSynth's code uses it; notebook
``06_gansynth_progressive``): which stage works at which resolution with how many blocks, the
fade-in weight, the channels of each block, and the real images brought to a stage.
and the training schedule that grows the networks (:class:`ProgressiveSchedule`, the trainer's
hook). :mod:`.gansynth` builds the networks on these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from .layers import resize

__all__ = ["START_RESOLUTION", "num_filters", "num_stages", "stage_blocks", "is_fade_in",
           "stage_resolution", "stage_alpha", "downsample_to", "real_at_stage",
           "ProgressiveSchedule"]

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


# ----------------------------------------------------------------------------- training schedule


@dataclass(frozen=True)
class ProgressiveSchedule:
    """When each stage of progressive growing runs, and what the trainer does at each step.

    ``stable_steps`` and ``fade_steps``: the length of a stable and of a fade-in stage, in
    training steps (the paper's code: 800,000 images each, 100,000 steps at its batch of 8; the
    profiles set them, :class:`profiles.GANSynthScale`). The last stage runs until training
    stops. ``num_resolutions`` must match the models'. ``reset_optimizers`` (True, as the
    code): every stage starts with fresh Adam moments, since the code restores only the
    network's weights from the previous stage and initialises the optimiser's variables anew.

    A :class:`training.StepHook`: give it to the trainer (``Trainer(..., hook=schedule)``, which
    :func:`experiments.make_experiment` does for ``gansynth``). Before each step it sets the
    stage and fade-in weight of the generator, its EMA copy and the discriminator from the step
    count alone (:meth:`at`), so a resumed run continues exactly; ``real_batch`` brings real
    images to the stage with :func:`real_at_stage`. Notebook 06.
    """

    num_resolutions: int = 7
    stable_steps: int = 100_000
    fade_steps: int = 100_000
    start_resolution: tuple[int, int] = START_RESOLUTION
    reset_optimizers: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_resolution", tuple(int(s) for s in self.start_resolution))
        if self.num_resolutions < 1:
            raise ValueError(f"ProgressiveSchedule: num_resolutions={self.num_resolutions} must be "
                             ">= 1 (paper: 7)")
        if self.stable_steps < 1 or self.fade_steps < 1:
            raise ValueError(f"ProgressiveSchedule: stable_steps={self.stable_steps} and "
                             f"fade_steps={self.fade_steps} must be >= 1 (paper: 100000 each)")

    @property
    def num_stages(self) -> int:
        """``2 * num_resolutions - 1`` (13 for the paper)."""
        return num_stages(self.num_resolutions)

    def length(self, stage: int) -> int:
        """Steps of ``stage`` (the last stage's nominal length; it runs on until the end)."""
        return self.fade_steps if is_fade_in(stage) else self.stable_steps

    def start(self, stage: int) -> int:
        """The step count at which ``stage`` begins: 0 for stage 0."""
        _check_stage("ProgressiveSchedule.start", stage, self.num_resolutions)
        return (stage + 1) // 2 * self.stable_steps + stage // 2 * self.fade_steps

    @property
    def growth_steps(self) -> int:
        """Steps until the last stage begins (after that the model no longer grows)."""
        return self.start(self.num_stages - 1)

    def at(self, step: int) -> tuple[int, float]:
        """``(stage, alpha)`` for the step that follows ``step`` steps of training.

        ``alpha`` moves linearly from 0 (first step of a fade-in) towards 1, as the code's
        ``compute_progress``; it is 1 in stable stages.
        """
        if step < 0:
            raise ValueError(f"ProgressiveSchedule.at: step={step} must be >= 0")
        stage = 0
        while stage < self.num_stages - 1 and step >= self.start(stage + 1):
            stage += 1
        fraction = (step - self.start(stage)) / self.length(stage)
        return stage, stage_alpha(stage, fraction)

    def resolution(self, stage: int) -> tuple[int, int]:
        """``(frames, bins)`` of ``stage``: :func:`stage_resolution`."""
        return stage_resolution(stage, self.start_resolution)

    def table(self) -> str:
        """One line per stage: steps, resolution, kind (printed by notebook 06)."""
        lines = [f"{'stage':>5} {'steps':>17} {'resolution':>11}  kind"]
        for s in range(self.num_stages):
            first = self.start(s)
            last = (f"{self.start(s + 1) - 1}" if s < self.num_stages - 1 else "end")
            h, w = self.resolution(s)
            kind = "fade-in" if is_fade_in(s) else "stable"
            lines.append(f"{s:>5} {first:>8}-{last:<8} {f'{h} x {w}':>11}  {kind}")
        return "\n".join(lines)

    # -- the trainer's hook ------------------------------------------------------------------

    def before_step(self, trainer) -> None:
        """Set the stage and alpha of every model; reset Adam at the first step of a stage."""
        stage, alpha = self.at(trainer.step)
        for model in (trainer.generator, trainer.ema, trainer.discriminator):
            if model is not None:
                model.set_stage(stage, alpha)
        if self.reset_optimizers and stage > 0 and trainer.step == self.start(stage):
            for opt in (trainer.players.opt_g, trainer.players.opt_d):
                opt.state.clear()

    def real_batch(self, trainer, real: torch.Tensor) -> torch.Tensor:
        """Real images at full size ``(B, C, H, W)`` -> the current stage's, as the generator's."""
        stage = trainer.discriminator.stage
        return real_at_stage(real, stage, trainer.discriminator.alpha, self.start_resolution)

    def stage_speeds(self, history) -> list[dict]:
        """Steps per second of each stage that ``history`` covers (rows of ``Trainer.history``,
        each with ``step`` and cumulative ``seconds``), measured between the first and the last
        row inside the stage (a stage shorter than two log intervals is left out).
        Returns ``[{"stage", "resolution", "steps", "seconds", "steps_per_s"}]``."""
        rows = [(0, 0.0)] + [(int(r["step"]), float(r["seconds"])) for r in history]
        out = []
        for s in range(self.num_stages):
            lo = self.start(s)
            hi = self.start(s + 1) if s < self.num_stages - 1 else rows[-1][0]
            inside = [r for r in rows if lo <= r[0] <= hi]
            if len(inside) < 2:
                continue
            a, b = inside[0], inside[-1]
            steps, secs = b[0] - a[0], b[1] - a[1]
            out.append({"stage": s, "resolution": self.resolution(s), "steps": steps,
                        "seconds": secs, "steps_per_s": steps / secs if secs > 0 else float("nan")})
        return out
