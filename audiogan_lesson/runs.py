"""Runs: training runs on disk, train-or-load, finding runs, and sampling from a checkpoint.

Notebooks 02-07 and the command line keep their training runs here, written once:

- :func:`runs_dir`: the folder of run ``name`` in a profile (``$AUDIOGAN_RUNS/<profile>/<name>``).
- :func:`train_or_load`: a notebook cell's "train or load": the newest checkpoint of a run is
  loaded, and the run trains only for what is left of its budget (counted across calls, so a
  run stopped on its clock goes on for the remaining seconds only). :func:`finished_run`: a
  finished run of an earlier notebook with the same settings, or None (notebook ``05_wgan_gp``).
- :func:`find_runs` / :class:`RunInfo`: the runs notebooks 02-06 left (notebook ``07_evaluation``);
  :func:`run_info` reads one run folder.
- :func:`load_run` / :class:`LoadedRun`: a checkpoint's generator (EMA weights when present), its
  representation and its latent distribution; :func:`sample_batches` is the one sampler on top
  of it, used by :func:`sample_run`, :func:`run_generator` and :func:`generate_from_checkpoint`
  (``python -m audiogan_lesson generate``).
- :class:`Source`, :func:`source_from_run`, :func:`stand_in_source`: the models notebook 07
  judges, a saved run or a small stand-in trained when a notebook's run is missing.
- Shipped runs: long laptop runs that ship inside the package (``audiogan_lesson/shipped/<name>/``:
  the EMA generator's weights, its config, history, command and scores). :func:`ship_run`
  writes one, :func:`shipped_runs` lists them, :func:`shipped_info` reads one, and
  ``train_or_load(..., shipped=NAME)`` installs it into the runs folder as a finished run when
  the folder holds none (notebooks 05 and 06), so that :func:`find_runs`, :func:`load_run`,
  notebook 07 and ``generate`` see it as a trained run. A shipped run has no critic or
  optimiser state: it cannot be continued (:class:`ShippedRunError`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from torch import nn

from .audio import save_audio
from .checkpoint import (CHECKPOINT_FORMAT, checkpoint_file, checkpoint_path, config_dict,
                         config_differences, latest_checkpoint, list_checkpoints, load_checkpoint,
                         load_generator, model_spec, result_checkpoint, save_checkpoint)
from .experiments import Experiment, make_experiment
from .models.conditional import resolve_label
from .notes import render_notes, write_midi
from .paths import runs_dir, use_google_drive  # noqa: F401  (the folders of runs)
from .profiles import Profile, get_profile, pick_device, tune_backend
from .representations import representation_from_state
from .training import ConfigMismatchError, History, TrainConfig, Trainer, latent_fn
from .training.config import RUN_FIELDS
from .training.sampling import latent_batches

__all__ = ["runs_dir", "use_google_drive", "full_scale_run", "train_or_load", "finished_run", "RunInfo", "find_runs", "run_info",
           "LoadedRun", "ShippedRunError", "ship_run", "shipped_runs", "shipped_info",
           "install_shipped", "is_shipped", "spec_differences", "load_run", "sample_batches", "sample_run", "run_generator", "generate_from_checkpoint",
           "Source", "source_from_run", "stand_in_source"]


# ----------------------------------------------------------------------------- run folders


def _run_folder(name_or_dir: str | os.PathLike, profile: Profile) -> Path:
    """A run name (``str``) -> :func:`runs_dir`; a folder (``Path``) is used as it is."""
    if isinstance(name_or_dir, str):
        return runs_dir(name_or_dir, profile)
    return Path(name_or_dir)


# ----------------------------------------------------------------------------- train or load


def _seconds_left(experiment: Experiment, trainer: Trainer) -> float | None:
    """What is left of the run's time budget (None: no time budget)."""
    budget = experiment.config.max_seconds
    return None if budget is None else budget - trainer.seconds


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
    remaining = _seconds_left(experiment, trainer)
    if (remaining is None or remaining > 1.0) and trainer.step < experiment.config.steps:
        trainer.train(seconds=remaining, progress=progress)
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
    remaining = _seconds_left(experiment, trainer)
    done = trainer.step >= experiment.config.steps or (remaining is not None and remaining <= 1.0)
    return trainer if trainer.step > 0 and done else None


# ----------------------------------------------------------------------------- runs of notebooks 02-06


@dataclass(frozen=True)
class RunInfo:
    """A finished (or stopped) training run found on disk by :func:`find_runs`.

    ``name``: its folder (``04_wavegan_phase_shuffle``); ``checkpoint``: its result (``best.pt``
    when the run kept one, else the newest checkpoint);
    ``model``, ``dataset``, ``sample_rate``, ``slice_len``, ``loss``: from its metadata;
    ``step``/``seconds``: how far it trained; ``pitches``: MIDI pitches of a pitch-conditioned
    model (GANSynth), else None.
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
                   int(state.get("step", 0)), float(state.get("seconds", 0.0)), pitches)


# ----------------------------------------------------------------------------- sampling from a checkpoint


@dataclass
class LoadedRun:
    """A run's generator and what turns its output into audio, from :func:`load_run`.

    ``generator``: in eval mode on ``device``, with the EMA weights when the checkpoint has
    them; ``representation``: the run's (Griffin-Lim for SpecGAN, the mel-IF inverse for
    GANSynth); ``latent`` (``"uniform"`` or ``"normal"``), ``latent_fn`` and ``latent_dim``: its
    latent distribution; ``conditional``: the generator takes class labels; ``pitches``: the
    MIDI pitches of a pitch-conditioned model, else None; ``meta``: the experiment's metadata.
    """

    path: Path
    generator: nn.Module
    representation: Any
    latent: str
    latent_fn: Callable
    latent_dim: int
    conditional: bool
    pitches: tuple[int, ...] | None
    meta: dict
    device: torch.device

    @property
    def n_classes(self) -> int:
        """Labels of a conditional generator: its pitches, else its classes (at least 1)."""
        return len(self.pitches) if self.pitches else max(len(self.meta.get("classes") or []), 1)

    @torch.no_grad()
    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Latents ``(N, latent_dim)`` (and labels ``(N,)``) -> waves ``(N, slice_len)`` on the CPU."""
        out = self.generator(z, labels) if self.conditional else self.generator(z)
        return self.representation.decode(out.float()).cpu()


def load_run(run: RunInfo | str | os.PathLike, device: str | torch.device = "cpu") -> LoadedRun:
    """Load a run's generator for sampling: a :class:`LoadedRun`.

    ``run``: a :class:`RunInfo` or a checkpoint path written by a :class:`Trainer` of an
    experiment (``Experiment.trainer`` or ``python -m audiogan_lesson train``).
    """
    path = checkpoint_file(run.checkpoint if isinstance(run, RunInfo) else run)
    tune_backend(device)
    generator, ckpt = load_generator(path, device=device)
    meta, config = ckpt.get("meta") or {}, ckpt["config"]
    if "representation" not in meta:
        raise ValueError(f"{path}: this checkpoint has no experiment metadata (it was not written "
                         "by `train` or Experiment.trainer); sample it with Trainer.sample instead")
    return LoadedRun(path, generator, representation_from_state(meta["representation"], path),
                     str(config.get("latent", "uniform")), latent_fn(config),
                     int(ckpt["latent_dim"]), bool(config.get("conditional")),
                     tuple(meta["pitches"]) if meta.get("pitches") else None, meta,
                     torch.device(device))


def sample_batches(run: LoadedRun, n: int, seed: int = 0, batch_size: int = 64,
                   pitch: int | None = None, label: int | None = None
                   ) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """``n`` generated waves in batches: ``(waves (m, slice_len) on the CPU, MIDI (m,) or None)``.

    The latents of every batch come, in turn, from one ``torch.Generator`` seeded with ``seed``.
    A conditional run is given every class in turn (all its pitches, or all its classes), or
    the pitch ``pitch`` (a MIDI number among its pitches), or the class index ``label``, for every
    wave; the second value is then the MIDI pitch of each wave of a pitch-conditioned run, else
    None.
    """
    if pitch is not None and (not run.conditional or not run.pitches):
        raise ValueError(f"--pitch {pitch}: the {run.meta['model']} in {run.path} is not "
                         "pitch-conditioned")
    if pitch is not None and pitch not in run.pitches:
        raise ValueError(f"--pitch {pitch}: {run.path} was trained on MIDI pitches "
                         f"{min(run.pitches)}-{max(run.pitches)}; choose one of those")
    return ((run.decode(z, labels), midi)
            for z, labels, midi in _latents(run, n, seed, batch_size, pitch, label))


def _latents(run: LoadedRun, n: int, seed: int, batch_size: int, pitch: int | None = None,
             label: int | None = None):
    """The latents of :func:`sample_batches` in turn: ``(z (m, latent_dim), labels (m,) or None,
    MIDI (m,) or None)``, by the course's one rule (:func:`training.sampling.latent_batches`)."""
    index = run.pitches.index(pitch) if pitch is not None else label
    for z, labels in latent_batches(run.latent_fn, run.latent_dim, n, run.device, seed,
                                    n_classes=run.n_classes if run.conditional else 0,
                                    label=index if run.conditional else None,
                                    batch_size=batch_size):
        midi = torch.tensor(run.pitches)[labels.cpu()] if run.pitches and labels is not None \
            else None
        yield z, labels, midi


def sample_run(run: RunInfo | str | os.PathLike, n: int, seed: int = 0,
               device: str | torch.device = "cpu", batch_size: int = 64
               ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``n`` generated waves ``(n, slice_len)`` from a run's checkpoint, on the CPU.

    Uses the EMA generator when there is one, the run's latent distribution and its
    representation (Griffin-Lim for SpecGAN, the mel-IF inverse for GANSynth). A pitch-
    conditioned run cycles through its pitches; the second value is then the MIDI pitch
    ``(n,)`` of every wave, else None. ``run``: a :class:`RunInfo` or a checkpoint path.
    Notebook ``07_evaluation``.
    """
    batches = list(sample_batches(load_run(run, device), n, seed=seed, batch_size=batch_size))
    midi = [m for _, m in batches if m is not None]
    return torch.cat([w for w, _ in batches]), (torch.cat(midi) if midi else None)


def run_generator(run: RunInfo | str | os.PathLike, device: str | torch.device = "cpu"):
    """A run's generator as a function ``latents (N, latent_dim) -> waves (N, slice_len)``.

    Returns ``(generate, latent_dim, latent)`` with ``latent`` ``"uniform"`` or ``"normal"``.
    For unconditional runs only (the latent explorer of notebook 07); EMA weights when present.
    """
    loaded = load_run(run, device)
    if loaded.conditional:
        kind = "pitch" if loaded.pitches else "class"
        raise ValueError(f"{loaded.path}: a {kind}-conditioned generator needs labels; use sample_run "
                         "(or generate --label for a class)")

    def generate(z: torch.Tensor) -> torch.Tensor:
        return loaded.decode(z.to(loaded.device))

    return generate, loaded.latent_dim, loaded.latent


def generate_from_checkpoint(checkpoint: str | os.PathLike, n: int, out_dir: str | os.PathLike,
                             seed: int = 0, pitch: int | None = None, label: str | int | None = None,
                             device: str | None = None) -> list[Path]:
    """Write ``n`` generated wav files from a training checkpoint (or a run folder: its
    :func:`checkpoint.result_checkpoint`) into ``out_dir``.

    Uses the EMA generator when the checkpoint has one, the latent distribution of its training
    config, and the representation saved with it (Griffin-Lim for SpecGAN, the exact mel-IF
    inverse for GANSynth). A note model (PianoGAN) writes each sequence twice, as a ``.mid`` file
    and rendered to ``.wav``. ``pitch`` (a MIDI number among the checkpoint's ``meta["pitches"]``)
    is for pitch-conditioned models only: every file is then a note of that pitch, named
    ``<model>_midi<pitch>_<i>.wav``; without it a pitch-conditioned model cycles through the
    pitches it was trained on. ``label`` (a class name or index of a class-conditional run,
    ``generate --label``) makes every file that class, named ``<model>_<class>_<i>.wav``; an
    unknown one is a ValueError that lists the run's classes (:func:`.models.conditional.resolve_label`).
    Returns the written paths. ``python -m audiogan_lesson generate``
    and notebook ``05_wgan_gp``.
    """
    path = checkpoint_file(checkpoint)
    if n < 1:
        raise ValueError(f"--n {n}: ask for at least one file")
    loaded = load_run(path, pick_device(device))  # None: CUDA, then mps, then the CPU
    classes, index, name = list(loaded.meta.get("classes") or []), None, loaded.meta["model"]
    if label is not None:
        if loaded.pitches:
            raise ValueError(f"--label {label}: {path} is pitch-conditioned (MIDI "
                             f"{min(loaded.pitches)}-{max(loaded.pitches)}); use --pitch")
        index = resolve_label(label, classes, loaded.conditional, where=str(path))
        name = f"{name}_{classes[index]}"
    if hasattr(loaded.representation, "to_notes"):  # notes (PianoGAN): .mid and .wav files
        return _write_note_files(loaded, n, Path(out_dir), seed)
    if pitch is not None:
        name = f"{name}_midi{pitch}"
    batches = sample_batches(loaded, n, seed=seed, batch_size=64, pitch=pitch, label=index)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for waves, _ in batches:
        for wave in waves:
            target = out / f"{name}_{len(written):04d}.wav"
            save_audio(target, wave, loaded.meta["sample_rate"])
            written.append(target)
    return written


def _write_note_files(run: LoadedRun, n: int, out: Path, seed: int) -> list[Path]:
    """``n`` generated note sequences of a note model (notebook ``08_pianogan_notes``), each as
    ``<model>_<i>.mid`` and the same notes rendered to ``<model>_<i>.wav`` at the
    representation's sample rate; the latents of :func:`sample_batches` (:func:`_latents`)."""
    out.mkdir(parents=True, exist_ok=True)
    written, name, rep = [], run.meta["model"], run.representation
    for z, _, _ in _latents(run, n, seed, 64):
        with torch.no_grad():
            notes = rep.to_notes(run.generator(z).float())
        for sequence in notes:
            stem = out / f"{name}_{len(written) // 2:04d}"
            written.append(write_midi(sequence, stem.with_suffix(".mid")))
            save_audio(stem.with_suffix(".wav"), render_notes(sequence, rep.sample_rate)[0],
                       rep.sample_rate)
            written.append(stem.with_suffix(".wav"))
    return written


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


# ----------------------------------------------------------------------------- models to judge (notebook 07)


@dataclass
class Source:
    """Something that makes sounds: a saved run, or a stand-in trained for notebook 07.

    ``sample(n, seed)`` -> ``(waves (n, slice_len), MIDI pitches (n,) or None)``;
    ``generate``: latents -> waves, for the latent explorer (None for a conditional model).
    """

    name: str
    model: str
    dataset: str
    sample_rate: int
    slice_len: int
    steps: int
    sample: Callable  # (n, seed) -> (waves (n, slice_len), MIDI pitches (n,) or None)
    generate: Callable | None = None  # latents -> waves, for the latent explorer


def source_from_run(run: RunInfo, device: str | torch.device = "cpu") -> Source:
    """A :class:`Source` that samples a run found by :func:`find_runs` (:func:`sample_run`)."""
    generate = None if run.pitches else run_generator(run, device=device)[0]
    return Source(run.name, run.model, run.dataset, run.sample_rate, run.slice_len, run.step,
                  lambda n, seed: sample_run(run, n, seed=seed, device=device), generate)


def stand_in_source(model: str, profile: Profile, steps: int) -> Source:
    """A small BCE ``model`` on the toy drums, for notebook 07 when a notebook's run is missing.

    Trained with :func:`train_or_load` for ``steps`` generator steps (at most two minutes) in
    the run ``07_fallback_<model>``; ``steps=0`` trains nothing (the smoke profile checks only
    the code path). When that folder holds a run of other settings, it is left as it is and the
    stand-in goes to the next folder (``07_fallback_<model>_2``, ...) that is empty or holds
    one of the same settings, saying so.
    """
    scale = profile.with_scale(model, steps=max(steps, 1), minutes=2.0)
    exp = make_experiment(model, "toy-drums", scale, loss="bce")  # BCE: one D step per G step
    folder = runs_dir(f"07_fallback_{model}", profile)
    trainer = None if steps else exp.trainer(folder)
    number = 1
    while trainer is None:
        try:
            trainer = train_or_load(exp, folder)
        except ConfigMismatchError as err:
            lines = str(err).splitlines()
            reason = "; ".join(line.strip() for line in lines[1:-1]) or lines[0]
            number += 1
            other = folder.with_name(f"07_fallback_{model}_{number}")
            print(f"{folder.name} holds a stand-in of other settings ({reason}); it stays there, "
                  f"and this one goes to {other.name}")
            folder = other
            folder.mkdir(parents=True, exist_ok=True)

    @torch.no_grad()
    def generate(z):
        return exp.to_audio(trainer.sampler.eval()(z.to(trainer.device)))

    return Source(f"{model} (stand-in, BCE, {trainer.step} steps)", model, "toy-drums",
                  exp.sample_rate, exp.real.waves.shape[1], trainer.step,
                  lambda n, seed: (exp.to_audio(trainer.sample(n, seed=seed)), None), generate)


# ----------------------------------------------------------------------------- shipped runs (notebooks 05, 06)


class ShippedRunError(RuntimeError):
    """A shipped run was asked to train further; it holds the generator's weights only."""


def _shipped_root(root: str | os.PathLike | None = None) -> Path:
    """The folder of the shipped runs: ``audiogan_lesson/shipped`` (package data) or ``root``."""
    return Path(root) if root is not None else Path(str(resources.files("audiogan_lesson"))) / "shipped"


def shipped_runs(root: str | os.PathLike | None = None) -> list[str]:
    """The names of the runs that ship with the package (each a folder with ``run.json``)."""
    base = _shipped_root(root)
    return sorted(p.name for p in base.iterdir() if (p / "run.json").is_file()) if base.is_dir() else []


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
    weights = {k: v.detach().clone().contiguous() if torch.is_tensor(v) else v  # GANSynth: its stage
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


def spec_differences(saved: dict, model: nn.Module) -> list[str]:
    """How a saved model spec differs from ``model``'s (:func:`checkpoint.model_spec`); a config
    field that the spec lacks (added to the package since) counts as its class default."""
    now = model_spec(model) or {}
    try:
        defaults = config_dict(type(model.config)())
    except TypeError:  # a config class without defaults for every field
        defaults = {}
    return config_differences({**saved, "config": {**defaults, **saved.get("config", {})}}, now)


def _load_shipped(experiment: Experiment, folder: Path, name: str, progress: bool) -> Trainer:
    """:func:`train_or_load` for a shipped run: install it when needed, check that it has the
    experiment's settings and budget, and load its weights into a Trainer (not to be trained)."""
    info = shipped_info(name)
    path = latest_checkpoint(folder) if is_shipped(folder) else install_shipped(name, folder)
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
    left = None if cfg.max_seconds is None else cfg.max_seconds - state["seconds"]
    if cfg.steps > state["step"] and (left is None or left > 1.0):
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
