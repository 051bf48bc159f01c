"""Environment checks (notebook ``00_welcome``): the torch/torchaudio pair, device, versions.

torch and torchaudio are built against each other: a torchaudio from one release next to a
torch from another fails at import with an error deep inside torchaudio's compiled library.
:func:`import_torchaudio` turns that into a message that names both versions and the pip line
that fixes it. Every module of the package imports torchaudio through it.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import platform
from types import ModuleType

import torch

from .devices import cuda_available


class TorchaudioImportError(ImportError):
    """torchaudio is missing or does not match the installed torch."""


def installed_version(package: str) -> str | None:
    """The installed version of ``package`` (distribution name), or None when absent."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _release(version: str | None) -> str | None:
    """``"2.11.0+cu130"`` -> ``"2.11.0"``."""
    return version.split("+")[0] if version else None


def fix_command(torch_version: str | None = None) -> str:
    """The pip line that installs the torchaudio matching the installed torch."""
    release = _release(torch_version or torch.__version__)
    return f'pip install "torch=={release}" "torchaudio=={release}"'


def import_torchaudio(_module: str = "torchaudio") -> ModuleType:
    """Import torchaudio, or raise :class:`TorchaudioImportError` that says how to fix it.

    ``_module`` exists for tests (importing a module that fails the same way).
    """
    try:
        return importlib.import_module(_module)
    except Exception as exc:  # ImportError, OSError from the shared library, RuntimeError
        torch_v = torch.__version__
        audio_v = installed_version("torchaudio")
        if audio_v is None:
            problem = "torchaudio is not installed"
        elif _release(audio_v) != _release(torch_v):
            problem = (f"torchaudio {audio_v} does not match torch {torch_v}; "
                       "the two are built together and must come from the same release")
        else:
            problem = f"torchaudio {audio_v} failed to load next to torch {torch_v}"
        raise TorchaudioImportError(
            f"{problem} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}).\n"
            f"Fix: {fix_command(torch_v)}\n"
            "then restart the kernel (Kernel > Restart). On Colab, install only the torchaudio "
            "that matches Colab's torch."
        ) from exc


def environment_report() -> dict[str, str]:
    """Versions and hardware that notebook ``00_welcome`` prints, as a dict of strings.

    Raises :class:`TorchaudioImportError` when the torch/torchaudio pair is broken.
    """
    torchaudio = import_torchaudio()
    report = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchaudio": torchaudio.__version__,
        "cuda": torch.cuda.get_device_name(0) if cuda_available() else "not available",
        "cpu threads": str(torch.get_num_threads()),
        "platform": f"{platform.system()} {platform.machine()}",
    }
    for package in ("librosa", "soundfile", "numpy", "matplotlib", "ipywidgets"):
        report[package] = installed_version(package) or "MISSING"
    return report
