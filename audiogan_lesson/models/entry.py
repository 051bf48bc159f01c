"""What a model of the course declares about itself: its :class:`ModelEntry` and its recipes.

Each model module ends with one ``ENTRY``: its networks, how a profile's scale sizes them, what it
sees (its representation), the paper's recipe and the changes a small budget needs, its scale in
every profile, and the notebook that teaches it. :mod:`audiogan_lesson.registry` collects the
entries (and takes new ones, :func:`registry.register_model`); profiles, recipes, the command
line, ``bench`` and the notebooks read everything about a model from there.

A :class:`Recipe` is what a model changes from the package's defaults: :class:`TrainConfig`
fields (``train``), generator and discriminator options (``generator``, ``discriminator``; the
fields of the models' config dataclasses), and the representation's options
(``representation``, such as ``preemphasis`` for waveforms). The defaults themselves are the
WaveGAN/SpecGAN paper's (Donahue et al. 2019, Table 3: ``TrainConfig`` and the model configs),
so WaveGAN's and SpecGAN's paper recipes are empty.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from torch import nn

from ..scales import TrainScale

__all__ = ["Recipe", "ModelEntry", "both", "frozen", "PROFILES"]

PROFILES = ("smoke", "laptop", "gpu")  # every entry has a scale for each


def frozen(mapping: Mapping | None = None) -> Mapping:
    """A read-only copy of ``mapping``."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Recipe:
    """Changes from the defaults: ``train`` (TrainConfig fields), ``generator`` and
    ``discriminator`` (model config fields), ``representation`` (its options)."""

    train: Mapping[str, Any] = field(default_factory=frozen)
    generator: Mapping[str, Any] = field(default_factory=frozen)
    discriminator: Mapping[str, Any] = field(default_factory=frozen)
    representation: Mapping[str, Any] = field(default_factory=frozen)

    def __post_init__(self) -> None:
        for part in ("train", "generator", "discriminator", "representation"):
            object.__setattr__(self, part, frozen(getattr(self, part)))

    def then(self, changes: "Recipe | None") -> "Recipe":
        """This recipe with ``changes`` on top (their values win)."""
        if changes is None:
            return self
        return Recipe(**{part: {**getattr(self, part), **getattr(changes, part)}
                         for part in ("train", "generator", "discriminator", "representation")})


def both(**kwargs) -> tuple[dict, dict]:
    """The same constructor arguments for the generator and the discriminator."""
    return dict(kwargs), dict(kwargs)


@dataclass(frozen=True)
class ModelEntry:
    """One model of the course, all the package needs to know about it.

    ``sizes(scale)`` gives the constructor arguments that a profile's :class:`TrainScale` sets,
    as ``(generator kwargs, discriminator kwargs)``; ``representation(scale, options)`` makes what
    the model sees (fitted to the data later when it has a ``fit``); ``recipe`` is the paper's
    recipe; ``scales`` its scale in each profile (``smoke``, ``laptop``, ``gpu``);
    ``profile_recipes`` the changes a profile makes to the recipe, by ``(profile, loss)`` (loss
    None: every loss); ``conditional_recipes`` those a profile makes for the class-conditional
    model, by ``(profile, loss)``; ``notebook`` is where the course teaches it. ``slice_len``
    fixes the clip length when the model allows only one; ``pitched`` models are conditioned on
    pitch and train on notes of known MIDI pitch (their runs keep the best by pitch accuracy);
    ``notes`` models see note sequences (pitch, step, duration) of ``slice_len`` notes instead
    of audio (their samples are notes, scored as notes); ``conditions`` models can be made
    class-conditional (``train --conditional``; scored per class). Other models keep their best
    by the inception score of a classifier of the data (:func:`evaluation.selection.selection_for`
    reads these flags). ``representations`` names the other ways a model can see its data, each
    the registry name of the entry that does (``train specgan --representation mel-image``
    trains ``specgan-mel``).
    """

    name: str
    generator: type[nn.Module]
    discriminator: type[nn.Module]
    sizes: Callable[[TrainScale], tuple[dict, dict]]
    representation: Callable[[TrainScale, Mapping[str, Any]], Any]
    recipe: Recipe
    notebook: str
    scales: Mapping[str, TrainScale] = field(default_factory=frozen)
    profile_recipes: Mapping[tuple[str, str | None], Recipe] = field(default_factory=frozen)
    conditional_recipes: Mapping[tuple[str, str], Recipe] = field(default_factory=frozen)
    slice_len: int | None = None
    pitched: bool = False
    notes: bool = False
    conditions: bool = False
    representations: Mapping[str, str] = field(default_factory=frozen)

    def __post_init__(self) -> None:
        for name in ("scales", "profile_recipes", "conditional_recipes", "representations"):
            object.__setattr__(self, name, frozen(getattr(self, name)))

    def missing(self) -> list[str]:
        """What this entry lacks to be trained in every profile, in words (empty: complete)."""
        gaps = [f"no scale for profile {p!r}" for p in PROFILES if p not in self.scales]
        for role in ("generator", "discriminator"):
            cls = getattr(self, role)
            config = getattr(cls, "config_class", None)
            if config is None or not dataclasses.is_dataclass(config):
                gaps.append(f"the {role} {cls.__name__} has no config_class dataclass")
        if not isinstance(self.recipe, Recipe):
            gaps.append("no paper recipe")
        if not self.notebook:
            gaps.append("no notebook")
        return gaps
