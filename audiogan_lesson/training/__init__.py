"""Training: one loop for every GAN of the course (notebooks 02-06, and
``python -m audiogan_lesson train``).

- :mod:`.round`: the round a student writes in exercise 5.3 (``train_round``: critic steps,
  then the generator step);
- :mod:`.trainer`: :class:`Trainer`, which runs rounds, keeps the history, checkpoints and
  resumes;
- :mod:`.config`: :class:`TrainConfig`, the recipe (the papers' values as defaults);
- :mod:`.ema`, :mod:`.log` (history and the NaN guard), :mod:`.interrupt` (Ctrl-C);
- :mod:`.selection`: the best scoring checkpoint of a run, ``best.pt`` (``select_every``).
"""

from ..checkpoint import ConfigMismatchError
from .config import (LATENTS, LOSSES, RUN_FIELDS, TrainConfig, latent_fn, normal_latents,
                     uniform_latents)
from .log import History, NonFiniteLossError
from .round import critic_step, generator_step, train_round
from .trainer import StepHook, Trainer

__all__ = ["TrainConfig", "Trainer", "StepHook", "History", "NonFiniteLossError",
           "ConfigMismatchError", "uniform_latents", "normal_latents", "latent_fn", "LOSSES",
           "LATENTS", "RUN_FIELDS", "train_round", "critic_step", "generator_step"]
