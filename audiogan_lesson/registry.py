"""The model registry: a model's name -> its generator, discriminator, representation and recipe.

Adding a model to the course is one :class:`ModelEntry` in :data:`MODELS`;
:func:`experiments.make_experiment`, the command line and ``bench`` find it here::

    entry = MODELS["wavegan"]
    G, D = build_models("wavegan", profile.scale("wavegan"), upsample="nn")

``build_models`` gives each option to the network whose config dataclass has a field of that
name (both when both have it), so no list of option names is kept by hand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

from torch import nn

from .models.dense import DenseDiscriminator, DenseGenerator
from .models.gansynth import GANSynthDiscriminator, GANSynthGenerator
from .models.pianogan import PianoGANDiscriminator, PianoGANGenerator
from .models.melimage import MelImageDiscriminator, MelImageGenerator
from .models.specgan import SpecGANDiscriminator, SpecGANGenerator
from .models.wavegan import WaveGANDiscriminator, WaveGANGenerator
from .profiles import TrainScale
from .recipes import PAPER, Recipe
from .representations import MelIFImages, MelImage, NoteFeatures, SpecGANSpectrogram, Waveform
from .spectral import IFSpecConfig

SPECGAN_SLICE_LEN = 16384  # 128 frames of hop 128: SpecGAN's image is always 128 x 128


class UnknownNameError(ValueError):
    """A model or dataset name that the course does not know; the message lists what exists."""


@dataclass(frozen=True)
class ModelEntry:
    """One model of the course.

    ``sizes(scale)`` gives the constructor arguments that a profile's :class:`TrainScale` sets,
    as ``(generator kwargs, discriminator kwargs)``; ``representation(scale, options)`` makes what
    the model sees (fitted to the data later when it has a ``fit``); ``slice_len`` fixes the clip
    length when the model allows only one; ``pitched`` models are conditioned on pitch and train
    on notes of known MIDI pitch; ``notes`` models see note sequences (pitch, step, duration)
    of ``slice_len`` notes instead of audio (:func:`experiments.load_note_set`); ``conditions``
    models can be made class-conditional (``n_classes``, ``conditioning``: :mod:`models.conditional`,
    ``train --conditional``); ``notebook`` is where the course teaches it.
    ``representations`` names the other ways a model can see its data, each the registry name of
    the entry that does (``train specgan --representation mel-image`` trains ``specgan-mel``);
    :func:`model_for` looks them up.
    """

    name: str
    generator: type[nn.Module]
    discriminator: type[nn.Module]
    sizes: Callable[[TrainScale], tuple[dict, dict]]
    representation: Callable[[TrainScale, Mapping[str, Any]], Any]
    recipe: Recipe
    notebook: str
    slice_len: int | None = None
    pitched: bool = False
    notes: bool = False
    conditions: bool = False
    representations: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: MappingProxyType({}))


def _both(**kwargs) -> tuple[dict, dict]:
    return dict(kwargs), dict(kwargs)


def _gansynth_sizes(scale) -> tuple[dict, dict]:
    """GANSynth at ``scale`` (a :class:`profiles.GANSynthScale`): ``fmap_max = width`` and
    ``fmap_base = 16 * width`` (the paper's 256 and 4096), its resolutions and pitch range."""
    return _both(pitches=tuple(range(scale.pitch_min, scale.pitch_max + 1)),
                 num_resolutions=scale.num_resolutions,
                 start_resolution=tuple(scale.start_resolution), fmap_max=scale.width,
                 fmap_base=16 * scale.width)


def _mel_if(scale, options) -> MelIFImages:
    spec = IFSpecConfig(n_fft=scale.n_fft, hop=scale.hop, length=scale.slice_len,
                        sample_rate=scale.sample_rate)
    return MelIFImages(spec, **options)


def _mel_image_sizes(scale) -> tuple[dict, dict]:
    """The mel-image GAN at ``scale``: width ``d`` and the image's height and width."""
    height, width = getattr(scale, "image_size", (256, 256))
    return _both(d=scale.width, height=height, width=width)


def _mel_image(scale, options) -> MelImage:
    """The mel image at ``scale`` (a :class:`profiles.MelImageScale`; its defaults otherwise)."""
    fields = dict(n_mels=64, n_fft=1024, hop=512, image_size=(256, 256))
    fields = {k: getattr(scale, k, v) for k, v in fields.items()}
    return MelImage(sample_rate=scale.sample_rate, length=scale.slice_len,
                    n_mels=fields["n_mels"], n_fft=fields["n_fft"], hop=fields["hop"],
                    size=tuple(fields["image_size"]), **options)


SPECGAN_REPRESENTATIONS = MappingProxyType({"linear": "specgan", "mel-image": "specgan-mel"})

MODELS: Mapping[str, ModelEntry] = MappingProxyType({
    "dense": ModelEntry(
        "dense", DenseGenerator, DenseDiscriminator,
        sizes=lambda s: _both(slice_len=s.slice_len, width=s.width),
        representation=lambda s, options: Waveform(**options),
        recipe=PAPER["dense"], notebook="02_dense_gan_baseline"),
    "specgan": ModelEntry(
        "specgan", SpecGANGenerator, SpecGANDiscriminator,
        sizes=lambda s: _both(d=s.width),
        representation=lambda s, options: SpecGANSpectrogram(**options),
        recipe=PAPER["specgan"], notebook="03_specgan_dcgan", slice_len=SPECGAN_SLICE_LEN,
        representations=SPECGAN_REPRESENTATIONS, conditions=True),
    "specgan-mel": ModelEntry(
        "specgan-mel", MelImageGenerator, MelImageDiscriminator, sizes=_mel_image_sizes,
        representation=_mel_image, recipe=PAPER["specgan-mel"], notebook="03_specgan_dcgan",
        representations=SPECGAN_REPRESENTATIONS),
    "wavegan": ModelEntry(
        "wavegan", WaveGANGenerator, WaveGANDiscriminator,
        sizes=lambda s: _both(d=s.width, slice_len=s.slice_len),
        representation=lambda s, options: Waveform(**options),
        recipe=PAPER["wavegan"], notebook="04_wavegan_phase_shuffle", conditions=True),
    "gansynth": ModelEntry(
        "gansynth", GANSynthGenerator, GANSynthDiscriminator, sizes=_gansynth_sizes,
        representation=_mel_if, recipe=PAPER["gansynth"], notebook="06_gansynth_progressive",
        pitched=True),
    "pianogan": ModelEntry(
        "pianogan", PianoGANGenerator, PianoGANDiscriminator,
        sizes=lambda s: _both(d=s.width, length=s.slice_len),
        representation=lambda s, options: NoteFeatures(sample_rate=s.sample_rate, **options),
        recipe=PAPER["pianogan"], notebook="08_pianogan_notes", notes=True),
})
MODEL_NAMES = tuple(MODELS)

# The networks a checkpoint may ask to rebuild (:func:`model_class`): those of :data:`MODELS`,
# by class name. Nothing else is ever imported or called for a name read out of a file.
MODEL_CLASSES: Mapping[str, type[nn.Module]] = MappingProxyType({
    cls.__qualname__: cls for entry in MODELS.values()
    for cls in (entry.generator, entry.discriminator)})


class UnregisteredModelError(ValueError):
    """A checkpoint names a class that is not one of the course's models (:func:`model_class`)."""


def model_class(module: object, name: object, source: object = "checkpoint") -> type[nn.Module]:
    """The network class that a saved spec names (``module``, class ``name``), looked up in
    :data:`MODEL_CLASSES`; nothing is imported (so a class that moved between the package's
    modules still loads). A class the registry does not know, or a module outside this package,
    is an :class:`UnregisteredModelError` naming ``source`` (the file) and what it asked for."""
    cls = MODEL_CLASSES.get(name) if isinstance(name, str) else None
    if cls is None or not (isinstance(module, str) and module.startswith(__package__ + ".")):
        raise UnregisteredModelError(
            f"{source}: refused to build {module}.{name}: it is not a model of this course "
            f"(the registry's are {', '.join(MODEL_CLASSES)}); load only checkpoints written by "
            "audiogan_lesson's train or Trainer")
    return cls


def model_entry(name: str) -> ModelEntry:
    """The registry entry of ``name`` (else :class:`UnknownNameError` listing the models)."""
    if name not in MODELS:
        raise UnknownNameError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    return MODELS[name]


def model_for(name: str, representation: str | None = None) -> str:
    """The registry name of model ``name`` seeing its data as ``representation``.

    ``None`` keeps ``name``; ``model_for("specgan", "mel-image")`` is ``"specgan-mel"``. A
    representation the model does not have is an :class:`UnknownNameError` listing those it has.
    """
    entry = model_entry(name)
    if representation is None:
        return name
    if representation not in entry.representations:
        have = ", ".join(entry.representations) or "only its own (no --representation)"
        raise UnknownNameError(f"model {name!r} has no representation {representation!r}; it has "
                               f"{have}")
    return entry.representations[representation]


def _fields(cls: type[nn.Module]) -> set[str]:
    return {f.name for f in dataclasses.fields(cls.config_class)}


def split_options(name: str, options: Mapping[str, Any]) -> tuple[dict, dict]:
    """``options`` as ``(generator options, discriminator options)``: each goes to every network
    whose config has a field of that name; one that fits neither is an error naming the fields."""
    entry = model_entry(name)
    g_fields, d_fields = _fields(entry.generator), _fields(entry.discriminator)
    unknown = sorted(set(options) - g_fields - d_fields)
    if unknown:
        raise ValueError(f"{name}: unknown model option(s) {', '.join(unknown)}; the generator "
                         f"takes {', '.join(sorted(g_fields))}; the discriminator takes "
                         f"{', '.join(sorted(d_fields))}")
    return ({k: v for k, v in options.items() if k in g_fields},
            {k: v for k, v in options.items() if k in d_fields})


# A setting and the layer that set it: ``{field: (value, layer)}`` (``train --show-config``)
Settings = dict[str, tuple[Any, str]]

DEFAULT_LAYER = "paper (default)"  # a config dataclass's own value: the paper's, or the course's


def config_defaults(config_class) -> Settings:
    """Every field of a config dataclass with its default, from the layer :data:`DEFAULT_LAYER`."""
    table = {}
    for f in dataclasses.fields(config_class):
        value = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        table[f.name] = (value, DEFAULT_LAYER)
    return table


def _set(table: Settings, values: Mapping[str, Any], layer: str) -> None:
    for key, value in values.items():
        table[key] = (value, layer)


def network_settings(name: str, scale: TrainScale,
                     layers: Sequence[tuple[str, Recipe]] = (),
                     options: Mapping[str, Any] | None = None, scale_layer: str = "scale",
                     options_layer: str = "option") -> tuple[Settings, Settings]:
    """Every setting of model ``name``'s generator and discriminator, each with the layer that
    set it: the config's default, then the sizes of ``scale`` (``scale_layer``), then each
    ``(layer, recipe)`` of ``layers`` in order, then ``options`` (split between the networks by
    :func:`split_options`). Later layers win. :func:`build_models` builds from these."""
    entry = model_entry(name)
    g_opts, d_opts = split_options(name, options or {})
    sizes = entry.sizes(scale)
    tables = []
    for cls, size, part, opts in ((entry.generator, sizes[0], "generator", g_opts),
                                  (entry.discriminator, sizes[1], "discriminator", d_opts)):
        table = config_defaults(cls.config_class)
        _set(table, size, scale_layer)
        for layer, recipe in layers:
            _set(table, getattr(recipe, part), layer)
        _set(table, opts, options_layer)
        tables.append(table)
    return tables[0], tables[1]


def build_from_settings(name: str, generator: Settings,
                        discriminator: Settings) -> tuple[nn.Module, nn.Module]:
    """The networks of model ``name`` with the values of :func:`network_settings`."""
    entry = model_entry(name)
    return (entry.generator(**{k: v for k, (v, _) in generator.items()}),
            entry.discriminator(**{k: v for k, (v, _) in discriminator.items()}))


def build_models(name: str, scale: TrainScale, recipe: Recipe | None = None,
                 **options) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of model ``name`` at ``scale`` (width, clip length, ...).

    ``recipe`` (default: the model's paper recipe) gives each network its own options;
    ``options`` are model config fields (``upsample="nn"``, ``phase_shuffle=0``), given to the
    network(s) that have them. Later ones win: scale, recipe, options.
    """
    recipe = model_entry(name).recipe if recipe is None else recipe
    return build_from_settings(name, *network_settings(name, scale, [("recipe", recipe)], options))
