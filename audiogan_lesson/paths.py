"""Where runs and datasets live on disk: :func:`runs_dir` and, on Colab, :func:`use_google_drive`
(which every notebook's setup cell calls through :func:`colab_setup` before anything trains).

A small module of its own so that everything that keeps files (training runs, the evaluation
classifiers' cache, :mod:`audiogan_lesson.runs`) can find the folders without importing the code
that trains. Notebooks ``02`` to ``09`` reach it through :mod:`audiogan_lesson.runs`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .profiles import Profile, get_profile

__all__ = ["runs_dir", "use_google_drive", "colab_setup"]


def runs_dir(name: str, profile: Profile | None = None) -> Path:
    """The folder for the checkpoints of training run ``name`` in ``profile``.

    ``$AUDIOGAN_RUNS/<profile>/<name>``, by default under ``~/.cache/audiogan_lesson/runs`` (on
    Colab, :func:`use_google_drive` puts it on Google Drive so that a disconnect loses nothing).
    Notebooks "train or load": a run that already reached its step count is loaded, not retrained.
    In the ``smoke`` profile the folder is a fresh temporary one, so a quick check never loads a
    run left by older code.
    """
    profile = profile or get_profile()
    if profile.name == "smoke":
        return Path(tempfile.mkdtemp(prefix=f"audiogan-{name}-"))
    root = os.environ.get("AUDIOGAN_RUNS") or os.path.join(
        os.environ.get("AUDIOGAN_DATA") or os.path.join(Path.home(), ".cache", "audiogan_lesson"),
        "runs")
    path = Path(root).expanduser() / profile.name / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def use_google_drive(folder: str = "audiogan_lesson", mount_point: str = "/content/drive") -> Path:
    """On Colab: mount Google Drive and keep the runs and the datasets there (one setting).

    Sets ``AUDIOGAN_RUNS`` to ``MyDrive/<folder>/runs`` and ``AUDIOGAN_DATA`` to
    ``MyDrive/<folder>``, so that every run folder of :func:`runs_dir` (and the dataset cache)
    survives a disconnect; a resume then continues from the newest checkpoint that Drive had
    fully synced (a truncated newer file is skipped with a warning). Returns the Drive folder.
    Outside Colab it refuses, naming the variables to set instead.
    """
    try:
        from google.colab import drive  # only on Colab
    except ImportError:
        raise RuntimeError("use_google_drive() works on Colab only; elsewhere set AUDIOGAN_RUNS "
                           "(and AUDIOGAN_DATA) to a folder that outlives the session") from None
    drive.mount(mount_point)
    root = Path(mount_point) / "MyDrive" / folder
    (root / "runs").mkdir(parents=True, exist_ok=True)
    os.environ["AUDIOGAN_DATA"] = str(root)
    os.environ["AUDIOGAN_RUNS"] = str(root / "runs")
    return root


def colab_setup(keep_on_drive: bool | None = None) -> Path | None:
    """The Colab half of every notebook's setup cell, run after the course is installed.

    ``keep_on_drive``: True keeps the runs and datasets on Google Drive (:func:`use_google_drive`,
    which asks once for access), False in the session's own disk, None on Drive only when the
    session has a GPU (the ``gpu`` profile's runs are long and a disconnect would lose them).
    Returns the Drive folder, or None when the files stay local. Outside Colab it does nothing.
    """
    import sys

    if "google.colab" not in sys.modules:
        return None
    if keep_on_drive is None:
        import torch

        keep_on_drive = torch.cuda.is_available()
    if not keep_on_drive:
        print("runs and datasets stay on this Colab session's disk (lost when it ends); "
              "set KEEP_ON_DRIVE = True in the setup cell to keep them on Google Drive")
        return None
    root = use_google_drive()
    print(f"runs and datasets on Google Drive: {root}")
    return root
