"""Pitch metrics of GANSynth: pYIN pitch tracks, pitch accuracy and pitch entropy, and timbre
kept across pitch.

Notebooks ``06_gansynth_progressive`` and ``07_evaluation``. GANSynth measures a pitch-
conditioned generator by whether its notes have the pitch asked for (:func:`pitch_accuracy`,
per pitch :func:`pitch_accuracy_by_pitch`) and how clear that pitch is (:func:`pitch_entropy`);
the course estimates pitch with pYIN (:func:`pitch_track`, :func:`estimate_pitch`), which needs
no training. Whether a latent keeps its instrument when only the pitch changes is
:func:`timbre_consistency`: the spread of the pitch-aligned spectral envelope
(:func:`harmonic_profile`) within each latent, against its spread over all notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .metrics import _as_waves, entropy

__all__ = ["UNVOICED", "PitchTrack", "pitch_track", "estimate_pitch", "pitch_accuracy",
           "pitch_accuracy_by_pitch", "pitch_distributions", "pitch_entropy", "harmonic_profile",
           "timbre_spread", "timbre_consistency", "pitch_sweep", "sweep_scores"]


UNVOICED = -1
"""The MIDI number :func:`estimate_pitch` gives a clip in which no pitch was found."""


@dataclass(frozen=True)
class PitchTrack:
    """Frame-level pitch of ``N`` clips, from :func:`pitch_track` (pYIN).

    ``frames`` ``(N, T)``: the frame's pitch as a (fractional) MIDI number, NaN where the
    frame is unvoiced; ``voiced_prob`` ``(N, T)``: pYIN's probability that the frame is voiced;
    ``midi`` ``(N,)`` int64: each clip's pitch, the median of its voiced frames rounded to the
    nearest MIDI number, or :data:`UNVOICED` (-1) when fewer than ``min_voiced`` of its frames are
    voiced (noise, silence, a click); ``pitch_range``: the ``(low, high)`` MIDI numbers searched.
    """

    frames: np.ndarray
    voiced_prob: np.ndarray
    midi: np.ndarray
    pitch_range: tuple[int, int]

    @property
    def n_unvoiced(self) -> int:
        """How many clips had no pitch (``midi == UNVOICED``)."""
        return int((self.midi == UNVOICED).sum())


PYIN_MAX_TRANSITION_RATE = 35.92  # octaves per second; librosa's default, named so the range
#                                 check in pitch_track and the pyin call use the same value


def pitch_track(waves, sample_rate: int, fmin_midi: int = 24, fmax_midi: int = 84,
                frame_length: int = 2048, hop_length: int = 512, resolution: float = 0.25,
                min_voiced: float = 0.25, batch_size: int = 64) -> PitchTrack:
    """Track the pitch of waves ``(N, L)`` or ``(N, 1, L)`` with pYIN (``librosa.pyin``).

    The search covers MIDI ``fmin_midi``-``fmax_midi`` (24-84, the NSynth range GANSynth trains
    on) with one semitone of margin on each side. ``resolution`` is pYIN's pitch grid in
    semitones (librosa's default 0.1 is about 30 times slower and changes no rounded MIDI
    number); ``frame_length`` 2048 holds several periods of the lowest note at 16 kHz.
    Notebooks ``06_gansynth_progressive`` and ``07_evaluation``. The first call in a process
    costs about 12 s while numba compiles librosa's code; afterwards about 10 ms per clip.
    """
    import librosa

    x = _as_waves(waves).numpy().astype(np.float64)
    if not np.isfinite(x).all():
        raise ValueError("the waves contain NaN or inf; pitch cannot be estimated from them")
    if not fmin_midi < fmax_midi:
        raise ValueError(f"fmin_midi={fmin_midi} must be below fmax_midi={fmax_midi}")
    fmin = float(librosa.midi_to_hz(fmin_midi - 1))
    fmax = float(librosa.midi_to_hz(fmax_midi + 1))
    if fmax >= sample_rate / 2:
        raise ValueError(f"fmax_midi={fmax_midi} ({fmax:.0f} Hz with margin) is above the Nyquist "
                         f"frequency of sample_rate={sample_rate}; lower fmax_midi")
    # pYIN's pitch grid must be at least as wide as its transition window (librosa's own rule;
    # it otherwise fails deep inside with "Target size must be at least input size")
    per_semitone = int(np.ceil(1.0 / resolution))
    grid = int(np.floor(12 * per_semitone * np.log2(fmax / fmin))) + 1
    window = round(PYIN_MAX_TRANSITION_RATE * 12 * hop_length / sample_rate) * per_semitone + 1
    if grid < window:
        raise ValueError(f"pitch range MIDI {fmin_midi}-{fmax_midi} is too narrow for pYIN at "
                         f"hop_length={hop_length} and sample_rate={sample_rate} ({grid} grid "
                         f"points, its transition window needs {window}); widen the range (the "
                         "default 24-84 always works) or use a smaller hop_length")
    if x.shape[1] < frame_length:  # pYIN needs one whole frame
        x = np.pad(x, ((0, 0), (0, frame_length - x.shape[1])))
    frames, probs = [], []
    for i in range(0, len(x), batch_size):
        f0, _, vp = librosa.pyin(x[i:i + batch_size], fmin=fmin, fmax=fmax, sr=sample_rate,
                                 frame_length=frame_length, hop_length=hop_length,
                                 resolution=resolution, center=True,
                                 max_transition_rate=PYIN_MAX_TRANSITION_RATE)
        frames.append(np.atleast_2d(f0))
        probs.append(np.atleast_2d(vp))
    if not frames:
        raise ValueError("no waves given")
    f0 = np.concatenate(frames)
    with np.errstate(divide="ignore", invalid="ignore"):
        midi_frames = librosa.hz_to_midi(f0)  # NaN stays NaN
    voiced = np.isfinite(midi_frames)
    midi = np.full(len(x), UNVOICED, dtype=np.int64)
    enough = voiced.mean(axis=1) >= min_voiced
    if enough.any():
        med = np.nanmedian(np.where(voiced, midi_frames, np.nan)[enough], axis=1)
        midi[enough] = np.round(med).astype(np.int64)
    return PitchTrack(midi_frames, np.concatenate(probs), midi, (int(fmin_midi), int(fmax_midi)))


def estimate_pitch(waves, sample_rate: int, fmin_midi: int = 24, fmax_midi: int = 84,
                   **kwargs) -> np.ndarray:
    """Each clip's pitch as a MIDI number: ``(N,)`` int64, :data:`UNVOICED` (-1) where none.

    The median pYIN pitch of the clip's voiced frames, rounded (see :func:`pitch_track` for the
    options). Notebooks ``06_gansynth_progressive`` and ``07_evaluation``.
    """
    return pitch_track(waves, sample_rate, fmin_midi, fmax_midi, **kwargs).midi


def _track(waves_or_track, sample_rate, kwargs) -> PitchTrack:
    if isinstance(waves_or_track, PitchTrack):
        return waves_or_track
    if sample_rate is None:
        raise ValueError("sample_rate is needed to estimate pitch from waves")
    return pitch_track(waves_or_track, sample_rate, **kwargs)


def pitch_accuracy(waves, target_midi, sample_rate: int | None = None, **kwargs) -> float:
    """Fraction of clips whose estimated pitch equals ``target_midi`` ``(N,)`` (GANSynth's PA).

    ``waves`` ``(N, L)``, or a :class:`PitchTrack` already computed (then no ``sample_rate``).
    A clip without pitch (:data:`UNVOICED`) counts as wrong; ``track.n_unvoiced`` says how many.
    GANSynth measures it with a pitch classifier trained on NSynth; the course uses pYIN, which
    needs no training and is exact on clean notes. Notebooks 06 and 07.
    """
    track = _track(waves, sample_rate, kwargs)
    return float((track.midi == _targets(target_midi, track)).mean())


def _targets(target_midi, track: PitchTrack) -> np.ndarray:
    target = np.asarray(torch.as_tensor(target_midi).cpu()).astype(np.int64).reshape(-1)
    if target.shape != track.midi.shape:
        raise ValueError(f"target_midi must have one pitch per clip, shape {track.midi.shape}; "
                         f"got {target.shape}")
    return target


def pitch_accuracy_by_pitch(waves, target_midi, sample_rate: int | None = None,
                            **kwargs) -> dict[int, float]:
    """:func:`pitch_accuracy` of each requested pitch: ``{midi: fraction}``, in rising order.

    Same arguments as :func:`pitch_accuracy` (``waves`` or a :class:`PitchTrack`, one target
    per clip); each requested pitch is scored over the clips that asked for it. Notebook 06
    draws it, to show where in the range a generator misses.
    """
    track = _track(waves, sample_rate, kwargs)
    target = _targets(target_midi, track)
    return {int(p): float((track.midi[target == p] == p).mean()) for p in np.unique(target)}


def pitch_distributions(track: PitchTrack) -> np.ndarray:
    """Each clip's distribution over the MIDI pitches of its range: ``(N, high - low + 1)``.

    A histogram of the rounded pitches of the clip's voiced frames, each weighted by pYIN's
    voiced probability. Unvoiced frames (a note's silent tail, a gap) do not count; a clip with
    no voiced frame at all gets the uniform distribution, since nothing is known about its
    pitch. Pitches outside the range are clipped to its ends.
    """
    low, high = track.pitch_range
    k = high - low + 1
    n, t = track.frames.shape
    voiced = np.isfinite(track.frames)
    w = np.where(voiced, np.nan_to_num(track.voiced_prob, nan=0.0), 0.0)
    idx = np.clip(np.round(np.nan_to_num(track.frames, nan=low)) - low, 0, k - 1).astype(np.int64)
    dist = np.zeros((n, k))
    np.add.at(dist, (np.repeat(np.arange(n), t), idx.reshape(-1)), w.reshape(-1))
    total = dist.sum(axis=1, keepdims=True)
    return np.where(total > 0, dist / np.where(total > 0, total, 1.0), 1.0 / k)



def pitch_entropy(waves, sample_rate: int | None = None, **kwargs) -> float:
    """Mean entropy (nats) of each clip's predicted pitch distribution (GANSynth's PE).

    Low when every clip has one clear, steady pitch (0 for a steady note, whatever the length
    of its silent tail); high for wandering pitch or noise (``log(61)`` = 4.1 for a clip with no
    voiced frame at all over MIDI 24-84). ``waves`` ``(N, L)`` or a :class:`PitchTrack`; the
    distributions come from :func:`pitch_distributions`. GANSynth takes the entropy of its pitch
    classifier's softmax; with a classifier's probabilities ``(N, pitches)`` use
    ``entropy(probs).mean()``. Notebooks 06 and 07.
    """
    return float(entropy(pitch_distributions(_track(waves, sample_rate, kwargs))).mean())


# ----------------------------------------------------------------------------- timbre


def harmonic_profile(waves, midi, sample_rate: int, n_harmonics: int = 6,
                     tolerance: float = 1.0, floor_db: float = -60.0) -> np.ndarray:
    """The spectral envelope of each clip, aligned by pitch: ``(N, n_harmonics)`` in dB.

    Entry ``k - 1`` is the level of harmonic ``k`` of the clip's pitch ``midi`` ``(N,)`` (MIDI
    numbers): the peak of the clip's magnitude spectrum (Hann window over the whole clip,
    zero-padded to at least 8192 points) within ``tolerance`` semitones of ``k`` times the
    pitch's frequency, in dB below the clip's strongest harmonic and no lower than ``floor_db``.
    A flute's profile falls fast, a clarinet-like reed's alternates; at any pitch, an instrument
    keeps its profile (the harmonic numbers line the notes up). A silent clip is all
    ``floor_db``. With the requested pitch as ``midi``, the default ``tolerance`` of one
    semitone measures a note played a semitone off on its own harmonics; it must stay below the
    distance between the two highest harmonics (``12 log2((K + 1) / K)`` semitones, 2.7 for six),
    so that no band reaches the next harmonic. Notebook 06.
    """
    x = _as_waves(waves).numpy().astype(np.float64)
    f0 = 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64).reshape(-1) - 69.0) / 12.0)
    if f0.shape != (len(x),):
        raise ValueError(f"midi must have one pitch per clip, shape ({len(x)},); got {f0.shape}")
    if n_harmonics < 1:
        raise ValueError(f"n_harmonics={n_harmonics} must be >= 1")
    gap = 12 * np.log2((n_harmonics + 1) / n_harmonics)
    if not 0 < tolerance < gap:
        raise ValueError(f"tolerance={tolerance} semitones must be above 0 and below {gap:.2f}, "
                         f"the distance between harmonics {n_harmonics} and {n_harmonics + 1}")
    top = n_harmonics * f0.max(initial=0.0) * 2 ** (tolerance / 12)
    if top >= sample_rate / 2:
        raise ValueError(f"harmonic {n_harmonics} of MIDI {int(np.max(midi))} ({top:.0f} Hz) is "
                         f"above the Nyquist frequency of sample_rate={sample_rate}; lower "
                         "n_harmonics")
    n_fft = max(8192, int(2 ** np.ceil(np.log2(x.shape[1]))))
    mag = np.abs(np.fft.rfft(x * np.hanning(x.shape[1]), n=n_fft, axis=1))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    levels = np.zeros((len(x), n_harmonics))
    for k in range(1, n_harmonics + 1):
        lo = np.searchsorted(freqs, k * f0 * 2 ** (-tolerance / 12), side="left")
        hi = np.searchsorted(freqs, k * f0 * 2 ** (tolerance / 12), side="right")
        for i in range(len(x)):
            levels[i, k - 1] = mag[i, lo[i]:max(hi[i], lo[i] + 1)].max()
    peak = levels.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        db = 20 * np.log10(np.where(peak > 0, levels / np.where(peak > 0, peak, 1.0), 0.0))
    return np.maximum(db, floor_db)


def timbre_spread(profiles, groups) -> float:
    """How far, in dB, profiles ``(N, K)`` lie from the mean profile of their group ``(N,)``.

    For each group of two or more members: the root mean square over harmonics of each
    member's difference from the group's mean profile, averaged over its members; then the mean
    over groups. 0 when every member of a group has the same envelope. Groups: the latent of a
    generated note (the same latent at several pitches), or the family of a real note.
    """
    p = np.asarray(profiles, dtype=np.float64)
    g = np.asarray(groups).reshape(-1)
    if p.ndim != 2 or len(g) != len(p):
        raise ValueError(f"need profiles (N, K) and one group per profile; got {p.shape} and "
                         f"{g.shape}")
    spreads = []
    for key in np.unique(g):
        member = p[g == key]
        if len(member) >= 2:
            spreads.append(np.sqrt(((member - member.mean(0)) ** 2).mean(1)).mean())
    if not spreads:
        raise ValueError("no group has two or more profiles; give each latent (or family) "
                         "several pitches")
    return float(np.mean(spreads))


def timbre_consistency(profiles, groups) -> float:
    """How much of the envelope's variety each group keeps constant: ``1 - within / overall``.

    ``within`` is :func:`timbre_spread` over ``groups``, ``overall`` the same with all
    profiles as one group. 1: every group has one envelope (a latent keeps its instrument at
    every pitch); about 0: a group varies as much as all notes together (the timbre changes
    with the pitch as if the latent were redrawn). Real notes grouped by family are the
    ceiling a generator's latents are compared with (notebook 06).
    """
    p = np.asarray(profiles, dtype=np.float64)
    overall = timbre_spread(p, np.zeros(len(p)))
    if overall == 0:
        raise ValueError("all profiles are equal; timbre consistency is undefined")
    return 1.0 - timbre_spread(p, groups) / overall


# -------------------------------------------------------------------------- a conditioned generator


@torch.no_grad()
def pitch_sweep(decode, latent_dim: int, pitches, per_pitch: int = 8, seed: int = 11,
                batch_size: int = 100) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """Every one of ``per_pitch`` latents at every pitch: ``(waves, target MIDI, latent index)``.

    ``decode(z (m, latent_dim), labels (m,))`` returns waves ``(m, L)``; labels index
    ``pitches`` (the model's MIDI numbers, e.g. ``LoadedRun.decode`` of :mod:`runs` or a
    notebook's generator and representation). The latents are normal, drawn with
    ``torch.Generator().manual_seed(seed)``, and each is played at every pitch in turn, so that
    :func:`sweep_scores` can ask both "the right pitch?" and "the same instrument?". Notebook 06
    and the shipped GANSynth run's scores use it with the same seed.
    """
    z = torch.randn(per_pitch, latent_dim, generator=torch.Generator().manual_seed(seed))
    n = len(pitches)
    zz = z.repeat_interleave(n, dim=0)
    labels = torch.arange(n).repeat(per_pitch)
    waves = torch.cat([_as_waves(decode(zz[i:i + batch_size], labels[i:i + batch_size]))
                       for i in range(0, len(zz), batch_size)])
    return waves, np.asarray(pitches)[labels.numpy()], np.repeat(np.arange(per_pitch), n)


def sweep_scores(waves, target_midi, latents, sample_rate: int, track: PitchTrack | None = None
                 ) -> dict:
    """Pitch accuracy and timbre consistency of a :func:`pitch_sweep`, as a dict.

    ``accuracy`` (:func:`pitch_accuracy`), ``by_pitch`` (:func:`pitch_accuracy_by_pitch`),
    ``unvoiced``, ``semitone_off``, ``octave_off`` (counts of notes), ``timbre`` (the
    :func:`timbre_consistency` of each latent's :func:`harmonic_profile` at the requested
    pitches) and ``n`` (notes). ``track``: the :func:`pitch_track` of ``waves`` when already
    computed.
    """
    target = np.asarray(target_midi).astype(np.int64).reshape(-1)
    track = track if track is not None else pitch_track(waves, sample_rate)
    off = np.abs(track.midi - target)
    voiced = track.midi != UNVOICED
    profiles = harmonic_profile(waves, target, sample_rate)
    return {"accuracy": pitch_accuracy(track, target),
            "by_pitch": pitch_accuracy_by_pitch(track, target),
            "unvoiced": track.n_unvoiced, "semitone_off": int(((off == 1) & voiced).sum()),
            "octave_off": int(((off == 12) & voiced).sum()),
            "timbre": timbre_consistency(profiles, latents), "n": int(len(target))}
