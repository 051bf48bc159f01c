"""The check convention shared by every exercise: PASS line, or FAIL line plus AssertionError."""


from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


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
        shown = ", ".join([_short(a) for a in args]
                          + [f"{k}={_short(v)}" for k, v in kwargs.items()])
        failed(exercise, f"calling {getattr(fn, '__name__', 'fn')}({shown}) raised "
                         f"{type(exc).__name__}: {exc}")


def _short(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor{tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    return repr(value)
