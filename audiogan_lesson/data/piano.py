"""Piano notes as data: toy piano pieces made by code, and MIDI files read into notes (notebook
``08_pianogan_notes``).

A sequence is ``length`` notes of :data:`FEATURES` ``[MIDI pitch, step in seconds, duration in
seconds]`` (see :mod:`audiogan_lesson.notes` for the representation, MIDI out and rendering):

* :func:`toy_piano`: seeded piano-like pieces in a key (a melody over a chord progression, with
  block chords, Alberti bass, broken chords or oom-pah accompaniment, scale runs, rhythmic
  patterns and rests), made in seconds.
* :func:`notes_from_midi`: the notes of one MIDI file (drums, pedals, overlaps and chords as its
  docstring says).
* :class:`MidiFolder`: every ``.mid``/``.midi`` file under a folder, cut into windows of
  ``length`` notes with a hop; bad files (empty, not MIDI, no notes, drums only, too short) are
  skipped, counted and listed, as :class:`~audiogan_lesson.data.AudioFolder` does.

:func:`audiogan_lesson.experiments.load_note_set` turns a dataset name (``toy-piano``,
``maestro``) or a folder into the training set of ``train pianogan --data ...``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np
import pretty_midi
import torch

from .folder import skipped_summary

__all__ = ["FEATURES", "PIANO_RANGE", "KEY_NAMES", "PITCH_CLASS_NAMES", "MAJOR_SCALE",
           "MINOR_SCALE", "key_pitch_classes", "toy_piano", "ToyPiano", "notes_from_midi",
           "MidiFolder", "note_windows", "MIDI_EXTENSIONS"]

FEATURES = ("pitch", "step", "duration")
PIANO_RANGE = (21, 108)  # A0 to C8, the 88 keys
SUSTAIN_PEDAL = 64  # MIDI control change number of the sustain (damper) pedal
MIDI_EXTENSIONS = (".mid", ".midi")

PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)  # natural minor; key_pitch_classes adds the leading tone
#: Key ``k``: tonic ``k % 12`` (0 = C), major for ``k < 12``, minor from 12 on.
KEY_NAMES = tuple(f"{name} major" for name in PITCH_CLASS_NAMES) + tuple(
    f"{name} minor" for name in PITCH_CLASS_NAMES)


def key_pitch_classes(key: int) -> tuple[int, ...]:
    """The pitch classes (0 = C) that belong to key ``key`` (an index into :data:`KEY_NAMES`).

    A major key: its major scale. A minor key: its natural minor scale and the raised seventh
    (the leading tone of the harmonic minor, which a minor key's dominant chord uses), 8 classes.
    """
    if not 0 <= int(key) < 24:
        raise ValueError(f"key {key}: use 0-11 for C major ... B major, 12-23 for C minor ... "
                         "B minor")
    tonic, minor = int(key) % 12, int(key) >= 12
    degrees = MINOR_SCALE + (11,) if minor else MAJOR_SCALE
    return tuple(sorted((tonic + d) % 12 for d in degrees))


# ----------------------------------------------------------------------------- toy pieces


class ToyPiano(NamedTuple):
    """``notes`` ``(n, length, 3)`` float32 [pitch, step s, duration s]; ``keys`` ``(n,)`` int64
    indices into ``key_names`` (:data:`KEY_NAMES`)."""

    notes: torch.Tensor
    keys: torch.Tensor
    key_names: tuple[str, ...]


_PROGRESSIONS = {  # scale degrees (0 = I) of one chord per bar
    False: ((0, 3, 4, 0), (0, 5, 3, 4), (1, 4, 0, 0), (0, 3, 0, 4), (0, 4, 5, 3), (0, 5, 1, 4)),
    True: ((0, 3, 4, 0), (0, 5, 3, 4), (0, 6, 5, 4), (0, 3, 6, 2), (0, 4, 0, 4)),
}
# melody rhythms of one 4-beat bar: (beats, rest?)
_RHYTHMS = (
    ((1, 0), (1, 0), (1, 0), (1, 0)),
    ((0.5, 0),) * 8,
    ((1.5, 0), (0.5, 0), (1, 0), (1, 0)),
    ((2, 0), (1, 0), (1, 0)),
    ((1, 0), (0.5, 0), (0.5, 0), (2, 0)),
    ((1, 0), (1, 0), (1, 0), (1, 1)),
    ((0.5, 1), (0.5, 0), (0.5, 0), (0.5, 0), (1, 0), (1, 0)),
    ((0.75, 0), (0.25, 0), (1, 0), (0.75, 0), (0.25, 0), (1, 0)),
    ((3, 0), (1, 1)),
)
_RUN = ((0.5, 0),) * 8  # a scale run: eight stepwise eighths in one direction
_STYLES = ("block", "alberti", "broken", "oompah")


def _scale_pitch(tonic: int, scale: Sequence[int], index: int) -> int:
    """MIDI pitch of scale step ``index`` (0 = the tonic in octave 0, C-1 = 0)."""
    octave, degree = divmod(index, 7)
    return tonic + 12 * octave + scale[degree]


def _chord(tonic: int, minor: bool, degree: int) -> list[int]:
    """Pitch classes offsets (from the tonic, may exceed 12) of the triad on ``degree``; a minor
    key's dominant (degree 4) takes the leading tone."""
    scale = MINOR_SCALE if minor else MAJOR_SCALE
    notes = [_scale_pitch(0, scale, degree + 2 * i) for i in range(3)]
    if minor and degree == 4:
        notes[1] += 1  # the raised seventh: a major dominant chord
    return notes


def _place(pitch_class_offset: int, tonic: int, low: int, high: int) -> int:
    """The pitch of ``tonic + offset`` moved by octaves into [low, high)."""
    p = tonic + pitch_class_offset
    while p < low:
        p += 12
    while p >= high:
        p -= 12
    return p


def _toy_piece(rng: np.random.Generator, length: int) -> tuple[np.ndarray, int]:
    """One piece of at least ``length`` notes: ``(notes (length, 3), key)``."""
    tonic, minor = int(rng.integers(12)), bool(rng.random() < 0.4)
    scale = MINOR_SCALE if minor else MAJOR_SCALE
    beat = float(rng.uniform(0.28, 0.6))  # seconds per beat: 100-215 beats per minute
    legato = float(rng.uniform(0.7, 0.98))
    style = _STYLES[int(rng.integers(len(_STYLES)))]
    progression = _PROGRESSIONS[minor][int(rng.integers(len(_PROGRESSIONS[minor])))]
    bass_low = int(rng.integers(40, 48))
    events: list[tuple[float, int, float]] = []  # (start in beats, pitch, duration in beats)
    # the melody walks over scale steps; index 7 * 5 + k is step k above the tonic's octave
    # from C4 = 60
    position = 7 * 5 + int(rng.integers(0, 5))
    bar = 0
    while len(events) < length + 16:
        degree = progression[bar % len(progression)]
        chord = _chord(tonic, minor, degree)
        t0 = 4.0 * bar
        # accompaniment
        root = _place(chord[0], tonic, bass_low, bass_low + 12)
        voiced = [root] + [_place(c, tonic, root + 1, root + 13) for c in chord[1:]]
        voiced.sort()
        if style == "block":
            for half in (0, 2):
                events += [(t0 + half, p, 2.0) for p in voiced]
        elif style == "alberti":  # low, high, middle, high in eighths
            pattern = [voiced[0], voiced[2], voiced[1], voiced[2]] * 2
            events += [(t0 + 0.5 * i, p, 0.5) for i, p in enumerate(pattern)]
        elif style == "broken":  # up and down the chord with the octave
            pattern = [voiced[0], voiced[1], voiced[2], voiced[0] + 12,
                       voiced[2], voiced[1], voiced[0] + 12, voiced[2]]
            events += [(t0 + 0.5 * i, p, 0.5) for i, p in enumerate(pattern)]
        else:  # oompah: bass on 1 and 3, the chord on 2 and 4
            for b in (0, 2):
                events.append((t0 + b, voiced[0] - 12 if voiced[0] - 12 >= 28 else voiced[0], 1.0))
                events += [(t0 + b + 1, p, 1.0) for p in voiced[1:]]
        # melody
        run = rng.random() < 0.15
        rhythm = _RUN if run else _RHYTHMS[int(rng.integers(len(_RHYTHMS)))]
        direction = 1 if rng.random() < 0.5 else -1
        chord_steps = [(degree + 2 * i) % 7 for i in range(3)]
        t = t0
        for k, (beats, rest) in enumerate(rhythm):
            if not rest:
                if run:
                    position += direction
                elif t % 2 == 0:  # strong beats: the nearest chord tone
                    options = [position + d for d in range(-3, 4)
                               if (position + d) % 7 in chord_steps]
                    position = options[int(rng.integers(len(options)))]
                else:
                    position += int(rng.choice((-2, -1, -1, 1, 1, 2)))
                position = int(np.clip(position, 7 * 5 - 3, 7 * 6 + 2))
                pitch = _scale_pitch(tonic, scale, position)
                if minor and position % 7 == 6 and degree == 4:
                    pitch += 1  # the leading tone over the dominant
                events.append((t, pitch, beats))
            t += beats
        bar += 1
    onsets = sorted({e[0] for e in events})
    jitter = dict(zip(onsets, rng.normal(0.0, 0.006, len(onsets))))  # one shared per onset
    table = np.array([(max(start * beat + jitter[start], 0.0), pitch, dur * beat * legato)
                      for start, pitch, dur in events], dtype=np.float64)
    table = table[np.lexsort((table[:, 1], table[:, 0]))][:length]
    steps = np.diff(table[:, 0], prepend=table[0, 0])
    notes = np.stack([table[:, 1], steps, table[:, 2]], axis=1)
    return notes.astype(np.float32), tonic + 12 * minor


def toy_piano(n: int, seed: int = 0, length: int = 256) -> ToyPiano:
    """``n`` seeded piano-like sequences of ``length`` notes: :class:`ToyPiano` ``(notes, keys,
    key_names)``.

    Each piece draws a key (12 tonics, major or minor), a tempo (100-215 beats per minute), an
    articulation, a chord progression of four bars (I-IV-V-I, I-vi-IV-V, ii-V-I, i-VII-VI-V,
    ...) and an accompaniment style: block chords, Alberti bass, broken chords or oom-pah. Over
    it a melody moves by scale steps, lands on chord tones on strong beats, sometimes runs up or
    down the scale, in rhythms of quarters, eighths, dotted notes and rests. A minor key's
    dominant uses the leading tone. Onsets get a few ms of human timing (chord notes keep one
    shared onset, so their step is exactly 0). Every note is in the piece's key
    (:func:`key_pitch_classes`). About 1 ms per piece; notebook 08 and ``train pianogan``.
    """
    if n < 0 or length < 1:
        raise ValueError(f"toy_piano: need n >= 0 and length >= 1; got n={n}, length={length}")
    notes = np.zeros((n, length, 3), dtype=np.float32)
    keys = np.zeros(n, dtype=np.int64)
    for i in range(n):
        rng = np.random.default_rng([int(seed), i])
        notes[i], keys[i] = _toy_piece(rng, length)
    return ToyPiano(torch.from_numpy(notes), torch.from_numpy(keys), KEY_NAMES)


# ----------------------------------------------------------------------------- MIDI in


def _sustained_ends(notes: list, pedal: list, end_of_piece: float) -> np.ndarray:
    """Note ends with the sustain pedal applied: a note released while the pedal is down sounds
    until the pedal goes up, or until the same key is struck again, whichever is first."""
    ends = np.array([n.end for n in notes], dtype=np.float64)
    if not pedal:
        return ends
    downs, ups, down_at = [], [], None
    for cc in sorted(pedal, key=lambda c: c.time):
        if cc.value >= 64 and down_at is None:
            down_at = cc.time
        elif cc.value < 64 and down_at is not None:
            downs.append(down_at)
            ups.append(cc.time)
            down_at = None
    if down_at is not None:
        downs.append(down_at)
        ups.append(end_of_piece)
    if not downs:
        return ends
    downs_a, ups_a = np.array(downs), np.array(ups)
    # the last pedal press at or before the end
    i = np.searchsorted(downs_a, ends, side="right") - 1
    held = (i >= 0) & (ends < ups_a[np.clip(i, 0, None)])
    new_ends = np.where(held, ups_a[np.clip(i, 0, None)], ends)
    # a key struck again cuts the held note
    by_pitch: dict[int, list[int]] = {}
    for k, n in enumerate(notes):
        by_pitch.setdefault(n.pitch, []).append(k)
    for indices in by_pitch.values():
        indices.sort(key=lambda k: notes[k].start)
        for a, b in zip(indices, indices[1:]):
            new_ends[a] = min(new_ends[a], max(notes[b].start, ends[a]))
    return new_ends


def notes_from_midi(midi: "str | os.PathLike | pretty_midi.PrettyMIDI",
                    sustain: bool = False) -> np.ndarray:
    """The notes of a MIDI file as ``(M, 3)`` float32 ``[pitch, step, duration]``, sorted.

    ``midi``: a path or a ``pretty_midi.PrettyMIDI``. What it does:

    - **Instruments**: every non-drum instrument is read and merged into one sequence; drum
      tracks (MIDI channel 10) are dropped. MAESTRO has one piano track.
    - **Chords**: notes that start together get step 0 after the first, ordered by pitch from
      low to high, so the order is always the same.
    - **Overlapping notes** are kept as they are: each note has its own start and duration, so
      a note may still sound when the next one starts (legato, held bass notes); the step says
      when the next one starts, not when this one ends.
    - **Pedals**: by default (``sustain=False``) a note lasts from key down to key up, as the
      key was played, and pedal events are ignored; this is the usual reading of MAESTRO for
      note models (the soft and sostenuto pedals are always ignored). ``sustain=True`` applies
      the sustain pedal (control 64, down at values >= 64): a note released while the pedal is
      down is held until the pedal goes up, or until the same key is struck again.
    - The first note's step is 0 (the time before the first note is dropped).

    Returns an empty ``(0, 3)`` array for a file without (non-drum) notes. Raises what
    pretty_midi raises for a file that is not MIDI (:class:`~audiogan_lesson.data.MidiFolder`
    turns that into a counted skip).
    """
    pm = midi if isinstance(midi, pretty_midi.PrettyMIDI) else pretty_midi.PrettyMIDI(str(midi))
    rows = []
    end_of_piece = pm.get_end_time()
    for inst in pm.instruments:
        if inst.is_drum or not inst.notes:
            continue
        ends = np.array([n.end for n in inst.notes], dtype=np.float64)
        if sustain:
            pedal = [c for c in inst.control_changes if c.number == SUSTAIN_PEDAL]
            ends = _sustained_ends(inst.notes, pedal, end_of_piece)
        for n, end in zip(inst.notes, ends):
            rows.append((n.start, n.pitch, max(end - n.start, 0.0)))
    if not rows:
        return np.zeros((0, 3), dtype=np.float32)
    table = np.array(rows, dtype=np.float64)
    table = table[np.lexsort((table[:, 1], table[:, 0]))]  # by start, then pitch
    starts = table[:, 0]
    steps = np.diff(starts, prepend=starts[0])
    return np.stack([table[:, 1], steps, table[:, 2]], axis=1).astype(np.float32)


# ---------------------------------------------------------------------------- folders of MIDI files


def note_windows(notes: np.ndarray, length: int, hop: int) -> np.ndarray:
    """Windows ``(k, length, 3)`` of a piece's notes ``(M, 3)``, starting every ``hop`` notes.

    Only whole windows are kept (a piece of fewer than ``length`` notes gives none). Each
    window's first step is the time since the note before it (0 for the piece's first note), so
    every note keeps its own step.
    """
    if length < 1 or hop < 1:
        raise ValueError(f"note_windows: need length >= 1 and hop >= 1; got {length}, {hop}")
    count = 0 if len(notes) < length else (len(notes) - length) // hop + 1
    if count == 0:
        return np.zeros((0, length, 3), dtype=np.float32)
    index = np.arange(count)[:, None] * hop + np.arange(length)[None, :]
    return np.asarray(notes, dtype=np.float32)[index]


class MidiFolder:
    """Windows of ``length`` notes from every MIDI file under ``root`` (notebook 08, ``maestro``).

    ``root``: the folder to walk (recursively; names starting with "." are ignored), or the
    files in ``files`` (relative to ``root`` or absolute). Each file is read with
    :func:`notes_from_midi` (``sustain`` applies the sustain pedal) and cut into windows of
    ``length`` notes every ``hop`` notes (default ``length // 2``). Files that give nothing are
    skipped, counted and listed with the reason: an empty file, a file that is not MIDI, one
    without notes, one with drum notes only, one with fewer than ``length`` notes.

    Attributes: ``notes`` ``(n, length, 3)`` float32 tensor, ``sources`` (file of each window),
    ``files`` (files that gave windows), ``skipped`` (list of ``(path, reason)``), ``stats``.
    """

    def __init__(self, root: str | os.PathLike, length: int = 256, hop: int | None = None,
                 sustain: bool = False, files: Sequence[str | os.PathLike] | None = None,
                 extensions: Sequence[str] = MIDI_EXTENSIONS, verbose: bool = True):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root}: no such folder")
        self.length = int(length)
        self.hop = self.length // 2 if hop is None else int(hop)
        if self.length < 1 or self.hop < 1:
            raise ValueError(f"MidiFolder: length={length} and hop={hop} must be >= 1")
        self.sustain = bool(sustain)
        self.extensions = tuple(e.lower() for e in extensions)
        self.skipped: list[tuple[str, str]] = []
        self.files: list[str] = []
        chunks, self.sources = [], []
        paths = self._find(files)
        for path in paths:
            windows = self._read(path)
            if windows is None:
                continue
            chunks.append(windows)
            self.sources += [str(path)] * len(windows)
            self.files.append(str(path))
        stacked = np.concatenate(chunks) if chunks else np.zeros((0, self.length, 3), np.float32)
        self.notes = torch.from_numpy(stacked)
        self.stats = {"files": len(paths), "windows": len(self), "skipped": len(self.skipped)}
        if verbose:
            print(self.summary())

    def _find(self, files) -> list[Path]:
        if files is not None:
            return sorted(Path(f) if Path(f).is_absolute() else self.root / f for f in files)
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            found += [Path(dirpath) / name for name in sorted(filenames)
                      if not name.startswith(".") and name.lower().endswith(self.extensions)]
        return sorted(found)

    def _skip(self, path: Path, reason: str) -> None:
        self.skipped.append((str(path), reason))

    def _read(self, path: Path) -> np.ndarray | None:
        """The windows of one file, or None after recording why it was skipped."""
        try:
            size = path.stat().st_size
        except OSError as err:
            self._skip(path, f"cannot read the file: {err}")
            return None
        if size == 0:
            self._skip(path, "empty file (0 bytes)")
            return None
        try:
            pm = pretty_midi.PrettyMIDI(str(path))
        except Exception as err:  # mido and pretty_midi raise many kinds for a broken file
            self._skip(path, f"not a MIDI file ({type(err).__name__}: {err})")
            return None
        drum_notes = sum(len(i.notes) for i in pm.instruments if i.is_drum)
        notes = notes_from_midi(pm, sustain=self.sustain)
        if len(notes) == 0:
            self._skip(path, f"drums only ({drum_notes} drum notes, no pitched notes)"
                       if drum_notes else "no notes")
            return None
        if len(notes) < self.length:
            self._skip(path, f"too short: {len(notes)} notes, fewer than one window of "
                             f"{self.length}")
            return None
        return note_windows(notes, self.length, self.hop)

    def __len__(self) -> int:
        return self.notes.shape[0]

    def summary(self) -> str:
        """One paragraph: files, windows, and what was skipped and why."""
        s = self.stats
        text = (f"MidiFolder({self.root}): {s['files']} files -> {s['windows']} windows of "
                f"{self.length} notes (hop {self.hop})")
        return text + skipped_summary(self.skipped,
                                      lambda reason: reason.split(" (")[0].split(":")[0])

    def __repr__(self) -> str:
        return (f"MidiFolder(root={str(self.root)!r}, windows={len(self)}, "
                f"skipped={len(self.skipped)})")
