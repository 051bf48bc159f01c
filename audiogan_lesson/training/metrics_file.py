"""A run's log on disk: ``metrics.csv`` in its folder, written as the run goes (notebooks 02-09).

One row per log interval (``step``, ``seconds`` and the means of every value the step reports,
as in :class:`.log.History`) and one per scoring of the generator (``step``, ``seconds`` and
``select_score``: :mod:`.selection`). Rows are appended and flushed as they come, so a run of
hours can be followed (and plotted) while it trains and a kill loses at most the row being
written. A resumed run first drops the rows past the checkpoint it continues from, so that the
file tells one history, the one the checkpoint holds. Plain CSV: a spreadsheet, pandas or
``csv.DictReader`` read it (:func:`read_metrics`).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Sequence

METRICS_NAME = "metrics.csv"
SCORE_COLUMN = "select_score"


def metrics_path(out_dir: str | os.PathLike) -> Path:
    """Where a run keeps its log: ``out_dir/metrics.csv``."""
    return Path(out_dir) / METRICS_NAME


class MetricsFile:
    """``metrics.csv`` of ``out_dir`` with the columns ``step``, ``seconds``, ``metrics`` and
    :data:`SCORE_COLUMN`. :meth:`start` before the first row of a training call."""

    def __init__(self, out_dir: str | os.PathLike, metrics: Sequence[str]):
        self.path = metrics_path(out_dir)
        self.columns = ["step", "seconds", *metrics, SCORE_COLUMN]

    def start(self, step: int) -> "MetricsFile":
        """Keep the rows up to ``step`` (the checkpoint a run resumes from; none for a new run)
        and write the header when the file is new or was written with other columns."""
        kept = []
        if self.path.is_file():
            with open(self.path, newline="") as f:
                reader = csv.DictReader(f)
                if reader.fieldnames == self.columns:
                    kept = [row for row in reader if row["step"] and int(row["step"]) <= step]
        if step == 0:
            kept = []
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "w", newline="") as f:
            writer = csv.DictWriter(f, self.columns)
            writer.writeheader()
            writer.writerows(kept)
        return self

    def append(self, row: dict) -> None:
        """Write one row (columns it lacks stay empty; keys outside the columns are dropped)."""
        with open(self.path, "a", newline="") as f:
            csv.DictWriter(f, self.columns, extrasaction="ignore").writerow(
                {k: _text(v) for k, v in row.items()})
            f.flush()


def _text(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def read_metrics(path: str | os.PathLike) -> dict[str, list[float]]:
    """``metrics.csv`` (or the run folder holding it) as ``{column: values}``, with NaN where a
    row has no value (a scoring row has no losses, a log row no score)."""
    path = Path(path)
    if path.is_dir():
        path = metrics_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such log; train writes it into its --out folder")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        table: dict[str, list[float]] = {c: [] for c in columns}
        for row in reader:
            for c in columns:
                table[c].append(float(row[c]) if row[c] not in ("", None) else float("nan"))
    return table
