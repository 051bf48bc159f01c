"""Experiments: a model, a dataset and a profile put together (notebooks 02-05 and the
command line).

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

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from . import data
from .audio import standardize as audio_standardize
from .checkpoint import config_dict
from .evaluation.selection import selection_for
from .models.gansynth import ProgressiveSchedule, pitch_to_label, stage_resolution
from .profiles import GANSynthScale, Profile, TrainScale, get_profile
from .models.conditional import CONDITIONINGS, DEFAULT_CONDITIONING
from .recipes import Recipe, recipe_layers
from .registry import (MODEL_NAMES, SPECGAN_SLICE_LEN, UnknownNameError,  # noqa: F401
                       Settings, build_from_settings, config_defaults, model_entry, model_for,
                       network_settings)
from .representations import MelIFImages
from .training import TrainConfig, Trainer

def seeded_subset(total: int, n: int, seed: int) -> torch.Tensor:
    """The indices of ``n`` of ``total`` examples, chosen at random with ``seed`` (the same
    subset every time): how a data set larger than ``n_train`` is cut."""
    return torch.randperm(total, generator=torch.Generator().manual_seed(seed))[:n]


TOY_DATASETS = ("toy-drums", "toy-notes")
NOTE_DATASETS = ("toy-piano",)  # note sequences (PianoGAN); the registry's MIDI sets too


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
    return list(TOY_DATASETS) + list(NOTE_DATASETS) + sorted(data.DATASETS)


def load_audio_set(name: str | os.PathLike, n: int, sample_rate: int, length: int,
                   seed: int = 0, download: bool = True, allow_unverified: bool = False,
                   standardize: bool | None = None) -> AudioSet:
    """Load ``n`` examples of ``name`` at ``sample_rate`` Hz, ``length`` samples each.

    ``name`` is ``toy-drums``, ``toy-notes``, a registry name (its recipe from
    :func:`audiogan_lesson.data.load_dataset`; fetched into the cache when missing and
    ``download``; ``allow_unverified`` accepts a download whose checksum the registry does not
    know yet), or a folder of audio files (labels from sub-folder names). Real datasets give at
    most ``n`` examples, a seeded random subset when there are more.

    ``standardize`` (None: the registry entry's ``standardize``, off for toy sets and folders)
    makes every clip mean 0 and standard deviation 1 (:func:`audio.standardize`; the GTZAN
    classical recipe).
    """
    loaded = _load_audio_set(name, n, sample_rate, length, seed, download, allow_unverified)
    if standardize is None:
        info = data.DATASETS.get(str(name))
        standardize = bool(info is not None and info.standardize)
    if standardize:
        loaded.waves = audio_standardize(loaded.waves)
    return loaded


def _load_audio_set(name, n: int, sample_rate: int, length: int, seed: int, download: bool,
                    allow_unverified: bool) -> AudioSet:
    """:func:`load_audio_set` before standardisation."""
    key = str(name)
    if key in NOTE_DATASETS or (key in data.DATASETS and data.DATASETS[key].kind == "midi"):
        raise ValueError(f"{key} holds piano notes (MIDI), not audio; train pianogan on it "
                         f"(python -m audiogan_lesson train pianogan --data {key})")
    if key == "toy-drums":
        drums = data.toy_drums(n, seed=seed, sample_rate=sample_rate, length=length)
        return AudioSet(drums.waves, sample_rate, drums.labels, list(drums.classes), key)
    if key == "toy-notes":
        notes = data.toy_notes(n, seed=seed, sample_rate=sample_rate, length=length)
        return AudioSet(notes.waves, sample_rate, notes.families, list(notes.family_names), key)
    if key in data.DATASETS:
        split = data.DATASETS[key].splits[0]  # "train", or "all" for sets without splits
        folder = data.load_dataset(key, split=split, download=download,
                                   allow_unverified=allow_unverified, sample_rate=sample_rate,
                                   length=length)
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
        keep = seeded_subset(waves.shape[0], n, seed)
        waves, labels = waves[keep], (labels[keep] if labels is not None else None)
    return AudioSet(waves, sample_rate, labels, list(getattr(folder, "classes", []) or []), key)


# ----------------------------------------------------------------------------- note sequences


@dataclass
class NoteSet:
    """Note sequences ``notes`` ``(N, length, 3)`` [MIDI pitch, step s, duration s] for PianoGAN
    (notebook 08), rendered to audio at ``sample_rate``; ``keys`` ``(N,)`` indices into
    :data:`data.KEY_NAMES` where known (toy pieces), else None; ``sources`` the file of each
    window of a MIDI set; ``skipped`` the files passed over and why."""

    notes: torch.Tensor
    sample_rate: int
    keys: torch.Tensor | None = None
    name: str = ""
    sources: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    labels = None  # unconditional: the trainer draws no labels
    classes: list[str] = field(default_factory=list)

    @property
    def waves(self) -> torch.Tensor:
        """The notes channels first, ``(N, 3, length)``: the layout PianoGAN's convolutions see,
        under the name audio sets use, so code that reads the length of a training set's
        ``.waves`` reads ``length`` notes here."""
        return self.notes.transpose(1, 2)


def load_note_set(name: str | os.PathLike, n: int, length: int, sample_rate: int, seed: int = 0,
                  download: bool = True, allow_unverified: bool = False,
                  hop: int | None = None, sustain: bool = False) -> NoteSet:
    """Load ``n`` sequences of ``length`` notes of ``name`` (notebook 08, ``train pianogan``).

    ``name`` is ``toy-piano`` (:func:`data.toy_piano`), a registered MIDI dataset (``maestro``;
    fetched when missing and ``download``) or a folder of ``.mid`` files
    (:class:`data.MidiFolder`, windows every ``hop`` notes, ``sustain`` pedal applied or not).
    Real sets give at most ``n`` windows, a seeded random subset when there are more.
    """
    key = str(name)
    if key == "toy-piano":
        toy = data.toy_piano(n, seed=seed, length=length)
        return NoteSet(toy.notes, sample_rate, toy.keys, key)
    options = dict(length=length, hop=hop, sustain=sustain)
    if key in data.DATASETS:
        if data.DATASETS[key].kind != "midi":
            raise ValueError(f"{key} is an audio dataset; pianogan trains on notes: toy-piano, "
                             "maestro or a folder of .mid files")
        folder = data.load_dataset(key, download=download, allow_unverified=allow_unverified,
                                   **options)
    elif Path(key).is_dir():
        folder = data.MidiFolder(key, **options)
    else:
        midi_sets = sorted(k for k, v in data.DATASETS.items() if v.kind == "midi")
        raise UnknownNameError(f"unknown note dataset {key!r}: not a folder, and not one of "
                               f"{', '.join(list(NOTE_DATASETS) + midi_sets)}")
    if len(folder) == 0:
        raise ValueError(f"{key}: no window of {length} notes ({len(folder.skipped)} files "
                         f"skipped); check that the folder holds .mid files of at least {length} "
                         f"notes\n{folder.summary()}")
    notes, sources = folder.notes, list(folder.sources)
    if notes.shape[0] > n:
        keep = seeded_subset(notes.shape[0], n, seed)
        notes, sources = notes[keep], [sources[i] for i in keep.tolist()]
    return NoteSet(notes, sample_rate, None, key, sources, list(folder.skipped))


# ----------------------------------------------------------------------------- pitched notes


def load_pitched_notes(name: str | os.PathLike, n: int, sample_rate: int, length: int,
                       pitches: tuple[int, ...], seed: int = 0,
                       allow_unverified: bool = False) -> AudioSet:
    """Notes of MIDI ``pitches`` for GANSynth: ``labels`` are indices into ``pitches``.

    ``toy-notes`` are made at those pitches; a real dataset (``nsynth``, or a folder whose
    labels are MIDI numbers) keeps only the notes whose pitch is in ``pitches``. ``classes``
    holds the MIDI numbers as strings. Notebook 06 and ``train gansynth``.
    """
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


def _progressive_schedule(scale, representation: MelIFImages) -> ProgressiveSchedule:
    """GANSynth's schedule of stages at ``scale``, checked against the size of its images."""
    top = stage_resolution(2 * scale.num_resolutions - 2, tuple(scale.start_resolution))
    if tuple(representation.shape[1:]) != top:
        raise ValueError(f"gansynth scale: n_fft={scale.n_fft}, hop={scale.hop} and slice_len="
                         f"{scale.slice_len} give {representation.shape[1]} x "
                         f"{representation.shape[2]} images, but {scale.num_resolutions} "
                         f"resolutions from {tuple(scale.start_resolution)} end at {top[0]} x "
                         f"{top[1]}; change num_resolutions or the STFT sizes")
    return ProgressiveSchedule(scale.num_resolutions, scale.stable_steps, scale.fade_steps,
                               tuple(scale.start_resolution))


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
    settings: dict[str, Settings] = field(default_factory=dict)  # :func:`experiment_settings`

    @property
    def sample_rate(self) -> int:
        return self.real.sample_rate

    def describe(self) -> str:
        """What the model trains on, in words (the command line's first lines)."""
        n, length = self.examples.shape[0], self.real.waves.shape[-1]
        if isinstance(self.real, NoteSet):
            return f"{n} pieces of {length} notes (heard at {self.sample_rate} Hz)"
        return f"{n} examples of {length} samples at {self.sample_rate} Hz"

    def meta(self) -> dict:
        """What a checkpoint needs besides weights to turn samples back into audio."""
        return {"model": self.model, "dataset": self.dataset, "sample_rate": self.sample_rate,
                "slice_len": self.real.waves.shape[-1], "classes": list(self.real.classes),
                "representation": self.representation.state(),
                **({"pitches": list(self.pitches)} if self.pitches is not None else {})}

    def trainer(self, out_dir: str | os.PathLike | None = None,
                preview: Callable | None = None, select: Callable | None = None) -> Trainer:
        """A :class:`Trainer` for this experiment (checkpoints in ``out_dir`` when given).

        A run with ``config.select_every`` keeps its best checkpoint by the score that
        :func:`evaluation.selection.selection_for` builds for this experiment (notes, pitch
        accuracy, per-class or inception score); ``select`` replaces it with another."""
        data = self.examples if not self.config.conditional else (self.examples, self.real.labels)
        if select is None and self.config.select_every:
            select = selection_for(self)
        return Trainer(self.generator, self.discriminator, data, self.config, out_dir=out_dir,
                       device=self.profile.device, preview=preview, meta=self.meta(),
                       hook=self.hook, select=select)

    def to_audio(self, samples: torch.Tensor) -> torch.Tensor:
        """Generated examples -> waveforms ``(N, slice_len)`` on the CPU."""
        return self.representation.decode(samples.detach()).cpu()


def make_experiment(model: str, dataset: str | os.PathLike = "toy-drums",
                    profile: Profile | None = None, loss: str = "wgan-gp",
                    n_train: int | None = None, seed: int = 0, model_options: dict | None = None,
                    allow_unverified: bool = False, recipe: Recipe | None = None,
                    representation: str | None = None, slice_len: int | None = None,
                    sample_rate: int | None = None, standardize: bool | None = None,
                    conditional: str | bool | None = None, **train_options) -> Experiment:
    """Put ``model`` (a name in :data:`registry.MODELS`: ``dense``, ``specgan``, ``wavegan``,
    ``gansynth``) and ``dataset`` together in ``profile``.

    The profile's :class:`TrainScale` for the model sets width, batch size, clip length, sample
    rate and budget. The recipe is :func:`recipes.recipe_for` (the paper's, with the profile's
    named changes for this loss), with ``recipe`` on top when given. ``model_options`` go to the
    model constructors (``upsample="nn"``, ``phase_shuffle=0``) and ``train_options`` to
    :class:`TrainConfig` (``lr_g=2e-4``); both win over the recipe.

    ``representation`` picks another way for the model to see the data
    (:func:`registry.model_for`: ``make_experiment("specgan", representation="mel-image")``
    trains the mel-image GAN, ``specgan-mel``). ``slice_len`` and ``sample_rate`` replace the
    scale's clip length and rate (``--slice-len 64000`` for 4 s of dense GAN at 16 kHz);
    ``standardize`` (None: the dataset's recipe) makes every clip mean 0, standard deviation 1
    (:func:`load_audio_set`).

    ``conditional`` (WaveGAN and SpecGAN; None/False: the paper's unconditional models) makes
    them class-conditional on the dataset's labels: ``"acgan"`` or ``"projection"``
    (:mod:`models.conditional`, :data:`recipes.CONDITIONAL`), True for
    :data:`~models.conditional.DEFAULT_CONDITIONING` (notebook 09, ``train --conditional``).

    ``gansynth`` (notebook 06) trains on :func:`load_pitched_notes` as mel-IF images, with
    progressive growing (:class:`models.gansynth.ProgressiveSchedule` as the trainer's hook).
    """
    plan = _plan(model, profile, loss, seed, recipe, representation, slice_len, sample_rate,
                 conditional, model_options, train_options)
    model, entry, scale, profile, conditioning = (plan.model, plan.entry, plan.scale,
                                                   plan.profile, plan.conditioning)
    n = n_train or profile.n_train
    representation_options = _values(plan.settings["representation"])
    hook = pitches = None
    if entry.pitched:
        if not isinstance(scale, GANSynthScale):
            raise ValueError(f"profile {profile.name!r}: the {model} scale must be a "
                             f"profiles.GANSynthScale (got {type(scale).__name__})")
        pitches = tuple(range(scale.pitch_min, scale.pitch_max + 1))
        real = load_pitched_notes(dataset, n, scale.sample_rate, scale.slice_len, pitches,
                                  seed=seed, allow_unverified=allow_unverified)
        representation = entry.representation(scale, representation_options)
        hook = _progressive_schedule(scale, representation)
    elif entry.notes:  # note sequences, not sound (PianoGAN, notebook 08)
        real = load_note_set(dataset, n, scale.slice_len, scale.sample_rate, seed=seed,
                             allow_unverified=allow_unverified)
        representation = entry.representation(scale, representation_options).fit(real.notes)
    else:
        real = load_audio_set(dataset, n, scale.sample_rate, scale.slice_len, seed=seed,
                              allow_unverified=allow_unverified, standardize=standardize)
        representation = entry.representation(scale, representation_options)
        if hasattr(representation, "fit"):
            representation.fit(real.waves)
    # a representation's data augmentation (the mel image's random time shift) changes only
    # what the model trains on; ``real`` stays as recorded, for evaluation
    source = real.notes if entry.notes else real.waves
    train_waves = (representation.augment(source, seed) if hasattr(representation, "augment")
                   else source)
    examples = representation.encode(train_waves)
    settings = plan.settings
    if conditioning is not None and "n_classes" not in (model_options or {}):
        for part in ("generator", "discriminator"):
            settings[part]["n_classes"] = (_class_count(real), "the data")
    generator, discriminator = build_from_settings(model, settings["generator"],
                                                   settings["discriminator"])
    return Experiment(model, str(dataset), profile, scale, generator, discriminator, real,
                      examples, representation, TrainConfig(**_values(settings["train"])), hook,
                      pitches, settings)


@dataclass
class _Plan:
    """What :func:`make_experiment` decides before it reads any data."""

    model: str
    entry: Any
    profile: Profile
    scale: TrainScale
    conditioning: str | None
    settings: dict[str, Settings]


def _values(settings: Settings) -> dict:
    return {k: v for k, (v, _) in settings.items()}


def _plan(model, profile, loss, seed, recipe, representation, slice_len, sample_rate,
          conditional, model_options, train_options) -> _Plan:
    """The model, its scale and every setting of the run with the layer that set it
    (:func:`experiment_settings`), from :func:`make_experiment`'s arguments; no data is read."""
    model = model_for(model, representation)
    entry = model_entry(model)
    profile = profile or get_profile()
    scale = profile.scale(model)
    at_profile = f"profile {profile.name}"
    scale_table = {f.name: (getattr(scale, f.name), at_profile)
                   for f in dataclasses.fields(scale)}
    if slice_len is not None and entry.slice_len is not None and slice_len != entry.slice_len:
        raise ValueError(f"--slice-len {slice_len}: {model} makes clips of {entry.slice_len} "
                         "samples only; leave the length out (or choose another model)")
    changes = {k: v for k, v in dict(slice_len=slice_len, sample_rate=sample_rate).items()
               if v is not None}
    for key, value in changes.items():
        if int(value) < 1:
            raise ValueError(f"{key}={value} must be a positive number of "
                             f"{'samples' if key == 'slice_len' else 'Hz'}")
        scale_table[key] = (int(value), "option")
    if changes:
        scale = scale.replace(**{k: int(v) for k, v in changes.items()})
    if entry.slice_len is not None and scale.slice_len != entry.slice_len:
        scale = scale.replace(slice_len=entry.slice_len)
        scale_table["slice_len"] = (entry.slice_len, f"model {model}")
    conditioning = _conditioning(model, entry, conditional)
    layers = recipe_layers(model, loss, profile.name, conditioning)
    if recipe is not None:
        layers.append(("recipe argument", recipe))
    generator, discriminator = network_settings(model, scale, layers, model_options or {},
                                                scale_layer=at_profile)
    if conditioning is not None and "n_classes" not in (model_options or {}):
        for table in (generator, discriminator):  # make_experiment counts them in the data
            table["n_classes"] = ("the number of the data's classes", "the data")
    train = config_defaults(TrainConfig)
    train.update({k: (v, at_profile) for k, v in dict(
        batch_size=scale.batch_size, steps=scale.steps, max_seconds=scale.minutes * 60,
        preview_every=profile.preview_every).items()})
    train.update(loss=(loss, "option"), seed=(seed, "option"))
    representation_table: Settings = {}
    for layer, part in layers:
        train.update({k: (v, layer) for k, v in part.train.items()})
        representation_table.update({k: (v, layer) for k, v in part.representation.items()})
    train.update({k: (v, "option") for k, v in (train_options or {}).items()})
    for key, value in config_dict(TrainConfig(**_values(train))).items():
        if value != train[key][0]:  # a value TrainConfig works out (n_critic from the loss)
            train[key] = (value, f"{train[key][1]}, worked out by TrainConfig")
    return _Plan(model, entry, profile, scale, conditioning,
                 {"scale": scale_table, "train": train, "generator": generator,
                  "discriminator": discriminator, "representation": representation_table})


def experiment_settings(model: str, profile: Profile | None = None, loss: str = "wgan-gp",
                        seed: int = 0, model_options: dict | None = None,
                        recipe: Recipe | None = None, representation: str | None = None,
                        slice_len: int | None = None, sample_rate: int | None = None,
                        conditional: str | bool | None = None,
                        **train_options) -> dict[str, Settings]:
    """Every setting a :func:`make_experiment` with these arguments would train with, and the
    layer that set it, without reading any data: ``{part: {name: (value, layer)}}`` for the
    parts ``scale``, ``train`` (:class:`TrainConfig`), ``generator``, ``discriminator`` and
    ``representation`` (the options its recipe gives). Layers: ``paper (default)`` (a config's
    own value), ``profile <name>`` (its scale), ``paper``/``profile <name>``/``conditioning
    <kind>`` (the recipes, :func:`recipes.recipe_layers`), ``recipe argument``, ``option`` (an
    argument here, a flag of ``train``). A class-conditional model's ``n_classes`` comes from
    the data when it is read. :func:`format_settings` prints it; ``train --show-config``."""
    return _plan(model, profile, loss, seed, recipe, representation, slice_len, sample_rate,
                 conditional, model_options, train_options).settings


def format_settings(settings: dict[str, Settings]) -> str:
    """The table of :func:`experiment_settings` (or ``Experiment.settings``), one setting a line:
    ``part.name = value    layer``."""
    rows = [(f"{part}.{name}", repr(value), layer) for part, table in settings.items()
            for name, (value, layer) in sorted(table.items())]
    width = min(max((len(a) + len(b) for a, b, _ in rows), default=0) + 5, 52)
    return "\n".join(f"{a} = {b}".ljust(width - 1) + " " + layer for a, b, layer in rows)


def _conditioning(model: str, entry, conditional: str | bool | None) -> str | None:
    """``make_experiment``'s ``conditional`` as one of :data:`CONDITIONINGS`, or None."""
    if conditional is None or conditional is False:
        return None
    if not entry.conditions:
        can = ", ".join(name for name in MODEL_NAMES if model_entry(name).conditions)
        raise ValueError(f"{model} has no class-conditional option (--conditional is for {can}"
                         + ("; gansynth is conditioned on pitch already)" if entry.pitched
                            else ")"))
    kind = DEFAULT_CONDITIONING if conditional is True else str(conditional)
    if kind not in CONDITIONINGS:
        raise ValueError(f"conditional={conditional!r}; choose one of {', '.join(CONDITIONINGS)} "
                         f"(or True for {DEFAULT_CONDITIONING})")
    return kind


def _class_count(real: AudioSet) -> int:
    """The number of classes a conditional model of ``real`` needs; every example must have a
    label and there must be at least two classes."""
    where = real.name or "the dataset"
    if real.labels is None or not real.classes:
        raise ValueError(f"{where} has no class labels, so a conditional model has nothing to be "
                         "conditioned on; use a labelled set (toy-drums, toy-notes, sc09, a "
                         "folder with one sub-folder per class) or leave --conditional out")
    unlabelled = int((real.labels < 0).sum())
    if unlabelled:
        raise ValueError(f"{where}: {unlabelled} examples have no class (files directly in the "
                         "folder, not in a class sub-folder); move them into a sub-folder")
    if len(real.classes) < 2:
        raise ValueError(f"{where} has one class ({real.classes[0]}); conditioning needs at "
                         "least two")
    return len(real.classes)
