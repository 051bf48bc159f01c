"""Sampling from a run's checkpoint: :func:`load_run` and the one sampler on top of it
(:func:`sample_batches`, by the rule of :mod:`audiogan_lesson.training.sampling`), used by
:func:`sample_run`, :func:`run_generator` and :func:`generate_from_checkpoint`
(``python -m audiogan_lesson generate``; notebooks 05-09).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from torch import nn

from ..audio import save_audio
from ..checkpoint import (checkpoint_file, load_generator)
from ..models.conditional import resolve_label
from ..notes import render_notes, write_midi
from ..profiles import pick_device, tune_backend
from ..representations import representation_from_state
from ..training import latent_fn
from ..training.sampling import class_count, latent_batches
from .found import RunInfo


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
        return max(class_count(self.meta, None), 1)

    @torch.no_grad()
    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Latents ``(N, latent_dim)`` (and labels ``(N,)``) -> waves ``(N, slice_len)``
        on the CPU."""
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
        raise ValueError(f"{loaded.path}: a {kind}-conditioned generator needs labels; "
                         "use sample_run (or generate --label for a class)")

    def generate(z: torch.Tensor) -> torch.Tensor:
        return loaded.decode(z.to(loaded.device))

    return generate, loaded.latent_dim, loaded.latent


def generate_from_checkpoint(checkpoint: str | os.PathLike, n: int, out_dir: str | os.PathLike,
                             seed: int = 0, pitch: int | None = None,
                             label: str | int | None = None,
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
    unknown one is a ValueError that lists the run's classes
    (:func:`.models.conditional.resolve_label`). Returns the written paths.
    ``python -m audiogan_lesson generate`` and notebook ``05_wgan_gp``.
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
