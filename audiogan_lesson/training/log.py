"""What a run reports: the per-step values, their history, and the NaN guard (notebooks 02-06).

A step writes its values into a small buffer on the device (:class:`MetricLog`); once per log
interval the buffer is read (one host synchronisation), checked for NaN and infinity, and its
means become one :class:`History` row. ``display.plot_history`` draws the history.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss (or weights); ``step`` and ``loss`` say where."""

    def __init__(self, message: str, step: int, loss: str):
        super().__init__(message)
        self.step = step
        self.loss = loss


class History(list):
    """Training history: a list of dicts ``{"step", "seconds", "d_loss", "g_loss", ...}``.

    Each row holds the means of one log interval. :meth:`as_arrays` gives one numpy array per
    column; :meth:`to_table` a text table. ``display.plot_history`` draws it.
    """

    def columns(self) -> list[str]:
        """Column names in first-seen order."""
        names: dict[str, None] = {}
        for row in self:
            names.update(dict.fromkeys(row))
        return list(names)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """``{column: array of shape (rows,)}`` with NaN where a row lacks a column."""
        return {k: np.array([row.get(k, np.nan) for row in self], dtype=np.float64)
                for k in self.columns()}

    def to_table(self, columns: Sequence[str] | None = None, every: int = 1) -> str:
        """A fixed-width text table of every ``every``-th row (the last row always shown)."""
        columns = list(columns) if columns else self.columns()
        rows = list(self[::every])
        if self and rows[-1] is not self[-1]:
            rows.append(self[-1])
        lines = ["".join(f"{c:>12}" for c in columns)]
        for row in rows:
            lines.append("".join(_cell(row.get(c)) for c in columns))
        return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return f"{'':>12}"
    if isinstance(value, int):
        return f"{value:>12d}"
    return f"{value:>12.4g}"


class MetricLog:
    """A device buffer of up to ``size`` rows of ``names`` values, flushed into a :class:`History`.

    ``add(row)`` stores one step's values without a host synchronisation; ``flush(step,
    seconds)`` reads the pending rows once, raises :class:`NonFiniteLossError` naming the first
    bad step and value, and appends their means as one row. ``reduce`` combines the pending rows
    of several processes before they are read (their mean under ``torchrun``).
    """

    def __init__(self, names: Sequence[str], size: int, device: torch.device,
                 reduce: Callable[[torch.Tensor], torch.Tensor] | None = None):
        self.names = list(names)
        self.reduce = reduce
        self.buffer = torch.zeros(size, len(self.names), device=device)
        self.pending = 0

    @property
    def full(self) -> bool:
        return self.pending == self.buffer.shape[0]

    def add(self, row: torch.Tensor) -> None:
        self.buffer[self.pending] = row
        self.pending += 1

    def clear(self) -> None:
        self.pending = 0

    def flush(self, history: History, step: int, seconds: float, after: str = "") -> dict | None:
        """Check the pending rows and append their means to ``history`` as the row of ``step``.

        ``after`` ends the error message (where to resume from). Returns the new row, or None
        when nothing was pending.
        """
        n = self.pending
        if n == 0:
            return None
        values = self.buffer[:n]
        if self.reduce is not None:
            values = self.reduce(values)
        values = values.cpu().double()
        self.pending = 0
        finite = torch.isfinite(values)
        if not bool(finite.all()):
            row = int((~finite.all(dim=1)).nonzero()[0, 0])
            bad = [name for name, ok in zip(self.names, finite[row].tolist()) if not ok]
            shown = ", ".join(f"{name}={values[row, i].item():.4g}"
                              for i, name in enumerate(self.names))
            first = step - n + 1
            raise NonFiniteLossError(
                f"non-finite {bad[0]} at step {first + row} ({shown}); training stopped and "
                f"{after}. Resume from it with a lower learning rate (lr_g/lr_d), autocast=False, "
                "or check the data for NaN/inf", step=first + row, loss=bad[0])
        entry: dict[str, Any] = {"step": step, "seconds": round(seconds, 3)}
        entry.update({name: float(v) for name, v in zip(self.names, values.mean(dim=0).tolist())})
        history.append(entry)
        return entry
