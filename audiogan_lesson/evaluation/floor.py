"""The hiss floor and the click of generated sounds, against the real data (notebooks 04, 05, 09).

An inception score forgives a quiet noise floor: a classifier that hears the body of a drum
names it whatever lies 40 dB below it. These measures do not. Per clip, in dB:

- ``out_of_band``: the energy outside the band of the real data, relative to the clip's total.
  The band is where the real clips' average power spectrum holds 99.9% of its energy, the rest
  split between its low and high sides (:func:`real_band`); with labels each class has its own
  (a hi-hat's lies far above a kick's). A broadband floor, or a rumble under a hi-hat, lands
  here.
- ``quiet``: the level of the clip's quietest quarter below its peak
  (:func:`.metrics.quiet_floor_db`). A real drum decays towards silence; a clip with a floor
  stays near it.
- ``tail``: the power of the last 5 ms relative to the loudest 5 ms of the clip. A real hit has
  faded out when the clip ends; a generated one that is cut off, or ends in a step, clicks.

:func:`floor_report` gives the median of each over the generated and the real clips and their
difference (generated minus real: 0 is as clean as the data, positive is a floor or a click),
overall and per class. Spectra are Welch's (Hann frames of 256 samples, hop 64), so the ends of
a clip add no leakage of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch

from .metrics import _as_waves, quiet_floor_db

__all__ = ["FLOOR_MEASURES", "real_band", "floor_measures", "FloorRow", "FloorReport",
           "floor_report"]

FLOOR_MEASURES = ("out_of_band", "quiet", "tail")
_TINY = 1e-20


def _power_spectra(x: torch.Tensor, n_fft: int) -> torch.Tensor:
    """Welch power spectra ``(N, n_fft // 2 + 1)`` of waves ``(N, L)``: Hann frames, hop
    ``n_fft // 4``, no padding."""
    n_fft = min(n_fft, x.shape[-1])
    window = torch.hann_window(n_fft, periodic=True, dtype=x.dtype)
    spec = torch.stft(x, n_fft, hop_length=max(n_fft // 4, 1), window=window, center=False,
                      return_complex=True)
    return spec.abs().square().sum(-1)


def real_band(real, sample_rate: int, fraction: float = 0.999,
              n_fft: int = 256) -> tuple[float, float]:
    """``(low_hz, high_hz)``: the band that holds ``fraction`` of the average power spectrum of
    the ``real`` waves ``(N, L)``, each clip counted at unit energy (a loud clip does not set
    the band alone)."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction={fraction}: the share of the real energy must lie in (0, 1)")
    x = _as_waves(real).double()
    p = _power_spectra(x, n_fft)
    p = p / p.sum(-1, keepdim=True).clamp_min(_TINY)
    cumulative = torch.cumsum(p.mean(0), 0)
    cumulative = cumulative / cumulative[-1]
    side = torch.tensor((1.0 - fraction) / 2, dtype=cumulative.dtype)
    lo = int(torch.searchsorted(cumulative, side))
    hi = min(int(torch.searchsorted(cumulative, 1.0 - side)), cumulative.numel() - 1)
    hz = sample_rate / min(n_fft, x.shape[-1])
    return lo * hz, hi * hz


def floor_measures(waves, sample_rate: int, band: tuple[float, float], n_fft: int = 256,
                   tail_ms: float = 5.0) -> dict[str, np.ndarray]:
    """The three measures of every clip of ``waves`` ``(N, L)``, in dB: ``{"out_of_band",
    "quiet", "tail"}``, each ``(N,)``. ``band`` is ``(low_hz, high_hz)``, :func:`real_band`'s."""
    x = _as_waves(waves).double()
    p = _power_spectra(x, n_fft)
    hz = torch.arange(p.shape[-1], dtype=torch.float64) * sample_rate / min(n_fft, x.shape[-1])
    outside = (hz < band[0]) | (hz > band[1])
    out_of_band = p[:, outside].sum(-1) / p.sum(-1).clamp_min(_TINY)
    t = max(int(round(tail_ms * 1e-3 * sample_rate)), 1)
    frames = x.unfold(-1, t, max(t // 2, 1)).square().mean(-1)
    tail = x[:, -t:].square().mean(-1) / frames.amax(-1).clamp_min(_TINY)

    def db(ratio: torch.Tensor) -> np.ndarray:
        return (10.0 * torch.log10(ratio.clamp_min(_TINY))).numpy()
    frame = min(256, x.shape[-1] // 4)
    return {"out_of_band": db(out_of_band), "quiet": quiet_floor_db(x, frame=frame),
            "tail": db(tail)}


@dataclass(frozen=True)
class FloorRow:
    """One row of a :class:`FloorReport`: ``name`` (``all`` or a class), the real data's band
    ``band_hz`` (None for an ``all`` row pooled over classes, each in its own band), and per
    measure the median in dB of the generated clips (``fake``), of the real ones (``real``) and
    their difference (``excess``, generated minus real)."""

    name: str
    band_hz: tuple[float, float] | None
    n_fake: int
    fake: dict[str, float]
    real: dict[str, float]

    @property
    def excess(self) -> dict[str, float]:
        return {m: self.fake[m] - self.real[m] for m in FLOOR_MEASURES}


@dataclass(frozen=True)
class FloorReport:
    """:func:`floor_report`'s result: ``rows`` (``all`` first, then each class that has
    generated clips)."""

    rows: list[FloorRow] = field(default_factory=list)

    def row(self, name: str = "all") -> FloorRow:
        """The row of class ``name`` (``"all"``: every clip)."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no row {name!r}; the rows are {', '.join(r.name for r in self.rows)}")

    def table(self) -> str:
        """The report as text: per row the band, and per measure generated / real / excess."""
        head = f"{'':8} {'real band Hz':>13} " + "".join(f"{m:>22}" for m in FLOOR_MEASURES)
        lines = [head, f"{'':8} {'':>13} " + "".join(f"{'fake / real / excess':>22}"
                                                    for _ in FLOOR_MEASURES)]
        for r in self.rows:
            cells = "".join(f"{r.fake[m]:7.1f}{r.real[m]:7.1f}{r.excess[m]:+8.1f}"
                            for m in FLOOR_MEASURES)
            band = f"{r.band_hz[0]:.0f}-{r.band_hz[1]:.0f}" if r.band_hz else "per class"
            lines.append(f"{r.name:8} {band:>13} {cells}")
        return "\n".join(lines)


def _medians(parts: list[dict[str, np.ndarray]]) -> dict[str, float]:
    return {m: float(np.median(np.concatenate([p[m] for p in parts]))) for m in FLOOR_MEASURES}


def floor_report(fake, real, sample_rate: int, fake_labels=None, real_labels=None,
                 classes: Sequence[str] | None = None, fraction: float = 0.999) -> FloorReport:
    """The floor and click measures of the generated waves ``fake`` ``(N, L)`` against the real
    ``real`` ``(M, L)`` of one sample rate: a row for all clips, and with both label sets
    (class indices; ``classes`` names them) a row per class, each class judged in its own real
    band. With labels the ``all`` row pools the clips of every class, each measured in its own
    class's band (its band reads "per class"); without, all clips share the real data's band. A
    class with no generated clip has no row."""
    fake, real = _as_waves(fake), _as_waves(real)
    if fake.shape[1] != real.shape[1]:
        raise ValueError(f"generated clips of {fake.shape[1]} samples and real ones of "
                         f"{real.shape[1]}: bring them to one length and rate first "
                         "(evaluation.to_format)")
    if fake_labels is None or real_labels is None:
        band = real_band(real, sample_rate, fraction)
        return FloorReport([FloorRow("all", band, int(fake.shape[0]),
                                     _medians([floor_measures(fake, sample_rate, band)]),
                                     _medians([floor_measures(real, sample_rate, band)]))])
    fl = torch.as_tensor(np.asarray(fake_labels)).long()
    rl = torch.as_tensor(np.asarray(real_labels)).long()
    rows, fakes, reals = [], [], []
    for c in sorted(set(rl.tolist())):
        if not int((fl == c).sum()):
            continue
        band = real_band(real[rl == c], sample_rate, fraction)
        fakes.append(floor_measures(fake[fl == c], sample_rate, band))
        reals.append(floor_measures(real[rl == c], sample_rate, band))
        name = classes[c] if classes is not None else str(c)
        rows.append(FloorRow(name, band, int((fl == c).sum()), _medians(fakes[-1:]),
                             _medians(reals[-1:])))
    if not rows:
        raise ValueError("no generated clip has a label that the real clips have; pass the "
                         "class indices of both sets")
    every = FloorRow("all", None, sum(r.n_fake for r in rows), _medians(fakes), _medians(reals))
    return FloorReport([every, *rows])
