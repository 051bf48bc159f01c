"""Plots and audio players for every notebook (first used in ``00_welcome``).

Waveforms, spectrograms, grids of examples, loss curves, and ``IPython.display.Audio`` players
that work in JupyterLab, classic Jupyter and Colab alike. matplotlib is imported only when a
plot is drawn, so importing this module stays cheap.
"""

from __future__ import annotations

import os

from typing import Sequence

import numpy as np
import torch
from IPython.display import HTML, Audio, display



def to_numpy(wave) -> np.ndarray:
    """A detached float32 numpy copy of ``wave`` (tensor on any device, or array)."""
    if isinstance(wave, torch.Tensor):
        return wave.detach().float().cpu().numpy()
    return np.asarray(wave, dtype=np.float32)


def _mono(wave) -> np.ndarray:
    x = to_numpy(wave)
    x = np.squeeze(x)
    if x.ndim != 1:
        raise ValueError(f"expected one waveform of shape (samples,) or (1, samples); "
                         f"got {x.shape}")
    return x


def audio(wave, sample_rate: int, normalize: bool = True):
    """An ``IPython.display.Audio`` player for one waveform ``(samples,)`` in [-1, 1].

    ``normalize=False`` plays the levels as they are (quiet stays quiet), which is what a
    listener comparing a generator against real data wants.
    """
    x = np.nan_to_num(_mono(wave))
    if not normalize:
        x = np.clip(x, -1.0, 1.0)
        return Audio(x, rate=sample_rate, normalize=False)
    if not np.any(x):
        return Audio(x, rate=sample_rate, normalize=False)
    return Audio(x, rate=sample_rate)


def play(wave, sample_rate: int, label: str | None = None, normalize: bool = True) -> None:
    """Show an audio player (with an optional label above it) in the notebook."""
    if label:
        display(HTML(f"<b>{label}</b>"))
    display(audio(wave, sample_rate, normalize=normalize))


def play_row(waves: Sequence, sample_rate: int, labels: Sequence[str] | None = None) -> None:
    """Show several players side by side (one per waveform) with labels."""
    cells = []
    for i, wave in enumerate(waves):
        label = labels[i] if labels else f"#{i}"
        cells.append(f"<div style='margin:4px'><b>{label}</b><br>"
                     f"{audio(wave, sample_rate)._repr_html_()}</div>")
    display(HTML("<div style='display:flex;flex-wrap:wrap'>" + "".join(cells) + "</div>"))


def plot_waveform(wave, sample_rate: int, ax=None, title: str | None = None):
    """Plot one waveform against time in seconds; returns the axes."""
    import matplotlib.pyplot as plt

    x = _mono(wave)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 2.2))
    t = np.arange(len(x)) / sample_rate
    ax.plot(t, x, linewidth=0.6)
    ax.set_xlim(0, len(x) / sample_rate)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    if title:
        ax.set_title(title)
    return ax


def spectrogram_db(wave, n_fft: int = 512, hop: int = 128) -> np.ndarray:
    """Magnitude spectrogram in dB, ``(n_fft // 2 + 1, frames)``, 0 dB at the loudest bin."""
    x = torch.as_tensor(_mono(wave))
    window = torch.hann_window(n_fft)
    spec = torch.stft(x, n_fft, hop, window=window, return_complex=True).abs()
    db = 20 * torch.log10(spec + 1e-8)
    return (db - db.max()).clamp(min=-100).numpy()


def plot_spectrogram(wave, sample_rate: int, ax=None, title: str | None = None,
                     n_fft: int = 512, hop: int = 128, vmin: float = -80.0):
    """Plot a dB spectrogram of one waveform (frequency in kHz against time in s)."""
    import matplotlib.pyplot as plt

    db = spectrogram_db(wave, n_fft, hop)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    duration = (db.shape[1] - 1) * hop / sample_rate
    image = ax.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=vmin, vmax=0,
                      extent=[0, duration, 0, sample_rate / 2000])
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (kHz)")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label="dB", pad=0.01)
    return ax


def plot_image(image, ax=None, title: str | None = None, cmap: str = "magma",
               colorbar: bool = True):
    """Plot a 2-D array (a log-magnitude or IF image, frequency on the vertical axis); leading
    axes of size 1 are dropped, and an image one frame wide stays a column."""
    import matplotlib.pyplot as plt

    data = to_numpy(image)
    while data.ndim > 2 and data.shape[0] == 1:
        data = data[0]
    if data.ndim != 2:
        raise ValueError(f"plot_image: expected a 2-D image; got shape {data.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    shown = ax.imshow(data, origin="lower", aspect="auto", cmap=cmap)
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, pad=0.01)
    return ax


def plot_grid(waves, sample_rate: int, kind: str = "spectrogram", cols: int = 4,
              titles: Sequence[str] | None = None, figsize_per: tuple[float, float] = (3.0, 2.0)):
    """A grid of waveforms or spectrograms, one per example of ``waves`` ``(n, samples)``."""
    import matplotlib.pyplot as plt

    waves = [w for w in waves]
    rows = max(1, int(np.ceil(len(waves) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(figsize_per[0] * cols, figsize_per[1] * rows),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= len(waves):
            ax.axis("off")
            continue
        title = titles[i] if titles else None
        if kind == "spectrogram":
            db = spectrogram_db(waves[i])
            ax.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=-80, vmax=0)
        elif kind == "waveform":
            x = _mono(waves[i])
            ax.plot(np.arange(len(x)) / sample_rate, x, linewidth=0.5)
            ax.set_ylim(-1.05, 1.05)
        else:
            raise ValueError(f"kind must be 'spectrogram' or 'waveform', got {kind!r}")
        ax.set_xticks([])
        ax.set_yticks([])
        if title:
            ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_history(history, keys: Sequence[str] | None = None, ax=None, title: str | None = None):
    """Plot training curves from a history: a run's ``metrics.csv`` (or its folder), a list of
    dicts with a ``step`` key, or a dict of lists. Steps where a value is missing (a scoring
    row of ``metrics.csv`` has no losses) are skipped, so each curve stays one line."""
    import matplotlib.pyplot as plt

    if isinstance(history, (str, os.PathLike)):
        from .training.metrics_file import read_metrics

        history = read_metrics(history)
    if isinstance(history, dict):
        columns = {k: list(v) for k, v in history.items()}
    else:
        rows = list(history)
        names = sorted({k for row in rows for k in row})
        columns = {k: [row.get(k, np.nan) for row in rows] for k in names}
    steps = columns.pop("step", None) or list(range(len(next(iter(columns.values()), []))))
    keys = list(keys) if keys else [k for k in columns if k not in ("time", "seconds")]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    for key in keys:
        if key not in columns:
            raise KeyError(f"history has no {key!r}; it has {', '.join(sorted(columns))}")
        values = np.asarray(columns[key], dtype=float)
        kept = np.isfinite(values)
        ax.plot(np.asarray(steps, dtype=float)[kept], values[kept], label=key)
    ax.set_xlabel("step")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
