"""The scores a course run keeps its best checkpoint by (``TrainConfig.select_every``).

:mod:`training.selection` calls one of these every ``select_every`` steps on the sampling
generator; the best scoring weights become the run's ``best.pt`` (notebooks 08 and 09). Each
scores fixed latents (the same ones every time, drawn with their own generator), so two
scorings differ only by the weights.

- Class-conditional audio (:func:`class_score`): the mean log-probability that a selection
  classifier gives the class each clip was asked for, over the same number of clips of every
  class. It falls when a class is missed or blurred with another.
- Unconditional labelled audio (:func:`inception_selection`): the inception score, scaled down
  when a class is (nearly) missing: times the smallest class's share of the clips (by the
  classifier's top choice) over ``min_share``, at most 1. The inception score alone can rise
  while a class disappears, if the classes left are heard more confidently.
- Pitch-conditioned notes (:func:`pitch_selection`, GANSynth): the pitch accuracy that pYIN
  hears over the same latents at every pitch, a fixed algorithm and not a trained classifier,
  on latents of its own (notebook 06 and a run's recorded scores use other ones).
- Note sequences (:func:`note_selection`): the worst of four distances to the real notes, each
  as a fraction of uniform noise's (the Wasserstein-1 distance of pitch, step and duration, and
  the out-of-key rate), negated: 0 would be the real data, -1 noise.

The selection classifier is the evaluation classifier's architecture and recipe trained on the
run's own training set with another seed (:data:`SELECTION_SEED`): the classifier that reports a
run's score afterwards (seed 0, :func:`.classifier.reference_classifier`) never picks its
checkpoint.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from .classifier import MelClassifier, classifier_probs, reference_classifier
from .metrics import inception_score
from .notes import note_scores, uniform_notes
from .pitch import pitch_accuracy, pitch_track

__all__ = ["SELECTION_SEED", "class_score", "covered_inception_score", "inception_selection",
           "note_selection", "pitch_selection", "selection_for"]

SELECTION_SEED = 1  # the selection classifier's seed; the evaluation classifier's is 0
LATENT_SEED = 12345  # the fixed latents every scoring draws


def class_score(classifier: MelClassifier, to_audio: Callable, n_classes: int,
                per_class: int = 50) -> Callable:
    """``select(trainer)``: the mean of ``log p(requested class | clip)`` under ``classifier``
    over ``per_class`` clips of each of ``n_classes`` classes (0 is perfect). ``to_audio`` turns
    the generator's examples into waves."""
    labels = torch.arange(n_classes).repeat_interleave(per_class)

    def select(trainer) -> float:
        samples = trainer.sample(len(labels), labels=labels.to(trainer.device), seed=LATENT_SEED)
        probs = classifier_probs(classifier, to_audio(samples))
        return float(np.log(np.maximum(probs[np.arange(len(labels)), labels.numpy()],
                                       1e-12)).mean())
    return select


def inception_selection(classifier: MelClassifier, to_audio: Callable, n: int = 250,
                        min_share: float = 0.05) -> Callable:
    """``select(trainer)``: the inception score of ``n`` clips under ``classifier``, times
    ``min(1, smallest class share / min_share)`` (:func:`covered_inception_score`)."""
    def select(trainer) -> float:
        probs = classifier_probs(classifier, to_audio(trainer.sample(n, seed=LATENT_SEED)))
        return covered_inception_score(probs, min_share)
    return select


def covered_inception_score(probs, min_share: float = 0.05) -> float:
    """The inception score of ``probs`` ``(N, classes)`` times ``min(1, s / min_share)``, where
    ``s`` is the share of rows whose most probable class is the rarest one: a set that hears
    every class at least ``min_share`` of the time keeps its score, one that misses a class
    scores 0."""
    if not 0.0 < min_share <= 1.0:
        raise ValueError(f"min_share={min_share}: the smallest share of a class must lie in (0, 1]")
    probs = np.asarray(probs, dtype=np.float64)
    shares = np.bincount(probs.argmax(1), minlength=probs.shape[1]) / len(probs)
    return inception_score(probs)[0] * min(1.0, float(shares.min()) / min_share)


def pitch_selection(to_audio: Callable, n_pitches: int, midi, sample_rate: int,
                    per_pitch: int = 8) -> Callable:
    """``select(trainer)``: the pitch accuracy (:func:`.pitch.pitch_accuracy`, pYIN) of
    ``per_pitch`` latents at each of the ``n_pitches`` labels, whose MIDI numbers are ``midi``.
    ``to_audio`` turns the generator's examples into waves at ``sample_rate``."""
    labels = torch.arange(n_pitches).repeat(per_pitch)
    target = np.asarray(midi)[labels.numpy()]

    def select(trainer) -> float:
        samples = trainer.sample(len(labels), labels=labels.to(trainer.device), seed=LATENT_SEED)
        return pitch_accuracy(pitch_track(to_audio(samples), sample_rate), target)
    return select


def note_selection(real_notes, to_notes: Callable, n: int = 200) -> Callable:
    """``select(trainer)``: minus the worst of the Wasserstein-1 distances of pitch, step and
    duration and the out-of-key rate of ``n`` generated sequences, each divided by what uniform
    noise over the real ranges gets (:func:`.notes.uniform_notes`). ``to_notes`` turns the
    generator's examples into notes ``(n, length, 3)``."""
    real = np.asarray(real_notes, dtype=np.float32)
    noise = note_scores(uniform_notes(real, n, seed=LATENT_SEED), real)

    def select(trainer) -> float:
        notes = to_notes(trainer.sample(n, seed=LATENT_SEED))
        got = note_scores(np.asarray(notes), real)
        ratios = [got[k] / max(noise[k], 1e-12) for k in ("w1_pitch", "w1_step", "w1_duration")]
        ratios.append((1.0 - got["in_key_rate"]) / max(1.0 - noise["in_key_rate"], 1e-12))
        return -float(max(ratios))
    return select


def selection_for(experiment) -> Callable:
    """The ``select`` function of an :class:`~audiogan_lesson.experiments.Experiment`: notes for
    a note model, pitch accuracy for a pitch-conditioned one, per-class log-probability for a
    class-conditional one, else the inception score (which needs a labelled data set)."""
    real = experiment.real
    if hasattr(experiment.representation, "to_notes"):
        return note_selection(real.notes, lambda x: experiment.representation.to_notes(x).cpu())
    if experiment.pitches:
        return pitch_selection(experiment.to_audio, len(experiment.pitches), experiment.pitches,
                               real.sample_rate)
    if real.labels is None or not real.classes:
        raise ValueError(f"select_every: {experiment.dataset} has no class labels, so there is no "
                         "classifier to score the generator by; set select_every=0")
    made = []

    def select(trainer) -> float:  # the classifier is trained (or read) at the first scoring
        if not made:
            classifier = reference_classifier(real, experiment.profile, seed=SELECTION_SEED)
            classifier = classifier.to(trainer.device)
            made.append(class_score(classifier, experiment.to_audio, len(real.classes))
                        if experiment.config.conditional
                        else inception_selection(classifier, experiment.to_audio))
        return made[0](trainer)
    return select
