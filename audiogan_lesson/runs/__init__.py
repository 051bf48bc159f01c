"""Runs: training runs on disk, train-or-load, finding runs, sampling them, and shipped runs.

Notebooks 02-09 and the command line keep their training runs here, written once; one module a job:

- :mod:`audiogan_lesson.paths`: :func:`runs_dir`, the folder of run ``name`` in a profile
  (``$AUDIOGAN_RUNS/<profile>/<name>``), and :func:`use_google_drive` on Colab.
- :mod:`.train`: :func:`train_or_load`, a notebook cell's "train or load": the newest checkpoint of
  a run is loaded, and the run trains only for what is left of its budget (counted across calls,
  :func:`run_finished`); :func:`finished_run`: a finished run of an earlier notebook with the same
  settings, or None (notebook ``05_wgan_gp``); :func:`full_scale_run`: "Run at full scale".
- :mod:`.found`: :func:`find_runs` / :class:`RunInfo`, the runs notebooks 02-06 left (notebook
  ``07_evaluation``); :func:`run_info` reads one run folder.
- :mod:`.sampling`: :func:`load_run` / :class:`LoadedRun`, a checkpoint's generator (EMA weights
  when present), its representation and its latent distribution; :func:`sample_batches` is the one
  sampler on top of it (the rule of :mod:`audiogan_lesson.training.sampling`), used by
  :func:`sample_run`, :func:`run_generator` and :func:`generate_from_checkpoint`
  (``python -m audiogan_lesson generate``).
- :mod:`.sources`: :class:`Source`, :func:`source_from_run`, :func:`stand_in_source`: the models
  notebook 07 judges, a saved run or a small stand-in trained when a notebook's run is missing.
- :mod:`.shipped`: long laptop runs that ship inside the package (``audiogan_lesson/shipped/``):
  :func:`ship_run`, :func:`shipped_runs`, :func:`shipped_info`, :func:`install_shipped`;
  ``train_or_load(..., shipped=NAME)`` installs one as a finished run when the folder holds none
  (notebooks 05 and 06). A shipped run cannot be continued (:class:`ShippedRunError`).

Every name is importable from ``audiogan_lesson.runs`` itself.
"""

from ..checkpoint import spec_differences  # noqa: F401 (once here; it compares model specs)
from ..paths import runs_dir, use_google_drive
from .found import RunInfo, find_runs, run_info
from .sampling import (LoadedRun, generate_from_checkpoint, load_run, run_generator,
                       sample_batches, sample_run)
from .shipped import (ShippedRunError, install_shipped, is_shipped, ship_run, shipped_info,
                      shipped_runs)
from .sources import Source, source_from_run, stand_in_source
from .train import finished_run, full_scale_run, run_finished, train_or_load

__all__ = ["runs_dir", "use_google_drive", "full_scale_run", "train_or_load", "finished_run",
           "run_finished", "RunInfo", "find_runs", "run_info", "LoadedRun", "ShippedRunError",
           "ship_run", "shipped_runs", "shipped_info", "install_shipped", "is_shipped",
           "spec_differences", "load_run", "sample_batches", "sample_run", "run_generator",
           "generate_from_checkpoint", "Source", "source_from_run", "stand_in_source"]
