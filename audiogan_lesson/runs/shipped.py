"""Shipped runs: long laptop runs that ship inside the package (notebooks 05 and 06).

``audiogan_lesson/shipped/<name>/`` holds the EMA generator's weights, its config, history,
command and scores. :func:`ship_run` writes one, :func:`shipped_runs` lists them,
:func:`shipped_info` reads one, and ``train_or_load(..., shipped=NAME)`` installs it into the
runs folder as a finished run (:func:`install_shipped`). A shipped run has no critic or
optimiser state: it cannot be continued (:class:`ShippedRunError`).
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

import torch

from ..checkpoint import (CHECKPOINT_FORMAT, checkpoint_path, latest_checkpoint, load_checkpoint,
                         result_checkpoint, save_checkpoint)


class ShippedRunError(RuntimeError):
    """A shipped run was asked to train further; it holds the generator's weights only."""


def _shipped_root(root: str | os.PathLike | None = None) -> Path:
    """The folder of the shipped runs: ``audiogan_lesson/shipped`` (package data) or ``root``."""
    return (Path(root) if root is not None
            else Path(str(resources.files("audiogan_lesson"))) / "shipped")


def shipped_runs(root: str | os.PathLike | None = None) -> list[str]:
    """The names of the runs that ship with the package (each a folder with ``run.json``)."""
    base = _shipped_root(root)
    return (sorted(p.name for p in base.iterdir() if (p / "run.json").is_file())
            if base.is_dir() else [])


def shipped_info(name: str, root: str | os.PathLike | None = None) -> dict:
    """The metadata of shipped run ``name`` (its ``run.json``): ``command``, ``profile``,
    ``step``, ``seconds``, ``scores``, ``notes``, ``history``, ``model``, ``dataset``."""
    path = _shipped_root(root) / name / "run.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no shipped run {name!r}; the package ships "
                                f"{', '.join(shipped_runs(root)) or 'none'}")
    try:
        info = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: cannot be read as JSON ({err}); reinstall the package to "
                         "restore the shipped run") from None
    missing = [k for k in ("command", "profile", "step", "seconds", "scores", "history")
               if k not in info]
    if missing:
        raise ValueError(f"{path}: lacks {', '.join(missing)}; reinstall the package to restore "
                         "the shipped run")
    return info


def ship_run(run_dir: str | os.PathLike, name: str, command: str, scores: dict,
             profile: str, notes: str = "", options: dict | None = None,
             root: str | os.PathLike | None = None) -> Path:
    """Write the result of run ``run_dir`` as shipped run ``name``; returns its folder.

    ``audiogan_lesson/shipped/<name>/`` (or ``root/<name>``) gets ``generator.pt`` (the EMA
    generator's weights, else the generator's, with what :func:`load_run` needs) and
    ``run.json`` (``command``: the exact command that made the run, ``profile``, ``step``,
    ``seconds``, ``scores`` measured now, ``notes``, the logged ``history``, and ``options``:
    the further keyword arguments of ``make_experiment(model, dataset, profile, loss=loss,
    **options)``). No critic or optimiser state. The weights are the kept best's (``best.pt``)
    when the run kept one (``kept_step``, ``selections``); the step, seconds and history are
    the whole run's.
    """
    ckpt = latest_checkpoint(run_dir)
    if ckpt is None:
        raise FileNotFoundError(f"{run_dir}: no checkpoint to ship; train the run first")
    state = load_checkpoint(ckpt)
    if "representation" not in (state.get("meta") or {}):
        raise ValueError(f"{ckpt}: no experiment metadata; ship runs made by `train`")
    kept = state if (result := result_checkpoint(run_dir)) == ckpt else load_checkpoint(result)
    ema = kept.get("ema") is not None
    weights = {k: v.detach().clone().contiguous() if torch.is_tensor(v)
               else v  # GANSynth: its stage
               for k, v in (kept["ema"] if ema else kept["generator"]).items()}
    folder = _shipped_root(root) / name
    save_checkpoint(folder / "generator.pt", {
        "format": CHECKPOINT_FORMAT, "step": int(state["step"]), "generator": weights,
        "models": {"generator": state["models"]["generator"]}, "config": state["config"],
        "meta": state["meta"], "latent_dim": state["latent_dim"], "data": state["data"]})
    info = {"name": name, "command": command, "profile": profile, "model": state["meta"]["model"],
            "dataset": state["meta"].get("dataset"), "step": int(state["step"]),
            "seconds": float(state["seconds"]), "ema": ema, "checkpoint": ckpt.name,
            "kept_step": int(kept["step"]), "selections": list(state.get("selections") or []),
            "loss": state["config"].get("loss"), "options": dict(options or {}),
            "scores": scores, "notes": notes, "torch": torch.__version__,
            "history": [dict(row) for row in state["history"]]}
    (folder / "run.json").write_text(json.dumps(info, indent=1) + "\n")
    return folder


def _shipped_state(name: str, root: str | os.PathLike | None = None) -> dict:
    """Shipped run ``name`` as a checkpoint of a finished run (generator weights only)."""
    info = shipped_info(name, root)
    path = _shipped_root(root) / name / "generator.pt"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the weights of shipped run {name!r} are missing; "
                                "reinstall the package to restore them")
    saved = load_checkpoint(path)
    if int(saved["step"]) != int(info["step"]):
        raise ValueError(f"{path}: step {saved['step']} but run.json says {info['step']}; the "
                         "shipped files do not belong together; reinstall the package")
    sentence = (f"shipped run {name} (generator weights only, no critic or optimiser state): "
                f"it cannot be resumed; train it from scratch with: {info['command']}")
    return {"format": CHECKPOINT_FORMAT, "step": int(info["step"]),
            "seconds": float(info["seconds"]), "world_size": 1,
            "generator": saved["generator"], "discriminator": None, "ema": None,
            "history": info["history"], "config": saved["config"], "models": saved["models"],
            "data": saved["data"], "latent_dim": saved["latent_dim"],
            "meta": {**saved["meta"], "shipped": sentence}}


def install_shipped(name: str, folder: str | os.PathLike,
                    root: str | os.PathLike | None = None) -> Path:
    """Write shipped run ``name`` into the run folder ``folder`` as its checkpoint; the path.

    The folder must hold no checkpoint. The checkpoint is the one a finished run would leave,
    for :func:`find_runs`, :func:`load_run` and ``generate``, with ``meta["shipped"]`` saying
    that it cannot be resumed (a ``Trainer`` refuses to resume it, naming the command).
    """
    folder = Path(folder)
    if latest_checkpoint(folder) is not None:
        raise FileExistsError(f"{folder} already holds a run; install shipped run {name} into "
                              "an empty folder")
    state = _shipped_state(name, root)
    return save_checkpoint(checkpoint_path(folder, state["step"]), state)


def is_shipped(folder: str | os.PathLike) -> bool:
    """True when the newest checkpoint of ``folder`` is an installed shipped run."""
    ckpt = latest_checkpoint(folder)
    if ckpt is None:
        return False
    try:
        return "shipped" in (load_checkpoint(ckpt).get("meta") or {})
    except ValueError:
        return False
