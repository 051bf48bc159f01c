"""Profiles: one notebook, three scales (used by every notebook, first in ``00_welcome``).

A profile says how big the models, data and budgets are. It is chosen from the
``AUDIOGAN_PROFILE`` environment variable (``smoke``, ``laptop`` or ``gpu``), else from the
hardware: ``gpu`` when CUDA is present, ``laptop`` otherwise. CI sets ``smoke`` through the
pytest configuration.

Paper hyperparameters are the defaults of the model configs and the recipes (``recipes``); a profile
only scales them. Each model's scale in each profile lives in its registry entry
(``models/<model>.py``, ``SCALES``); a profile collects them. The ``gpu`` profile runs paper sizes
with notebook budgets of minutes, so that each notebook's runs together stay within about 15
minutes on one GPU; the paper-size runs of hours go through the command line with ``--steps``.
Every field can be overridden in a notebook::

    profile = get_profile().replace(minutes=2.0)
    wavegan = profile.scale("wavegan").replace(batch_size=32)
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import torch

from .devices import (DEVICE_KINDS, autocast_dtype, cpu_supports_bf16,  # noqa: F401 (re-exported)
                      cuda_available, mps_available, native_autocast_dtype, pick_device,
                      seed_everything, tune_backend)
from .registry import MODELS
from .scales import GANSynthScale, MelImageScale, TrainScale  # noqa: F401 (re-exported)

PROFILE_NAMES = ("smoke", "laptop", "gpu")
ENV_VAR = "AUDIOGAN_PROFILE"


def _frozen(mapping: Mapping[str, TrainScale]) -> Mapping[str, TrainScale]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Profile:
    """A named scale for the whole course.

    ``n_train`` is the size of the synthetic training sets, ``n_eval`` the number of examples
    used by metrics, ``preview_every`` how often training shows samples, ``models`` the
    per-model :class:`TrainScale` (look one up with :meth:`scale`).
    """

    name: str
    device: str
    autocast: bool
    n_train: int
    n_eval: int
    preview_every: int
    models: Mapping[str, TrainScale] = field(default_factory=lambda: _frozen({}))

    def scale(self, model: str) -> TrainScale:
        """The :class:`TrainScale` of ``model`` in this profile (paper size when unlisted)."""
        if model in self.models:
            return self.models[model]
        entry = MODELS.get(model)  # a model registered after this profile was made
        if entry is not None and self.name in entry.scales:
            return entry.scales[self.name]
        if self.name == "gpu":
            return TrainScale()
        known = ", ".join(sorted(self.models)) or "none"
        raise KeyError(f"profile {self.name!r} has no scale for model {model!r}; known: {known}")

    def replace(self, **changes) -> "Profile":
        """A copy with some fields changed: ``profile.replace(n_train=256)``."""
        if "models" in changes:
            changes["models"] = _frozen(changes["models"])
        return dataclasses.replace(self, **changes)

    def with_scale(self, model: str, **changes) -> "Profile":
        """A copy whose scale for ``model`` has some fields changed."""
        models = dict(self.models)
        models[model] = self.scale(model).replace(**changes)
        return self.replace(models=models)

    def summary(self) -> str:
        """One line that notebooks print at the top."""
        threads = torch.get_num_threads()
        dtype = autocast_dtype(self.device) if self.autocast else None
        amp = str(dtype).replace("torch.", "") if dtype is not None else "off"
        return (
            f"profile={self.name} device={self.device} autocast={amp} threads={threads} "
            f"torch={torch.__version__} train_examples={self.n_train}"
        )


_GENERIC = {
    "smoke": dict(n_train=64, n_eval=32, preview_every=0),
    "laptop": dict(n_train=2048, n_eval=500, preview_every=250),
    "gpu": dict(n_train=16384, n_eval=2000, preview_every=1000),
}


def get_profile(name: str | None = None, device: str | None = None) -> Profile:
    """The profile named ``name``, else ``$AUDIOGAN_PROFILE``, else from the hardware.

    >>> get_profile("smoke").name
    'smoke'
    """
    if name is None:
        name = os.environ.get(ENV_VAR, "").strip().lower() or None
    dev = pick_device(device)
    if name is None:
        name = "gpu" if dev.startswith("cuda") else "laptop"
    if name not in PROFILE_NAMES:
        raise ValueError(
            f"unknown profile {name!r} (from {ENV_VAR} or the argument); "
            f"choose one of {', '.join(PROFILE_NAMES)}"
        )
    return Profile(
        name=name,
        device=dev,
        autocast=autocast_dtype(dev) is not None,
        models=_frozen({model: entry.scales[name] for model, entry in MODELS.items()
                        if name in entry.scales}),
        **_GENERIC[name],
    )


