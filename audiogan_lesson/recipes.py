"""Recipes: how each model of the course is trained, the papers' values written once
(notebooks 02-09).

A :class:`Recipe` (:mod:`.models.entry`) is what a model changes from the package's defaults. Each
model's module holds its recipes beside its networks: the paper's (``models.gansynth.GANSYNTH``,
Engel et al. 2019's hparams; WaveGAN's and SpecGAN's are empty, since the defaults are their
paper's) and the changes a small budget needs, with the measurements that chose them
(``models.wavegan.LAPTOP_WAVEGAN_WGAN``); its registry entry says which profile and loss each
change is for. This module puts them together (:func:`recipe_for`, :func:`recipe_layers`), holds
the recipes that belong to no one model (the conditionings', :data:`CONDITIONAL`), and names every
recipe for the notebooks.
"""

from __future__ import annotations

from typing import Mapping

from .models.dense import DENSE  # noqa: F401 (the recipes by name, for notebooks and tests)
from .models.entry import Recipe, frozen
from .models.gansynth import GANSYNTH, LAPTOP_GANSYNTH  # noqa: F401
from .models.melimage import SPECGAN_MEL, STREET_MUSIC  # noqa: F401
from .models.pianogan import (LAPTOP_PIANOGAN_BCE, LAPTOP_PIANOGAN_WGAN,  # noqa: F401
                              PIANOGAN, pitch_encoding)
from .models.specgan import SPECGAN  # noqa: F401
from .models.wavegan import (GPU_WAVEGAN_WGAN, LAPTOP_CONDITIONAL_WAVEGAN_WGAN,  # noqa: F401
                             LAPTOP_WAVEGAN_WGAN, WAVEGAN)
from .registry import MODELS

# Class-conditional WaveGAN and SpecGAN (a course option, off by default; notebook 09,
# models.conditional): the generator's one-hot label and the discriminator's projection or
# auxiliary classifier. AC-GAN's classifier loss has weight 1 and also trains on fakes (Odena et
# al. 2017; GANSynth's is 10 on real notes only, beside a single pitch-conditioned critic).
# Both keep the best checkpoint by the per-class score of a selection classifier every 500
# steps (training.selection, evaluation.selection.class_score).
CONDITIONAL: Mapping[str, Recipe] = frozen({
    "projection": Recipe(train=dict(conditional=True, select_every=500),
                         discriminator=dict(conditioning="projection")),
    "acgan": Recipe(train=dict(conditional=True, aux_weight=1.0, aux_fake_in_d=True,
                               select_every=500),
                    discriminator=dict(conditioning="acgan")),
})


# Views of the registry's entries, by model (the course's own models, as imported)
PAPER: Mapping[str, Recipe] = frozen({name: e.recipe for name, e in MODELS.items()})
PROFILE_CHANGES: Mapping[tuple[str, str, str | None], Recipe] = frozen(
    {(profile, name, loss): r for name, e in MODELS.items()
     for (profile, loss), r in e.profile_recipes.items()})
CONDITIONAL_PROFILE_CHANGES: Mapping[tuple[str, str, str], Recipe] = frozen(
    {(profile, name, loss): r for name, e in MODELS.items()
     for (profile, loss), r in e.conditional_recipes.items()})


def _entry(model: str):
    if model not in MODELS:
        raise KeyError(f"no recipe for model {model!r}; known: {', '.join(MODELS)}")
    return MODELS[model]


def profile_changes(profile: str, model: str, loss: str) -> Recipe | None:
    """The recipe changes ``profile`` makes for ``model`` trained with ``loss``, or None."""
    changes = _entry(model).profile_recipes
    return changes.get((profile, loss), changes.get((profile, None)))


def recipe_layers(model: str, loss: str, profile: str | None = None,
                  conditioning: str | None = None) -> list[tuple[str, Recipe]]:
    """The recipes that make ``model``'s with ``loss``, in the order they apply, each with the
    name of the layer that sets it: ``"paper"``, ``"profile <name>"``, ``"conditioning <kind>"``
    and ``"profile <name>, conditional"`` (absent layers are left out). Later ones win;
    :func:`recipe_for` folds them, and ``train --show-config`` names them."""
    entry = _entry(model)
    layers = [("paper", entry.recipe)]
    if profile and (changes := profile_changes(profile, model, loss)) is not None:
        layers.append((f"profile {profile}", changes))
    if conditioning is not None:
        layers.append((f"conditioning {conditioning}", CONDITIONAL[conditioning]))
        if (changes := entry.conditional_recipes.get((profile, loss))) is not None:
            layers.append((f"profile {profile}, conditional", changes))
    return layers


def recipe_for(model: str, loss: str, profile: str | None = None,
               conditioning: str | None = None) -> Recipe:
    """The recipe of ``model`` with ``loss``: the paper's, with ``profile``'s changes on top;
    for a class-conditional model (``conditioning``, a key of :data:`CONDITIONAL`) then the
    conditioning's recipe and the profile's changes for it (:func:`recipe_layers`)."""
    recipe = Recipe()
    for _, layer in recipe_layers(model, loss, profile, conditioning):
        recipe = recipe.then(layer)
    return recipe
