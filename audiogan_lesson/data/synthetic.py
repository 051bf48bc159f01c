"""Synthetic, seeded datasets that sound like something (notebook ``01_audio_preprocessing``
and later).

* :func:`toy_drums`: one-shot drum hits (kick, snare, hi-hat, clap, tom) with random tuning,
  decay and level, in the spirit of the WaveGAN drums set.
* :func:`toy_notes`: pitched notes of five instrument families over a MIDI range, labelled with
  pitch and family, in the spirit of NSynth (GANSynth's data).

Both are vectorised over examples (Python loops run only over the five classes, harmonics or
bursts, never over examples), deterministic for a given ``seed``, and make a thousand examples
in well under a few seconds on a laptop CPU. Every example starts at (or within 5 ms of) sample 0,
as one-shot datasets do, and ends with a short fade so that no example ends in a click.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import torch

__all__ = ["toy_drums", "toy_notes", "DRUM_CLASSES", "NOTE_FAMILIES", "ToyDrums", "ToyNotes",
           "midi_to_hz"]

DRUM_CLASSES = ("kick", "snare", "hihat", "clap", "tom")
NOTE_FAMILIES = ("organ", "flute", "reed", "guitar", "mallet")


class ToyDrums(NamedTuple):
    """``waves`` ``(n, length)`` float32, ``labels`` ``(n,)`` int64 indices into ``classes``."""

    waves: torch.Tensor
    labels: torch.Tensor
    classes: list[str]


class ToyNotes(NamedTuple):
    """``waves`` ``(n, length)``, ``pitches`` ``(n,)`` MIDI numbers, ``families`` ``(n,)``
    indices into ``family_names``."""

    waves: torch.Tensor
    pitches: torch.Tensor
    families: torch.Tensor
    family_names: list[str]


def midi_to_hz(pitch) -> torch.Tensor:
    """Frequency in Hz of MIDI pitch numbers (69 = A4 = 440 Hz)."""
    return 440.0 * 2.0 ** ((torch.as_tensor(pitch, dtype=torch.float64) - 69.0) / 12.0)


# ----------------------------------------------------------------------------- helpers


def _uniform(gen: torch.Generator, m: int, low: float, high: float) -> torch.Tensor:
    """``(m, 1)`` uniform values in [low, high)."""
    return low + (high - low) * torch.rand(m, 1, generator=gen)


def _log_uniform(gen: torch.Generator, m: int, low: float, high: float) -> torch.Tensor:
    return torch.exp(_uniform(gen, m, math.log(low), math.log(high)))


def _balanced_labels(n: int, k: int, gen: torch.Generator) -> torch.Tensor:
    """``n`` labels in ``range(k)``, as equal in number as possible, in random order."""
    return (torch.arange(n) % k)[torch.randperm(n, generator=gen)]


def _band_noise(gen: torch.Generator, m: int, length: int, sample_rate: int,
                low: torch.Tensor | None, high: torch.Tensor | None,
                order: int = 2) -> torch.Tensor:
    """White noise ``(m, length)`` through a per-example Butterworth-shaped band (FFT domain).

    ``low``/``high`` are ``(m, 1)`` cutoffs in Hz (``None`` for no high-pass / low-pass).
    The result has unit RMS per example.
    """
    noise = torch.randn(m, length, generator=gen)
    spec = torch.fft.rfft(noise, dim=-1)
    f = torch.fft.rfftfreq(length, 1.0 / sample_rate).clamp_min(1e-3)[None, :]
    gain = torch.ones_like(f)
    if low is not None:
        gain = gain / torch.sqrt(1.0 + (low / f) ** (2 * order))
    if high is not None:
        gain = gain / torch.sqrt(1.0 + (f / high) ** (2 * order))
    out = torch.fft.irfft(spec * gain, n=length, dim=-1)
    return out / out.square().mean(-1, keepdim=True).sqrt().clamp_min(1e-8)


def _sweep_phase(f: torch.Tensor, sample_rate: int) -> torch.Tensor:
    """Phase in radians of an oscillator whose frequency is ``f`` ``(m, length)`` Hz."""
    return 2 * math.pi * torch.cumsum(f.double(), dim=-1).float() / sample_rate


def _finish(waves: torch.Tensor, level: torch.Tensor, sample_rate: int) -> torch.Tensor:
    """Peak-normalise each example to ``level`` and fade out its last 20 ms."""
    length = waves.shape[-1]
    fade = min(length // 4, int(0.02 * sample_rate))
    if fade > 1:
        ramp = 0.5 * (1 + torch.cos(torch.linspace(0, math.pi, fade)))
        waves = waves.clone()
        waves[:, -fade:] *= ramp
    peak = waves.abs().amax(-1, keepdim=True).clamp_min(1e-8)
    return (waves / peak * level).float().contiguous()


# ----------------------------------------------------------------------------- drums


def _kick(gen, m, t, sr):
    end = _uniform(gen, m, 42.0, 70.0)  # tuning: where the pitch settles
    start = end * _uniform(gen, m, 3.0, 6.0)
    sweep = _uniform(gen, m, 0.012, 0.04)
    decay = _uniform(gen, m, 0.1, 0.35)
    freq = end + (start - end) * torch.exp(-t / sweep)
    body = torch.sin(_sweep_phase(freq, sr)) * torch.exp(-t / decay)
    click = (_band_noise(gen, m, t.shape[-1], sr, torch.full((m, 1), 1500.0), None)
             * torch.exp(-t / 0.003))
    drive = _uniform(gen, m, 1.0, 3.0)
    return torch.tanh(drive * (body + 0.15 * click)) / torch.tanh(drive)


def _snare(gen, m, t, sr):
    f1 = _uniform(gen, m, 160.0, 250.0)
    body_decay = _uniform(gen, m, 0.04, 0.12)
    body = (torch.sin(2 * math.pi * f1 * t) + 0.5 * torch.sin(2 * math.pi * 1.59 * f1 * t))
    body = body * torch.exp(-t / body_decay)
    low = _uniform(gen, m, 700.0, 2000.0)
    high = torch.full((m, 1), 0.45 * sr)
    noise = (_band_noise(gen, m, t.shape[-1], sr, low, high)
             * torch.exp(-t / _uniform(gen, m, 0.08, 0.22)))
    return body * _uniform(gen, m, 0.4, 0.9) + 0.35 * noise


def _hihat(gen, m, t, sr):
    tuning = _uniform(gen, m, 0.9, 1.3)
    metal = torch.zeros_like(t.expand(m, -1))
    # the six square oscillators of a TR-808
    for base in (205.3, 304.4, 369.6, 522.7, 540.0, 800.0):
        metal = metal + torch.sign(torch.sin(2 * math.pi * base * tuning * t))
    spec = torch.fft.rfft(metal / 6 + _band_noise(gen, m, t.shape[-1], sr, None, None), dim=-1)
    f = torch.fft.rfftfreq(t.shape[-1], 1.0 / sr).clamp_min(1e-3)[None, :]
    cutoff = _uniform(gen, m, 0.3, 0.4) * sr  # 5-6.5 kHz at 16 kHz
    hiss = torch.fft.irfft(spec / torch.sqrt(1 + (cutoff / f) ** 8), n=t.shape[-1], dim=-1)
    is_open = torch.rand(m, 1, generator=gen) < 0.3
    decay = torch.where(is_open, _uniform(gen, m, 0.15, 0.4), _uniform(gen, m, 0.02, 0.07))
    return hiss * torch.exp(-t / decay)


def _clap(gen, m, t, sr):
    low = _uniform(gen, m, 700.0, 1200.0)
    noise = _band_noise(gen, m, t.shape[-1], sr, low, low * _uniform(gen, m, 2.0, 3.5))
    gap = _uniform(gen, m, 0.007, 0.013)
    envelope = torch.zeros_like(noise)
    for burst in range(3):  # three hands slightly apart, then the room
        start = burst * gap
        local = (t - start).clamp_min(0)
        envelope = envelope + (t >= start) * torch.exp(-local / 0.004) * (0.8 + 0.1 * burst)
    tail_start = 3 * gap
    tail = ((t >= tail_start)
            * torch.exp(-(t - tail_start).clamp_min(0) / _uniform(gen, m, 0.06, 0.2)))
    return noise * (envelope + tail)


def _tom(gen, m, t, sr):
    end = _log_uniform(gen, m, 80.0, 260.0)
    start = end * _uniform(gen, m, 1.3, 1.8)
    freq = end + (start - end) * torch.exp(-t / _uniform(gen, m, 0.03, 0.1))
    decay = _uniform(gen, m, 0.12, 0.4)
    phase = _sweep_phase(freq, sr)
    tone = (torch.sin(phase) + 0.25 * torch.sin(1.5 * phase)) * torch.exp(-t / decay)
    hit = _band_noise(gen, m, t.shape[-1], sr, None, 3.0 * end) * torch.exp(-t / 0.012)
    return tone + 0.25 * hit


_DRUM_SYNTHS = {"kick": _kick, "snare": _snare, "hihat": _hihat, "clap": _clap, "tom": _tom}


def toy_drums(n: int, seed: int = 0, sample_rate: int = 16000, length: int = 16384) -> ToyDrums:
    """``n`` one-shot drum hits: ``(waves (n, length) float32, labels (n,) int64, classes)``.

    Five classes in equal numbers and random order: a kick (sine with a fast downward pitch
    sweep, a click and some saturation), a snare (two membrane modes plus band-passed noise),
    a hi-hat (six detuned square waves and noise, high-passed; closed or open), a clap (three
    quick noise bursts and a short tail) and a tom (swept sine with a second mode). Each hit
    draws its own tuning, decay and level (peak between 0.3 and 0.95). Seeded by ``seed``;
    vectorised over examples. Notebook ``01_audio_preprocessing`` and every training notebook.
    """
    if n < 0 or length < 1:
        raise ValueError(f"need n >= 0 and length >= 1; got n={n}, length={length}")
    gen = torch.Generator().manual_seed(int(seed))
    labels = _balanced_labels(n, len(DRUM_CLASSES), gen)
    waves = torch.zeros(n, length)
    t_full = torch.arange(length, dtype=torch.float32)[None, :] / sample_rate
    for index, name in enumerate(DRUM_CLASSES):
        rows = torch.nonzero(labels == index).flatten()
        m = rows.numel()
        if m == 0:
            continue
        onset = _uniform(gen, m, 0.0, 0.005)  # a few ms of silence before some hits
        t = (t_full - onset).clamp_min(0.0)
        hit = _DRUM_SYNTHS[name](gen, m, t, sample_rate) * (t_full >= onset)
        waves[rows] = _finish(hit, _uniform(gen, m, 0.3, 0.95), sample_rate)
    return ToyDrums(waves, labels.long(), list(DRUM_CLASSES))


# ----------------------------------------------------------------------------- notes

_TABLE = 4096  # samples in one period of a wavetable


def _wavetable(amplitudes: torch.Tensor) -> torch.Tensor:
    """One period ``(m, _TABLE)`` of ``sum_k a_k sin(2 pi k x)`` from ``amplitudes`` ``(m, K)``
    (k = 1..K)."""
    m, k = amplitudes.shape
    spec = torch.zeros(m, _TABLE // 2 + 1, dtype=torch.complex64)
    spec[:, 1:k + 1] = -1j * amplitudes.to(torch.complex64) * (_TABLE / 2)
    table = torch.fft.irfft(spec, n=_TABLE, dim=-1)
    return table / table.abs().amax(-1, keepdim=True).clamp_min(1e-8)


def _lookup(table: torch.Tensor, cycles: torch.Tensor) -> torch.Tensor:
    """Read ``table`` ``(m, _TABLE)`` at phase ``cycles`` ``(m, length)`` in [0, 1) periods,
    linearly interpolated."""
    # cycles are wrapped in float64 first, so float32 is plenty here
    pos = (cycles * _TABLE).float()
    i0 = pos.long().clamp_(0, _TABLE - 1)
    frac = pos.sub_(i0)
    wrapped = torch.cat([table, table[:, :1]], dim=1)  # one extra sample: i0 + 1 never wraps
    a = torch.gather(wrapped, 1, i0)
    b = torch.gather(wrapped, 1, i0.add_(1))
    return b.sub_(a).mul_(frac).add_(a)


def _harmonics(f0: torch.Tensor, sr: int, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Harmonic numbers ``(1, count)`` and a mask ``(m, count)`` of those below 0.45 * sr."""
    k = torch.arange(1, count + 1, dtype=torch.float32)[None, :]
    return k, (k * f0 < 0.45 * sr).float()


def _adsr(t, attack, decay, sustain, release, note_off):
    """Attack-decay-sustain-release envelope; all parameters ``(m, 1)`` in seconds (sustain a
    level)."""
    env = torch.exp((attack - t).clamp(max=0.0) / decay).mul_(1 - sustain).add_(sustain)
    env = torch.minimum(env, t / attack)  # the linear rise stays below the decay curve
    return env.mul_(torch.exp((note_off - t).clamp(max=0.0) / release))


def _cycles(f0: torch.Tensor, t: torch.Tensor, sr: int, vibrato_depth=None, vibrato_rate=None):
    """Phase in periods ``(m, length)`` of an oscillator at ``f0`` ``(m, 1)`` with optional
    vibrato."""
    if vibrato_depth is None:
        return (f0.double() * t.double()) % 1.0
    freq = f0 * (1 + vibrato_depth * torch.sin(2 * math.pi * vibrato_rate * t))
    return torch.cumsum(freq.double(), dim=-1) / sr % 1.0


def _organ(gen, m, f0, t, sr, note_off):
    k, mask = _harmonics(f0, sr, 400)
    rolloff = _uniform(gen, m, 0.9, 1.4)
    amps = mask / k**rolloff * (1 + 0.5 * (k % 2 == 0))  # a little stronger even (octave) partials
    tone = _lookup(_wavetable(amps), _cycles(f0, t, sr))
    env = _adsr(t, _uniform(gen, m, 0.005, 0.02), 0.1, 1.0, _uniform(gen, m, 0.04, 0.12), note_off)
    return tone * env


def _flute(gen, m, f0, t, sr, note_off):
    _, mask = _harmonics(f0, sr, 4)
    amps = torch.cat([torch.ones(m, 1), _uniform(gen, m, 0.1, 0.4), _uniform(gen, m, 0.02, 0.15),
                      _uniform(gen, m, 0.0, 0.05)], dim=1) * mask
    cycles = _cycles(f0, t, sr, _uniform(gen, m, 0.002, 0.006), _uniform(gen, m, 4.5, 6.0))
    tone = _lookup(_wavetable(amps), cycles)
    breath = _band_noise(gen, m, t.shape[-1], sr, 2 * f0, (8 * f0).clamp(max=0.4 * sr))
    env = _adsr(t, _uniform(gen, m, 0.04, 0.12), 0.2, 0.85, _uniform(gen, m, 0.06, 0.15), note_off)
    return (tone + 0.015 * breath) * env


def _reed(gen, m, f0, t, sr, note_off):
    k, mask = _harmonics(f0, sr, 400)
    rolloff = _uniform(gen, m, 0.9, 1.3)
    odd = (k % 2 == 1).float()
    amps = mask * (odd + 0.12 * (1 - odd)) / k**rolloff  # clarinet-like: odd harmonics strong
    tone = _lookup(_wavetable(amps), _cycles(f0, t, sr, _uniform(gen, m, 0.0, 0.002), 5.0))
    env = _adsr(t, _uniform(gen, m, 0.02, 0.06), 0.15, 0.8, _uniform(gen, m, 0.05, 0.1), note_off)
    return tone * env


def _guitar(gen, m, f0, t, sr, note_off):
    k, mask = _harmonics(f0, sr, 400)
    pluck = _uniform(gen, m, 0.1, 0.3)  # where along the string it is plucked
    shape = (torch.sin(math.pi * k * pluck).abs() + 0.02) / k**1.5 * mask
    bright = _wavetable(shape * torch.exp(-k / 40.0))
    dull = _wavetable(shape * (k <= 6).float())
    decay = _uniform(gen, m, 0.5, 1.2) * (261.6 / f0).clamp(0.25, 4.0) ** 0.3
    cycles = _cycles(f0, t, sr)
    tone = (_lookup(bright, cycles) * torch.exp(-t / (0.15 * decay))
            + _lookup(dull, cycles) * torch.exp(-t / decay))
    attack = (t / 0.002).clamp(max=1.0)
    damp = torch.exp(-(t - note_off).clamp_min(0) / 0.06)
    return tone * attack * damp


def _mallet(gen, m, f0, t, sr, note_off):
    # FM with modulator = carrier: harmonic partials, bright at the strike, then a pure tone.
    index0 = torch.minimum(_uniform(gen, m, 1.0, 4.0), (0.45 * sr / f0 - 2).clamp_min(0.0))
    decay = _uniform(gen, m, 0.3, 0.9) * (261.6 / f0).clamp(0.25, 4.0) ** 0.3
    index = index0 * torch.exp(-t / (0.25 * decay))
    cycles = _cycles(f0, t, sr)
    carrier = 2 * math.pi * cycles.float()
    tone = torch.sin(carrier + index * torch.sin(carrier))
    overtone = (4 * f0 < 0.45 * sr) * torch.sin(4 * carrier) * torch.exp(-t / (0.1 * decay))
    attack = (t / 0.001).clamp(max=1.0)
    damp = torch.exp(-(t - note_off).clamp_min(0) / 0.1)
    return (tone * torch.exp(-t / decay) + 0.3 * overtone) * attack * damp


_NOTE_SYNTHS = {"organ": _organ, "flute": _flute, "reed": _reed, "guitar": _guitar,
                "mallet": _mallet}


def toy_notes(n: int, seed: int = 0, sample_rate: int = 16000, length: int = 16384,
              pitches: Sequence[int] = range(24, 85),
              families: Sequence[str] = NOTE_FAMILIES) -> ToyNotes:
    """``n`` pitched notes: ``(waves (n, length), pitches (n,) MIDI, families (n,), family_names)``.

    Each note has a pitch drawn uniformly from ``pitches`` (MIDI numbers, default 24-84 as in
    GANSynth's NSynth subset) and a family, in equal numbers, from ``families``:

    * ``organ``: additive harmonics with a gentle 1/k roll-off, held at full level;
    * ``flute``: a few soft harmonics, vibrato, breath noise and a slow attack;
    * ``reed``: odd harmonics strong, even ones weak (clarinet-like);
    * ``guitar``: a plucked string, bright at first, upper harmonics dying faster;
    * ``mallet``: FM with a decaying index and a fast-decaying fourth harmonic.

    Held notes are released at three quarters of the clip (NSynth: 3 s of 4 s). Harmonics above
    0.45 of the sample rate are left out, so nothing aliases. Default ``length`` 16384 (1.024 s at
    16 kHz, the WaveGAN/SpecGAN example); GANSynth's notes are 4 s, ``length=64000``.
    Seeded by ``seed``; vectorised over examples. Notebooks ``01`` and ``06``.
    """
    if n < 0 or length < 1:
        raise ValueError(f"need n >= 0 and length >= 1; got n={n}, length={length}")
    pitch_list = torch.as_tensor(list(pitches), dtype=torch.long)
    if pitch_list.numel() == 0:
        raise ValueError("pitches is empty")
    top = float(midi_to_hz(pitch_list.max()))
    if top >= 0.45 * sample_rate:
        raise ValueError(f"MIDI pitch {int(pitch_list.max())} ({top:.0f} Hz) is too high for "
                         f"sample_rate={sample_rate}; "
                         f"use pitches below {0.45 * sample_rate:.0f} Hz")
    names = list(families)
    unknown = [f for f in names if f not in _NOTE_SYNTHS]
    if unknown or not names:
        raise ValueError(f"unknown families {unknown}; choose from {', '.join(NOTE_FAMILIES)}")
    gen = torch.Generator().manual_seed(int(seed))
    family = _balanced_labels(n, len(names), gen)
    pitch = pitch_list[torch.randint(pitch_list.numel(), (n,), generator=gen)]
    waves = torch.zeros(n, length)
    t = torch.arange(length, dtype=torch.float32)[None, :] / sample_rate
    note_off = 0.75 * length / sample_rate
    for index, name in enumerate(names):
        rows = torch.nonzero(family == index).flatten()
        m = rows.numel()
        if m == 0:
            continue
        f0 = midi_to_hz(pitch[rows]).float()[:, None]
        note = _NOTE_SYNTHS[name](gen, m, f0, t, sample_rate, note_off)
        waves[rows] = _finish(note, _uniform(gen, m, 0.3, 0.9), sample_rate)
    return ToyNotes(waves, pitch.long(), family.long(), names)
