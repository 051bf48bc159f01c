"""How big a model is in a profile: :class:`TrainScale` and the models' own kinds of it.

A scale is data: width, batch, clip length, sample rate and budget (and for GANSynth its image
and growing schedule, for the mel-image GAN its image). Each model's entry keeps one per profile
(:mod:`audiogan_lesson.registry`); :class:`profiles.Profile` looks them up. Notebook ``00``
prints them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["TrainScale", "GANSynthScale", "MelImageScale"]


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
