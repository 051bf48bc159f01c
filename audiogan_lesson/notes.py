"""Music as notes: (pitch, step, duration) sequences, MIDI in and out, piano rolls and rendering
(notebook ``08_pianogan_notes``).

A note sequence is a float array ``(length, 3)`` (a batch: ``(N, length, 3)``) of
:data:`FEATURES`: the MIDI ``pitch`` (0-127), the ``step`` in seconds from the previous note's
start to this one's (0 for the notes of a chord after the first), and the ``duration`` in
seconds. Notes are sorted by start, and notes that start together by pitch, low to high. This is
the representation of the PianoGAN source report (after TensorFlow's music-generation tutorial):
a note's start is the running sum of the steps, so a whole sequence fits one tensor of fixed
shape whatever its tempo.

- :func:`notes_from_midi` (from :mod:`audiogan_lesson.data.piano`, with the note data sets): a
  MIDI file -> notes ``(M, 3)``; what it does with drums, pedals, overlapping notes and chords
  is in its docstring.
- :func:`notes_to_midi` / :func:`write_midi`: notes -> a one-piano MIDI file.
- :func:`note_starts`, :func:`piano_roll`: start times, and the picture of a sequence.
- :func:`render_notes`: notes -> audio with the course's own synthesiser (a plucked-string
  tone of :func:`~audiogan_lesson.data.toy_notes`' ``guitar`` family; no soundfont needed).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pretty_midi
import torch

from .data.piano import FEATURES, PIANO_RANGE, notes_from_midi
from .data.synthetic import _NOTE_SYNTHS, midi_to_hz

__all__ = ["FEATURES", "PIANO_RANGE", "notes_from_midi", "notes_to_midi", "write_midi",
           "note_starts", "piano_roll", "render_notes", "check_notes"]


def check_notes(notes, where: str = "notes") -> np.ndarray:
    """``notes`` as a float64 array ``(..., length, 3)``; a ValueError naming ``where`` unless
    the last axis holds the three features, every value is finite and steps and durations are
    not negative."""
    array = np.asarray(notes.detach().cpu() if isinstance(notes, torch.Tensor) else notes,
                       dtype=np.float64)
    if array.ndim < 2 or array.shape[-1] != 3:
        raise ValueError(f"{where}: expected notes of shape (..., length, 3) with the features "
                         f"{', '.join(FEATURES)}; got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{where}: notes contain NaN or infinite values")
    if (array[..., 1:] < 0).any():
        raise ValueError(f"{where}: steps and durations must be >= 0 seconds; the smallest is "
                         f"{array[..., 1:].min():.4g}")
    return array


# ----------------------------------------------------------------------------- MIDI out


def note_starts(notes) -> np.ndarray:
    """Start times in seconds ``(..., length)``: the running sum of the steps."""
    array = check_notes(notes)
    return np.cumsum(array[..., 1], axis=-1)


def notes_to_midi(notes, program: int = 0, velocity: int = 80) -> pretty_midi.PrettyMIDI:
    """One sequence ``(length, 3)`` as a ``pretty_midi.PrettyMIDI`` with one piano track.

    Pitches are rounded to whole MIDI numbers and clipped to 0-127; a note's start is the
    running sum of the steps (the first note starts at its step), its end start + duration;
    notes shorter than 1 ms are given 1 ms so that every note is written. ``program`` 0 is the
    acoustic grand piano of General MIDI; every note has ``velocity``.
    """
    array = check_notes(notes)
    if array.ndim != 2:
        raise ValueError(f"notes_to_midi takes one sequence (length, 3); got {array.shape}; "
                         "write a batch one sequence at a time")
    pm = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=program, name="piano")
    starts = np.cumsum(array[:, 1])
    for (pitch, _, duration), start in zip(array, starts):
        piano.notes.append(pretty_midi.Note(velocity=int(velocity),
                                            pitch=int(np.clip(np.rint(pitch), 0, 127)),
                                            start=float(start),
                                            end=float(start + max(duration, 1e-3))))
    pm.instruments.append(piano)
    return pm


def write_midi(notes, path: str | os.PathLike, **options) -> Path:
    """Write one sequence ``(length, 3)`` to a ``.mid`` file (:func:`notes_to_midi`); the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    notes_to_midi(notes, **options).write(str(path))
    return path


# ----------------------------------------------------------------------------- pictures


def piano_roll(notes, frames_per_second: float = 20.0, n_frames: int | None = None) -> np.ndarray:
    """The piano roll of one sequence: ``(128, frames)`` float32, 1 where a pitch sounds.

    Frame ``t`` covers ``[t / fps, (t + 1) / fps)``; a note sounds in every frame from
    ``floor(start * fps)`` up to but not including ``ceil(end * fps)`` (at least one frame).
    ``n_frames`` defaults to the end of the last note. Row ``p`` is MIDI pitch ``p``. The
    reference answer of exercise 8.1.
    """
    array = check_notes(notes)
    if array.ndim != 2:
        raise ValueError(f"piano_roll takes one sequence (length, 3); got {array.shape}")
    starts = np.cumsum(array[:, 1])
    ends = starts + array[:, 2]
    first = np.floor(starts * frames_per_second).astype(int)
    last = np.maximum(np.ceil(ends * frames_per_second).astype(int), first + 1)
    total = int(last.max()) if n_frames is None and len(last) else int(n_frames or 0)
    roll = np.zeros((128, total), dtype=np.float32)
    pitches = np.clip(np.rint(array[:, 0]), 0, 127).astype(int)
    for p, a, b in zip(pitches, first, last):
        roll[p, a:min(b, total)] = 1.0
    return roll


# ----------------------------------------------------------------------------- sound


def render_notes(notes, sample_rate: int = 16000, seed: int = 0, release: float = 0.25,
                 max_note_seconds: float = 2.0, max_seconds: float | None = None,
                 family: str = "guitar") -> torch.Tensor:
    """Notes -> audio ``(N, samples)`` float32 in [-1, 1] with the course's synthesiser.

    ``notes``: ``(length, 3)`` or ``(N, length, 3)``. Each note is one tone of
    :func:`~audiogan_lesson.data.toy_notes`' ``family`` (default ``guitar``: a plucked string,
    bright at the strike and decaying, the course's closest tone to a piano) at the note's
    rounded MIDI pitch, damped at the note's end, lasting at most ``max_note_seconds`` plus
    ``release``; notes are added at their starts and each sequence is peak-normalised to 0.9.
    Sequences are padded with silence to the longest one; ``max_seconds`` cuts them (for a
    short listen). Pitches above 0.45 of the sample rate's frequency are left silent.
    """
    array = check_notes(notes)
    single = array.ndim == 2
    batch = array[None] if single else array
    if family not in _NOTE_SYNTHS:
        raise ValueError(f"family={family!r}; choose one of {', '.join(_NOTE_SYNTHS)}")
    gen = torch.Generator().manual_seed(int(seed))
    starts = np.cumsum(batch[..., 1], axis=-1)
    durations = np.minimum(batch[..., 2], max_note_seconds)
    total = float((starts + durations).max() + release) if batch.size else 0.0
    if max_seconds is not None:
        total = min(total, float(max_seconds))
    length = max(int(math.ceil(total * sample_rate)), 1)
    out = torch.zeros(batch.shape[0], length)
    synth = _NOTE_SYNTHS[family]
    for row in range(batch.shape[0]):
        pitch = np.clip(np.rint(batch[row, :, 0]), 0, 127)
        f0 = midi_to_hz(torch.from_numpy(pitch)).float()[:, None]
        keep = (f0[:, 0] < 0.45 * sample_rate) & torch.from_numpy(
            starts[row] * sample_rate < length)
        index = torch.nonzero(keep).flatten()
        # short notes with short notes: each chunk is rendered only as long as its longest note
        index = index[torch.from_numpy(durations[row, index.numpy()]).argsort()]
        for chunk in index.split(64):
            m = chunk.numel()
            note_off = torch.from_numpy(durations[row, chunk.numpy()]).float()[:, None]
            note_len = int(math.ceil((float(note_off.max()) + release) * sample_rate))
            t = torch.arange(note_len, dtype=torch.float32)[None, :] / sample_rate
            tones = synth(gen, m, f0[chunk], t, sample_rate, note_off)
            tail = torch.exp(-(t - note_off - release).clamp_min(0) / 0.01)  # silent by note_len
            tones = tones * tail
            for k, note in zip(chunk.tolist(), tones):
                a = int(round(starts[row, k] * sample_rate))
                b = min(a + note_len, length)
                out[row, a:b] += note[:b - a]
        peak = out[row].abs().max()
        if peak > 0:
            out[row] *= 0.9 / peak
    return out
