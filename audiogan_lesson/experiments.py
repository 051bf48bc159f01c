"""Experiments: a model, a dataset and a profile put together (notebooks 02-05 and the command line).

:func:`make_experiment` is the one place that knows how to train a model of the course by name
on a dataset by name in a profile: it loads the data at the model's sample rate and length,
turns it into what the model sees (waveforms, or SpecGAN's normalised log-magnitude
spectrograms), builds the generator and discriminator at the profile's width, and fills in a
:class:`~audiogan_lesson.training.TrainConfig`. Notebooks and ``python -m audiogan_lesson train``
both use it, so a checkpoint written by one can be loaded by the other::

    exp = make_experiment("wavegan", "toy-drums", loss="wgan-gp")
    trainer = exp.trainer("runs/wavegan")
    trainer.train(resume=True)
    audio = exp.to_audio(trainer.sample(16))      # (16, slice_len) waveforms in [-1, 1]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from .profiles import Profile, TrainScale, get_profile
from .training import TrainConfig, Trainer

MODEL_NAMES = ("dense", "specgan", "wavegan")
TOY_DATASETS = ("toy-drums", "toy-notes")
SPECGAN_SLICE_LEN = 16384  # 128 frames of hop 128: SpecGAN's image is always 128 x 128


class UnknownNameError(ValueError):
    """A model or dataset name that the course does not know; the message lists what exists."""


@dataclass
class AudioSet:
    """Waveforms ``(N, length)`` in [-1, 1] at ``sample_rate``, with optional labels ``(N,)``."""

    waves: torch.Tensor
    sample_rate: int
    labels: torch.Tensor | None = None
    classes: list[str] = field(default_factory=list)
    name: str = ""


# ----------------------------------------------------------------------------- datasets


def dataset_names() -> list[str]:
    """Every dataset name :func:`load_audio_set` accepts (a folder path is accepted too)."""
    from .data import DATASETS

    return list(TOY_DATASETS) + sorted(DATASETS)


def load_audio_set(name: str | os.PathLike, n: int, sample_rate: int, length: int,
                   seed: int = 0, download: bool = True, allow_unverified: bool = False) -> AudioSet:
    """Load ``n`` examples of ``name`` at ``sample_rate`` Hz, ``length`` samples each.

    ``name`` is ``toy-drums``, ``toy-notes``, a registry name (its recipe from
    :func:`audiogan_lesson.data.load_dataset`; fetched into the cache when missing and
    ``download``; ``allow_unverified`` accepts a download whose checksum the registry does not
    know yet), or a folder of audio files (labels from sub-folder names). Real datasets give at
    most ``n`` examples, a seeded random subset when there are more.
    """
    from . import data

    key = str(name)
    if key == "toy-drums":
        drums = data.toy_drums(n, seed=seed, sample_rate=sample_rate, length=length)
        return AudioSet(drums.waves, sample_rate, drums.labels, list(drums.classes), key)
    if key == "toy-notes":
        notes = data.toy_notes(n, seed=seed, sample_rate=sample_rate, length=length)
        return AudioSet(notes.waves, sample_rate, notes.families, list(notes.family_names), key)
    if key in data.DATASETS:
        folder = data.load_dataset(key, download=download, allow_unverified=allow_unverified,
                                   sample_rate=sample_rate, length=length)
    elif Path(key).is_dir():
        folder = data.AudioFolder(key, sample_rate=sample_rate, length=length)
    else:
        raise UnknownNameError(
            f"unknown dataset {key!r}: not a folder, and not one of {', '.join(dataset_names())}"
        )
    if len(folder) == 0:
        raise ValueError(f"{key}: no usable audio examples ({len(folder.skipped)} files skipped); "
                         "check that the folder holds wav/flac/ogg/mp3 files")
    waves, labels = folder.tensors()
    if waves.shape[0] > n:
        keep = torch.randperm(waves.shape[0], generator=torch.Generator().manual_seed(seed))[:n]
        waves, labels = waves[keep], (labels[keep] if labels is not None else None)
    return AudioSet(waves, sample_rate, labels, list(getattr(folder, "classes", []) or []), key)


# ----------------------------------------------------------------------------- representations


class Waveform:
    """Models that see raw audio: ``(N, length)`` <-> ``(N, 1, length)``."""

    kind = "waveform"

    def encode(self, waves: torch.Tensor) -> torch.Tensor:
        return waves.unsqueeze(1)

    def decode(self, examples: torch.Tensor) -> torch.Tensor:
        return examples.float().squeeze(1).clamp(-1, 1)

    def state(self) -> dict:
        return {"kind": self.kind}


class SpecGANSpectrogram:
    """SpecGAN's input: normalised log magnitude ``(N, 1, 128, 128)``; back to audio by Griffin-Lim.

    ``fit`` learns the per-bin moments on the training waves; ``n_iter`` Griffin-Lim iterations
    (16 in the paper) turn generated spectrograms into ``(N, 16384)`` waves.
    """

    kind = "specgan"

    def __init__(self, normalizer=None, n_iter: int = 16):
        from .spectral import SpecGANNormalizer

        self.normalizer = normalizer or SpecGANNormalizer()
        self.n_iter = n_iter

    def fit(self, waves: torch.Tensor) -> "SpecGANSpectrogram":
        from .spectral import stft_logmag

        self.normalizer.fit(stft_logmag(waves))
        return self

    def encode(self, waves: torch.Tensor) -> torch.Tensor:
        from .spectral import stft_logmag

        return self.normalizer.normalize(stft_logmag(waves)).unsqueeze(1)

    def decode(self, examples: torch.Tensor) -> torch.Tensor:
        from .spectral import griffin_lim

        logmag = self.normalizer.denormalize(examples.float().squeeze(1))
        return griffin_lim(logmag, n_iter=self.n_iter).clamp(-1, 1)

    def state(self) -> dict:
        return {"kind": self.kind, "n_iter": self.n_iter, "normalizer": self.normalizer.state_dict()}


def representation_from_state(state: dict):
    """Rebuild the representation saved in a checkpoint's ``meta``."""
    if state["kind"] == "waveform":
        return Waveform()
    if state["kind"] == "specgan":
        from .spectral import SpecGANNormalizer

        norm = SpecGANNormalizer(**state["normalizer"])
        return SpecGANSpectrogram(norm, n_iter=state.get("n_iter", 16))
    raise ValueError(f"unknown representation {state['kind']!r} in checkpoint")


# ----------------------------------------------------------------------------- models


def build_models(model: str, scale: TrainScale, **options) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of ``model`` at ``scale`` (width, slice length).

    ``options`` go to both constructors where they apply (``upsample`` to the generator,
    ``phase_shuffle`` to the WaveGAN discriminator, ``dropout`` to the dense discriminator).
    """
    g_opts = {k: v for k, v in options.items() if k in ("upsample", "post_filter", "latent_dim")}
    if model == "dense":
        from .models.dense import DenseDiscriminator, DenseGenerator

        d_opts = {k: v for k, v in options.items() if k in ("dropout",)}
        return (DenseGenerator(slice_len=scale.slice_len, width=scale.width, **g_opts),
                DenseDiscriminator(slice_len=scale.slice_len, width=scale.width, **d_opts))
    if model == "wavegan":
        from .models.wavegan import WaveGANDiscriminator, WaveGANGenerator

        d_opts = {k: v for k, v in options.items() if k in ("phase_shuffle", "per_example")}
        return (WaveGANGenerator(d=scale.width, slice_len=scale.slice_len, **g_opts),
                WaveGANDiscriminator(d=scale.width, slice_len=scale.slice_len, **d_opts))
    if model == "specgan":
        from .models.specgan import SpecGANDiscriminator, SpecGANGenerator

        g_opts.pop("post_filter", None)
        return SpecGANGenerator(d=scale.width, **g_opts), SpecGANDiscriminator(d=scale.width)
    raise UnknownNameError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")


# ----------------------------------------------------------------------------- experiments


@dataclass
class Experiment:
    """Everything one training run needs; see :func:`make_experiment`."""

    model: str
    dataset: str
    profile: Profile
    scale: TrainScale
    generator: nn.Module
    discriminator: nn.Module
    real: AudioSet
    examples: torch.Tensor
    representation: Any
    config: TrainConfig

    @property
    def sample_rate(self) -> int:
        return self.real.sample_rate

    def meta(self) -> dict:
        """What a checkpoint needs besides weights to turn samples back into audio."""
        return {"model": self.model, "dataset": self.dataset, "sample_rate": self.sample_rate,
                "slice_len": self.real.waves.shape[-1], "classes": list(self.real.classes),
                "representation": self.representation.state()}

    def trainer(self, out_dir: str | os.PathLike | None = None,
                preview: Callable | None = None) -> Trainer:
        """A :class:`Trainer` for this experiment (checkpoints in ``out_dir`` when given)."""
        data = self.examples if not self.config.conditional else (self.examples, self.real.labels)
        return Trainer(self.generator, self.discriminator, data, self.config, out_dir=out_dir,
                       device=self.profile.device, preview=preview, meta=self.meta())

    def to_audio(self, samples: torch.Tensor) -> torch.Tensor:
        """Generated examples -> waveforms ``(N, slice_len)`` on the CPU."""
        return self.representation.decode(samples.detach()).cpu()


def make_experiment(model: str, dataset: str | os.PathLike = "toy-drums",
                    profile: Profile | None = None, loss: str = "wgan-gp",
                    n_train: int | None = None, seed: int = 0, model_options: dict | None = None,
                    allow_unverified: bool = False, **train_options) -> Experiment:
    """Put ``model`` (``dense``, ``specgan``, ``wavegan``) and ``dataset`` together in ``profile``.

    The profile's :class:`TrainScale` for the model sets width, batch size, slice length, sample
    rate and step count; ``train_options`` override :class:`TrainConfig` fields (``lr_g=2e-4``),
    ``model_options`` go to the model constructors (``upsample="nn"``, ``phase_shuffle=0``).
    """
    if model not in MODEL_NAMES:
        raise UnknownNameError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")
    profile = profile or get_profile()
    scale = profile.scale(model)
    if model == "specgan" and scale.slice_len != SPECGAN_SLICE_LEN:
        scale = scale.replace(slice_len=SPECGAN_SLICE_LEN)
    real = load_audio_set(dataset, n_train or profile.n_train, scale.sample_rate, scale.slice_len,
                          seed=seed, allow_unverified=allow_unverified)
    if model == "specgan":
        representation = SpecGANSpectrogram().fit(real.waves)
    else:
        representation = Waveform()
    examples = representation.encode(real.waves)
    generator, discriminator = build_models(model, scale, **(model_options or {}))
    options = dict(loss=loss, batch_size=scale.batch_size, steps=scale.steps,
                   max_seconds=scale.minutes * 60, seed=seed,
                   preview_every=profile.preview_every)
    options.update(train_options)
    config = TrainConfig(**options)
    return Experiment(model, str(dataset), profile, scale, generator, discriminator, real,
                      examples, representation, config)


# ----------------------------------------------------------------------------- generation


def generate_from_checkpoint(checkpoint: str | os.PathLike, n: int, out_dir: str | os.PathLike,
                             seed: int = 0, pitch: int | None = None,
                             device: str | None = None) -> list[Path]:
    """Write ``n`` generated wav files from a training checkpoint into ``out_dir``.

    Uses the EMA generator when the checkpoint has one, the latent distribution of its training
    config, and the representation saved with it (Griffin-Lim for SpecGAN). ``pitch`` is for
    pitch-conditioned models only. Returns the written paths.
    """
    from .audio import save_audio
    from .checkpoint import load_generator
    from .profiles import pick_device
    from .training import normal_latents, uniform_latents

    path = Path(checkpoint)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint; train writes them as ckpt_<step>.pt")
    if n < 1:
        raise ValueError(f"--n {n}: ask for at least one file")
    device = device or pick_device()
    generator, ckpt = load_generator(path, device=device)
    meta = ckpt.get("meta") or {}
    if "representation" not in meta:
        raise ValueError(f"{path}: this checkpoint has no experiment metadata (it was not written "
                         "by `train` or Experiment.trainer); sample it with Trainer.sample instead")
    config = ckpt["config"]
    if pitch is not None and not config.get("conditional"):
        raise ValueError(f"--pitch {pitch}: the {meta['model']} in {path} is not pitch-conditioned")
    representation = representation_from_state(meta["representation"])
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    latent_fn = normal_latents if config.get("latent") == "normal" else uniform_latents
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with torch.no_grad():
        for start in range(0, n, 64):
            m = min(64, n - start)
            z = latent_fn(m, ckpt["latent_dim"], g, torch.device(device))
            waves = representation.decode(generator(z)).cpu()
            for i, wave in enumerate(waves):
                target = out / f"{meta['model']}_{start + i:04d}.wav"
                save_audio(target, wave, meta["sample_rate"])
                written.append(target)
    return written
