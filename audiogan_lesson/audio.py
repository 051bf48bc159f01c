"""Audio in and out: load, resample, mono, pad/trim/slice, normalise, save (notebook
``01_audio_preprocessing``).

Everything a dataset needs between a file on disk and a fixed-length training example:

* :func:`load_audio` reads a file with soundfile (librosa for what soundfile cannot read),
  averages the channels to mono and resamples with a proper low-pass filter;
* :func:`pad_or_trim` and :func:`slice_audio` turn a recording of any length into examples of
  exactly ``length`` samples (16384 in WaveGAN and SpecGAN);
* :func:`peak_normalize` scales examples to a common peak; :func:`save_audio` writes a file;
* :func:`preemphasis` tilts a waveform toward its high frequencies and :func:`deemphasis`
  undoes it exactly (a course option for WaveGAN in notebook ``05_wgan_gp``).

Waveforms are float32 tensors with time on the last axis: ``(samples,)`` for one mono clip,
``(channels, samples)`` or ``(batch, samples)`` otherwise. Every error names the file and the
problem, so that a dataset can skip a bad file and say why.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torch.nn.functional as F

from .env import import_torchaudio

try:
    import soxr
except ImportError:  # pragma: no cover - soxr comes with librosa
    soxr = None

__all__ = [
    "AudioDecodeError",
    "load_audio",
    "to_mono",
    "resample",
    "pad_or_trim",
    "slice_audio",
    "num_slices",
    "peak_normalize",
    "preemphasis",
    "deemphasis",
    "check_emphasis_coeff",
    "save_audio",
    "AUDIO_EXTENSIONS",
]

#: File name endings treated as audio by the folder datasets.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".aif", ".aiff", ".au", ".opus")


#: Endings of formats that soundfile (libsndfile >= 1.1) decodes itself.
_SOUNDFILE_SUFFIXES = frozenset(
    ".wav .wave .flac .ogg .oga .opus .mp3 .aif .aiff .aifc .au .snd .caf .w64 .rf64 .voc "
    ".sd2 .paf .svx .nist .sph .htk .xi .mat .pvf .wve .avr .ircam .sf".split())


class AudioDecodeError(ValueError):
    """A file could not be turned into usable audio; the message names the file and the problem."""


# ----------------------------------------------------------------------------- loading


def _read_soundfile(path: Path) -> tuple[np.ndarray, int]:
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return data.T, int(rate)  # (channels, samples)


def _read_librosa(path: Path) -> tuple[np.ndarray, int]:
    import librosa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # librosa warns when it falls back to audioread
        data, rate = librosa.load(str(path), sr=None, mono=False, dtype=np.float32)
    if data.ndim == 1:
        data = data[None, :]
    return data, int(rate)


def _decode(path: Path) -> tuple[np.ndarray, int]:
    """Decode ``path`` into ``(channels, samples)`` float32 and its sample rate, or raise."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise AudioDecodeError(f"{path}: is a folder, not an audio file")
    size = path.stat().st_size
    if size == 0:
        raise AudioDecodeError(f"{path}: the file is empty (0 bytes)")
    try:
        return _read_soundfile(path)
    except Exception as sf_error:
        first = f"{type(sf_error).__name__}: {sf_error}".strip()
    if path.suffix.lower() in _SOUNDFILE_SUFFIXES:
        # soundfile reads this format itself, so its refusal is the answer (and librosa, which
        # would only ask soundfile again, costs seconds to import).
        raise AudioDecodeError(
            f"{path}: cannot decode as audio ({size} bytes); the file is corrupt, truncated or "
            f"not really {path.suffix.lower()[1:].upper()}. soundfile said: {first[:200]}")
    try:  # a format soundfile does not know (m4a, aac, wma, ...): librosa/audioread

        return _read_librosa(path)
    except Exception as lr_error:
        second = f"{type(lr_error).__name__}: {lr_error}".strip()
    raise AudioDecodeError(
        f"{path}: cannot decode as audio ({size} bytes); the file is corrupt, truncated or not "
        f"audio. soundfile said: {first[:200]}; librosa said: {second[:200]}"
    )


def load_audio(path: str | os.PathLike, sample_rate: int | None = 16000,
               mono: bool = True) -> torch.Tensor:
    """Read an audio file as float32 samples in [-1, 1] (notebook ``01_audio_preprocessing``).

    Any format soundfile reads (WAV in 8-bit unsigned, 16/24/32-bit and float, FLAC, OGG, MP3,
    AIFF, AU) is decoded by soundfile; other formats go through librosa. Channels are averaged
    to mono when ``mono`` is true; the result is resampled to ``sample_rate`` with a windowed-sinc
    low-pass (``sample_rate=None`` keeps the file's rate). Float files whose peak exceeds 1 are
    scaled down to a peak of 1 rather than clipped.

    Returns ``(samples,)`` when ``mono``, else ``(channels, samples)``.

    Raises :class:`AudioDecodeError` (a ``ValueError``) naming the file when it is empty, not
    audio, truncated, holds no samples, or holds NaN or infinite values.
    """
    path = Path(path)
    data, rate = _decode(path)
    if data.shape[-1] == 0:
        raise AudioDecodeError(f"{path}: 0 samples after decoding; the file is empty or truncated")
    bad = ~np.isfinite(data)
    if bad.any():
        raise AudioDecodeError(
            f"{path}: {int(bad.sum())} of {data.size} samples are NaN or infinite; the file is "
            "corrupt (re-export it, or repair it with np.nan_to_num before saving)")
    # numpy until the end: small torch ops can wait on idle worker threads of a busy machine
    if mono:
        data = data.mean(axis=0) if data.shape[0] > 1 else data[0]
    if sample_rate is not None and rate != sample_rate:
        data = resample(torch.from_numpy(np.ascontiguousarray(data)), rate, sample_rate).numpy()
    peak = float(np.abs(data).max())
    if peak > 1.0:
        data = data / peak
    return torch.from_numpy(np.ascontiguousarray(data, dtype=np.float32))


def to_mono(wave: torch.Tensor) -> torch.Tensor:
    """Average the channels of ``(channels, samples)`` to ``(samples,)``; 1-D input is returned
    as is."""
    if wave.dim() == 1:
        return wave
    if wave.dim() != 2:
        raise ValueError(f"to_mono expects (samples,) or (channels, samples); "
                         f"got {tuple(wave.shape)}")
    return wave.mean(dim=0)


def resample(wave: torch.Tensor, orig_rate: int, new_rate: int) -> torch.Tensor:
    """Resample ``(..., samples)`` from ``orig_rate`` to ``new_rate`` Hz with a proper low-pass.

    Content above the new Nyquist frequency is removed instead of folding back as aliasing
    (about -45 dB just above it), and the passband is flat to about 0.9 of it (7 kHz when
    going to 16 kHz). On the CPU this uses soxr ("very high quality", a librosa dependency and
    fast: a 30 s file in about 10 ms); on other devices, or where soxr is missing,
    ``torchaudio.functional``'s Kaiser-windowed sinc (64 zero crossings, cutoff 0.97 of the
    lower Nyquist frequency), with its filter kept between calls.
    """
    orig_rate, new_rate = int(orig_rate), int(new_rate)
    if orig_rate <= 0 or new_rate <= 0:
        raise ValueError(f"sample rates must be positive; got {orig_rate} -> {new_rate}")
    if orig_rate == new_rate:
        return wave
    if wave.device.type == "cpu" and not wave.requires_grad and soxr is not None:
        lead = tuple(wave.shape[:-1])
        flat = wave.reshape(-1, wave.shape[-1]).float().numpy()
        out = soxr.resample(np.ascontiguousarray(flat.T), orig_rate, new_rate, quality="VHQ")
        out = torch.from_numpy(np.ascontiguousarray(out.T))
        return out.reshape(lead + (out.shape[-1],))
    return _resample_torch(wave, orig_rate, new_rate)


def _resample_torch(wave: torch.Tensor, orig_rate: int, new_rate: int) -> torch.Tensor:
    g = math.gcd(orig_rate, new_rate)
    module = _torch_resampler(orig_rate // g, new_rate // g).to(wave.device)
    return module(wave.float())


@functools.lru_cache(maxsize=16)
def _torch_resampler(orig: int, new: int) -> torch.nn.Module:
    """A torchaudio Resample module for one pair of rates; building its filter is the slow part."""
    resample = import_torchaudio().transforms.Resample
    return resample(orig, new, lowpass_filter_width=64, rolloff=0.97,
                    resampling_method="sinc_interp_kaiser", beta=14.769656459379492)


# ----------------------------------------------------------------------------- fixed length


def pad_or_trim(wave: torch.Tensor, length: int = 16384) -> torch.Tensor:
    """Make the last axis exactly ``length`` samples: zeros appended at the end, or the end cut off.

    ``(..., samples)`` -> ``(..., length)``. The start of the clip always stays where it is
    (an onset at sample 0 stays at sample 0), as in the WaveGAN data loader.
    """
    if length < 1:
        raise ValueError(f"length must be at least 1; got {length}")
    n = wave.shape[-1]
    if n >= length:
        return wave[..., :length]
    return F.pad(wave, (0, length - n))


def num_slices(n_samples: int, length: int = 16384, hop: int | None = None,
               pad_end: bool = True) -> int:
    """How many examples :func:`slice_audio` cuts from ``n_samples`` samples."""
    hop = length if hop is None else int(hop)
    if n_samples <= 0:
        return 0
    if n_samples <= length:
        return 1 if (pad_end or n_samples == length) else 0
    full = (n_samples - length) // hop + 1
    covered = (full - 1) * hop + length
    return full + (1 if pad_end and covered < n_samples else 0)


def slice_audio(wave: torch.Tensor, length: int = 16384, hop: int | None = None,
                pad_end: bool = True) -> torch.Tensor:
    """Cut one recording ``(samples,)`` into examples ``(n, length)`` starting every ``hop``
    samples.

    ``hop`` defaults to ``length`` (back-to-back examples); a smaller hop makes overlapping ones,
    so a long file gives many examples. With ``pad_end`` (the default) the tail that does not
    fill a whole example becomes one more example, padded with zeros at its end, and a clip
    shorter than ``length`` gives one padded example; without it the tail is dropped and a short
    clip gives ``(0, length)``. No example is ever all padding.
    """
    if wave.dim() != 1:
        raise ValueError(f"slice_audio expects one mono clip (samples,); got {tuple(wave.shape)}; "
                         "use to_mono first")
    hop = length if hop is None else int(hop)
    if length < 1 or hop < 1:
        raise ValueError(f"length and hop must be at least 1; got length={length}, hop={hop}")
    n = num_slices(wave.shape[0], length, hop, pad_end)
    if n == 0:
        return wave.new_zeros((0, length))
    needed = (n - 1) * hop + length
    padded = F.pad(wave, (0, max(0, needed - wave.shape[0])))[:needed]
    return padded.unfold(0, length, hop).contiguous()


# ----------------------------------------------------------------------------- level and saving


def peak_normalize(wave: torch.Tensor, peak: float = 1.0, eps: float = 1e-8) -> torch.Tensor:
    """Scale each example of ``(..., samples)`` so that its largest absolute sample is ``peak``.

    Silent examples (peak below ``eps``) are returned unchanged instead of blowing up to NaN.
    """
    current = wave.abs().amax(dim=-1, keepdim=True)
    scale = torch.where(current > eps, peak / current.clamp_min(eps), torch.ones_like(current))
    return wave * scale


def standardize(wave: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Each example of ``(..., samples)`` shifted to mean 0 and scaled to standard deviation 1.

    The per-clip standardisation of the GTZAN classical GAN (a data option of
    :func:`audiogan_lesson.experiments.load_audio_set`). Silent examples (standard deviation
    below ``eps``) come back as zeros instead of NaN. The result is not bounded by 1: a tanh
    generator cannot reach the few samples beyond +-1 (about a third of a percent of a
    Gaussian's).
    """
    centred = wave - wave.mean(dim=-1, keepdim=True)
    std = centred.std(dim=-1, keepdim=True, unbiased=False)
    return torch.where(std > eps, centred / std.clamp_min(eps), torch.zeros_like(centred))


def check_emphasis_coeff(coeff: float) -> float:
    """``coeff`` as a float when it is a valid pre-emphasis coefficient (in [0, 1)), else a
    ValueError that says so."""
    if not 0.0 <= coeff < 1.0:
        raise ValueError(f"pre-emphasis coefficient {coeff}; use a value in [0, 1) (0 = off, 0.9 "
                         "is common)")
    return float(coeff)


def preemphasis(wave: torch.Tensor, coeff: float) -> torch.Tensor:
    """First-order pre-emphasis ``y[n] = (x[n] - coeff * x[n-1]) / (1 + coeff)`` along the last
    axis.

    ``x[-1]`` is taken as 0. Dividing by ``1 + coeff`` keeps a wave in [-1, 1] inside [-1, 1],
    the range of a tanh output. The filter lowers low frequencies relative to high ones (with
    ``coeff = 0.9`` by 26 dB at 0 Hz against the Nyquist frequency), so that a model comparing
    waves sample by sample weighs a faint high-frequency hiss about as much as a kick's body.
    ``coeff = 0`` returns ``wave`` unchanged. :func:`deemphasis` inverts it exactly. Notebook 05.
    """
    if check_emphasis_coeff(coeff) == 0.0:
        return wave
    previous = F.pad(wave[..., :-1], (1, 0))
    return (wave - coeff * previous) / (1.0 + coeff)


def deemphasis(wave: torch.Tensor, coeff: float) -> torch.Tensor:
    """The inverse of :func:`preemphasis`: ``x[n] = (1 + coeff) * y[n] + coeff * x[n-1]``.

    A one-pole low-pass (``torchaudio.functional.lfilter``) along the last axis, on any device.
    Its gain at 0 Hz is ``(1 + coeff) / (1 - coeff)`` (19 for 0.9), so a constant offset in a
    generated pre-emphasised wave becomes a large one here. ``coeff = 0`` returns ``wave``.
    """
    if check_emphasis_coeff(coeff) == 0.0:
        return wave
    x = wave.float() * (1.0 + coeff)
    a = torch.tensor([1.0, -coeff], dtype=x.dtype, device=x.device)
    b = torch.tensor([1.0, 0.0], dtype=x.dtype, device=x.device)
    return import_torchaudio().functional.lfilter(x, a, b, clamp=False)


def save_audio(path: str | os.PathLike, wave: torch.Tensor | np.ndarray, sample_rate: int = 16000,
               subtype: str = "PCM_16") -> Path:
    """Write ``(samples,)`` or ``(channels, samples)`` to ``path`` (format from its ending).

    Samples are clipped to [-1, 1]; the parent folder is created. Returns the path. A write that
    fails (a read-only folder, a full disk) leaves no partial file and is an ``OSError`` naming
    ``path``.
    """
    path = Path(path)
    data = (wave.detach().float().cpu().numpy() if isinstance(wave, torch.Tensor)
            else np.asarray(wave, np.float32))
    if data.ndim not in (1, 2):
        raise ValueError(f"save_audio expects (samples,) or (channels, samples); got {data.shape}")
    if not np.isfinite(data).all():
        raise ValueError(f"{path}: refusing to write NaN or infinite samples")
    data = np.clip(data, -1.0, 1.0)
    if data.ndim == 2:
        data = data.T  # soundfile wants (samples, channels)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        sf.write(str(path), data, int(sample_rate), subtype=subtype)
    except sf.SoundFileRuntimeError as exc:  # libsndfile says only "System error."
        path.unlink(missing_ok=True)
        raise OSError(f"{path}: could not be written ({exc}); the folder may be read-only or the "
                      "disk full: choose another folder or free some space") from None
    return path
