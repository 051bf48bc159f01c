"""Checks of notebook ``08_pianogan_notes``: notes to a piano roll (8.1), the in-key rate (8.2)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..data.piano import key_pitch_classes
from ..evaluation.notes import in_key_rate
from ..notes import piano_roll
from .core import _call, failed, passed

# ----------------------------------------------------------------------------- 8.1 piano roll


def _roll_cases() -> list[tuple[str, np.ndarray, float]]:
    """Sequences that tell the usual mistakes apart: (what it has, notes float32, frames per
    second). Times that land on frame edges are exact in binary, the others are far from one."""
    cases = [
        ("a chord, a melody, and a last note of duration 0 (still one frame)",
         [[60, 0.0, 1.0], [64, 0.0, 1.0], [67, 0.0, 1.0], [72, 1.0, 0.5], [74, 0.5, 0.25],
          [76, 0.5, 0.5], [79, 0.5, 0.0]], 4.0),
        ("a held bass note under others, starting after 0.25 s",
         [[48, 0.25, 2.0], [55, 0.5, 0.5], [52, 0.5, 0.5], [60, 0.5, 0.5]], 4.0),
        ("a rest between notes and a repeated pitch",
         [[70, 0.0, 0.25], [71, 1.0, 0.375], [70, 0.5, 0.125]], 8.0),
        ("starts and ends between frames, a note shorter than a frame",
         [[61, 0.13, 0.28], [62, 0.08, 0.02], [63, 0.41, 0.66]], 20.0),
    ]
    return [(what, np.array(notes, dtype=np.float32), fps) for what, notes, fps in cases]


def _roll_of(pitches, starts, ends, fps: float, onsets_only: bool = False) -> np.ndarray:
    first = np.floor(starts * fps).astype(int)
    last = np.maximum(np.ceil(ends * fps).astype(int), first + 1)
    roll = np.zeros((128, int(last.max())), dtype=np.float32)
    for p, a, b in zip(np.rint(pitches).astype(int), first, last):
        roll[p, a:a + 1 if onsets_only else b] = 1.0
    return roll


def check_piano_roll(fn: Callable) -> None:
    """Exercise 8.1: ``fn(notes (length, 3), frames_per_second) -> (128, frames)``.

    A note's start is the running sum of the steps; it sounds from frame ``floor(start * fps)``
    up to but not including ``ceil(end * fps)``, at least one frame; the roll has 128 rows (one
    per MIDI pitch) and as many frames as the last note's end needs. Compared with
    :func:`notes.piano_roll` on chords, overlaps, rests and off-grid times.
    """
    exercise = "Exercise 8.1 (notes to a piano roll)"
    rule = ("a note sounds from frame floor(start * fps) up to, not including, ceil(end * fps), "
            "at least one frame")
    for what, notes, fps in _roll_cases():
        want = piano_roll(notes, fps)
        got = _call(exercise, fn, notes.copy(), fps)
        got = np.asarray(got.detach().cpu() if hasattr(got, "detach") else got, dtype=np.float32)
        if got.ndim == 2 and got.shape[1] == 128 and got.shape[0] != 128:
            failed(exercise, f"the roll has shape {got.shape}: pitches must be the rows "
                             "(128, frames), time the columns")
        if got.ndim != 2 or got.shape[0] != 128:
            failed(exercise, f"the roll must be (128, frames); got shape {got.shape} for {what}")
        sounding = got > 0.5
        if np.array_equal(sounding, want > 0.5):
            continue
        x = notes.astype(np.float64)
        starts = np.cumsum(x[:, 1])
        own_step = _roll_of(x[:, 0], x[:, 1], x[:, 1] + x[:, 2], fps)
        if sounding.shape == own_step.shape and np.array_equal(sounding, own_step > 0.5):
            failed(exercise, f"{what}: a note starts at the running sum of the steps "
                             "(np.cumsum), not at its own step")
        onsets = _roll_of(x[:, 0], starts, starts + x[:, 2], fps, onsets_only=True)
        if sounding.shape == onsets.shape and np.array_equal(sounding, onsets > 0.5):
            failed(exercise, f"{what}: each note must fill every frame it sounds in, from its "
                             "start to its end (start + duration), not only its onset frame")
        if got.shape != want.shape:
            failed(exercise, f"{what} at {fps:g} frames/s needs {want.shape[1]} frames, up to "
                             f"the end of the last note at {float((starts + x[:, 2]).max()):.3f} "
                             f"s ({rule}); got {got.shape[1]}")
        extra, missing = sounding & ~(want > 0.5), (want > 0.5) & ~sounding
        failed(exercise, f"{what} at {fps:g} frames/s: {int(missing.sum())} sounding cells "
                         f"missing and {int(extra.sum())} extra; {rule}")
    passed(exercise, "chords, overlaps, rests and off-grid times give the right roll")


# ----------------------------------------------------------------------------- 8.2 in-key rate


def _sequence(pitches, durations=None) -> np.ndarray:
    pitches = np.asarray(pitches, dtype=np.float32)
    durations = np.full(len(pitches), 0.25) if durations is None else np.asarray(durations)
    return np.stack([pitches, np.full(len(pitches), 0.25), durations], 1).astype(np.float32)


def _in_key_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(8)
    major = (0, 2, 4, 5, 7, 9, 11)
    cases = []
    # E major with two chromatic passing notes: tests the rotation of the profiles
    e_major = [64 + major[i % 7] + 12 * (i // 7 % 2) for i in range(30)] + [65, 72]
    cases.append(("E major with two chromatic notes", _sequence(e_major)))
    # A minor with the leading tone G#, long tonic notes (duration weighting decides the key)
    am = [57, 59, 60, 62, 64, 65, 68, 69, 72, 71, 69, 68, 69, 64, 60, 57]
    cases.append(("A minor with its leading tone", _sequence(am, [1.0 if p % 12 == 9 else 0.25
                                                                  for p in am])))
    # E-flat major spread over four octaves
    eb = [39 + 12 * int(rng.integers(4)) + major[int(rng.integers(7))] for _ in range(40)]
    cases.append(("E-flat major over four octaves", _sequence(eb)))
    # a whole-tone run: no key fits well; the rate is whatever the best key gives
    cases.append(("a whole-tone scale", _sequence([60, 62, 64, 66, 68, 70, 72, 74, 76, 78])))
    # random notes, many pitch classes
    cases.append(("random chromatic notes", _sequence(rng.integers(48, 84, 64))))
    # pieces in random keys with some chromatic notes and very unequal durations: the weights
    # (durations for the key, one count per note for the rate) decide these
    for i in range(6):
        key = int(rng.integers(24))
        classes = list(key_pitch_classes(key))
        pcs = [classes[int(rng.integers(len(classes)))] if rng.random() < 0.7
               else int(rng.integers(12)) for _ in range(24)]
        pitches = [48 + pc + 12 * int(rng.integers(3)) for pc in pcs]
        durations = np.exp(rng.uniform(np.log(0.05), np.log(2.0), 24))
        cases.append((f"a piece with uneven durations ({i + 1})", _sequence(pitches, durations)))
    return cases


def check_in_key_rate(fn: Callable) -> None:
    """Exercise 8.2: ``fn(notes (N, length, 3)) -> (N,)`` in-key rates.

    For each sequence: the duration-weighted pitch-class histogram is correlated (Pearson) with
    the 24 Krumhansl-Kessler profiles rotated to every tonic; the best key wins; the rate is
    the share of notes (counted) whose pitch class is in that key (a minor key includes its
    leading tone). Compared with :func:`evaluation.in_key_rate` sequence by sequence and on a
    batch.
    """
    exercise = "Exercise 8.2 (in-key rate)"
    cases = _in_key_cases()
    for what, notes in cases:
        want = float(in_key_rate(notes[None])[0])
        got = np.asarray(_call(exercise, fn, notes[None]), dtype=np.float64).reshape(-1)
        if got.shape != (1,):
            failed(exercise, f"one sequence in must give one rate out (shape (1,)); got "
                             f"shape {got.shape}")
        if not 0.0 <= got[0] <= 1.0:
            failed(exercise, f"{what}: a rate is a share of notes in [0, 1]; got {got[0]:.4g}")
        if abs(got[0] - want) > 1e-6:
            failed(exercise, f"{what}: got {got[0]:.4f}, expected {want:.4f}; "
                             + _in_key_hint(what))
    batch = np.stack([cases[0][1][:16], cases[2][1][:16], cases[1][1][:16]])
    want = in_key_rate(batch)
    got = np.asarray(_call(exercise, fn, batch), dtype=np.float64).reshape(-1)
    if got.shape != want.shape or not np.allclose(got, want, atol=1e-6):
        failed(exercise, f"a batch of 3 sequences in 3 keys gave {np.round(got, 4).tolist()}, "
                         f"expected {np.round(want, 4).tolist()}: find the key of each "
                         "sequence on its own")
    passed(exercise, "keys found by Krumhansl-Schmuckler, rates match on every case")


def _in_key_hint(what: str) -> str:
    if "E major" in what or "E-flat" in what:
        return ("is each profile rotated so that key k's tonic (pitch class k) gets the "
                "profile's first rating (np.roll(profile, k))? Are pitches taken modulo 12?")
    if "minor" in what:
        return ("are the 12 minor keys tried as well as the major ones, is the histogram "
                "weighted by duration, and does a minor key include its leading tone?")
    return ("is the histogram weighted by duration, the best key the one with the highest "
            "correlation, and the rate the share of notes (each counted once, not by duration) "
            "whose pitch class (pitch % 12) is in it?")
