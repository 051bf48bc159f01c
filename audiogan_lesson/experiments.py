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
from .representations import (MelIFImages, SpecGANSpectrogram, Waveform,  # noqa: F401
                              representation_from_state)
from .training import TrainConfig, Trainer

MODEL_NAMES = ("dense", "specgan", "wavegan", "gansynth")
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


# ----------------------------------------------------------------------------- models


def build_models(model: str, scale: TrainScale, **options) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of ``model`` at ``scale`` (width, slice length).

    ``options`` go to both constructors where they apply (``upsample`` and ``batch_norm`` to
    the WaveGAN and SpecGAN generators, ``phase_shuffle`` to the WaveGAN discriminator,
    ``dropout`` to the dense discriminator).
    """
    g_opts = {k: v for k, v in options.items()
              if k in ("upsample", "post_filter", "latent_dim", "batch_norm")}
    if model == "dense":
        from .models.dense import DenseDiscriminator, DenseGenerator

        d_opts = {k: v for k, v in options.items() if k in ("dropout",)}
        g_opts.pop("batch_norm", None)
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
    if model == "gansynth":
        return _gansynth_models(scale, **options)
    raise UnknownNameError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")


def _gansynth_models(scale: TrainScale, pitches=None, **options) -> tuple[nn.Module, nn.Module]:
    """GANSynth at ``scale`` (a :class:`profiles.GANSynthScale`): ``fmap_max = width`` and
    ``fmap_base = 16 * width`` (the paper's 256 and 4096), its resolutions, pitch range and
    ``pitch_scale``.
    ``options``: ``latent_dim``, ``kernel_size``, ``to_rgb_activation``, ``pitch_scale``
    (generator), ``mbstd_eps``
    (discriminator), ``fmap_base`` (both)."""
    from .models.gansynth import GANSynthDiscriminator, GANSynthGenerator

    pitches = tuple(pitches or range(scale.pitch_min, scale.pitch_max + 1))
    shared = dict(pitches=pitches, num_resolutions=scale.num_resolutions,
                  start_resolution=tuple(scale.start_resolution), fmap_max=scale.width,
                  fmap_base=options.get("fmap_base", 16 * scale.width))
    if "kernel_size" in options:
        shared["kernel_size"] = options["kernel_size"]
    g_opts = {"pitch_scale": scale.pitch_scale}
    g_opts.update({k: v for k, v in options.items()
                   if k in ("latent_dim", "to_rgb_activation", "pitch_scale")})
    d_opts = {k: v for k, v in options.items() if k in ("mbstd_eps",)}
    return GANSynthGenerator(**shared, **g_opts), GANSynthDiscriminator(**shared, **d_opts)


def load_pitched_notes(name: str | os.PathLike, n: int, sample_rate: int, length: int,
                       pitches: tuple[int, ...], seed: int = 0,
                       allow_unverified: bool = False) -> AudioSet:
    """Notes of MIDI ``pitches`` for GANSynth: ``labels`` are indices into ``pitches``.

    ``toy-notes`` are made at those pitches; a real dataset (``nsynth``, or a folder whose
    labels are MIDI numbers) keeps only the notes whose pitch is in ``pitches``. ``classes``
    holds the MIDI numbers as strings. Notebook 06 and ``train gansynth``.
    """
    from . import data
    from .models.gansynth import pitch_to_label

    if str(name) == "toy-notes":
        notes = data.toy_notes(n, seed=seed, sample_rate=sample_rate, length=length,
                               pitches=pitches)
        waves, midi = notes.waves, notes.pitches
    else:
        real = load_audio_set(name, n, sample_rate, length, seed=seed,
                              allow_unverified=allow_unverified)
        if real.labels is None:
            raise ValueError(f"{name}: GANSynth needs the MIDI pitch of every note; this dataset "
                             "has no labels (NSynth's come from its file names)")
        try:
            midi = (torch.tensor([int(real.classes[i]) for i in real.labels.tolist()])
                    if real.classes else real.labels)
        except ValueError:
            raise ValueError(f"{name}: the labels {real.classes[:5]} are not MIDI numbers; "
                             "GANSynth is conditioned on pitch") from None
        keep = torch.isin(midi, torch.tensor(pitches))
        if not bool(keep.any()):
            raise ValueError(f"{name}: no note has a pitch in {min(pitches)}-{max(pitches)}; "
                             "change pitch_min/pitch_max of the profile's gansynth scale")
        waves, midi = real.waves[keep], midi[keep]
    labels = pitch_to_label(midi, pitches)
    return AudioSet(waves, sample_rate, labels, [str(p) for p in pitches], str(name))


def _gansynth_setup(dataset, profile: Profile, scale, n_train, seed, model_options,
                    allow_unverified) -> dict:
    """Data, representation, models, schedule and the paper's recipe for ``gansynth``."""
    from .models.gansynth import ProgressiveSchedule, stage_resolution
    from .spectral import IFSpecConfig

    for field_name in ("n_fft", "num_resolutions", "stable_steps", "pitch_min"):
        if not hasattr(scale, field_name):
            raise ValueError(f"profile {profile.name!r}: the gansynth scale must be a "
                             f"profiles.GANSynthScale (it lacks {field_name})")
    pitches = tuple(range(scale.pitch_min, scale.pitch_max + 1))
    real = load_pitched_notes(dataset, n_train or profile.n_train, scale.sample_rate,
                              scale.slice_len, pitches, seed=seed,
                              allow_unverified=allow_unverified)
    representation = MelIFImages(IFSpecConfig(n_fft=scale.n_fft, hop=scale.hop,
                                              length=scale.slice_len,
                                              sample_rate=scale.sample_rate))
    top = stage_resolution(2 * scale.num_resolutions - 2, tuple(scale.start_resolution))
    if tuple(representation.shape[1:]) != top:
        raise ValueError(f"gansynth scale: n_fft={scale.n_fft}, hop={scale.hop} and slice_len="
                         f"{scale.slice_len} give {representation.shape[1]} x "
                         f"{representation.shape[2]} images, but {scale.num_resolutions} "
                         f"resolutions from {tuple(scale.start_resolution)} end at {top[0]} x "
                         f"{top[1]}; change num_resolutions or the STFT sizes")
    generator, discriminator = build_models("gansynth", scale, pitches=pitches,
                                            **(model_options or {}))
    schedule = ProgressiveSchedule(scale.num_resolutions, scale.stable_steps, scale.fade_steps,
                                   tuple(scale.start_resolution))
    recipe = dict(n_critic=1, lr_g=scale.lr, lr_d=scale.lr, betas=(0.0, 0.99), drift=0.001,
                  aux_weight=10.0, aux_fake_in_d=scale.aux_fake_in_d, ema_decay=scale.ema_decay,
                  latent="normal", conditional=True)
    return dict(real=real, representation=representation, generator=generator,
                discriminator=discriminator, hook=schedule, pitches=pitches, recipe=recipe)


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
    hook: Any = None
    pitches: tuple[int, ...] | None = None

    @property
    def sample_rate(self) -> int:
        return self.real.sample_rate

    def meta(self) -> dict:
        """What a checkpoint needs besides weights to turn samples back into audio."""
        return {"model": self.model, "dataset": self.dataset, "sample_rate": self.sample_rate,
                "slice_len": self.real.waves.shape[-1], "classes": list(self.real.classes),
                "representation": self.representation.state(),
                **({"pitches": list(self.pitches)} if self.pitches is not None else {})}

    def trainer(self, out_dir: str | os.PathLike | None = None,
                preview: Callable | None = None) -> Trainer:
        """A :class:`Trainer` for this experiment (checkpoints in ``out_dir`` when given)."""
        data = self.examples if not self.config.conditional else (self.examples, self.real.labels)
        return Trainer(self.generator, self.discriminator, data, self.config, out_dir=out_dir,
                       device=self.profile.device, preview=preview, meta=self.meta(),
                       hook=self.hook)

    def to_audio(self, samples: torch.Tensor) -> torch.Tensor:
        """Generated examples -> waveforms ``(N, slice_len)`` on the CPU."""
        return self.representation.decode(samples.detach()).cpu()


def wgan_recipe(scale: TrainScale, loss: str) -> dict:
    """The :class:`TrainConfig` changes a profile makes to the WGAN-GP recipe (notebook 05).

    ``n_critic``, ``lr_g``/``lr_d`` and ``ema_decay`` from ``scale.wgan_n_critic``,
    ``scale.wgan_lr`` and ``scale.wgan_ema_decay`` when ``loss == "wgan-gp"`` and they are set;
    empty otherwise (the paper's 5 critic steps, Adam 1e-4 and no EMA stay).
    """
    if loss != "wgan-gp":
        return {}
    changes: dict = {}
    if scale.wgan_n_critic is not None:
        changes["n_critic"] = scale.wgan_n_critic
    if scale.wgan_lr is not None:
        changes["lr_g"] = changes["lr_d"] = scale.wgan_lr
    if scale.wgan_ema_decay is not None:
        changes["ema_decay"] = scale.wgan_ema_decay
    return changes


def wgan_model_options(model: str, scale: TrainScale, loss: str) -> dict:
    """The model options a profile changes for WGAN-GP runs (notebook 05): the generator's
    ``batch_norm`` (``scale.wgan_batch_norm``, WaveGAN and SpecGAN) and the WaveGAN critic's
    ``phase_shuffle`` (``scale.wgan_phase_shuffle``); empty for BCE and for unset fields."""
    if loss != "wgan-gp" or model not in ("wavegan", "specgan"):
        return {}
    options: dict = {}
    if scale.wgan_batch_norm is not None:
        options["batch_norm"] = scale.wgan_batch_norm
    if model == "wavegan" and scale.wgan_phase_shuffle is not None:
        options["phase_shuffle"] = scale.wgan_phase_shuffle
    return options


def make_experiment(model: str, dataset: str | os.PathLike = "toy-drums",
                    profile: Profile | None = None, loss: str = "wgan-gp",
                    n_train: int | None = None, seed: int = 0, model_options: dict | None = None,
                    allow_unverified: bool = False, **train_options) -> Experiment:
    """Put ``model`` (``dense``, ``specgan``, ``wavegan``, ``gansynth``) and ``dataset`` together
    in ``profile``.

    ``gansynth`` (notebook 06) trains on :func:`load_pitched_notes` as mel-IF images
    (:class:`MelIFImages`), with progressive growing (:class:`models.gansynth.ProgressiveSchedule`
    as the trainer's hook) and the paper's recipe: WGAN-GP with one critic step, drift 0.001,
    auxiliary pitch loss weight 10 (on real notes in D, on fakes in G), Adam(8e-4, 0, 0.99), EMA
    0.999, normal latents, pitch conditioning; ``train_options`` override any of it.

    The profile's :class:`TrainScale` for the model sets width, batch size, slice length, sample
    rate and step count, and its ``wgan_`` fields change the recipe of WGAN-GP runs
    (:func:`wgan_recipe`, :func:`wgan_model_options`; ``wgan_preemphasis`` trains waveform
    models on pre-emphasised audio, :class:`Waveform`). ``train_options`` override
    :class:`TrainConfig` fields (``lr_g=2e-4``), ``model_options`` go to the model constructors
    (``upsample="nn"``, ``phase_shuffle=0``).
    """
    if model not in MODEL_NAMES:
        raise UnknownNameError(f"unknown model {model!r}; choose one of {', '.join(MODEL_NAMES)}")
    profile = profile or get_profile()
    scale = profile.scale(model)
    if model == "gansynth":
        parts = _gansynth_setup(dataset, profile, scale, n_train, seed, model_options,
                                allow_unverified)
        options = dict(loss=loss, batch_size=scale.batch_size, steps=scale.steps,
                       max_seconds=scale.minutes * 60, seed=seed,
                       preview_every=profile.preview_every, **parts["recipe"])
        options.update(train_options)
        examples = parts["representation"].encode(parts["real"].waves)
        return Experiment(model, str(dataset), profile, scale, parts["generator"],
                          parts["discriminator"], parts["real"], examples,
                          parts["representation"], TrainConfig(**options), parts["hook"],
                          parts["pitches"])
    if model == "specgan" and scale.slice_len != SPECGAN_SLICE_LEN:
        scale = scale.replace(slice_len=SPECGAN_SLICE_LEN)
    real = load_audio_set(dataset, n_train or profile.n_train, scale.sample_rate, scale.slice_len,
                          seed=seed, allow_unverified=allow_unverified)
    if model == "specgan":
        representation = SpecGANSpectrogram().fit(real.waves)
    else:
        emphasis = scale.wgan_preemphasis if loss == "wgan-gp" else None
        representation = Waveform(preemphasis=emphasis or 0.0)
    examples = representation.encode(real.waves)
    model_options = {**wgan_model_options(model, scale, loss), **(model_options or {})}
    generator, discriminator = build_models(model, scale, **model_options)
    options = dict(loss=loss, batch_size=scale.batch_size, steps=scale.steps,
                   max_seconds=scale.minutes * 60, seed=seed,
                   preview_every=profile.preview_every)
    options.update(wgan_recipe(scale, loss))
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
    config, and the representation saved with it (Griffin-Lim for SpecGAN, the exact mel-IF
    inverse for GANSynth). ``pitch`` (a MIDI number among the checkpoint's ``meta["pitches"]``)
    is for pitch-conditioned models only: every file is then a note of that pitch, named
    ``<model>_midi<pitch>_<i>.wav``; without it a pitch-conditioned model cycles through the
    pitches it was trained on. Returns the written paths.
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
    pitches = meta.get("pitches")
    if pitch is not None and (not config.get("conditional") or not pitches):
        raise ValueError(f"--pitch {pitch}: the {meta['model']} in {path} is not pitch-conditioned")
    if pitch is not None and pitch not in pitches:
        raise ValueError(f"--pitch {pitch}: {path} was trained on MIDI pitches {min(pitches)}-"
                         f"{max(pitches)}; choose one of those")
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
            if config.get("conditional"):
                labels = _generation_labels(start, m, pitch, pitches, meta, device)
                waves = representation.decode(generator(z, labels)).cpu()
            else:
                waves = representation.decode(generator(z)).cpu()
            for i, wave in enumerate(waves):
                name = meta["model"] if pitch is None else f"{meta['model']}_midi{pitch}"
                target = out / f"{name}_{start + i:04d}.wav"
                save_audio(target, wave, meta["sample_rate"])
                written.append(target)
    return written


def _generation_labels(start: int, m: int, pitch: int | None, pitches, meta: dict,
                       device) -> torch.Tensor:
    """Class labels ``(m,)`` for files ``start`` to ``start + m``: the index of ``pitch``, or
    every class in turn (all trained pitches, or all classes) when no pitch is asked for."""
    n_classes = len(pitches) if pitches else max(len(meta.get("classes") or []), 1)
    if pitch is not None:
        return torch.full((m,), list(pitches).index(pitch), dtype=torch.long, device=device)
    return torch.arange(start, start + m, device=device) % n_classes
