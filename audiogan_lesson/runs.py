"""Runs: training runs on disk, train-or-load, finding runs, and sampling from a checkpoint.

Notebooks 02-07 and the command line keep their training runs here, written once:

- :func:`runs_dir`: the folder of run ``name`` in a profile (``$AUDIOGAN_RUNS/<profile>/<name>``).
- :func:`train_or_load`: a notebook cell's "train or load": the newest checkpoint of a run is
  loaded, and the run trains only for what is left of its budget (counted across calls, so a
  run stopped on its clock goes on for the remaining seconds only). :func:`finished_run`: a
  finished run of an earlier notebook with the same settings, or None (notebook ``05_wgan_gp``).
- :func:`find_runs` / :class:`RunInfo`: the runs notebooks 02-06 left (notebook ``07_evaluation``).
- :func:`load_run` / :class:`LoadedRun`: a checkpoint's generator (EMA weights when present), its
  representation and its latent distribution; :func:`sample_batches` is the one sampler on top
  of it, used by :func:`sample_run`, :func:`run_generator` and :func:`generate_from_checkpoint`
  (``python -m audiogan_lesson generate``).
- :class:`Source`, :func:`source_from_run`, :func:`stand_in_source`: the models notebook 07
  judges, a saved run or a small stand-in trained when a notebook's run is missing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from torch import nn

from .audio import save_audio
from .checkpoint import latest_checkpoint, load_checkpoint, load_generator
from .experiments import Experiment, make_experiment
from .notes import render_notes, write_midi
from .profiles import Profile, get_profile, pick_device, tune_backend
from .representations import representation_from_state
from .training import ConfigMismatchError, Trainer, latent_fn

__all__ = ["runs_dir", "use_google_drive", "train_or_load", "finished_run", "RunInfo", "find_runs",
           "LoadedRun",
           "load_run", "sample_batches", "sample_run", "run_generator", "generate_from_checkpoint",
           "Source", "source_from_run", "stand_in_source"]


# ----------------------------------------------------------------------------- run folders


def runs_dir(name: str, profile: Profile | None = None) -> Path:
    """The folder for the checkpoints of training run ``name`` in ``profile``.

    ``$AUDIOGAN_RUNS/<profile>/<name>``, by default under ``~/.cache/audiogan_lesson/runs`` (on
    Colab, :func:`use_google_drive` puts it on Google Drive so that a disconnect loses nothing).
    Notebooks "train or load": a run that already reached its step count is loaded, not retrained.
    In the ``smoke`` profile the folder is a fresh temporary one, so a quick check never loads a
    run left by older code.
    """
    profile = profile or get_profile()
    if profile.name == "smoke":
        return Path(tempfile.mkdtemp(prefix=f"audiogan-{name}-"))
    root = os.environ.get("AUDIOGAN_RUNS") or os.path.join(
        os.environ.get("AUDIOGAN_DATA") or os.path.join(Path.home(), ".cache", "audiogan_lesson"), "runs")
    path = Path(root).expanduser() / profile.name / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def use_google_drive(folder: str = "audiogan_lesson", mount_point: str = "/content/drive") -> Path:
    """On Colab: mount Google Drive and keep the runs and the datasets there (one setting).

    Sets ``AUDIOGAN_RUNS`` to ``MyDrive/<folder>/runs`` and ``AUDIOGAN_DATA`` to
    ``MyDrive/<folder>``, so that every run folder of :func:`runs_dir` (and the dataset cache)
    survives a disconnect; a resume then continues from the newest checkpoint that Drive had
    fully synced (a truncated newer file is skipped with a warning). Returns the Drive folder.
    Outside Colab it refuses, naming the variables to set instead.
    """
    try:
        from google.colab import drive  # only on Colab
    except ImportError:
        raise RuntimeError("use_google_drive() works on Colab only; elsewhere set AUDIOGAN_RUNS "
                           "(and AUDIOGAN_DATA) to a folder that outlives the session") from None
    drive.mount(mount_point)
    root = Path(mount_point) / "MyDrive" / folder
    (root / "runs").mkdir(parents=True, exist_ok=True)
    os.environ["AUDIOGAN_DATA"] = str(root)
    os.environ["AUDIOGAN_RUNS"] = str(root / "runs")
    return root


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
                  profile: Profile | None = None, progress: bool = False) -> Trainer:
    """Load the run ``name_or_dir`` from the runs folder, or train it until its budget is used.

    ``name_or_dir``: a run name (its folder is :func:`runs_dir` of ``profile``, default the
    experiment's) or a folder. The newest checkpoint there is loaded (``ConfigMismatchError``
    when it was made with other settings); the run then trains until ``config.steps``, for at
    most what is left of ``config.max_seconds``: the budget counts every call, so a run that
    stopped on its clock goes on only for the remaining seconds, and a finished run is loaded
    without training. Returns the :class:`Trainer`. Notebooks 05 and 07.
    """
    folder = _run_folder(name_or_dir, profile or experiment.profile)
    trainer = experiment.trainer(folder)
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

    ``name``: its folder (``04_wavegan_phase_shuffle``); ``checkpoint``: the latest checkpoint;
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
        ckpt = latest_checkpoint(folder)
        if ckpt is None:
            notes.append(f"{folder.name}: no checkpoint yet")
            continue
        try:
            state = load_checkpoint(ckpt)
        except (ValueError, FileNotFoundError) as err:
            notes.append(f"{folder.name}: {err}")
            continue
        meta, config = state.get("meta") or {}, state.get("config") or {}
        if "representation" not in meta or "generator" not in (state.get("models") or {}):
            notes.append(f"{folder.name}: the checkpoint has no experiment metadata")
            continue
        pitches = tuple(meta["pitches"]) if meta.get("pitches") else None
        runs.append(RunInfo(folder.name, ckpt, meta["model"], str(meta.get("dataset", "")),
                            int(meta["sample_rate"]), int(meta["slice_len"]),
                            str(config.get("loss", "")), int(state.get("step", 0)),
                            float(state.get("seconds", 0.0)), pitches))
    return runs, notes


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
    path = run.checkpoint if isinstance(run, RunInfo) else Path(run)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint; train writes them as ckpt_<step>.pt")
    tune_backend(device)
    generator, ckpt = load_generator(path, device=device)
    meta, config = ckpt.get("meta") or {}, ckpt["config"]
    if "representation" not in meta:
        raise ValueError(f"{path}: this checkpoint has no experiment metadata (it was not written "
                         "by `train` or Experiment.trainer); sample it with Trainer.sample instead")
    return LoadedRun(path, generator, representation_from_state(meta["representation"]),
                     str(config.get("latent", "uniform")), latent_fn(config),
                     int(ckpt["latent_dim"]), bool(config.get("conditional")),
                     tuple(meta["pitches"]) if meta.get("pitches") else None, meta,
                     torch.device(device))


def sample_batches(run: LoadedRun, n: int, seed: int = 0, batch_size: int = 64,
                   pitch: int | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """``n`` generated waves in batches: ``(waves (m, slice_len) on the CPU, MIDI (m,) or None)``.

    The latents of every batch come, in turn, from one ``torch.Generator`` seeded with ``seed``.
    A conditional run is given every class in turn (all its pitches, or all its classes), or
    the pitch ``pitch`` (a MIDI number among its pitches) for every wave; the second value is
    then the MIDI pitch of each wave of a pitch-conditioned run, else None.
    """
    if pitch is not None and (not run.conditional or not run.pitches):
        raise ValueError(f"--pitch {pitch}: the {run.meta['model']} in {run.path} is not "
                         "pitch-conditioned")
    if pitch is not None and pitch not in run.pitches:
        raise ValueError(f"--pitch {pitch}: {run.path} was trained on MIDI pitches "
                         f"{min(run.pitches)}-{max(run.pitches)}; choose one of those")
    return _batches(run, n, seed, batch_size, pitch)


def _batches(run: LoadedRun, n: int, seed: int, batch_size: int, pitch: int | None):
    """The batches of :func:`sample_batches`, once its arguments are checked."""
    g = torch.Generator(device=run.device)
    g.manual_seed(seed)
    for start in range(0, n, batch_size):
        m = min(batch_size, n - start)
        z = run.latent_fn(m, run.latent_dim, g, run.device)
        labels = midi = None
        if run.conditional:
            if pitch is not None:
                labels = torch.full((m,), run.pitches.index(pitch), dtype=torch.long,
                                    device=run.device)
            else:
                labels = torch.arange(start, start + m, device=run.device) % run.n_classes
            if run.pitches:
                midi = torch.tensor(run.pitches)[labels.cpu()]
        yield run.decode(z, labels), midi


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
        raise ValueError(f"{loaded.path}: a pitch-conditioned generator needs labels; use sample_run")

    def generate(z: torch.Tensor) -> torch.Tensor:
        return loaded.decode(z.to(loaded.device))

    return generate, loaded.latent_dim, loaded.latent


def generate_from_checkpoint(checkpoint: str | os.PathLike, n: int, out_dir: str | os.PathLike,
                             seed: int = 0, pitch: int | None = None,
                             device: str | None = None) -> list[Path]:
    """Write ``n`` generated wav files from a training checkpoint into ``out_dir``.

    Uses the EMA generator when the checkpoint has one, the latent distribution of its training
    config, and the representation saved with it (Griffin-Lim for SpecGAN, the exact mel-IF
    inverse for GANSynth). A note model (PianoGAN) writes each sequence twice, as a ``.mid`` file
    and rendered to ``.wav``. ``pitch`` (a MIDI number among the checkpoint's ``meta["pitches"]``)
    is for pitch-conditioned models only: every file is then a note of that pitch, named
    ``<model>_midi<pitch>_<i>.wav``; without it a pitch-conditioned model cycles through the
    pitches it was trained on. Returns the written paths. ``python -m audiogan_lesson generate``
    and notebook ``05_wgan_gp``.
    """
    path = Path(checkpoint)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint; train writes them as ckpt_<step>.pt")
    if n < 1:
        raise ValueError(f"--n {n}: ask for at least one file")
    loaded = load_run(path, device or pick_device())
    if hasattr(loaded.representation, "to_notes"):  # notes (PianoGAN): .mid and .wav files
        return _write_note_files(loaded, n, Path(out_dir), seed)
    batches = sample_batches(loaded, n, seed=seed, batch_size=64, pitch=pitch)
    name = loaded.meta["model"] if pitch is None else f"{loaded.meta['model']}_midi{pitch}"
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
    representation's sample rate; latents drawn as :func:`sample_batches` draws them."""
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator(device=run.device)
    g.manual_seed(seed)
    written, name, rep = [], run.meta["model"], run.representation
    for start in range(0, n, 64):
        z = run.latent_fn(min(64, n - start), run.latent_dim, g, run.device)
        with torch.no_grad():
            notes = rep.to_notes(run.generator(z).float())
        for sequence in notes:
            stem = out / f"{name}_{len(written) // 2:04d}"
            written.append(write_midi(sequence, stem.with_suffix(".mid")))
            save_audio(stem.with_suffix(".wav"), render_notes(sequence, rep.sample_rate)[0],
                       rep.sample_rate)
            written.append(stem.with_suffix(".wav"))
    return written


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
