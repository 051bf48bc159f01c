"""Keeping a run's best checkpoint by a score (``TrainConfig.select_every``; notebooks 08 and 09).

The papers take a run's last weights. A short GAN run does not improve monotonically: the
laptop PianoGAN met its note statistics at step 500 and drifted away after, and the
conditional WaveGAN's per-class agreement moves by ten points between checkpoints. With
``select_every`` N and a ``select`` function, the :class:`~.trainer.Trainer` scores its sampling
generator (the EMA copy when there is one) every N steps, records ``{"step", "score"}`` in
``trainer.selections`` (saved in every checkpoint, so a resumed run compares with the scores
before it), and writes the best scoring so far to ``best.pt`` beside the checkpoints
(:data:`checkpoint.BEST_NAME`). Training itself is unchanged: the next steps continue from the
current weights, and ``best.pt`` is a full checkpoint that ``generate`` and ``load_run`` read
like any other. The scores a course model is selected by: :mod:`evaluation.selection`.

``select(trainer) -> float`` must not touch the training's random state: sample with
``trainer.sample(n, seed=...)``, which has its own generator. Higher is better.
"""

from __future__ import annotations

import copy
import math
import warnings
from pathlib import Path
from typing import Any, Callable

import torch.nn as nn

from .. import checkpoint as ckpt_io
from .metrics_file import SCORE_COLUMN
from .state import save_trainer

SelectFn = Callable[[Any], float]  # select(trainer) -> score, higher is better


def due(trainer) -> bool:
    """True when ``trainer`` scores its generator after this step (process 0 only)."""
    every = trainer.config.select_every
    return (trainer.select is not None and every > 0 and trainer.step % every == 0
            and trainer.shard.main)


def best_row(selections: list[dict]) -> dict | None:
    """The best of ``selections`` (the first of equal scores), or None when there is none."""
    finite = [row for row in selections if math.isfinite(row["score"])]
    return max(finite, key=lambda row: row["score"]) if finite else None


def select_if_due(trainer) -> Path | None:
    """When :func:`due`, score ``trainer``'s generator, record it, and write ``best.pt`` when it
    is the best so far and the trainer writes checkpoints; the path written, else None."""
    if not due(trainer):
        return None
    before = best_row(trainer.selections)
    score = float(trainer.select(trainer))
    trainer.selections.append({"step": trainer.step, "score": score})
    if getattr(trainer, "metrics_file", None) is not None:
        trainer.metrics_file.append({"step": trainer.step, "seconds": trainer.seconds,
                                     SCORE_COLUMN: score})
    if not math.isfinite(score) or (before is not None and score <= before["score"]):
        return None
    if not trainer.writes:
        return None
    return save_trainer(trainer, ckpt_io.best_path(trainer.out_dir), keep_as_last=False)


def warn_unscored(trainer) -> None:
    """Warn once when ``trainer`` has ``select_every`` but no ``select`` function to score by."""
    every = trainer.config.select_every
    if every and trainer.select is None and not getattr(trainer, "_warned_unscored", False):
        trainer._warned_unscored = True
        warnings.warn(f"TrainConfig.select_every={every} but no Trainer(select=...): no best "
                      "checkpoint is kept; an experiment's trainer (Experiment.trainer) scores by "
                      "the course's score (or set select_every=0)", stacklevel=3)


def best_sampler(trainer) -> nn.Module:
    """A copy of ``trainer.sampler`` with the weights of its run's best scoring step (``best.pt``);
    the sampler itself when the run kept no best. The copy is kept until a better step is kept,
    so sampling it again reads no file."""
    best = trainer.best
    path = ckpt_io.best_path(trainer.out_dir) if trainer.out_dir is not None else None
    if best is None or path is None or not path.is_file():
        return trainer.sampler
    cached = getattr(trainer, "_best_sampler", None)
    if cached is not None and cached[0] == best["step"]:
        return cached[1]
    state = ckpt_io.load_checkpoint(path, map_location=trainer.device)
    model = copy.deepcopy(trainer.sampler)
    model.load_state_dict(state["ema"] if trainer.ema is not None else state["generator"])
    trainer._best_sampler = (best["step"], model)
    return model
