"""Profiles: one notebook, three scales (used by every notebook, first in ``00_welcome``).

A profile says how big the models, data and budgets are. It is chosen from the
``AUDIOGAN_PROFILE`` environment variable (``smoke``, ``laptop`` or ``gpu``), else from the
hardware: ``gpu`` when CUDA is present, ``laptop`` otherwise. CI sets ``smoke`` through the
pytest configuration.

Paper hyperparameters are the defaults of the model configs and the recipes (``recipes``); a profile
only scales them. Every
field can be overridden in a notebook::

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


# Paper values (Donahue et al. 2019, Table 3; Engel et al. 2019) are the TrainScale defaults.
# Later notebooks add the models they train here, one home for every scale.
_SCALES: dict[str, dict[str, TrainScale]] = {
    "smoke": {
        "dense": TrainScale(width=16, batch_size=16, slice_len=4096, sample_rate=8000,
                            steps=4, minutes=0.2),
        "wavegan": TrainScale(width=4, batch_size=8, slice_len=4096, sample_rate=8000,
                              steps=4, minutes=0.2),
        "specgan": TrainScale(width=4, batch_size=8, slice_len=16384, sample_rate=16000,
                              steps=4, minutes=0.2),
        # 3 resolutions (2x16 to 8x64, a 512-sample clip), 5 pitches, 2 steps per stage
        "specgan-mel": MelImageScale(width=4, batch_size=8, slice_len=8192, steps=4, minutes=0.2,
                                     image_size=(32, 32)),
        "gansynth": GANSynthScale(width=8, batch_size=4, slice_len=512, steps=12, minutes=0.2,
                                  n_fft=128, hop=64, num_resolutions=3, stable_steps=2,
                                  fade_steps=2, pitch_min=60, pitch_max=64),
        # PianoGAN: slice_len counts notes; sample_rate is what they are rendered at
        "pianogan": TrainScale(width=4, batch_size=8, slice_len=256, sample_rate=8000,
                               steps=4, minutes=0.2),
    },
    "laptop": {
        "dense": TrainScale(width=128, batch_size=64, slice_len=4096, sample_rate=8000,
                            steps=1500, minutes=2.0),
        # WaveGAN: d=8, batch 32, quarter-second slices at 8 kHz (its WGAN-GP recipe for this
        # budget: recipes.LAPTOP_WAVEGAN_WGAN)
        "wavegan": TrainScale(width=8, batch_size=32, slice_len=2048, sample_rate=8000,
                              steps=600, minutes=4.0),
        "specgan": TrainScale(width=16, batch_size=32, slice_len=16384, sample_rate=16000,
                              steps=600, minutes=4.0),
        # the mel-image GAN on one-second drums at 22,050 Hz (44 frames of hop 512, resized to
        # 256 x 256 as the report), d=8 so that its steps cost about SpecGAN's laptop steps
        "specgan-mel": MelImageScale(width=8, batch_size=32, slice_len=22050, steps=600,
                                     minutes=4.0),
        # quarter-second notes at 8 kHz over two octaves (MIDI 48-72) as 8 x 256 images: a
        # 512-point STFT with hop 256 (4 of the 7 resolutions from 1 x 32, 7 stages of 400
        # steps), an eighth of the width, batch 8 as the paper (the recipe for this budget, with
        # the projection critic: recipes.LAPTOP_GANSYNTH). Growing ends at step 2400; the rest of
        # the 15 minutes trains 8 x 256. At 16 x 128 (n_fft 256, hop 128: 31 Hz bins) the
        # harmonics of MIDI 48 lie 4 bins apart and a semitone moves its fundamental a quarter
        # of a bin, so the low octave's pitch sits in the IF channel: a real low note given the
        # IF of the note a semitone up is heard at the upper pitch 73% of the time, at its own
        # 7%; with 8 x 256 (16 Hz bins, the same number of pixels and cost) the magnitude mostly
        # sets the pitch (75% and 96% in the same test for the low and high octave). Over one
        # octave (MIDI 60-72) the course trained 16 x 128: with_scale("gansynth", pitch_min=60,
        # n_fft=256, hop=128, start_resolution=(2, 16)) (notebook 06's appendix)
        "gansynth": GANSynthScale(width=32, batch_size=8, slice_len=2048, sample_rate=8000,
                                  steps=1_000_000_000, minutes=15.0, n_fft=512, hop=256,
                                  start_resolution=(1, 32), num_resolutions=4,
                                  stable_steps=400, fade_steps=400, pitch_min=48, pitch_max=72),
        "pianogan": TrainScale(width=16, batch_size=64, slice_len=256, sample_rate=8000,
                               steps=100_000, minutes=5.0),
    },
    # gpu: paper sizes, with notebook budgets of minutes, so that each notebook's runs together
    # stay within about 15 minutes on one GPU (02: three dense runs; 03: the main SpecGAN run, four
    # comparison runs and the mel-image run at half its minutes each; 04: two WaveGAN runs). The
    # paper-size runs of hours or days go through the command line with --steps (each
    # notebook's "Run at full scale" section gives the command), so `steps` stays the paper's.
    "gpu": {
        "dense": TrainScale(width=1024, batch_size=64, slice_len=16384, sample_rate=16000,
                            steps=20000, minutes=4.0),
        "wavegan": TrainScale(width=64, batch_size=64, slice_len=16384, sample_rate=16000,
                              steps=200_000, minutes=4.0),
        "specgan": TrainScale(width=64, batch_size=64, slice_len=16384, sample_rate=16000,
                              steps=200_000, minutes=4.0),
        "specgan-mel": MelImageScale(steps=200_000, minutes=4.0),
        "gansynth": GANSynthScale(minutes=12.0),
        "pianogan": TrainScale(width=64, batch_size=64, slice_len=256, sample_rate=16000,
                               steps=100_000, minutes=4.0),
    },
}

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
        models=_frozen(_SCALES[name]),
        **_GENERIC[name],
    )


