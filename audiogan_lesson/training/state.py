"""A Trainer's checkpoint: what it holds and how a run resumes from it (notebooks 02-06).

:func:`trainer_state` is the dict :meth:`Trainer.save` writes (weights, optimisers, scalers, the
history, the config, the models' specs, the experiment's ``meta``, the preview latents and the
random state); :func:`restore_trainer` checks that a checkpoint was written with the same
configuration (:func:`checkpoint.check_resumable`) and loads it, so that a resumed run continues
exactly; :func:`save_trainer` writes it and :func:`restore_newest` loads the newest readable
one. Files, atomic writes and pruning: :mod:`audiogan_lesson.checkpoint`.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import checkpoint as ckpt_io
from .config import RUN_FIELDS, TrainConfig
from .log import History, NonFiniteLossError


def trainer_state(trainer) -> dict:
    """Everything a checkpoint of ``trainer`` holds (RNG states and preview latents on the CPU)."""
    p = trainer.players
    return {
        "format": ckpt_io.CHECKPOINT_FORMAT, "step": trainer.step, "seconds": trainer.seconds,
        "world_size": trainer.shard.world_size,
        "generator": trainer.generator.state_dict(),
        "discriminator": trainer.discriminator.state_dict(),
        "ema": trainer.ema.state_dict() if trainer.ema is not None else None,
        "opt_g": p.opt_g.state_dict(), "opt_d": p.opt_d.state_dict(),
        "scaler_g": p.scaler_g.state_dict() if p.scaler_g is not None else None,
        "scaler_d": p.scaler_d.state_dict() if p.scaler_d is not None else None,
        "history": [dict(row) for row in trainer.history],
        "config": ckpt_io.config_dict(trainer.config),
        "models": {"generator": ckpt_io.model_spec(trainer.generator),
                   "discriminator": ckpt_io.model_spec(trainer.discriminator)},
        "data": {"shape": list(trainer.data.shape), "labelled": trainer.labels is not None},
        "latent_dim": trainer.latent_dim,
        "meta": trainer.meta,
        "preview_z": trainer.preview_z.cpu(),
        "preview_labels": (trainer.preview_labels.cpu() if trainer.preview_labels is not None
                           else None),
        "rng": ckpt_io.rng_state({"trainer": trainer.rng}),
        "selections": [dict(row) for row in trainer.selections],
    }


def restore_trainer(trainer, path: str | os.PathLike, state: dict | None = None) -> None:
    """Load checkpoint ``path`` (or its already read ``state``) into ``trainer`` (else
    ``ConfigMismatchError``, listing every differing field)."""
    if state is None:
        state = ckpt_io.load_checkpoint(path, map_location="cpu")
    ckpt_io.check_resumable(path, state, ckpt_io.config_dict(trainer.config),
                            {"generator": trainer.generator,
                             "discriminator": trainer.discriminator}, trainer.meta,
                            trainer.data.shape, RUN_FIELDS, ckpt_io.config_dict(TrainConfig()))
    try:
        trainer.generator.load_state_dict(state["generator"])
        trainer.discriminator.load_state_dict(state["discriminator"])
        if trainer.ema is not None and state.get("ema") is not None:
            trainer.ema.load_state_dict(state["ema"])
    except RuntimeError as exc:
        raise ckpt_io.ConfigMismatchError(
            f"{path}: the weights do not fit these models ({exc}); the checkpoint belongs to "
            "models of another size") from None
    p = trainer.players
    p.opt_g.load_state_dict(state["opt_g"])
    p.opt_d.load_state_dict(state["opt_d"])
    if p.scaler_g is not None and state.get("scaler_g") is not None:
        p.scaler_g.load_state_dict(state["scaler_g"])
        p.scaler_d.load_state_dict(state["scaler_d"])
    trainer.step = int(state["step"])
    trainer.seconds = float(state["seconds"])
    trainer.history = History(dict(row) for row in state["history"])
    trainer.selections = [dict(row) for row in state.get("selections", [])]
    trainer.preview_z = state["preview_z"].to(trainer.device)
    if state.get("preview_labels") is not None:
        trainer.preview_labels = state["preview_labels"].to(trainer.device)
    ckpt_io.set_rng_state(state["rng"], {"trainer": trainer.rng})
    trainer.log.clear()
    trainer.last_checkpoint = Path(path)
    trainer.resumed_world_size = int(state.get("world_size", 1))


def save_trainer(trainer, path: str | os.PathLike | None = None,
                 keep_as_last: bool = True) -> Path:
    """Write ``trainer``'s checkpoint (default ``out_dir/ckpt_<step>.pt``) and keep the last k.

    Refuses (``NonFiniteLossError``) when a pending loss or any weight is not finite, so a
    checkpoint on disk is always a good one. :meth:`Trainer.save`. ``keep_as_last=False``
    writes a copy that is not the run's newest checkpoint (``best.pt``, :mod:`.selection`):
    ``trainer.last_checkpoint`` stays and nothing is pruned.
    """
    if trainer._poisoned:
        raise NonFiniteLossError("training produced non-finite values; no checkpoint is written "
                                 "from this state", step=trainer.step, loss="unknown")
    trainer._flush()
    if not bool(ckpt_io.all_finite([trainer.generator, trainer.discriminator, trainer.ema])):
        trainer._poisoned = True
        raise NonFiniteLossError(f"weights are not finite at step {trainer.step}; no checkpoint "
                                 f"written (the last good one: {trainer.last_checkpoint})",
                                 step=trainer.step, loss="weights")
    if path is None:
        if trainer.out_dir is None:
            raise ValueError("Trainer.save() needs a path, or out_dir= when the Trainer is made")
        path = ckpt_io.checkpoint_path(trainer.out_dir, trainer.step)
    path = ckpt_io.save_checkpoint(path, trainer_state(trainer))
    if not keep_as_last:
        return path
    trainer.last_checkpoint = path
    if trainer.out_dir is not None and Path(path).parent == trainer.out_dir:
        ckpt_io.prune_checkpoints(trainer.out_dir, trainer.config.keep_last)
    return path


def restore_newest(trainer) -> Path | None:
    """Load the newest readable checkpoint of ``trainer.out_dir`` (a truncated newer file is
    skipped with a warning: :func:`checkpoint.newest_readable_checkpoint`); None when none."""
    if trainer.writes:
        ckpt_io.remove_stale_temporaries(trainer.out_dir)
    found = ckpt_io.newest_readable_checkpoint(trainer.out_dir)
    if found is None:
        return None
    trainer.load(*found)
    return found[0]
