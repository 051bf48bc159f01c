"""The model registry: a model's name -> its :class:`~.models.entry.ModelEntry` (networks,
representation, recipes, scales), collected from the model modules.

A model of the course is one module and one entry: ``models/wavegan.py`` defines WaveGAN's
networks, its recipes and its scales, and ends with ``ENTRY``; this module collects the entries.
:func:`experiments.make_experiment`, :mod:`profiles`, :mod:`recipes`, the command line and
``bench`` find everything about a model here::

    entry = MODELS["wavegan"]
    G, D = build_models("wavegan", profile.scale("wavegan"), upsample="nn")

A model defined elsewhere (a notebook, a test, a research project) joins with
:func:`register_model` and then trains, generates and benchmarks like the course's own (the
README's "Adding a model"). ``build_models`` gives each option to the network whose config
dataclass has a field of that name (both when both have it), so no list of option names is kept
by hand.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from torch import nn

from .models import dense, gansynth, melimage, pianogan, specgan, wavegan
from .models.entry import ModelEntry, Recipe
from .scales import TrainScale

__all__ = ["MODELS", "MODEL_NAMES", "ModelEntry", "UnknownNameError", "model_entry", "model_for",
           "register_model", "unregister_model", "MODEL_CLASSES", "model_class",
           "UnregisteredModelError", "split_options", "network_settings", "build_from_settings",
           "build_models", "config_defaults", "Settings", "DEFAULT_LAYER", "SPECGAN_SLICE_LEN"]

SPECGAN_SLICE_LEN = specgan.SLICE_LEN  # 128 frames of hop 128: SpecGAN's image is 128 x 128


class UnknownNameError(ValueError):
    """A model or dataset name that the course does not know; the message lists what exists."""


_ENTRIES: dict[str, ModelEntry] = {e.name: e for e in (
    dense.ENTRY, specgan.ENTRY, melimage.ENTRY, wavegan.ENTRY, gansynth.ENTRY, pianogan.ENTRY)}
MODELS: Mapping[str, ModelEntry] = MappingProxyType(_ENTRIES)  # read-only, and always current
MODEL_NAMES = tuple(MODELS)  # the course's own models
_MODEL_CLASSES: dict[str, type[nn.Module]] = {}


def register_model(entry: ModelEntry) -> ModelEntry:
    """Add ``entry`` to :data:`MODELS` (and its networks to :data:`MODEL_CLASSES`, so that its
    checkpoints load): from then on ``train``, ``generate``, ``bench`` and ``make_experiment``
    know it by ``entry.name``. An incomplete entry (:meth:`ModelEntry.missing`) or a name that is
    taken is a ``ValueError`` that says what is wrong. Returns the entry."""
    if not isinstance(entry, ModelEntry):
        raise TypeError(f"register_model takes a ModelEntry, not a {type(entry).__name__}")
    if entry.name in _ENTRIES:
        raise ValueError(f"a model named {entry.name!r} is registered already; choose another "
                         "name (or unregister_model it first)")
    gaps = entry.missing()
    if gaps:
        raise ValueError(f"model {entry.name!r} cannot be registered: {'; '.join(gaps)}")
    _ENTRIES[entry.name] = entry
    _collect_classes()
    return entry


def unregister_model(name: str) -> None:
    """Remove a model that :func:`register_model` added (the course's own stay)."""
    if name in MODEL_NAMES:
        raise ValueError(f"{name!r} is one of the course's own models; it stays")
    _ENTRIES.pop(name, None)
    _collect_classes()

# The networks a checkpoint may ask to rebuild (:func:`model_class`): those of :data:`MODELS`,
# by class name. Nothing else is ever imported or called for a name read out of a file.
MODEL_CLASSES: Mapping[str, type[nn.Module]] = MappingProxyType(_MODEL_CLASSES)


def _collect_classes() -> None:
    _MODEL_CLASSES.clear()
    _MODEL_CLASSES.update({cls.__qualname__: cls for entry in MODELS.values()
                           for cls in (entry.generator, entry.discriminator)})


_collect_classes()


class UnregisteredModelError(ValueError):
    """A checkpoint names a class that is not one of the course's models (:func:`model_class`)."""


def model_class(module: object, name: object, source: object = "checkpoint") -> type[nn.Module]:
    """The network class that a saved spec names (``module``, class ``name``), looked up in
    :data:`MODEL_CLASSES`; nothing is imported (so a class that moved between the package's
    modules still loads). A class the registry does not know, or a module that is neither its
    own nor one of this package's, is an :class:`UnregisteredModelError` naming ``source`` (the
    file) and what it asked for."""
    cls = MODEL_CLASSES.get(name) if isinstance(name, str) else None
    if cls is None or not (isinstance(module, str) and (
            module == cls.__module__ or module.startswith(__package__ + "."))):
        raise UnregisteredModelError(
            f"{source}: refused to build {module}.{name}: it is not a model of this course "
            f"(the registry's are {', '.join(MODEL_CLASSES)}); load only checkpoints written by "
            "audiogan_lesson's train or Trainer")
    return cls


def model_entry(name: str) -> ModelEntry:
    """The registry entry of ``name`` (else :class:`UnknownNameError` listing the models)."""
    if name not in MODELS:
        raise UnknownNameError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
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
