"""Exercise checks for every notebook (the ``check_*`` functions).

A check runs the student's function on a few cases and tests properties, not one literal
answer. When the answer is right it prints ``[PASS] ...``; when it is wrong it prints
``[FAIL] ...`` that says what is wrong and raises ``AssertionError`` with the same message, so a
broken solution notebook fails under nbval. A stub that still raises ``NotImplementedError``
lets that error through: the exercise has not been done yet.

Each check's docstring names the notebook that uses it.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

__all__ = ["ExerciseFailure", "passed", "failed", "check_seconds_to_samples"]


class ExerciseFailure(AssertionError):
    """Raised by a check when the student's answer is wrong."""


def passed(exercise: str, detail: str = "") -> None:
    """Print the PASS line of ``exercise``."""
    print(f"[PASS] {exercise}" + (f": {detail}" if detail else ""))


def failed(exercise: str, reason: str) -> None:
    """Print the FAIL line of ``exercise`` and raise :class:`ExerciseFailure` with it."""
    message = f"[FAIL] {exercise}: {reason}"
    print(message)
    raise ExerciseFailure(message)


def _call(exercise: str, fn: Callable, *args, **kwargs):
    """Call the student's ``fn``; turn an unexpected exception into a FAIL that names it."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as exc:  # the student's code crashed: say where, and on what input
        shown = ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
        failed(exercise, f"calling {getattr(fn, '__name__', 'fn')}({shown}) raised "
                         f"{type(exc).__name__}: {exc}")


def _short(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor{tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    return repr(value)


# ----------------------------------------------------------------------------- 00_welcome


def check_seconds_to_samples(fn: Callable[[float, int], int]) -> None:
    """Check ``fn(seconds, sample_rate) -> int`` (notebook ``00_welcome``, exercise 0.1).

    The answer is the whole number of samples nearest to ``seconds * sample_rate``.
    """
    name = "Exercise 0.1 seconds_to_samples"
    cases = [(1.0, 16000, 16000), (0.5, 16000, 8000), (1.024, 16000, 16384),
             (2.0, 22050, 44100), (0.0, 16000, 0), (0.29, 100, 29), (1.00004, 16000, 16001),
             (1 / 3, 48000, 16000)]
    for seconds, rate, expected in cases:
        got = _call(name, fn, seconds, rate)
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            failed(name, f"fn({seconds}, {rate}) returned {got!r} of type {type(got).__name__}; "
                         "a number of samples is a whole number: return an int")
        if got != expected:
            hint = ""
            if got == math.floor(seconds * rate) != expected:
                hint = " (round to the nearest sample instead of truncating)"
            elif got == round(seconds / rate) or got == round(rate / seconds if seconds else 0):
                hint = " (multiply seconds by the sample rate)"
            failed(name, f"fn({seconds}, {rate}) returned {got}, expected {expected}{hint}")
    passed(name, f"{len(cases)} cases, including 1.024 s at 16 kHz = 16384 samples")
