"""The models notebook 07 judges: :class:`Source`, from a saved run (:func:`source_from_run`) or a
small stand-in trained when a notebook's run is missing (:func:`stand_in_source`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ..experiments import make_experiment
from ..paths import runs_dir
from ..profiles import Profile
from ..training import ConfigMismatchError
from .found import RunInfo
from .sampling import run_generator, sample_run
from .train import train_or_load


@dataclass
class Source:
    """Something that makes sounds: a saved run, or a stand-in trained for notebook 07.

    ``sample(n, seed)`` -> ``(waves (n, slice_len), MIDI pitches (n,) or None)``;
    ``generate``: latents -> waves, for the latent explorer (None for a conditional model).
    """

    name: str
    model: str
    dataset: str
    sample_rate: int
    slice_len: int
    steps: int
    sample: Callable  # (n, seed) -> (waves (n, slice_len), MIDI pitches (n,) or None)
    generate: Callable | None = None  # latents -> waves, for the latent explorer


def source_from_run(run: RunInfo, device: str | torch.device = "cpu") -> Source:
    """A :class:`Source` that samples a run found by :func:`find_runs` (:func:`sample_run`)."""
    generate = None if run.pitches else run_generator(run, device=device)[0]
    return Source(run.name, run.model, run.dataset, run.sample_rate, run.slice_len, run.step,
                  lambda n, seed: sample_run(run, n, seed=seed, device=device), generate)


def stand_in_source(model: str, profile: Profile, steps: int) -> Source:
    """A small BCE ``model`` on the toy drums, for notebook 07 when a notebook's run is missing.

    Trained with :func:`train_or_load` for ``steps`` generator steps (at most two minutes) in
    the run ``07_fallback_<model>``; ``steps=0`` trains nothing (the smoke profile checks only
    the code path). When that folder holds a run of other settings, it is left as it is and the
    stand-in goes to the next folder (``07_fallback_<model>_2``, ...) that is empty or holds
    one of the same settings, saying so.
    """
    scale = profile.with_scale(model, steps=max(steps, 1), minutes=2.0)
    exp = make_experiment(model, "toy-drums", scale, loss="bce")  # BCE: one D step per G step
    folder = runs_dir(f"07_fallback_{model}", profile)
    trainer = None if steps else exp.trainer(folder)
    number = 1
    while trainer is None:
        try:
            trainer = train_or_load(exp, folder)
        except ConfigMismatchError as err:
            lines = str(err).splitlines()
            reason = "; ".join(line.strip() for line in lines[1:-1]) or lines[0]
            number += 1
            other = folder.with_name(f"07_fallback_{model}_{number}")
            print(f"{folder.name} holds a stand-in of other settings ({reason}); it stays there, "
                  f"and this one goes to {other.name}")
            folder = other
            folder.mkdir(parents=True, exist_ok=True)

    @torch.no_grad()
    def generate(z):
        return exp.to_audio(trainer.sampler.eval()(z.to(trainer.device)))

    return Source(f"{model} (stand-in, BCE, {trainer.step} steps)", model, "toy-drums",
                  exp.sample_rate, exp.real.waves.shape[1], trainer.step,
                  lambda n, seed: (exp.to_audio(trainer.sample(n, seed=seed)), None), generate)
