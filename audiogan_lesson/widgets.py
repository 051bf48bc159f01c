"""Interactive tools for listening to generators (notebook ``07_evaluation``).

- :class:`ListeningTest` and :func:`listening_test_widget`: a blind A/B test. Each trial plays
  a real and a generated clip in random order; the listener picks the one they think is real.
  The results table and accuracy say whether the listener could tell them apart (50% = no).
- :class:`MOSTest` and :func:`mos_test_widget`: a mean opinion score test. Real and generated
  clips play one at a time in shuffled order, without saying which is which; the listener rates
  each from 1 (bad) to 5 (excellent); the mean rating per source comes with a confidence
  interval, and the ratings can be saved as CSV.
- :class:`LatentExplorer` and :func:`latent_explorer_widget`: sliders that move a latent vector
  along a few directions; audio and spectrogram follow.
- :func:`interpolate_latents` and :func:`interpolation_widget`: a path between two latents.

The logic lives in plain classes and functions that need no browser (and are tested); the
``*_widget`` functions only wrap them in ipywidgets. A notebook that is executed without a
front end (CI, a static page on GitHub) still shows every result through the static helpers
(:meth:`ListeningTest.table`, :func:`plot_interpolation`).
"""

from __future__ import annotations

import csv
import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from IPython.display import HTML, display

from .display import audio, plot_grid, plot_spectrogram

__all__ = ["Trial", "ListeningTest", "listening_test_widget", "MOSTest", "mos_test_widget",
           "LatentExplorer", "latent_explorer_widget", "interpolate_latents",
           "interpolation_widget", "plot_interpolation"]

Generate = Callable[[torch.Tensor], torch.Tensor]
"""A generator as the widgets see it: latents ``(N, latent_dim)`` -> waves ``(N, L)``."""


# ----------------------------------------------------------------------------- A/B listening test


@dataclass(frozen=True)
class Trial:
    """One A/B pair: which real and generated example, and whether the real one plays as A."""

    real_index: int
    generated_index: int
    real_is_a: bool

    @property
    def real_side(self) -> str:
        """``"A"`` or ``"B"``: where the real clip is."""
        return "A" if self.real_is_a else "B"


@dataclass
class ListeningTest:
    """The scoring logic of a blind A/B test: real vs generated, the listener picks the real one.

    ``real`` ``(N, L)`` and ``generated`` ``(M, L)`` waves; ``n_trials`` pairs are drawn without
    repeating a clip (as far as the sets allow), with the real clip on side A or B at random
    (``seed``). :meth:`answer` records a choice for the current trial; :meth:`table` and
    :attr:`accuracy` report. An accuracy near 0.5 means the listener could not tell; the
    :meth:`p_value` says how surprising the score would be for someone guessing.
    """

    real: torch.Tensor
    generated: torch.Tensor
    sample_rate: int
    n_trials: int = 10
    seed: int = 0
    trials: list[Trial] = field(init=False)
    choices: list[str] = field(init=False, default_factory=list)

    def __post_init__(self):
        self.real = _waves(self.real, "real")
        self.generated = _waves(self.generated, "generated")
        if self.n_trials < 1:
            raise ValueError(f"n_trials must be at least 1; got {self.n_trials}")
        rng = np.random.default_rng(self.seed)
        real_idx = _draw(rng, len(self.real), self.n_trials)
        gen_idx = _draw(rng, len(self.generated), self.n_trials)
        sides = rng.random(self.n_trials) < 0.5
        self.trials = [Trial(int(r), int(g), bool(s)) for r, g, s in zip(real_idx, gen_idx, sides)]

    # -- playing --------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """Whether every trial has been answered."""
        return len(self.choices) >= len(self.trials)

    @property
    def current(self) -> Trial | None:
        """The trial waiting for an answer, or None when the test is done."""
        return None if self.done else self.trials[len(self.choices)]

    def clips(self, trial: Trial | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The waves ``(L,)`` played as A and as B in ``trial`` (default: the current one)."""
        trial = trial or self.current
        if trial is None:
            raise RuntimeError("the listening test is over; call reset() to start again")
        real, fake = self.real[trial.real_index], self.generated[trial.generated_index]
        return (real, fake) if trial.real_is_a else (fake, real)

    def answer(self, choice: str) -> bool:
        """Record that the listener thinks ``choice`` (``"A"`` or ``"B"``) is real; True if
        right."""
        choice = str(choice).strip().upper()
        if choice not in ("A", "B"):
            raise ValueError(f"choice must be 'A' or 'B'; got {choice!r}")
        trial = self.current
        if trial is None:
            raise RuntimeError("the listening test is over; call reset() to start again")
        self.choices.append(choice)
        return choice == trial.real_side

    def reset(self) -> None:
        """Forget every answer (the same pairs play again)."""
        self.choices = []

    # -- results --------------------------------------------------------------------------------
    @property
    def correct(self) -> list[bool]:
        """For each answered trial, whether the listener found the real clip."""
        return [c == t.real_side for c, t in zip(self.choices, self.trials)]

    @property
    def accuracy(self) -> float:
        """Fraction of answered trials in which the real clip was found (NaN before any)."""
        return float(np.mean(self.correct)) if self.choices else float("nan")

    def p_value(self) -> float:
        """One-sided binomial p-value of scoring this well or better by guessing (p = 0.5)."""
        n, k = len(self.choices), int(sum(self.correct))
        if n == 0:
            return float("nan")
        return float(sum(math.comb(n, i) for i in range(k, n + 1)) / 2 ** n)

    def rows(self) -> list[dict]:
        """One dict per answered trial: trial, real side, chosen side, correct."""
        return [{"trial": i + 1, "real was": t.real_side, "chosen": c, "correct": c == t.real_side}
                for i, (t, c) in enumerate(zip(self.trials, self.choices))]

    def summary(self) -> str:
        """One line: how many right, the accuracy and what it means."""
        n = len(self.choices)
        if n == 0:
            return "no answers yet"
        k = int(sum(self.correct))
        verdict = ("the generated clips gave themselves away" if self.p_value() < 0.05
                   else "not distinguishable from guessing at this number of trials")
        return (f"picked the real clip {k} of {n} times ({100 * k / n:.0f}%); "
                f"p = {self.p_value():.3f} against guessing: {verdict}")

    def table(self) -> str:
        """The results as an HTML table, with the summary line under it."""
        head = "<tr><th>trial</th><th>real was</th><th>chosen</th><th>correct</th></tr>"
        body = "".join(
            f"<tr><td>{r['trial']}</td><td>{r['real was']}</td><td>{r['chosen']}</td>"
            f"<td>{'yes' if r['correct'] else 'no'}</td></tr>" for r in self.rows())
        return (f"<table>{head}{body}</table><p>{html.escape(self.summary())}</p>")


def _waves(x, name: str) -> torch.Tensor:
    t = torch.as_tensor(x).detach().float().cpu()
    if t.dim() == 3 and t.shape[1] == 1:
        t = t[:, 0]
    if t.dim() != 2 or len(t) == 0:
        raise ValueError(f"{name} must be waves of shape (N, L) with N >= 1; got {tuple(t.shape)}")
    return t


def _draw(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``k`` indices into ``range(n)``, without repeats until every index has been used."""
    reps = -(-k // n)
    return np.concatenate([rng.permutation(n) for _ in range(reps)])[:k]


def listening_test_widget(real, generated, sample_rate: int, n_trials: int = 10, seed: int = 0):
    """An ipywidgets blind A/B test over :class:`ListeningTest`; returns the widget.

    Two players (A and B) and two buttons ("A is real", "B is real"); after the last trial the
    results table and accuracy appear. The :class:`ListeningTest` is the widget's ``.test``.
    """
    test = ListeningTest(real, generated, sample_rate, n_trials=n_trials, seed=seed)

    def clips():
        if test.done:
            return [HTML("<i>done</i>")]
        a, b = test.clips()
        return [HTML("<b>A</b>"), audio(a, sample_rate, normalize=False),
                HTML("<b>B</b>"), audio(b, sample_rate, normalize=False)]

    return _rating_widget(
        test, clips, {f"{side} is real": side for side in ("A", "B")}, test.answer,
        lambda: f"trial {min(len(test.choices) + 1, len(test.trials))} of {len(test.trials)}",
        lambda: test.table())


def _rating_widget(test, clips, choices: dict, record, status_text, results_html):
    """The one loop of both listening tests: a status line, the players of ``clips()`` (a list of
    displayables), one button a choice (``{label: value}``; a click calls ``record(value)``) and
    ``results_html()`` once ``test.done``. Returns the ``VBox`` with the test as ``.test``."""
    import ipywidgets as w

    players, status, results = w.Output(), w.HTML(), w.HTML()
    buttons = [w.Button(description=label) for label in choices]

    def show():
        players.clear_output(wait=True)
        with players:
            display(*clips())
        status.value = status_text()
        results.value = results_html() if test.done else ""
        for b in buttons:
            b.disabled = test.done

    def on_click(value):
        def handler(_):
            if not test.done:
                record(value)
            show()
        return handler

    for value, b in zip(choices.values(), buttons):
        b.on_click(on_click(value))
    show()
    box = w.VBox([status, players, w.HBox(buttons), results])
    box.test = test
    return box


# ----------------------------------------------------------------------------- mean opinion score

MOS_LABELS = {1: "bad", 2: "poor", 3: "fair", 4: "good", 5: "excellent"}  # ITU-T P.800 ACR scale


@dataclass
class MOSTest:
    """A mean opinion score (MOS) test: rate shuffled real and generated clips from 1 to 5.

    ``sources`` maps a name to waves ``(N, L)`` (``{"real": real, "generated": fake}``, or
    several models); ``n_per_source`` clips of each (drawn without repeats as far as the sets
    allow) are shuffled together with ``seed``, and the listener is never told which source a
    clip comes from. The 1-5 scale is the absolute category rating of ITU-T P.800 (bad, poor,
    fair, good, excellent). :meth:`rate` records a rating for the current clip; :meth:`results`
    gives per source the mean, the number of ratings and a ``confidence`` (0.95) interval from
    Student's t distribution; :meth:`to_csv` saves every rating. Notebook ``07_evaluation``.
    """

    sources: dict
    sample_rate: int
    n_per_source: int = 8
    seed: int = 0
    confidence: float = 0.95
    order: list[tuple[str, int]] = field(init=False)
    ratings: list[int] = field(init=False, default_factory=list)

    def __post_init__(self):
        if not self.sources:
            raise ValueError("MOSTest needs at least one source, e.g. {'real': real, "
                             "'generated': generated}")
        if self.n_per_source < 1:
            raise ValueError(f"n_per_source must be at least 1; got {self.n_per_source}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1); got {self.confidence}")
        self.sources = {str(name): _waves(w, str(name)) for name, w in self.sources.items()}
        rng = np.random.default_rng(self.seed)
        order = [(name, int(i)) for name, waves in self.sources.items()
                 for i in _draw(rng, len(waves), self.n_per_source)]
        self.order = [order[i] for i in rng.permutation(len(order))]

    @property
    def done(self) -> bool:
        """Whether every clip has been rated."""
        return len(self.ratings) >= len(self.order)

    @property
    def current(self) -> tuple[str, int] | None:
        """``(source, index)`` of the clip waiting for a rating, or None when done."""
        return None if self.done else self.order[len(self.ratings)]

    def clip(self) -> torch.Tensor:
        """The wave ``(L,)`` to rate now."""
        if self.current is None:
            raise RuntimeError("the MOS test is over; call reset() to start again")
        name, index = self.current
        return self.sources[name][index]

    def rate(self, score: int) -> None:
        """Record a rating of the current clip: an integer from 1 (bad) to 5 (excellent)."""
        if isinstance(score, bool) or int(score) != score or not 1 <= int(score) <= 5:
            raise ValueError(f"a rating is an integer from 1 (bad) to 5 (excellent); got {score!r}")
        if self.current is None:
            raise RuntimeError("the MOS test is over; call reset() to start again")
        self.ratings.append(int(score))

    def reset(self) -> None:
        """Forget every rating (the same clips play again in the same order)."""
        self.ratings = []

    def rows(self) -> list[dict]:
        """One dict per rated clip: position, source, clip index, rating."""
        return [{"position": i + 1, "source": name, "clip": index, "rating": r}
                for i, ((name, index), r) in enumerate(zip(self.order, self.ratings))]

    def results(self) -> dict[str, dict]:
        """Per source: ``mean``, ``n``, ``low`` and ``high`` (the confidence interval of the mean;
        NaN with fewer than two ratings). Sources without ratings yet have ``n = 0``."""
        from scipy import stats

        out = {}
        for name in self.sources:
            scores = np.array([r["rating"] for r in self.rows() if r["source"] == name], float)
            n = len(scores)
            mean = float(scores.mean()) if n else float("nan")
            if n >= 2:
                half = float(stats.t.ppf(0.5 + self.confidence / 2, n - 1)
                             * scores.std(ddof=1) / math.sqrt(n))
            else:
                half = float("nan")
            out[name] = {"mean": mean, "n": n, "low": mean - half, "high": mean + half}
        return out

    def summary(self) -> str:
        """One line per source: ``real: MOS 4.12 (95% CI 3.80-4.44, 8 ratings)``."""
        if not self.ratings:
            return "no ratings yet"
        pct = f"{100 * self.confidence:g}%"
        return "\n".join(f"{name}: MOS {r['mean']:.2f} ({pct} CI {r['low']:.2f}-{r['high']:.2f}, "
                         f"{r['n']} ratings)" for name, r in self.results().items() if r["n"])

    def to_csv(self, path) -> Path:
        """Write every rating to ``path`` as CSV (position, source, clip, rating); returns the
        path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["position", "source", "clip", "rating"])
            writer.writeheader()
            writer.writerows(self.rows())
        return path

    def table(self) -> str:
        """The per-source results as an HTML table."""
        head = "<tr><th>source</th><th>MOS</th><th>CI</th><th>ratings</th></tr>"
        body = "".join(f"<tr><td>{html.escape(name)}</td><td>{r['mean']:.2f}</td>"
                       f"<td>{r['low']:.2f}-{r['high']:.2f}</td><td>{r['n']}</td></tr>"
                       for name, r in self.results().items())
        return f"<table>{head}{body}</table>"


def mos_test_widget(sources: dict, sample_rate: int, n_per_source: int = 8, seed: int = 0,
                    csv_path=None):
    """An ipywidgets MOS test over :class:`MOSTest`; returns the widget (its ``.test``).

    One player and five buttons (1 bad ... 5 excellent); after the last clip the table of mean
    ratings with confidence intervals appears, and with ``csv_path`` the ratings are saved there.
    """
    test = MOSTest(sources, sample_rate, n_per_source=n_per_source, seed=seed)

    def results():
        saved = (f"<p>saved to {html.escape(str(test.to_csv(csv_path)))}</p>"
                 if csv_path is not None else "")
        return test.table() + saved

    return _rating_widget(
        test, lambda: [HTML("<i>done</i>") if test.done
                       else audio(test.clip(), sample_rate, normalize=False)],
        {f"{k} {MOS_LABELS[k]}": k for k in range(1, 6)}, test.rate,
        lambda: f"clip {min(len(test.ratings) + 1, len(test.order))} of {len(test.order)}",
        results)


# ----------------------------------------------------------------------------- latent explorer


class LatentExplorer:
    """Move a latent vector along a few directions and hear what changes.

    ``generate`` maps latents ``(N, latent_dim)`` to waves ``(N, L)``. ``directions``
    ``(k, latent_dim)`` are given, or ``k`` random orthonormal directions are drawn
    (``seed``). ``base`` ``(latent_dim,)`` is the starting latent (default: drawn from the
    WaveGAN prior, uniform in [-1, 1]). :meth:`latent` gives ``base + sum_i c_i d_i`` (clipped to
    ``clip`` when given, since the prior lives in [-1, 1]); :meth:`wave` generates it.
    """

    def __init__(self, generate: Generate, latent_dim: int, k: int = 4,
                 directions: torch.Tensor | None = None, base: torch.Tensor | None = None,
                 seed: int = 0, clip: float | None = 1.0):
        g = torch.Generator().manual_seed(seed)
        self.generate, self.latent_dim, self.clip = generate, int(latent_dim), clip
        if directions is None:
            if not 1 <= k <= latent_dim:
                raise ValueError(f"k={k} directions need 1 <= k <= latent_dim={latent_dim}")
            q, _ = torch.linalg.qr(torch.randn(latent_dim, k, generator=g))
            directions = q.T
        self.directions = torch.as_tensor(directions, dtype=torch.float32)
        if self.directions.dim() != 2 or self.directions.shape[1] != latent_dim:
            raise ValueError(f"directions must have shape (k, {latent_dim}); "
                             f"got {tuple(self.directions.shape)}")
        self.base = (torch.rand(latent_dim, generator=g) * 2 - 1) if base is None \
            else torch.as_tensor(base, dtype=torch.float32).reshape(latent_dim)

    @property
    def k(self) -> int:
        """The number of directions (sliders)."""
        return self.directions.shape[0]

    def latent(self, coefficients: Sequence[float]) -> torch.Tensor:
        """``base + sum_i coefficients[i] * directions[i]``: ``(latent_dim,)``."""
        c = torch.as_tensor(list(coefficients), dtype=torch.float32)
        if c.shape != (self.k,):
            raise ValueError(f"need {self.k} coefficients, one per direction; got {tuple(c.shape)}")
        z = self.base + c @ self.directions
        return z.clamp(-self.clip, self.clip) if self.clip is not None else z

    @torch.no_grad()
    def wave(self, coefficients: Sequence[float]) -> torch.Tensor:
        """The generated wave ``(L,)`` at ``coefficients``."""
        return _as_batch(self.generate(self.latent(coefficients)[None]))[0]


def _as_batch(waves: torch.Tensor) -> torch.Tensor:
    w = torch.as_tensor(waves).detach().float().cpu()
    return w[:, 0] if w.dim() == 3 else w


def latent_explorer_widget(explorer: LatentExplorer, sample_rate: int, span: float = 2.0):
    """Sliders (one per direction of ``explorer``) with an audio player and a spectrogram.

    Each slider runs from ``-span`` to ``span``; releasing one regenerates the sound.
    """
    import ipywidgets as w

    sliders = [w.FloatSlider(value=0.0, min=-span, max=span, step=0.1, description=f"dir {i + 1}",
                             continuous_update=False) for i in range(explorer.k)]
    out = w.Output()

    def update(_=None):
        _show_wave(out, explorer.wave([s.value for s in sliders]), sample_rate)

    for s in sliders:
        s.observe(update, names="value")
    update()
    return w.VBox([w.VBox(sliders), out])


def _show_wave(out, wave: torch.Tensor, sample_rate: int, title: str | None = None) -> None:
    import matplotlib.pyplot as plt

    out.clear_output(wait=True)
    with out:
        fig, ax = plt.subplots(figsize=(7, 2.5))
        plot_spectrogram(wave, sample_rate, ax=ax, title=title)
        plt.show()
        display(audio(wave, sample_rate))


# ----------------------------------------------------------------------------- interpolation


def interpolate_latents(z0: torch.Tensor, z1: torch.Tensor, steps: int = 8,
                        mode: str = "linear") -> torch.Tensor:
    """``steps`` latents ``(steps, latent_dim)`` from ``z0`` to ``z1`` (both included).

    ``mode="linear"`` walks the straight line, which stays inside the WaveGAN prior's cube;
    ``"slerp"`` walks the great circle (keeps the norm, the usual choice for Gaussian priors).
    """
    z0, z1 = (torch.as_tensor(z0, dtype=torch.float32).flatten(),
              torch.as_tensor(z1, dtype=torch.float32).flatten())
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have the same size; "
                         f"got {tuple(z0.shape)} and {tuple(z1.shape)}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (the two ends); got {steps}")
    t = torch.linspace(0, 1, steps)[:, None]
    if mode == "linear":
        return (1 - t) * z0 + t * z1
    if mode != "slerp":
        raise ValueError(f"mode must be 'linear' or 'slerp'; got {mode!r}")
    cos = torch.dot(z0, z1) / (z0.norm() * z1.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1, 1))
    if omega.abs() < 1e-6:  # (nearly) parallel: the line is the arc
        return (1 - t) * z0 + t * z1
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


@torch.no_grad()
def plot_interpolation(generate: Generate, z0: torch.Tensor, z1: torch.Tensor, sample_rate: int,
                       steps: int = 6, mode: str = "linear"):
    """Generate along :func:`interpolate_latents` and plot the spectrograms in a row.

    Returns ``(figure, waves (steps, L))`` so that the notebook can also play them.
    """
    waves = _as_batch(generate(interpolate_latents(z0, z1, steps, mode)))
    titles = [f"t = {t:.2f}" for t in np.linspace(0, 1, steps)]
    return plot_grid(waves, sample_rate, cols=steps, titles=titles, figsize_per=(2.2, 1.8)), waves


def interpolation_widget(generate: Generate, z0: torch.Tensor, z1: torch.Tensor,
                         sample_rate: int, steps: int = 9, mode: str = "linear"):
    """A slider over ``t`` in [0, 1] between two latents, with a player and a spectrogram."""
    import ipywidgets as w

    path = interpolate_latents(z0, z1, steps, mode)
    slider = w.IntSlider(value=0, min=0, max=steps - 1, description="step", continuous_update=False)
    out = w.Output()

    def update(_=None):
        with torch.no_grad():
            wave = _as_batch(generate(path[slider.value][None]))[0]
        _show_wave(out, wave, sample_rate, title=f"t = {slider.value / (steps - 1):.2f}")

    slider.observe(update, names="value")
    update()
    return w.VBox([slider, out])
