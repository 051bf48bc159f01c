"""Scores for note sequences: per-feature distances, pitch classes and keys (notebook
``08_pianogan_notes``).

A generator of notes is judged against real sequences ``(N, length, 3)`` [pitch, step s,
duration s] by:

- :func:`feature_w1`: the Wasserstein-1 distance between the generated and the real values of
  each feature (pitch in semitones, step and duration in seconds), all notes pooled: how far the
  values would have to move, on average, to match.
- :func:`pitch_class_distance`: the total variation distance (0 to 1) between the pitch-class
  histograms of the two sets, each note counted relative to the tonic of its sequence's key, so
  that pieces in different keys line up (scale degrees, not letter names).
- :func:`in_key_rate`: the share of a sequence's notes that belong to its best-fitting major or
  minor key, found with the Krumhansl-Schmuckler algorithm (:func:`estimate_key`): the
  duration-weighted pitch-class histogram is correlated with the Krumhansl-Kessler key profiles
  rotated to each of the 12 tonics, and the best of the 24 wins.

:func:`note_scores` gives all of them for one set; :func:`score_table` compares several (an
untrained generator, the floor; held-out real data, the ceiling; uniform noise over the real
ranges) side by side.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import wasserstein_distance

from ..data.piano import FEATURES, KEY_NAMES, key_pitch_classes
from ..notes import check_notes

__all__ = ["KRUMHANSL_MAJOR", "KRUMHANSL_MINOR", "key_profiles", "pitch_class_histogram",
           "estimate_key", "in_key_rate", "feature_w1", "pitch_class_distance", "uniform_notes",
           "note_scores", "score_table", "format_score_table", "key_name"]

# Krumhansl and Kessler (1982) probe-tone ratings, tonic first (Krumhansl 1990, Table 2.1)
KRUMHANSL_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KRUMHANSL_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def key_profiles() -> np.ndarray:
    """The 24 key profiles ``(24, 12)``: row ``k`` is key ``k`` of :data:`data.KEY_NAMES`
    (C major ... B major, C minor ... B minor), its rating of each pitch class C ... B."""
    rows = []
    for profile in (KRUMHANSL_MAJOR, KRUMHANSL_MINOR):
        for tonic in range(12):
            rows.append(np.roll(profile, tonic))  # pitch class (tonic + i) gets rating i
    return np.array(rows)


def _pitch_classes(notes: np.ndarray) -> np.ndarray:
    return np.mod(np.rint(notes[..., 0]).astype(int), 12)


def pitch_class_histogram(notes, weight: str = "duration") -> np.ndarray:
    """Pitch-class histograms ``(N, 12)`` of sequences ``(N, length, 3)``, each summing to 1
    (all zeros for a sequence of zero weight). ``weight``: ``"duration"`` (each note counts its
    duration, as Krumhansl-Schmuckler does) or ``"count"`` (each note counts once)."""
    array = check_notes(notes)
    batch = array[None] if array.ndim == 2 else array
    if weight not in ("duration", "count"):
        raise ValueError(f"weight={weight!r}; choose 'duration' or 'count'")
    w = batch[..., 2] if weight == "duration" else np.ones(batch.shape[:2])
    hist = np.zeros((batch.shape[0], 12))
    rows = np.repeat(np.arange(batch.shape[0]), batch.shape[1])
    np.add.at(hist, (rows, _pitch_classes(batch).ravel()), w.ravel())
    total = hist.sum(1, keepdims=True)
    return np.divide(hist, total, out=np.zeros_like(hist), where=total > 0)


def estimate_key(notes) -> np.ndarray:
    """The Krumhansl-Schmuckler key of each sequence ``(N, length, 3)``: ``(N,)`` indices into
    :data:`data.KEY_NAMES`, the key whose profile correlates best (Pearson) with the sequence's
    duration-weighted pitch-class histogram. A histogram without preference (every class
    equal, or no notes) correlates with no key, and gets the first, C major."""
    hist = pitch_class_histogram(notes, "duration")
    profiles = key_profiles()
    h = hist - hist.mean(1, keepdims=True)
    p = profiles - profiles.mean(1, keepdims=True)
    denom = np.linalg.norm(h, axis=1, keepdims=True) * np.linalg.norm(p, axis=1)[None, :]
    corr = np.divide(h @ p.T, denom, out=np.zeros((len(h), 24)), where=denom > 0)
    return corr.argmax(1)


def in_key_rate(notes, keys=None) -> np.ndarray:
    """The share of each sequence's notes (counted, not weighted) whose pitch class is in its
    key: ``(N,)`` in [0, 1]. ``keys`` ``(N,)`` (default: :func:`estimate_key`); a major key's
    scale, or a minor key's natural minor with the leading tone (:func:`data.key_pitch_classes`).
    The reference answer of exercise 8.2."""
    array = check_notes(notes)
    batch = array[None] if array.ndim == 2 else array
    keys = estimate_key(batch) if keys is None else np.asarray(keys).reshape(-1)
    member = np.zeros((24, 12), dtype=bool)
    for k in range(24):
        member[k, list(key_pitch_classes(k))] = True
    inside = member[keys[:, None], _pitch_classes(batch)]
    return inside.mean(1)


def feature_w1(generated, real) -> dict[str, float]:
    """Wasserstein-1 distance between generated and real values of each feature, all notes
    pooled: ``{"pitch": semitones, "step": seconds, "duration": seconds}``."""
    a, b = check_notes(generated, "generated"), check_notes(real, "real")
    a, b = a.reshape(-1, 3), b.reshape(-1, 3)
    return {name: float(wasserstein_distance(a[:, i], b[:, i])) for i, name in enumerate(FEATURES)}


def _relative_histogram(notes: np.ndarray) -> np.ndarray:
    """The pooled, count-weighted histogram of pitch classes relative to each sequence's tonic."""
    tonic = estimate_key(notes) % 12
    relative = np.mod(_pitch_classes(notes) - tonic[:, None], 12)
    hist = np.bincount(relative.ravel(), minlength=12).astype(float)
    return hist / max(hist.sum(), 1.0)


def pitch_class_distance(generated, real) -> float:
    """Total variation distance (0: the same, 1: disjoint) between the pitch-class histograms of
    two sets, each note's pitch class taken relative to the tonic of its sequence's key
    (:func:`estimate_key`), so that sets in many keys are compared by scale degree."""
    a, b = check_notes(generated, "generated"), check_notes(real, "real")
    a, b = (a[None] if a.ndim == 2 else a), (b[None] if b.ndim == 2 else b)
    return float(0.5 * np.abs(_relative_histogram(a) - _relative_histogram(b)).sum())


def uniform_notes(real, n: int, seed: int = 0) -> np.ndarray:
    """``n`` sequences like ``real``'s ``(N, length, 3)`` of uniform noise over its ranges:
    whole pitches between its lowest and highest, steps and durations uniform between their
    smallest and largest values. The yardstick of "no structure at all"."""
    array = check_notes(real, "real")
    flat = array.reshape(-1, 3)
    low, high = flat.min(0), flat.max(0)
    rng = np.random.default_rng(seed)
    shape = (n, array.shape[-2])
    pitch = rng.integers(int(np.rint(low[0])), int(np.rint(high[0])) + 1, size=shape)
    step = rng.uniform(low[1], high[1], size=shape)
    duration = rng.uniform(low[2], high[2], size=shape)
    return np.stack([pitch, step, duration], axis=-1).astype(np.float32)


def note_scores(generated, real) -> dict[str, float]:
    """Every score of ``generated`` against ``real``: ``w1_pitch``, ``w1_step``,
    ``w1_duration``, ``pitch_class_distance`` and ``in_key_rate`` (mean over sequences)."""
    w1 = feature_w1(generated, real)
    return {**{f"w1_{k}": v for k, v in w1.items()},
            "pitch_class_distance": pitch_class_distance(generated, real),
            "in_key_rate": float(in_key_rate(generated).mean())}


def score_table(sets: dict, real) -> dict[str, dict[str, float]]:
    """:func:`note_scores` of each named set of ``sets`` against ``real``, in order: put the
    floor (untrained generator, uniform noise) and the ceiling (held-out real data) beside the
    trained generator."""
    return {name: note_scores(notes, real) for name, notes in sets.items()}


def format_score_table(table: dict[str, dict[str, float]]) -> str:
    """The table of :func:`score_table` as text, one row per set."""
    columns = ["w1_pitch", "w1_step", "w1_duration", "pitch_class_distance", "in_key_rate"]
    heads = ["set", "W1 pitch (st)", "W1 step (s)", "W1 duration (s)", "pitch-class TV",
             "in-key rate"]
    rows = [[name] + [f"{scores[c]:.4f}" for c in columns] for name, scores in table.items()]
    widths = [max(len(r[i]) for r in [heads] + rows) for i in range(len(heads))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def key_name(key: int) -> str:
    """The name of key index ``key`` (``"D minor"``)."""
    return KEY_NAMES[int(key)]
