"""Mel images back to sound: the street-music GAN's spectrograms (notebook 03, ``mel-image``).

The street-music GAN of the course's sources trained on ``librosa.feature.melspectrogram``
images; this module computes the same in torch (:func:`slaney_mel_filterbank`,
:func:`mel_power`) and inverts them as ``librosa.feature.inverse.mel_to_audio`` does: mel power
back to linear power by non-negative least squares (:func:`nnls`, :func:`mel_to_linear_power`),
then Griffin-Lim on centred frames (:func:`griffin_lim_centred`).
:class:`representations.MelImage` puts them together. Batched, on the input's device.
"""

from __future__ import annotations

import math

import torch

from .spectral import griffin_lim_iterations, istft, stft

__all__ = ["slaney_mel_filterbank", "mel_power", "centred_magnitude", "nnls",
           "mel_to_linear_power", "griffin_lim_centred"]


def _slaney_hz_to_mel(f: torch.Tensor) -> torch.Tensor:
    # Slaney's Auditory Toolbox scale (librosa's default): linear below 1 kHz, log above.
    lin = f / (200.0 / 3.0)
    log = 15.0 + torch.log(f.clamp_min(1e-12) / 1000.0) / (math.log(6.4) / 27.0)
    return torch.where(f >= 1000.0, log, lin)


def _slaney_mel_to_hz(m: torch.Tensor) -> torch.Tensor:
    lin = m * (200.0 / 3.0)
    log = 1000.0 * torch.exp((math.log(6.4) / 27.0) * (m - 15.0))
    return torch.where(m >= 15.0, log, lin)


def slaney_mel_filterbank(n_mels: int, n_fft: int, sample_rate: int, f_min: float = 0.0,
                          f_max: float | None = None) -> torch.Tensor:
    """librosa's default mel filters (``librosa.filters.mel``): ``(n_mels, n_fft // 2 + 1)``.

    Triangles evenly spaced on Slaney's mel scale between ``f_min`` and ``f_max`` (default the
    Nyquist frequency), each scaled to unit area (``norm="slaney"``). This is the filterbank of
    ``librosa.feature.melspectrogram``, which the street-music mel-image GAN used; notebook 03.
    Computed in float64, returned as float32.
    """
    f_max = sample_rate / 2 if f_max is None else f_max
    if n_mels < 1 or not 0 <= f_min < f_max <= sample_rate / 2:
        raise ValueError(f"mel filters: n_mels={n_mels}, f_min={f_min}, f_max={f_max}; need "
                         f"n_mels >= 1 and 0 <= f_min < f_max <= {sample_rate / 2} (Nyquist)")
    freqs = torch.arange(n_fft // 2 + 1, dtype=torch.float64) * sample_rate / n_fft
    lo, hi = _slaney_hz_to_mel(torch.tensor([f_min, f_max], dtype=torch.float64))
    edges = _slaney_mel_to_hz(torch.linspace(float(lo), float(hi), n_mels + 2, dtype=torch.float64))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rise = (freqs[None] - lower) / (centre - lower)
    fall = (upper - freqs[None]) / (upper - centre)
    weights = torch.clamp(torch.minimum(rise, fall), min=0.0) * (2.0 / (upper - lower))
    return weights.float()


def mel_power(wave: torch.Tensor, filterbank: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    """Mel power spectrogram as ``librosa.feature.melspectrogram``: ``(..., samples)`` ->
    ``(..., frames, n_mels)``.

    Centred frames (``n_fft // 2`` zeros on each side, so ``1 + samples // hop`` frames),
    periodic Hann window, power ``|X|^2``, then ``filterbank`` ``(n_mels, n_fft // 2 + 1)``.
    Notebook 03 (the mel-image GAN).
    """
    spec = stft(wave.float(), n_fft, hop, pad_left=n_fft // 2, pad_right=n_fft // 2)
    return spec.abs().square() @ filterbank.to(spec.device).T


def centred_magnitude(wave: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    """``|STFT|`` with centred frames, ``(..., samples)`` -> ``(..., frames, n_fft // 2 + 1)``:
    what :func:`mel_power` starts from, for measuring round trips
    (:func:`spectral.spectral_convergence`)."""
    return stft(wave.float(), n_fft, hop, pad_left=n_fft // 2, pad_right=n_fft // 2).abs()


def nnls(matrix: torch.Tensor, targets: torch.Tensor, n_iter: int = 200) -> torch.Tensor:
    """Non-negative least squares, batched: ``argmin_{x >= 0} ||matrix @ x - b||`` for every row
    ``b`` of ``targets`` ``(..., m)``; ``matrix`` is ``(m, n)``; returns ``(..., n)``.

    Accelerated projected gradient (FISTA, Beck and Teboulle 2009) with step ``1 / ||matrix||^2``,
    started from the clipped pseudo-inverse solution, ``n_iter`` steps. The objective never ends
    above that start. ``librosa.feature.inverse.mel_to_stft`` solves the same problem with
    L-BFGS-B. Runs on ``targets``' device, in float32.
    """
    a = matrix.to(targets.device, torch.float32)
    lead = tuple(targets.shape[:-1])
    b = targets.float().reshape(-1, targets.shape[-1])
    if b.shape[-1] != a.shape[0]:
        raise ValueError(f"nnls: targets have {b.shape[-1]} values per row, the matrix "
                         f"{a.shape[0]} rows")
    gram = a.T @ a
    atb = b @ a
    step = 1.0 / max(float(torch.linalg.matrix_norm(gram, ord=2)), 1e-12)
    x = (b @ torch.linalg.pinv(a).T).clamp_min(0.0)
    y, t = x, 1.0
    for _ in range(n_iter):
        x_next = (y - step * (y @ gram - atb)).clamp_min(0.0)
        t_next = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        y = x_next + ((t - 1.0) / t_next) * (x_next - x)
        x, t = x_next, t_next
    return x.reshape(lead + (x.shape[-1],))


def mel_to_linear_power(mel: torch.Tensor, filterbank: torch.Tensor, method: str = "nnls",
                        n_iter: int = 200) -> torch.Tensor:
    """Mel power ``(..., frames, n_mels)`` -> linear power ``(..., frames, n_fft // 2 + 1)``.

    ``method="nnls"``: the non-negative least-squares fit (:func:`nnls`), as
    ``librosa.feature.inverse.mel_to_stft``; ``"pinv"``: the pseudo-inverse of the filterbank,
    negative values set to zero (faster, blurrier). Notebook 03.
    """
    if method == "nnls":
        return nnls(filterbank, mel, n_iter=n_iter)
    if method == "pinv":
        inv = torch.linalg.pinv(filterbank.cpu().double()).float().to(mel.device)  # mps: no float64
        return (mel.float() @ inv.T).clamp_min(0.0)
    raise ValueError(f"mel inverse method={method!r}; choose 'nnls' or 'pinv'")


def griffin_lim_centred(magnitude: torch.Tensor, n_fft: int, hop: int, length: int,
                        n_iter: int = 32, momentum: float = 0.99) -> torch.Tensor:
    """Griffin-Lim for centred frames: magnitude ``(..., frames, n_fft // 2 + 1)`` ->
    ``(..., length)``.

    The inverse of :func:`centred_magnitude`'s framing, with the defaults of
    ``librosa.griffinlim`` (32 iterations, momentum 0.99, the "fast Griffin-Lim" of Perraudin et
    al. 2013), which ``librosa.feature.inverse.mel_to_audio`` calls; zero initial phase (librosa
    starts from random phase) so that the result is reproducible. Notebook 03.
    """
    if n_iter < 0 or not 0.0 <= momentum < 1.0:
        raise ValueError(f"griffin_lim_centred: n_iter={n_iter}, momentum={momentum}; need "
                         "n_iter >= 0 and 0 <= momentum < 1")
    mag = magnitude.float()
    pad = n_fft // 2
    frames = mag.shape[-2]

    def analyse(x):
        return stft(x, n_fft, hop, pad_left=pad, pad_right=pad)[..., :frames, :]

    def synthesise(spec):
        return istft(spec, n_fft, hop, length=length, pad_left=pad, steady=True)

    angles = torch.ones_like(mag, dtype=torch.complex64)
    return griffin_lim_iterations(mag, angles, analyse, synthesise, n_iter, momentum)
