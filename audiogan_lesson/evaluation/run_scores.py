"""One score per training run, the same in every notebook (notebooks 05, 06 and 07).

:func:`score_run` scores a run in its own format: ``n`` samples (seed 0) of its newest
checkpoint (:func:`runs.sample_run`: the EMA generator when there is one) under the course's
classifier of its dataset at its sample rate and length (:func:`.classifier.reference_classifier`
on ``n_train`` real examples drawn with seed 0), beside the real data's ceiling (``n`` held-out
real examples, seed 1). The result, a :class:`RunScore`, is cached in the run's folder
(``scores.json``, keyed by the checkpoint, the sample count, the seed and the classifier's
data), so that notebook 07 prints the very numbers that notebook 05 printed for the same run,
and a re-run costs no sampling. :meth:`RunScore.line` is the one way the notebooks print it;
:func:`score_lines` reads those lines back from a notebook's stored outputs, and
``python -m audiogan_lesson.course check`` fails when two notebooks print different numbers
for the same run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import toy_notes
from ..experiments import AudioSet, load_audio_set
from ..profiles import Profile, get_profile
from ..checkpoint import checkpoint_step, list_checkpoints
from ..runs import RunInfo, run_info, runs_dir, sample_run
from .classifier import (ClassifierConfig, MelClassifier, classifier_probs, independent_listener,
                         reference_classifier)
from .floor import FloorReport, floor_report
from .metrics import chance_normalised, inception_score

__all__ = ["RunScore", "score_run", "score_lines", "run_classifier", "checkpoint_scores",
           "Hearing", "listen_run", "shipping_scores", "SCORES_FILE"]

SCORES_FILE = "scores.json"


@dataclass(frozen=True)
class RunScore:
    """A run's inception score in its own format (:func:`score_run`).

    ``IS``/``IS_std``: mean and spread over the 10 groups of ``n`` generated clips; ``IS_real``:
    the held-out real clips' score; ``step``/``seconds``: how far the run trained.
    """

    name: str
    step: int
    seconds: float
    IS: float
    IS_std: float
    IS_real: float
    n: int

    @property
    def percent(self) -> float:
        """``100 * IS / IS_real``: the score as a share of the real data's."""
        return 100.0 * self.IS / self.IS_real

    @property
    def chance(self) -> float:
        """``(IS - 1) / (IS_real - 1)`` (:func:`.metrics.chance_normalised`)."""
        return chance_normalised(self.IS, self.IS_real)

    def line(self) -> str:
        """One printed line: name, steps, IS ± spread, the real IS, % of real, chance-normalised."""
        chance = f"{self.chance:.2f}" if self.IS_real > 1 else "n/a (real IS 1)"
        return (f"{self.name:<26} {self.step:>6,} steps  IS {self.IS:.2f} ± {self.IS_std:.2f}"
                f"  real {self.IS_real:.2f}  {self.percent:3.0f}% of real IS"
                f"  chance-normalised {chance}")


_LINE = re.compile(r"^(?P<name>\S+)\s+(?P<step>[\d,]+) steps  IS (?P<IS>[\d.]+) ± (?P<std>[\d.]+)"
                   r"  real (?P<real>[\d.]+)\s+(?P<percent>\d+)% of real IS"
                   r"  chance-normalised (?P<chance>-?[\d.]+)\s*$")


def score_lines(text: str) -> dict[str, str]:
    """``{run name: line}`` for every :meth:`RunScore.line` in ``text`` (a notebook's outputs)."""
    found = {}
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if m:
            found[m.group("name")] = " ".join(line.split())
    return found


def _real_set(run: RunInfo, n: int, seed: int) -> AudioSet:
    """``n`` real examples of the run's dataset in its format (its pitch range for GANSynth)."""
    if run.pitches:
        notes = toy_notes(n, seed=seed, sample_rate=run.sample_rate, length=run.slice_len,
                          pitches=range(min(run.pitches), max(run.pitches) + 1))
        return AudioSet(notes.waves, run.sample_rate, notes.families, list(notes.family_names),
                        "toy-notes")
    return load_audio_set(run.dataset, n, run.sample_rate, run.slice_len, seed=seed)


def _cache_key(run: RunInfo, profile: Profile, n: int, seed: int) -> str:
    classifier = hashlib.sha256(json.dumps(
        [profile.name, profile.n_train, run.dataset, run.sample_rate, run.slice_len,
         list(run.pitches or ()), dataclasses.asdict(ClassifierConfig())],
        sort_keys=True).encode()).hexdigest()[:12]
    return f"{run.checkpoint.name}|{run.step}|{run.seconds:.3f}|n={n}|seed={seed}|{classifier}"


def _as_run(run: RunInfo | str | os.PathLike, profile: Profile) -> RunInfo:
    if isinstance(run, RunInfo):
        return run
    return run_info(runs_dir(run, profile) if isinstance(run, str) else Path(run))


def run_classifier(run: RunInfo | str | os.PathLike,
                   profile: Profile | None = None) -> MelClassifier:
    """The classifier :func:`score_run` scores ``run`` with: the course's classifier of its
    dataset in its format (``n_train`` real examples, seed 0; cached on disk)."""
    profile = profile or get_profile()
    return reference_classifier(_real_set(_as_run(run, profile), profile.n_train, seed=0), profile)


def _score(run: RunInfo, profile: Profile, n: int, seed: int):
    """``(RunScore, class probabilities (n, classes) of the generated clips)``, measured."""
    classifier = run_classifier(run, profile)
    real = _real_set(run, n, seed=1)
    waves, _ = sample_run(run, n, seed=seed, device=profile.device)
    probs = classifier_probs(classifier, waves)
    score = inception_score(probs)
    return RunScore(run.name, run.step, run.seconds, score[0], score[1],
                    inception_score(classifier_probs(classifier, real.waves))[0], n), probs


def score_run(run: RunInfo | str | os.PathLike, profile: Profile | None = None,
              n: int | None = None, seed: int = 0, cache: bool = True) -> RunScore:
    """The inception score of run ``run`` in its own format, with the real data's: a
    :class:`RunScore`.

    ``run``: a :class:`RunInfo` (:func:`runs.find_runs`), a run name (its folder in the runs
    folder of ``profile``) or a run folder. ``n``: clips per set (default ``profile.n_eval``).
    With ``cache`` the result is read from, or written to, ``scores.json`` in the run's folder.
    Notebooks 05, 06 and 07.
    """
    profile = profile or get_profile()
    run = _as_run(run, profile)
    n = n or profile.n_eval
    path = run.checkpoint.parent / SCORES_FILE
    key = _cache_key(run, profile, n, seed)
    stored = {}
    if cache and path.is_file():
        try:
            stored = json.loads(path.read_text())
        except ValueError:
            stored = {}  # a damaged cache is measured again and rewritten
        if key in stored:
            return RunScore(**stored[key])
    result, _ = _score(run, profile, n, seed)
    if cache:
        stored[key] = dataclasses.asdict(result)
        path.write_text(json.dumps(stored, indent=1) + "\n")
    return result


def checkpoint_scores(run: RunInfo | str | os.PathLike, profile: Profile | None = None,
                      n: int | None = None, seed: int = 0) -> list[dict]:
    """Every checkpoint left in the run's folder, scored as :func:`score_run` scores the newest.

    One row per checkpoint, oldest first: ``{"step", "IS", "percent_of_real",
    "chance_normalised", "classes": {class name: clips the classifier gives it}}``. Shows how
    far the score moves between checkpoints of one run (notebook 05; a shipped run keeps these
    rows in its metadata, measured when it was shipped).
    """
    profile = profile or get_profile()
    run = _as_run(run, profile)
    names = _real_set(run, 1, seed=0).classes
    rows = []
    for path in list_checkpoints(run.checkpoint.parent):
        step = checkpoint_step(path)
        score, probs = _score(dataclasses.replace(run, checkpoint=path, step=step), profile,
                              n or profile.n_eval, seed)
        counts = np.bincount(probs.argmax(1), minlength=len(names))
        rows.append({"step": step, "IS": round(score.IS, 4),
                     "percent_of_real": round(score.percent, 2),
                     "chance_normalised": round(score.chance, 4),
                     "classes": {str(c): int(k) for c, k in zip(names, counts)}})
    return rows


@dataclass(frozen=True)
class Hearing:
    """What two listeners hear in ``n`` clips of a run (:func:`listen_run`).

    ``scores``: per listener (``"independent"``, ``"course classifier"``) the inception score of
    the generated clips and of ``n`` held-out real ones; ``heard``: per listener, clips per
    class by its top choice; ``asked``: for a class-conditional run, per class the
    share of the clips asked for it that the independent listener hears as it (else None);
    ``floor``: the floor and click measures against the real clips, each generated clip in the
    class it was asked for or, unconditional, the class the independent listener heard.
    """

    run: RunInfo
    n: int
    listener_accuracy: float | None
    scores: dict[str, tuple[float, float]]
    classes: list[str]
    heard: dict[str, dict[str, int]]
    asked: dict[str, float] | None
    floor: FloorReport

    def text(self) -> str:
        acc = (f", {100 * self.listener_accuracy:.1f}% right on held-out real clips"
               if self.listener_accuracy is not None else "")
        lines = [f"run {self.run.checkpoint} ({self.run.model}, {self.run.dataset}, step "
                 f"{self.run.step:,}, {self.run.seconds / 60:.1f} min of training), {self.n} clips",
                 f"independent listener: FrameListener{acc}",
                 f"{'listener':<20}{'IS':>7}{'real':>7}{'% of real':>11}"]
        for name, (fake, real) in self.scores.items():
            lines.append(f"{name:<20}{fake:7.2f}{real:7.2f}{100 * fake / real:10.0f}%")
        for name, heard in self.heard.items():
            lines.append(f"heard as ({name}): " + ", ".join(f"{c} {k}" for c, k in heard.items()))
        if self.asked is not None:
            lines.append("asked for and heard as asked: "
                         + ", ".join(f"{c} {100 * v:.0f}%" for c, v in self.asked.items()))
        lines.append("floor and click, median dB (excess = generated minus real; 0 is as clean "
                     "as the data):")
        lines.append(self.floor.table())
        return "\n".join(lines)


def listen_run(run: RunInfo | str | os.PathLike, profile: Profile | None = None,
               n: int = 1000, seed: int = 0) -> Hearing:
    """Hear ``n`` clips of ``run`` (its kept best, as ``generate``) by the independent listener
    (:func:`.classifier.independent_listener`) and by the course's classifier, beside ``n``
    held-out real clips: a :class:`Hearing` (``python -m audiogan_lesson listen``)."""
    profile = profile or get_profile()
    run = _as_run(run, profile)
    train = _real_set(run, profile.n_train, seed=0)
    if train.labels is None:
        raise ValueError(f"{run.checkpoint}: dataset {run.dataset!r} has no class labels, so "
                         "there is nothing for a listener to name")
    real = _real_set(run, n, seed=1)
    waves, _ = sample_run(run, n, seed=seed, device=profile.device)
    listeners = {"independent": independent_listener(train, profile),
                 "course classifier": reference_classifier(train, profile)}
    probs = {name: classifier_probs(model, waves) for name, model in listeners.items()}
    scores = {name: (inception_score(probs[name])[0],
                     inception_score(classifier_probs(model, real.waves))[0])
              for name, model in listeners.items()}
    classes = list(train.classes)
    heard = {name: dict(zip(classes, np.bincount(p.argmax(1), minlength=len(classes)).tolist()))
             for name, p in probs.items()}
    top = probs["independent"].argmax(1)
    asked = labels = None
    conditional = run.conditional and not run.pitches
    if conditional:
        labels = np.arange(n) % len(classes)
        asked = {c: float((top[labels == k] == k).mean())
                 for k, c in enumerate(classes) if (labels == k).any()}
    floor = floor_report(waves, real.waves, run.sample_rate,
                         fake_labels=labels if conditional else top,
                         real_labels=real.labels, classes=classes)
    return Hearing(run, n, listeners["independent"].val_accuracy, scores, classes, heard, asked,
                   floor)


def shipping_scores(run: RunInfo | str | os.PathLike, profile: Profile,
                    n: int | None = None) -> dict:
    """What a shipped run records about its result (``scores`` of its ``run.json``):
    :func:`score_run`'s numbers (``n`` clips, seed 0, measured with one thread, as the shipped-
    run test measures them again), the same clips under the course's classifier trained with
    seeds 1-3 and other latents (seeds 1-3) under seed 0's (``noise``: how far the number moves
    for reasons other than the weights), every checkpoint left in the folder
    (:func:`checkpoint_scores`), and what the independent listener hears in 1,000 clips
    (:func:`listen_run`; ``listener``)."""
    import torch

    run = _as_run(run, profile)
    n = n or profile.n_eval
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        score = score_run(run, profile, n=n, seed=0, cache=False)
        train = _real_set(run, profile.n_train, seed=0)
        waves, _ = sample_run(run, n, seed=0, device="cpu")
        by_seed = [inception_score(classifier_probs(reference_classifier(train, profile, seed=s),
                                                    waves))[0] for s in (1, 2, 3)]
        by_latents = [_score(run, profile, n, seed)[0].IS for seed in (1, 2, 3)]
    finally:
        torch.set_num_threads(threads)
    hearing = listen_run(run, profile)
    return {**{k: v for k, v in dataclasses.asdict(score).items()
               if k in ("IS", "IS_std", "IS_real", "n")},
            "seed": 0, "percent_of_real": score.percent, "chance_normalised": score.chance,
            "scored_by": f"evaluation.run_scores.score_run, {profile.name} profile (the course "
                         f"classifier of {run.dataset} at {run.sample_rate // 1000} kHz x "
                         f"{run.slice_len} samples)",
            "checkpoints": checkpoint_scores(run.checkpoint.parent, profile, n),
            "noise": {"classifier_seeds": [1, 2, 3], "IS_under_classifier_seeds": by_seed,
                      "sample_seeds": [1, 2, 3], "IS_with_sample_seeds": by_latents},
            "listener": {"n": hearing.n, "accuracy_on_real": hearing.listener_accuracy,
                         "IS": hearing.scores["independent"][0],
                         "IS_real": hearing.scores["independent"][1],
                         "heard": hearing.heard, "asked": hearing.asked,
                         "floor_excess_db": {r.name: r.excess for r in hearing.floor.rows},
                         "scored_by": "evaluation.run_scores.listen_run (FrameListener)"}}
