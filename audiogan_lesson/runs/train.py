"""Train or load: a notebook cell's run, trained for what is left of its budget (notebooks 02-09).

:func:`train_or_load` loads the newest checkpoint of a run folder and trains until the run's
steps or its time budget (counted across calls) are used; :func:`finished_run` finds a finished
run of an earlier notebook; :func:`run_finished` is the one test of "finished";
:func:`full_scale_run` is each notebook's "Run at full scale".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import torch

from ..checkpoint import (spec_differences, config_dict,
                         config_differences, latest_checkpoint, list_checkpoints, load_checkpoint,
                         result_checkpoint)
from ..experiments import Experiment
from ..paths import runs_dir
from ..profiles import Profile, get_profile
from ..training import ConfigMismatchError, History, TrainConfig, Trainer
from ..training.config import RUN_FIELDS
from .sampling import LoadedRun, load_run
from .shipped import ShippedRunError, install_shipped, is_shipped, shipped_info


def _run_folder(name_or_dir: str | os.PathLike, profile: Profile) -> Path:
    """A run name (``str``) -> :func:`runs_dir`; a folder (``Path``) is used as it is."""
    if isinstance(name_or_dir, str):
        return runs_dir(name_or_dir, profile)
    return Path(name_or_dir)


def _seconds_left(config: TrainConfig, seconds: float) -> float | None:
    """What is left of a run's time budget after ``seconds`` (None: no time budget)."""
    return None if config.max_seconds is None else config.max_seconds - seconds


def run_finished(config: TrainConfig, step: int, seconds: float) -> bool:
    """Whether a run of ``config`` that made ``step`` steps in ``seconds`` is finished: it reached
    ``config.steps``, or used its time budget (to within a second: a run stops on its clock a
    step after the budget, never exactly on it)."""
    left = _seconds_left(config, seconds)
    return step >= config.steps or (left is not None and left <= 1.0)


def train_or_load(experiment: Experiment, name_or_dir: str | os.PathLike,
                  profile: Profile | None = None, progress: bool = False,
                  shipped: str | None = None, train_from_scratch: bool = False,
                  select: Callable | None = None) -> Trainer:
    """Load the run ``name_or_dir`` from the runs folder, or train it until its budget is used.

    ``name_or_dir``: a run name (its folder is :func:`runs_dir` of ``profile``, default the
    experiment's) or a folder. The newest checkpoint there is loaded (``ConfigMismatchError``
    when it was made with other settings); the run then trains until ``config.steps``, for at
    most what is left of ``config.max_seconds``: the budget counts every call, so a run that
    stopped on its clock goes on only for the remaining seconds, and a finished run is loaded
    without training. Returns the :class:`Trainer`. Notebooks 05, 06 and 07.

    ``shipped``: the name of a shipped run made with the same settings (:func:`shipped_runs`).
    When the folder holds no run and ``train_from_scratch`` is False, the shipped run is
    installed there (:func:`install_shipped`), loaded instead of trained, and one sentence says
    so and which command trains it from scratch. With ``train_from_scratch`` an installed
    shipped run is removed and the run trains here; a run trained here is always loaded first.
    A shipped run cannot be continued: settings that ask for more of it than it made raise
    :class:`ShippedRunError`. ``select``: :meth:`Experiment.trainer`'s (by default a run with
    ``select_every`` keeps its best by the experiment's own score).
    """
    folder = _run_folder(name_or_dir, profile or experiment.profile)
    if shipped is not None:
        installed = is_shipped(folder)
        if installed and train_from_scratch:
            for path in list_checkpoints(folder):
                path.unlink()
        elif installed or (not train_from_scratch and latest_checkpoint(folder) is None):
            return _load_shipped(experiment, folder, shipped, progress)
    trainer = experiment.trainer(folder, select=select)
    trainer.load_newest()
    if not run_finished(experiment.config, trainer.step, trainer.seconds):
        trainer.train(seconds=_seconds_left(experiment.config, trainer.seconds),
                      progress=progress)
    return trainer


def finished_run(experiment: Experiment, name_or_dir: str | os.PathLike,
                 profile: Profile | None = None) -> Trainer | None:
    """The finished run ``name_or_dir`` of an earlier notebook made with the same settings, or None.

    Finished: it reached ``config.steps`` or used its time budget. None as well when the run
    is missing, unfinished, or made with other settings (``ConfigMismatchError``). Notebook 05
    reuses the BCE runs of notebooks 03 and 04 this way.
    """
    trainer = experiment.trainer(_run_folder(name_or_dir, profile or experiment.profile))
    try:
        trainer.load_newest()
    except ConfigMismatchError:  # made with other settings: the caller trains its own
        return None
    done = run_finished(experiment.config, trainer.step, trainer.seconds)
    return trainer if trainer.step > 0 and done else None


def _load_shipped(experiment: Experiment, folder: Path, name: str, progress: bool) -> Trainer:
    """:func:`train_or_load` for a shipped run: install it when needed, check that it has the
    experiment's settings and budget, and load its weights into a Trainer (not to be trained)."""
    info = shipped_info(name)
    path = latest_checkpoint(folder) if is_shipped(folder) else install_shipped(name, folder)
    state = load_checkpoint(path)
    if (int(state["step"]), float(state["seconds"])) != (info["step"], info["seconds"]):
        # installed by an earlier version of the package, which shipped another run
        for old in list_checkpoints(folder):
            old.unlink()
        path = install_shipped(name, folder)
        state = load_checkpoint(path)
    cfg = experiment.config
    saved = {**config_dict(TrainConfig()), **state["config"]}  # fields added since: defaults
    differences = config_differences(saved, config_dict(cfg), ignore=RUN_FIELDS)
    differences += [f"generator.{line}" for line in
                    spec_differences(state["models"]["generator"], experiment.generator)]
    if differences:
        raise ConfigMismatchError(
            f"shipped run {name} was made with other settings than this experiment:\n  "
            + "\n  ".join(differences) + "\nuse the shipped run's settings, or train from "
            f"scratch (train_from_scratch=True, or: {info['command']})")
    if not run_finished(cfg, int(state["step"]), float(state["seconds"])):
        budget = f"{cfg.max_seconds / 60:g} minutes" if cfg.max_seconds else f"{cfg.steps} steps"
        raise ShippedRunError(
            f"shipped run {name} made {state['step']:,} steps in {state['seconds'] / 60:.1f} "
            f"minutes; it holds no critic or optimiser state, so it cannot be continued to "
            f"{budget}; train from scratch (train_from_scratch=True, or: {info['command']})")
    trainer = experiment.trainer(folder)
    trainer.generator.load_state_dict(state["generator"])
    if trainer.ema is not None:
        trainer.ema.load_state_dict(state["generator"])
    trainer.step, trainer.seconds = int(state["step"]), float(state["seconds"])
    trainer.history = History(dict(row) for row in state["history"])
    trainer.selections, trainer.last_checkpoint = list(info.get("selections") or []), path
    print(f"Loaded the shipped run {name} ({trainer.step:,} steps in {trainer.seconds / 60:.1f} "
          f"minutes, {info['profile']} profile) instead of training it; to train it from scratch "
          f"set train_from_scratch=True, or run: {info['command']}")
    return trainer


def full_scale_run(name: str, args: str, model: str | None = None,
                   device: str | torch.device = "cpu") -> LoadedRun | None:
    """A notebook's "Run at full scale": the paper-size run that the command line trains.

    Prints the command, ``python -m audiogan_lesson train <args> --profile gpu --steps N --out
    DIR``, with ``N`` the gpu profile's steps for ``model`` (the first word of ``args`` unless
    given) and ``DIR`` the gpu profile's run folder ``name`` (:func:`runs_dir`); it trains for
    hours on a GPU, checkpointing as it goes (``--resume`` continues after an interruption).
    Returns that run's newest checkpoint loaded (:func:`load_run`) once it is there, else None,
    with a sentence saying which.
    """
    gpu = get_profile("gpu", device="cpu")
    steps = gpu.scale(model or args.split()[0]).steps
    folder = runs_dir(name, gpu)
    print(f"python -m audiogan_lesson train {args} --profile gpu --steps {steps} --out {folder}")
    newest = result_checkpoint(folder)
    if newest is None:
        print(f"no checkpoint in {folder} yet: the command above trains it (hours on one GPU; the "
              "same command with --resume continues), and this cell then loads it")
        return None
    run = load_run(newest, device)
    print(f"loaded {newest.name} of {folder}")
    return run
