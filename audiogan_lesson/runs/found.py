"""The runs the notebooks left: :class:`RunInfo`, :func:`find_runs` and :func:`run_info`
(notebook 07)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


from ..checkpoint import (load_checkpoint,
                         result_checkpoint)
from ..paths import runs_dir
from ..profiles import get_profile


@dataclass(frozen=True)
class RunInfo:
    """A finished (or stopped) training run found on disk by :func:`find_runs`.

    ``name``: its folder (``04_wavegan_phase_shuffle``); ``checkpoint``: its result (``best.pt``
    when the run kept one, else the newest checkpoint);
    ``model``, ``dataset``, ``sample_rate``, ``slice_len``, ``loss``: from its metadata;
    ``step``/``seconds``: how far it trained; ``pitches``: MIDI pitches of a pitch-conditioned
    model (GANSynth), else None; ``conditional``: the generator takes labels (classes or
    pitches).
    """

    name: str
    checkpoint: Path
    model: str
    dataset: str
    sample_rate: int
    slice_len: int
    loss: str
    step: int
    seconds: float
    pitches: tuple[int, ...] | None = None
    conditional: bool = False


def find_runs(profile=None, prefixes: tuple[str, ...] = ("02_", "03_", "04_", "05_", "06_"),
              root: str | os.PathLike | None = None) -> tuple[list[RunInfo], list[str]]:
    """The training runs that notebooks 02-06 left in the runs folder of ``profile``.

    Every folder of ``root`` (default: the profile's runs folder, :func:`runs_dir`) whose
    name starts with one of ``prefixes`` and holds a checkpoint with the experiment's metadata.
    Returns ``(runs sorted by name, notes)``; ``notes`` says, one line per folder, why a folder
    was passed over (no checkpoint yet, unreadable, no metadata), so that a notebook can say
    which models are missing instead of failing. The ``smoke`` profile's runs folder is a fresh
    temporary one, so nothing is found there. Notebook ``07_evaluation``.
    """
    profile = profile or get_profile()
    base = Path(root) if root is not None else runs_dir("07_evaluation", profile).parent
    runs, notes = [], []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
        if not folder.name.startswith(tuple(prefixes)):
            continue
        try:
            runs.append(run_info(folder))
        except (ValueError, FileNotFoundError) as err:
            notes.append(f"{folder.name}: {err}")
    return runs, notes


def run_info(folder: str | os.PathLike) -> RunInfo:
    """The :class:`RunInfo` of run folder ``folder``: of its ``best.pt`` when the run kept one
    (``TrainConfig.select_every``), else of its newest checkpoint.

    ``FileNotFoundError`` ("no checkpoint yet") or ``ValueError`` (unreadable, or no experiment
    metadata) say why a folder holds no run to sample. Used by :func:`find_runs`.
    """
    folder = Path(folder)
    ckpt = result_checkpoint(folder)
    if ckpt is None:
        raise FileNotFoundError("no checkpoint yet")
    state = load_checkpoint(ckpt)
    meta, config = state.get("meta") or {}, state.get("config") or {}
    if "representation" not in meta or "generator" not in (state.get("models") or {}):
        raise ValueError("the checkpoint has no experiment metadata")
    pitches = tuple(meta["pitches"]) if meta.get("pitches") else None
    return RunInfo(folder.name, ckpt, meta["model"], str(meta.get("dataset", "")),
                   int(meta["sample_rate"]), int(meta["slice_len"]), str(config.get("loss", "")),
                   int(state.get("step", 0)), float(state.get("seconds", 0.0)), pitches,
                   bool(config.get("conditional")))
