"""Spectrograms for GANs: STFT, log magnitude, SpecGAN moments, Griffin-Lim, mel, GANSynth IF.

Used by notebooks ``01_audio_preprocessing`` (every idea, seen and heard), ``03_specgan_dcgan``
(:func:`stft_logmag`, :class:`SpecGANNormalizer`, :func:`griffin_lim`) and
``06_gansynth_progressive`` (:class:`IFSpectrogram`). The mel images of notebook 03's mel-image
GAN are in :mod:`audiogan_lesson.mel_images`.

Layout. Every spectrogram here puts **time frames first and frequency bins last**,
``(..., frames, bins)``, as the original SpecGAN and GANSynth code do (``tf.signal.stft``
returns ``[batch, time, freq]``): a per-frequency statistic then broadcasts along the last axis,
and GANSynth's "128 x 1024" reads as 128 frames by 1024 bins. To plot with frequency going up,
transpose the last two axes (``spec.mT``) and use ``origin="lower"``.

Everything is written in torch, batched over any leading axes, and runs on the device of its
input (CPU or CUDA).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import torch
import torch.nn.functional as F

__all__ = [
    "stft",
    "istft",
    "stft_logmag",
    "logmag_to_magnitude",
    "griffin_lim",
    "spectral_convergence",
    "SpecGANNormalizer",
    "hz_to_mel",
    "mel_to_hz",
    "mel_filterbank",
    "log_mel_spectrogram",
    "unwrap_phase",
    "instantaneous_frequency",
    "phase_from_instantaneous_frequency",
    "IFSpecConfig",
    "IFSpectrogram",
    "SPECGAN_N_FFT",
    "SPECGAN_HOP",
    "LOG_EPS",
    "griffin_lim_iterations",
]

SPECGAN_N_FFT = 256  # Donahue et al. 2019, section 4: 16 ms windows at 16 kHz
SPECGAN_HOP = 128  # 8 ms stride: 16384 samples -> 128 frames
LOG_EPS = 1e-6  # _LOG_EPS of the SpecGAN code and _eps of the GANSynth code


# ----------------------------------------------------------------------------- STFT and inverse


def _flatten(x: torch.Tensor, keep: int) -> tuple[torch.Tensor, tuple[int, ...]]:
    """Fold all but the last ``keep`` axes into one batch axis; return it and the leading shape."""
    lead = tuple(x.shape[: x.dim() - keep])
    return x.reshape((-1,) + tuple(x.shape[x.dim() - keep:])), lead


def _window(n_fft: int, like: torch.Tensor) -> torch.Tensor:
    # Periodic Hann, the default of tf.signal.stft used by both original codes.
    dtype = like.real.dtype if like.is_complex() else like.dtype
    if not dtype.is_floating_point:
        dtype = torch.float32
    return torch.hann_window(n_fft, periodic=True, device=like.device, dtype=dtype)


def stft(wave: torch.Tensor, n_fft: int, hop: int, pad_left: int = 0,
         pad_right: int = 0) -> torch.Tensor:
    """Short-time Fourier transform without centering: ``(..., samples)`` -> complex
    ``(..., frames, n_fft//2+1)``.

    The wave is padded with ``pad_left``/``pad_right`` zeros; frame ``t`` then covers padded
    samples ``[t*hop, t*hop + n_fft)`` under a periodic Hann window, as ``tf.signal.stft`` with
    ``pad_end=False``. Frames come first, bins last.
    """
    x, lead = _flatten(wave, 1)
    if pad_left or pad_right:
        x = F.pad(x, (pad_left, pad_right))
    if x.shape[-1] < n_fft:
        raise ValueError(f"stft needs at least n_fft={n_fft} samples after padding; "
                         f"got {x.shape[-1]}")
    spec = torch.stft(x, n_fft, hop, window=_window(n_fft, x), center=False, return_complex=True)
    spec = spec.transpose(-1, -2)
    return spec.reshape(lead + tuple(spec.shape[-2:]))


def istft(spec: torch.Tensor, n_fft: int, hop: int, length: int | None = None,
          pad_left: int = 0, min_envelope: float = 0.1, steady: bool = False) -> torch.Tensor:
    """Inverse of :func:`stft`: complex ``(..., frames, n_fft//2+1)`` -> ``(..., length)``.

    Weighted overlap-add with the window-square normalisation (the least-squares inverse of
    Griffin and Lim, 1984, which ``tf.signal.inverse_stft_window_fn`` also gives for Hann windows
    at 50 % and 75 % overlap). For a spectrogram made by :func:`stft` this returns the wave
    exactly (to float precision) wherever the summed squared windows reach ``min_envelope``
    times their maximum. Nearer the ends of the signal (the first 49 samples of an unpadded
    256-sample STFT) the divisor is floored at that level, which fades those samples in and
    out instead of dividing by almost zero: that would blow any spectrogram that is not exactly
    consistent (a generator's, Griffin-Lim's) up into a loud click. The first ``pad_left``
    samples are dropped and the result is cut or zero-padded to ``length`` (default:
    everything after ``pad_left``).

    ``steady=True`` divides every sample by the envelope it would have in the middle of a long
    signal (what ``tf.signal.inverse_stft_window_fn`` does): the same inside, and the edges
    simply fade in and out, never amplified. Griffin-Lim uses it.
    """
    X, lead = _flatten(spec, 2)
    frames = X.shape[-2]
    if X.shape[-1] != n_fft // 2 + 1:
        raise ValueError(f"istft expects {n_fft // 2 + 1} bins for n_fft={n_fft}; "
                         f"got {X.shape[-1]}")
    total = (frames - 1) * hop + n_fft
    window = _window(n_fft, X)
    pieces = torch.fft.irfft(X, n=n_fft, dim=-1) * window  # (B, frames, n_fft)
    fold = dict(output_size=(1, total), kernel_size=(1, n_fft), stride=(1, hop))
    out = F.fold(pieces.transpose(1, 2), **fold).reshape(X.shape[0], total)
    if steady and n_fft % hop == 0:
        period = (window**2).reshape(n_fft // hop, hop).sum(0)
        out = out / period.repeat(-(-total // hop))[:total]
    else:
        env = F.fold((window**2).expand(1, frames, n_fft).transpose(1, 2), **fold).reshape(total)
        out = out / env.clamp_min(min_envelope * float(env.max()))
    out = out[:, pad_left:]
    if length is not None:
        out = (out[:, :length] if out.shape[-1] >= length
               else F.pad(out, (0, length - out.shape[-1])))
    return out.reshape(lead + (out.shape[-1],))


# ----------------------------------------------------------------------------- SpecGAN


def _specgan_frames(n_samples: int, hop: int) -> int:
    # tf.signal.stft(..., pad_end=True): one frame per hop, the last ones zero-padded.
    return -(-n_samples // hop)


def _specgan_stft(wave: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    frames = _specgan_frames(wave.shape[-1], hop)
    pad = (frames - 1) * hop + n_fft - wave.shape[-1]
    return stft(wave, n_fft, hop, pad_right=pad)


def stft_logmag(wave: torch.Tensor, n_fft: int = SPECGAN_N_FFT, hop: int = SPECGAN_HOP,
                eps: float = LOG_EPS) -> torch.Tensor:
    """The SpecGAN representation: ``(..., 16384)`` -> log magnitude ``(..., 128, 128)``
    (frames, bins).

    STFT with a 256-sample periodic Hann window and hop 128, the end zero-padded so that there
    is one frame per hop (``ceil(samples / hop)`` frames, as ``tf.signal.stft(pad_end=True)`` in
    the original code), the Nyquist bin dropped (129 -> 128 bins), then ``log(|X| + 1e-6)``.
    Used in notebooks ``01_audio_preprocessing`` and ``03_specgan_dcgan``.
    """
    spec = _specgan_stft(wave, n_fft, hop)[..., :-1]
    return torch.log(spec.abs() + eps)


def logmag_to_magnitude(logmag: torch.Tensor, eps: float = LOG_EPS) -> torch.Tensor:
    """Undo ``log(|X| + eps)`` exactly: ``exp(logmag) - eps``, never below zero."""
    return (torch.exp(logmag) - eps).clamp_min(0.0)


def griffin_lim(logmag: torch.Tensor, n_iter: int = 16, n_fft: int = SPECGAN_N_FFT,
                hop: int = SPECGAN_HOP, length: int | None = None, momentum: float = 0.0,
                init: str = "zeros", generator: torch.Generator | None = None,
                eps: float = LOG_EPS) -> torch.Tensor:
    """Estimate a wave from a log magnitude alone: ``(..., frames, n_fft//2)`` ->
    ``(..., frames*hop)``.

    Griffin-Lim (1984) as in the SpecGAN code: start from ``init="zeros"`` phase (or
    ``"random"`` phase drawn with ``generator``), then ``n_iter`` times go to the time domain and
    back, keeping the new phase and the given magnitude. The dropped Nyquist bin is restored as
    zero. ``momentum`` > 0 gives the "fast Griffin-Lim" of Perraudin et al. (2013; 0.99 is
    usual); the paper's 16 plain iterations are the default. Batched over the leading axes and
    run on ``logmag``'s device. Used in notebooks ``01_audio_preprocessing`` and
    ``03_specgan_dcgan``.

    Deviation from the original code, no option: the inverse STFT here divides by the
    steady-state sum of squared windows (``istft(..., steady=True)``);
    ``tf.contrib.signal.inverse_stft`` without ``inverse_stft_window_fn`` did not, which leaves
    a 125 Hz ripple in the level of its output.
    """
    mag = logmag_to_magnitude(logmag.float(), eps)
    mag = F.pad(mag, (0, 1))  # the Nyquist bin back, with magnitude 0
    frames = mag.shape[-2]
    length = frames * hop if length is None else length
    if init == "zeros":
        angles = torch.ones_like(mag, dtype=torch.complex64)
    elif init == "random":
        phase = torch.rand(mag.shape, generator=generator,
                           device=generator.device if generator else None)
        angles = torch.polar(torch.ones_like(mag), 2 * math.pi * phase.to(mag.device))
    else:
        raise ValueError(f"init must be 'zeros' or 'random'; got {init!r}")

    def analyse(x):
        return _specgan_stft(x, n_fft, hop)[..., :frames, :]

    def synthesise(spec):
        return istft(spec, n_fft, hop, length=length, steady=True)

    return griffin_lim_iterations(mag, angles, analyse, synthesise, n_iter, momentum)


def griffin_lim_iterations(mag: torch.Tensor, angles: torch.Tensor, analyse, synthesise,
                           n_iter: int, momentum: float = 0.0) -> torch.Tensor:
    """The Griffin-Lim loop shared by :func:`griffin_lim` and the mel images' inverse: ``n_iter``
    times ``synthesise`` the magnitude ``mag`` with the phase ``angles`` and ``analyse`` it
    again, keeping the new phase (with ``momentum``, Perraudin et al.'s fast variant); then the
    wave."""
    previous = torch.zeros_like(angles)
    for _ in range(n_iter):
        rebuilt = analyse(synthesise(mag * angles))
        angles = rebuilt - previous * (momentum / (1 + momentum)) if momentum else rebuilt
        angles = angles / angles.abs().clamp_min(1e-8)
        previous = rebuilt
    return synthesise(mag * angles)


def spectral_convergence(reference: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
    """``||reference - estimate||_F / ||reference||_F`` over the last two axes, per example.

    Both are linear magnitudes ``(..., frames, bins)`` (use :func:`logmag_to_magnitude` on log
    magnitudes). 0 means identical; about 1 means no better than silence.
    """
    num = torch.linalg.vector_norm(reference - estimate, dim=(-2, -1))
    den = torch.linalg.vector_norm(reference, dim=(-2, -1)).clamp_min(1e-12)
    return num / den


class SpecGANNormalizer:
    """SpecGAN's per-frequency moments: normalise log magnitudes to [-1, 1] and back.

    ``fit`` measures the mean and standard deviation of each frequency bin over every frame of
    every example; ``normalize`` subtracts the mean, divides by ``clip_nstd`` (3) standard
    deviations and clips to [-1, 1]; ``denormalize`` undoes it (except the clipping). Bins that
    never vary (silent data) get a standard deviation of 1 instead of 0, so nothing becomes
    NaN. Used in notebooks ``01_audio_preprocessing`` and ``03_specgan_dcgan``::

        norm = SpecGANNormalizer().fit(stft_logmag(waves))
        x = norm.normalize(stft_logmag(batch))        # (batch, 128, 128) in [-1, 1]
        norm.save("moments.pt"); norm = SpecGANNormalizer.load("moments.pt")
    """

    def __init__(self, mean: torch.Tensor | None = None, std: torch.Tensor | None = None,
                 clip_nstd: float = 3.0, min_std: float = 1e-6):
        self.mean = None if mean is None else torch.as_tensor(mean, dtype=torch.float32)
        self.std = None if std is None else torch.as_tensor(std, dtype=torch.float32)
        self.clip_nstd = float(clip_nstd)
        self.min_std = float(min_std)

    def __repr__(self) -> str:
        bins = "unfitted" if self.mean is None else f"{self.mean.numel()} bins"
        return f"SpecGANNormalizer({bins}, clip_nstd={self.clip_nstd})"

    def fit(self, specs: torch.Tensor | Iterable[torch.Tensor]) -> "SpecGANNormalizer":
        """Measure per-bin moments of log magnitudes ``(..., frames, bins)``; returns ``self``.

        ``specs`` is one tensor or an iterable of batches (for datasets larger than memory);
        sums are kept in float64.
        """
        batches = [specs] if isinstance(specs, torch.Tensor) else specs
        count, total, total_sq = 0, None, None
        for batch in batches:
            flat = batch.detach().reshape(-1, batch.shape[-1]).double()
            if not torch.isfinite(flat).all():
                raise ValueError("SpecGANNormalizer.fit: the spectrograms hold NaN or infinite "
                                 "values; compute them with stft_logmag "
                                 "(which adds eps before log)")
            s, s2 = flat.sum(0), (flat * flat).sum(0)
            total = s if total is None else total + s
            total_sq = s2 if total_sq is None else total_sq + s2
            count += flat.shape[0]
        if count == 0:
            raise ValueError("SpecGANNormalizer.fit: no spectrogram frames were given")
        mean = total / count
        var = (total_sq / count - mean**2).clamp_min(0.0)
        std = var.sqrt()
        std = torch.where(std < self.min_std, torch.ones_like(std), std)
        self.mean, self.std = mean.float().cpu(), std.float().cpu()
        return self

    def _moments(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.mean is None:
            raise RuntimeError("SpecGANNormalizer is not fitted: "
                               "call fit(specs) or load(path) first")
        if like.shape[-1] != self.mean.numel():
            raise ValueError(f"spectrogram has {like.shape[-1]} bins on its last axis but the "
                             f"moments have {self.mean.numel()}; expected (..., frames, bins)")
        return (self.mean.to(like.device, like.dtype), self.std.to(like.device, like.dtype))

    def normalize(self, logmag: torch.Tensor) -> torch.Tensor:
        """``(..., frames, bins)`` log magnitude -> values clipped to [-1, 1]."""
        mean, std = self._moments(logmag)
        return ((logmag - mean) / (self.clip_nstd * std)).clamp(-1.0, 1.0)

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised ``(..., frames, bins)`` (e.g. a generator's output) -> log magnitude."""
        mean, std = self._moments(x)
        return x * (self.clip_nstd * std) + mean

    def state_dict(self) -> dict:
        """The moments and settings; ``SpecGANNormalizer(**state)`` rebuilds the normaliser."""
        if self.mean is None:
            raise RuntimeError("SpecGANNormalizer is not fitted: "
                               "call fit(specs) or load(path) first")
        return {"mean": self.mean, "std": self.std, "clip_nstd": self.clip_nstd,
                "min_std": self.min_std}

    def save(self, path: str | os.PathLike) -> Path:
        """Write the moments to ``path`` (a small torch file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(self.state_dict(), path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "SpecGANNormalizer":
        """Read moments written by :meth:`save`."""
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
        return cls(state["mean"], state["std"], state["clip_nstd"], state.get("min_std", 1e-6))


# ----------------------------------------------------------------------------- mel scale


def hz_to_mel(f):
    """HTK mel scale, as in GANSynth: ``1127 ln(1 + f / 700)``."""
    if isinstance(f, torch.Tensor):
        return 1127.0 * torch.log1p(f / 700.0)
    return 1127.0 * math.log1p(f / 700.0)


def mel_to_hz(m):
    """Inverse of :func:`hz_to_mel`."""
    if isinstance(m, torch.Tensor):
        return 700.0 * torch.expm1(m / 1127.0)
    return 700.0 * math.expm1(m / 1127.0)


def mel_filterbank(n_mels: int, bin_freqs: torch.Tensor, f_min: float, f_max: float,
                   min_width: float = 1.5, normalize: bool = True) -> torch.Tensor:
    """Triangular mel filters ``(n_mels, n_bins)`` over the bins at frequencies ``bin_freqs`` (Hz).

    Centres are evenly spaced in HTK mel between ``f_min`` and ``f_max``; a filter narrower than
    ``min_width`` bin spacings is widened to that width around its centre (GANSynth's fix for the
    narrow low filters, so that every filter touches a bin). With ``normalize`` each row sums to
    one, so a mel bin is a weighted *average* of linear bins (see :class:`IFSpectrogram`).
    Computed in float64.
    """
    freqs = bin_freqs.double()
    spacing = float(freqs[1] - freqs[0]) if freqs.numel() > 1 else 1.0
    edges = mel_to_hz(torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2,
                                     dtype=torch.float64))
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    half = 0.5 * min_width * spacing
    lower = torch.minimum(lower, centre - half)
    upper = torch.maximum(upper, centre + half)
    f = freqs[None, :]
    rise = (f - lower[:, None]) / (centre - lower)[:, None]
    fall = (upper[:, None] - f) / (upper - centre)[:, None]
    weights = torch.clamp(torch.minimum(rise, fall), min=0.0)
    if normalize:
        sums = weights.sum(1, keepdim=True)
        if (sums == 0).any():
            raise ValueError(f"{int((sums == 0).sum())} mel filters cover no bin; raise min_width "
                             "or use fewer mel bins")
        weights = weights / sums
    return weights


def log_mel_spectrogram(wave: torch.Tensor, sample_rate: int = 16000, n_fft: int = 1024,
                        hop: int = 256, n_mels: int = 128, f_min: float = 0.0,
                        f_max: float | None = None, eps: float = LOG_EPS) -> torch.Tensor:
    """A log-power mel spectrogram for looking and listening: ``(..., samples)`` ->
    ``(..., frames, n_mels)``.

    Centred frames (the wave is padded by ``n_fft // 2`` on both sides), periodic Hann window,
    peak-one triangular filters on the HTK mel scale, ``log(power + eps)``. Notebook ``01``.
    """
    f_max = sample_rate / 2 if f_max is None else f_max
    spec = stft(wave, n_fft, hop, pad_left=n_fft // 2, pad_right=n_fft // 2)
    freqs = torch.arange(n_fft // 2 + 1, dtype=torch.float64) * sample_rate / n_fft
    fb = mel_filterbank(n_mels, freqs, f_min, f_max, normalize=False).to(spec.device, torch.float32)
    return torch.log(spec.abs().square() @ fb.T + eps)


# ----------------------------------------------------------------------------- phase and IF


def _wrap(x: torch.Tensor) -> torch.Tensor:
    """Map angles to [-pi, pi)."""
    return torch.remainder(x + math.pi, 2 * math.pi) - math.pi


def unwrap_phase(phase: torch.Tensor, dim: int = -2) -> torch.Tensor:
    """Unwrap phase along ``dim`` (time by default): add multiples of 2 pi so no step exceeds pi.

    Like ``numpy.unwrap``; steps of exactly pi keep their sign.
    """
    step = torch.diff(phase, dim=dim)
    wrapped = _wrap(step)
    wrapped = torch.where((wrapped == -math.pi) & (step > 0), torch.full_like(wrapped, math.pi),
                          wrapped)
    correction = torch.cumsum(wrapped - step, dim=dim)
    zero = torch.zeros_like(phase.narrow(dim, 0, 1))
    return phase + torch.cat([zero, correction], dim=dim)


def instantaneous_frequency(phase: torch.Tensor, dim: int = -2) -> torch.Tensor:
    """GANSynth's instantaneous frequency: ``(..., frames, bins)`` phase -> same shape in [-1, 1].

    Unwrap the phase along time, take the finite difference between frames and divide by pi.
    The first frame has no predecessor: it keeps its (wrapped) phase divided by pi, so that
    :func:`phase_from_instantaneous_frequency` can undo the transform exactly.
    Used in notebooks ``01_audio_preprocessing`` (exercise 1.3) and ``06_gansynth_progressive``.
    """
    unwrapped = unwrap_phase(phase, dim)
    step = torch.diff(unwrapped, dim=dim)
    return torch.cat([unwrapped.narrow(dim, 0, 1), step], dim=dim) / math.pi


def phase_from_instantaneous_frequency(inst_freq: torch.Tensor, dim: int = -2) -> torch.Tensor:
    """Inverse of :func:`instantaneous_frequency`: a running sum of ``pi * IF`` along time.

    Returns the unwrapped phase; ``exp(1j * phase)`` equals that of the original phase.
    The sum is taken in float64 so that 1000 frames lose no precision.
    """
    return torch.cumsum(inst_freq.double() * math.pi, dim=dim).to(inst_freq.dtype)


# ----------------------------------------------------------------------------- GANSynth


@functools.lru_cache(maxsize=8)
def _mel_pair(n_fft: int, sample_rate: int, drop_bin: str, min_width: float,
              variant: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The mel matrix ``(bins, bins)`` of :class:`IFSpectrogram` and its way back, in float64.

    Memoised: a pure function of its arguments, and worth computing once per process.
    """
    n_bins = n_fft // 2
    k = torch.arange(n_bins + 1, dtype=torch.float64) * sample_rate / n_fft
    freqs = k[1:] if drop_bin == "dc" else k[:-1]
    faithful = variant == "gansynth"
    mel = mel_filterbank(n_bins, freqs, float(freqs[0]), float(freqs[-1]), min_width=min_width,
                         normalize=not faithful)
    if faithful:  # GANSynth's normalised transpose: columns of M^T scaled by 1 / colsum(M M^T)
        colsum = (mel @ mel.T).sum(0)
        return mel, mel.T / torch.where(colsum.abs() > 1e-8, colsum, torch.ones_like(colsum))
    # The pseudo-inverse as the limit of ridge regression, (M^T M + lam I)^-1 M^T: M's nonzero
    # singular values are all above 1e-3 (rank ~730 of 1024 with a clear gap), so lam = 1e-10
    # matches torch.linalg.pinv to 1e-6, through one Cholesky factorisation instead of an SVD.
    gram = mel.T @ mel + 1e-10 * torch.eye(n_bins, dtype=torch.float64)
    return mel, torch.cholesky_solve(mel.T.contiguous(), torch.linalg.cholesky(gram))


def _next_pow2(n: int) -> int:
    return 1 << max(0, (int(n) - 1).bit_length())


@dataclass(frozen=True)
class IFSpecConfig:
    """How GANSynth turns a wave into a two-channel image (Engel et al. 2019, section 3 and code).

    Defaults are the paper's best representation, "IF-Mel" with high frequency resolution:
    4 s at 16 kHz (64000 samples), n_fft 2048 and hop 512 (75 % overlap) -> 128 frames x 1024
    bins. ``IFSpecConfig(n_fft=1024, hop=256)`` is the lower-resolution variant (256 x 512).

    * ``n_frames``: frames in the image; ``None`` takes the next power of two at or above
      ``ceil(length / hop)`` (128 for the paper), so the models can grow in powers of two.
    * ``mel``: warp the frequency axis to the mel scale (``False``: the linear "IF" variant).
    * ``drop_bin``: which of the ``n_fft // 2 + 1`` bins to discard to get a power of two. The
      GANSynth code discards DC (``"dc"``) and keeps Nyquist; ``"nyquist"`` does the opposite.
    * ``pad``: where the zeros that fill ``n_frames`` go. The GANSynth code puts all of them
      before the audio (``"front"``), which its own comment says "causes edge effects in the
      tail": the last samples then sit under only the vanishing end of one window, and the
      inverse divides by nearly zero. ``"center"`` (default, a deviation) splits them so every
      sample is covered by at least two well-weighted windows and the inverse is exact.
    * ``fill_dropped``: how the inverse restores the dropped bin. The GANSynth code fills it with
      zeros (``"zeros"``), which loses that bin's content of every frame. ``"window_zero"``
      (default, a deviation) chooses the value that makes each windowed frame zero at its first
      sample, where the periodic Hann window is exactly zero: for a real spectrogram this gives
      back the discarded bin exactly.
    * ``mel_variant``: the mel matrix and its way back. ``"gansynth"`` is the code's: peak-one
      triangles, and back to linear bins by the transpose with each column scaled by
      ``1 / colsum(M M^T)``. ``"pinv"`` (default, a deviation): rows that sum to one (a mel
      bin is a weighted average, so the mel IF never wraps) and the least-squares
      pseudo-inverse. On harmonic notes the spectral convergence of the round trip is 0 to 0.1
      with ``"pinv"`` and 0.2 to 0.5 with ``"gansynth"``. Neither can be exact: see
      :class:`IFSpectrogram`.
    * ``mel_min_width``: GANSynth's minimum mel-filter width, in bin spacings.
    """

    n_fft: int = 2048
    hop: int = 512
    length: int = 64000
    sample_rate: int = 16000
    n_frames: int | None = None
    mel: bool = True
    drop_bin: str = "dc"
    pad: str = "center"
    fill_dropped: str = "window_zero"
    mel_variant: str = "pinv"
    mel_min_width: float = 1.5
    eps: float = LOG_EPS

    def replace(self, **changes) -> "IFSpecConfig":
        return dataclasses.replace(self, **changes)


class IFSpectrogram:
    """The GANSynth representation: log magnitude and instantaneous frequency, linear or mel.

    ``encode(wave)``: ``(..., length)`` -> ``(..., 2, frames, bins)``, channel 0 the log magnitude,
    channel 1 the instantaneous frequency in [-1, 1]. ``decode(image)`` goes back to
    ``(..., length)``. Used in notebooks ``01_audio_preprocessing`` and
    ``06_gansynth_progressive``::

        rep = IFSpectrogram(IFSpecConfig(length=16384))   # 32 frames x 1024 mel bins
        image = rep.encode(waves)                          # (n, 2, 32, 1024)
        again = rep.decode(image)                          # (n, 16384)

    Linear frequency (``mel=False``): channel 0 is ``log(|X| + eps)``, and ``decode`` is the exact
    inverse (to float precision): magnitude back by ``exp - eps``, phase back by a running sum
    of the IF, the dropped bin restored (see ``fill_dropped``), inverse STFT.

    Mel (``mel=True``, the paper's IF-Mel): as in the GANSynth code, the mel matrix ``M`` is
    applied to the *power* ``|X|^2`` (channel 0 is ``log(M |X|^2 + eps)``) and to the *unwrapped
    phase*, whose time difference is the mel IF. Here ``M``'s rows sum to one, so a mel bin's
    phase is a weighted average of linear phases and its IF stays in [-1, 1] without wrapping
    (the GANSynth matrix has rows that sum to more than one, so its mel IF can wrap).

    The mel warp cannot be inverted exactly by any method: with as many mel bins as linear bins
    (1024), mel bins crowd the low frequencies (about 280 of them fall below 700 Hz, where there
    are only 90 linear bins) and are sparse at the top (about 250 for the 512 linear bins above
    4 kHz), so the 1024 x 1024 matrix has rank about 730. ``decode`` therefore maps mel bins
    back with a pseudo-inverse (``mel_variant``); what the high bins lose is smoothed detail of
    the upper harmonics. ``encode`` of ``decode`` is the identity on everything ``encode`` makes
    (``M pinv(M) M = M``), up to the phase and clipping nonlinearities.
    """

    def __init__(self, config: IFSpecConfig | None = None):
        self.config = cfg = config or IFSpecConfig()
        if cfg.n_fft % 2 or cfg.hop < 1 or cfg.hop > cfg.n_fft:
            raise ValueError(f"need an even n_fft and 1 <= hop <= n_fft; "
                             f"got {cfg.n_fft}, {cfg.hop}")
        for field, allowed in (("drop_bin", ("dc", "nyquist")), ("pad", ("front", "center")),
                               ("fill_dropped", ("zeros", "window_zero")),
                               ("mel_variant", ("pinv", "gansynth"))):
            if getattr(cfg, field) not in allowed:
                raise ValueError(f"IFSpecConfig.{field} must be one of {allowed}; "
                                 f"got {getattr(cfg, field)!r}")
        self.n_frames = cfg.n_frames or _next_pow2(-(-cfg.length // cfg.hop))
        self.n_bins = cfg.n_fft // 2
        covered = (self.n_frames - 1) * cfg.hop + cfg.n_fft
        if covered < cfg.length:
            raise ValueError(f"{self.n_frames} frames of hop {cfg.hop} cover only "
                             f"{covered} samples, fewer than length={cfg.length}; raise n_frames")
        padding = covered - cfg.length
        self.pad_left = padding if cfg.pad == "front" else padding // 2
        self.pad_right = padding - self.pad_left
        self._mel = self._inv = None
        self._device_cache: dict = {}
        if cfg.mel:
            self._mel, self._inv = _mel_pair(cfg.n_fft, cfg.sample_rate, cfg.drop_bin,
                                             cfg.mel_min_width, cfg.mel_variant)

    def __repr__(self) -> str:
        kind = "mel" if self.config.mel else "linear"
        return (f"IFSpectrogram({kind}, length={self.config.length} -> "
                f"(2, {self.n_frames}, {self.n_bins}), n_fft={self.config.n_fft}, "
                f"hop={self.config.hop})")

    @property
    def shape(self) -> tuple[int, int, int]:
        """The image shape ``(2, frames, bins)``."""
        return (2, self.n_frames, self.n_bins)

    def bin_frequencies(self) -> torch.Tensor:
        """Centre frequency in Hz of each kept linear bin ``(bins,)``."""
        k = (torch.arange(self.n_bins + 1, dtype=torch.float64) * self.config.sample_rate
             / self.config.n_fft)
        return k[1:] if self.config.drop_bin == "dc" else k[:-1]

    def _matrices(self, device) -> tuple[torch.Tensor, torch.Tensor]:
        key = str(device)
        if key not in self._device_cache:
            self._device_cache[key] = (self._mel.float().to(device), self._inv.float().to(device))
        return self._device_cache[key]

    # -- complex STFT -------------------------------------------------------------------------

    def to_stft(self, wave: torch.Tensor) -> torch.Tensor:
        """``(..., length)`` -> complex ``(..., frames, bins)`` with the dropped bin removed."""
        cfg = self.config
        if wave.shape[-1] != cfg.length:
            raise ValueError(f"expected waves of {cfg.length} samples on the last axis; got "
                             f"{wave.shape[-1]} (use pad_or_trim, or IFSpecConfig(length=...))")
        spec = stft(wave.float(), cfg.n_fft, cfg.hop, self.pad_left, self.pad_right)
        return spec[..., 1:] if cfg.drop_bin == "dc" else spec[..., :-1]

    def from_stft(self, spec: torch.Tensor) -> torch.Tensor:
        """Complex ``(..., frames, bins)`` -> ``(..., length)``, restoring the dropped bin."""
        cfg = self.config
        zero = torch.zeros_like(spec[..., :1])
        full = torch.cat([zero, spec] if cfg.drop_bin == "dc" else [spec, zero], dim=-1)
        if cfg.fill_dropped == "window_zero":
            # Without the dropped bin, each frame's inverse FFT is off by c * b(n), where b is
            # that bin's basis function (1 for DC, (-1)^n for Nyquist, both 1 at n = 0). The
            # windowed frame must be 0 at n = 0, so c is minus what we got there, times N.
            first = torch.fft.irfft(full, n=cfg.n_fft, dim=-1)[..., :1]
            value = (-first * cfg.n_fft).to(full.dtype)
            index = 0 if cfg.drop_bin == "dc" else full.shape[-1] - 1
            full = full.clone()
            full[..., index:index + 1] = value
        return istft(full, cfg.n_fft, cfg.hop, length=cfg.length, pad_left=self.pad_left)

    # -- the two-channel image ----------------------------------------------------------------

    def encode(self, wave: torch.Tensor) -> torch.Tensor:
        """``(..., length)`` -> ``(..., 2, frames, bins)``: log magnitude and IF."""
        if wave.device.type == "mps":  # Metal has no float64, which the phase sums need
            return self.encode(wave.cpu()).to(wave.device)
        spec = self.to_stft(wave)
        phase = torch.angle(spec)
        eps = self.config.eps
        if not self.config.mel:
            logmag = torch.log(spec.abs() + eps)
            inst = instantaneous_frequency(phase)
        else:
            mel, _ = self._matrices(spec.device)
            logmag = torch.log(spec.abs().square() @ mel.T + eps)
            mel_phase = unwrap_phase(phase.double()) @ mel.double().T
            inst = instantaneous_frequency(mel_phase).float()
        return torch.stack([logmag, inst], dim=-3)

    def decode(self, image: torch.Tensor) -> torch.Tensor:
        """``(..., 2, frames, bins)`` -> ``(..., length)``; exact for ``mel=False``. On Apple's
        ``mps`` it runs on the CPU (the phase sums are float64, which Metal lacks)."""
        if image.device.type == "mps":
            return self.decode(image.cpu()).to(image.device)
        if image.shape[-3:] != self.shape:
            raise ValueError(f"expected images of shape (..., {self.shape[0]}, {self.shape[1]}, "
                             f"{self.shape[2]}); got {tuple(image.shape)}")
        return self.from_stft(self._stft_from_image(image))

    def _stft_from_image(self, image: torch.Tensor, power_floor: float = 0.0) -> torch.Tensor:
        """The complex STFT ``(..., frames, bins)`` that :meth:`decode` inverts; a mel image's
        power is taken as at least ``power_floor`` before its square root."""
        logmag, inst = image[..., 0, :, :].float(), image[..., 1, :, :].float()
        mag = (torch.exp(logmag) - self.config.eps).clamp_min(0.0)
        phase = phase_from_instantaneous_frequency(inst.double())
        if self.config.mel:
            _, inv = self._matrices(image.device)
            mag = (mag @ inv.T).clamp_min(power_floor).sqrt()
            phase = phase @ inv.double().T
        return torch.polar(mag.double(), phase).to(torch.complex64)

