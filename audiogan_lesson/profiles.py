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
import platform
import random
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import torch

PROFILE_NAMES = ("smoke", "laptop", "gpu")
ENV_VAR = "AUDIOGAN_PROFILE"


@dataclass(frozen=True)
class TrainScale:
    """How one model is scaled in a profile.

    ``width`` is the model's width multiplier ``d`` (64 in the WaveGAN/SpecGAN papers),
    ``batch_size`` the minibatch (64 in the papers), ``slice_len`` the number of samples per
    example (16384 in the papers), ``sample_rate`` in Hz, ``steps`` the default number of
    generator steps and ``minutes`` the default wall-clock budget of a training run. How the
    model trains is its recipe (:mod:`audiogan_lesson.recipes`), not the scale's.
    """

    width: int = 64
    batch_size: int = 64
    slice_len: int = 16384
    sample_rate: int = 16000
    steps: int = 100_000
    minutes: float = 600.0

    def replace(self, **changes) -> "TrainScale":
        """A copy with some fields changed: ``scale.replace(batch_size=32)``."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class GANSynthScale(TrainScale):
    """How GANSynth is scaled in a profile (notebook 06); defaults are the paper's code
    (``configs/mel_prog_hires.py``, Engel et al. 2019).

    ``width`` is the widest layer (``fmap_max``, 256; ``fmap_base`` is ``16 * width``, 4096),
    ``batch_size`` 8, ``slice_len`` 64000 (4 s at 16 kHz), ``steps`` 1,375,000 (11 million
    images). The image: ``n_fft`` 2048 and ``hop`` 512 (128 frames x 1024 mel bins);
    ``num_resolutions`` 7 from ``start_resolution`` (2, 16), so 13 stages; ``stable_steps`` and
    ``fade_steps`` 100,000 each (800,000 images); ``pitch_min``-``pitch_max`` MIDI 24-84.
    The training recipe (Adam 8e-4, EMA 0.999, ...) is ``recipes.GANSYNTH``.
    """

    width: int = 256
    batch_size: int = 8
    slice_len: int = 64000
    steps: int = 1_375_000
    minutes: float = 5760.0
    n_fft: int = 2048
    hop: int = 512
    num_resolutions: int = 7
    start_resolution: tuple[int, int] = (2, 16)
    stable_steps: int = 100_000
    fade_steps: int = 100_000
    pitch_min: int = 24
    pitch_max: int = 84


@dataclass(frozen=True)
class MelImageScale(TrainScale):
    """How the mel-image GAN is scaled in a profile (notebook 03); defaults are the street-music
    GAN's (UrbanSound8K): 4 s at 22,050 Hz (``slice_len`` 88,200), ``n_mels`` 64, ``n_fft`` 1024,
    ``hop`` 512, images resized to ``image_size`` (256, 256), SpecGAN's width 64 and batch 64.
    """

    slice_len: int = 88200
    sample_rate: int = 22050
    n_mels: int = 64
    n_fft: int = 1024
    hop: int = 512
    image_size: tuple[int, int] = (256, 256)


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


def cuda_available() -> bool:
    """Whether a CUDA device can be used (no error when CUDA drivers are missing)."""
    try:
        return torch.cuda.is_available()
    except Exception:  # a broken driver install must not stop a CPU student
        return False


def mps_available() -> bool:
    """Whether Apple's Metal GPU (``mps``) can be used (an Apple-silicon Mac with a torch built
    for it)."""
    try:
        return bool(torch.backends.mps.is_available())
    except Exception:
        return False


DEVICE_KINDS = ("cpu", "cuda", "mps")


def pick_device(preferred: str | None = None) -> str:
    """The device to train and sample on: ``preferred`` (``--device``, else ``$AUDIOGAN_DEVICE``)
    when given, checked; else CUDA when available, then Apple's ``mps``, then ``cpu``.

    ``preferred`` is ``cpu``, ``cuda``, ``cuda:N`` or ``mps``; an unknown name, or a device this
    machine does not have, is a ``ValueError`` that names it and the fix.
    """
    if preferred is None:
        preferred = os.environ.get("AUDIOGAN_DEVICE") or None
    if preferred is None:
        return "cuda" if cuda_available() else "mps" if mps_available() else "cpu"
    unset = " (or unset AUDIOGAN_DEVICE)" if os.environ.get("AUDIOGAN_DEVICE") else ""
    try:
        device = torch.device(preferred)
    except (RuntimeError, TypeError):
        device = None
    if device is None or device.type not in DEVICE_KINDS:
        raise ValueError(f"device {preferred!r} is not one of cpu, cuda, cuda:N, mps; choose one "
                         f"of those{unset}")
    if device.type == "cuda" and not cuda_available():
        raise ValueError(f"device {preferred!r} was asked for but CUDA is not available on this "
                         f"machine; use --device cpu{unset}")
    if device.type == "cuda" and device.index is not None \
            and device.index >= torch.cuda.device_count():
        raise ValueError(f"device {preferred!r}: this machine has {torch.cuda.device_count()} "
                         f"CUDA device(s), cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    if device.type == "mps" and not mps_available():
        raise ValueError(f"device {preferred!r} was asked for but Apple's Metal (mps) is not "
                         f"available on this machine; use --device cpu{unset}")
    return preferred


def tune_backend(device: str | torch.device) -> None:
    """Let cuDNN time its convolution algorithms once per shape and keep the fastest (CUDA only).

    A GAN trains on fixed shapes, so the search pays for itself within a few steps. On an H200,
    ``python -m audiogan_lesson bench`` measured the paper-size WaveGAN's WGAN-GP round at
    222 ms in bf16 without it and 122 ms with it, and its generation at 0.11 and 0.019 ms per
    example. The trainer, the benchmark and sampling from a run call it.
    """
    if torch.device(device).type == "cuda":
        torch.backends.cudnn.benchmark = True


def cpu_supports_bf16() -> bool:
    """Whether this CPU has native bfloat16 matrix instructions (AVX512-BF16 or AMX)."""
    if platform.system() != "Linux":
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def native_autocast_dtype(device: str) -> torch.dtype | None:
    """The reduced-precision dtype ``device`` runs natively, or None.

    CUDA: bfloat16 where the GPU has it in hardware (Ampere and later), else float16 (a T4 on
    Colab's free tier; emulated bf16 would be slower there). CPU: bfloat16 with AVX512-BF16 or
    AMX, else None. The benchmark measures this dtype against fp32.
    """
    if device.startswith("cuda"):
        try:
            native_bf16 = torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # torch < 2.3 has no including_emulation argument
            native_bf16 = torch.cuda.is_bf16_supported()
        return torch.bfloat16 if native_bf16 else torch.float16
    return torch.bfloat16 if cpu_supports_bf16() else None


def autocast_dtype(device: str) -> torch.dtype | None:
    """The dtype the course uses for ``torch.autocast`` on ``device``, or None (autocast off).

    CUDA: :func:`native_autocast_dtype`. CPU: off unless ``AUDIOGAN_CPU_AUTOCAST=1``. Most
    laptop CPUs have no native bf16; where there is one it can be faster (on a two-core Xeon
    with AMX, ``python -m audiogan_lesson bench`` measured the laptop WaveGAN's WGAN-GP step
    1.2x and its generation 2x faster), but the course's stored results are fp32 runs, and two
    five-minute WGAN-GP runs of the laptop WaveGAN in bf16 scored 23% and 44% of the real
    drums' inception score where fp32 scored 42% and 47% with the same seeds.
    """
    if device.startswith("cuda"):
        return native_autocast_dtype(device)
    if os.environ.get("AUDIOGAN_CPU_AUTOCAST", "").strip() in ("1", "true", "yes"):
        return native_autocast_dtype(device)
    return None


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


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed python, numpy and torch (CPU and CUDA); return a CPU ``torch.Generator`` seeded too."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen
