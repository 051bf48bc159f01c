"""Checks of notebook 08 (audiogan_lesson.exercises): right answers pass, wrong ones fail."""

import numpy as np
import pytest

from audiogan_lesson.data import key_pitch_classes
from audiogan_lesson.evaluation import KRUMHANSL_MAJOR, KRUMHANSL_MINOR, in_key_rate
from audiogan_lesson.exercises import ExerciseFailure, check_in_key_rate, check_piano_roll
from audiogan_lesson.notes import piano_roll


def expect_fail(check, fn, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason) as err:
        check(fn)
    out = capsys.readouterr().out
    assert out.startswith("[FAIL]") and str(err.value) in out


# ----------------------------------------------------------------------------- 8.1 piano roll


def roll_variant(starts="cumsum", end="ceil", onset_only=False, transpose=False,
                 min_one=True, frames="end", first="floor"):
    """A piano roll written the way a student might, with one switchable mistake."""
    def fn(notes, fps):
        notes = np.asarray(notes, dtype=np.float64)
        begin = np.cumsum(notes[:, 1]) if starts == "cumsum" else notes[:, 1]
        stop = begin + notes[:, 2]
        a = (np.floor if first == "floor" else np.round)(begin * fps).astype(int)
        b = {"ceil": np.ceil, "floor": np.floor, "round": np.round}[end](stop * fps).astype(int)
        if min_one:
            b = np.maximum(b, a + 1)
        total = int(b.max()) if frames == "end" else int(np.ceil(stop.max() * fps)) + 1
        roll = np.zeros((128, max(total, 1)), dtype=np.float32)
        for p, i, j in zip(np.rint(notes[:, 0]).astype(int), a, b):
            if onset_only:
                roll[p, i] = 1
            else:
                roll[p, i:j] = 1
        return roll.T if transpose else roll
    return fn


def test_piano_roll_right_answers_pass(capsys):
    check_piano_roll(lambda notes, fps: piano_roll(notes, fps))
    check_piano_roll(roll_variant())
    assert capsys.readouterr().out.count("[PASS]") == 2


@pytest.mark.parametrize("variant, reason", [
    (roll_variant(starts="step"), "running sum of the steps"),
    (roll_variant(onset_only=True), "fill every frame"),
    (roll_variant(transpose=True), "pitches must be the rows"),
    (roll_variant(end="floor"), r"floor\(start \* fps\) up to, not including, ceil"),
    (roll_variant(end="round"), r"frames|floor\(start"),
    (roll_variant(min_one=False), r"frames|at least one frame"),
    (roll_variant(frames="plus_one"), "needs .* frames"),
    (roll_variant(first="round"), r"floor\(start \* fps\)"),
])
def test_piano_roll_wrong_answers_fail(variant, reason, capsys):
    expect_fail(check_piano_roll, variant, reason, capsys)


def test_piano_roll_crash_and_stub(capsys):
    def crashes(notes, fps):
        raise IndexError("index 300 is out of bounds")
    expect_fail(check_piano_roll, crashes, "raised IndexError", capsys)

    def stub(notes, fps):
        raise NotImplementedError("Exercise 8.1")
    with pytest.raises(NotImplementedError):
        check_piano_roll(stub)


# ----------------------------------------------------------------------------- 8.2 in-key rate


def in_key_variant(rotate=1, weight="duration", modes=("major", "minor"), pick=np.argmax,
                   leading_tone=True, modulo=True, share="count", one_key=False):
    """An in-key rate written the way a student might, with one switchable mistake."""
    def fn(notes):
        notes = np.asarray(notes, dtype=np.float64)
        profiles, keys = [], []
        for mode, profile in (("major", KRUMHANSL_MAJOR), ("minor", KRUMHANSL_MINOR)):
            if mode not in modes:
                continue
            for tonic in range(12):
                profiles.append(np.roll(profile, rotate * tonic))
                keys.append(tonic + (12 if mode == "minor" else 0))
        batch_key = None
        if one_key:  # one key for the whole batch, from all sequences pooled
            pooled = notes.reshape(-1, 3)
            h = np.bincount(np.mod(np.rint(pooled[:, 0]).astype(int), 12), weights=pooled[:, 2],
                            minlength=12)
            batch_key = keys[int(pick([np.corrcoef(h, p)[0, 1] for p in profiles]))]
        rates = []
        for seq in notes:
            pitch = np.rint(seq[:, 0]).astype(int)
            classes = np.mod(pitch, 12) if modulo else np.clip(pitch, 0, 11)
            w = seq[:, 2] if weight == "duration" else np.ones(len(seq))
            hist = np.bincount(classes, weights=w, minlength=12)
            key = batch_key if one_key else keys[int(pick([np.corrcoef(hist, p)[0, 1]
                                                           for p in profiles]))]
            members = set(key_pitch_classes(key))
            if not leading_tone and key >= 12:
                members.discard((key % 12 + 11) % 12)
            inside = np.isin(classes, sorted(members))
            rates.append(inside.mean() if share == "count" else (inside * seq[:, 2]).sum()
                         / seq[:, 2].sum())
        return np.array(rates)
    return fn


def test_in_key_rate_right_answers_pass(capsys):
    check_in_key_rate(in_key_rate)
    check_in_key_rate(in_key_variant())
    assert capsys.readouterr().out.count("[PASS]") == 2


@pytest.mark.parametrize("variant, reason", [
    (in_key_variant(rotate=-1), "rotated"),
    (in_key_variant(weight="count"), "weighted by duration"),
    (in_key_variant(modes=("major",)), "minor keys"),
    (in_key_variant(pick=np.argmin), r"expected"),
    (in_key_variant(leading_tone=False), "leading tone"),
    (in_key_variant(modulo=False), r"expected"),
    (in_key_variant(share="duration"), r"expected"),
    (in_key_variant(one_key=True), "on its own"),
    (lambda notes: np.ones(len(notes)) * 1.5, r"\[0, 1\]"),
    (lambda notes: np.array([0.9]), r"shape \(1,\)|expected"),
])
def test_in_key_rate_wrong_answers_fail(variant, reason, capsys):
    expect_fail(check_in_key_rate, variant, reason, capsys)
