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
from .classifier import ClassifierConfig, MelClassifier, classifier_probs, reference_classifier
from .metrics import chance_normalised, inception_score

__all__ = ["RunScore", "score_run", "score_lines", "run_classifier", "checkpoint_scores",
           "SCORES_FILE"]

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
