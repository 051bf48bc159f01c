"""Checks for notebook 00_welcome."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .core import _call, failed, passed


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
