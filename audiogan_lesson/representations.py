"""Representations: what a model sees, and the way back to audio (notebooks 03-06).

A representation turns waveforms ``(N, length)`` in [-1, 1] into the examples a model trains on
(``encode``) and generated examples back into waveforms (``decode``); ``state()`` is what a
checkpoint stores so that :func:`representation_from_state` can rebuild it for ``generate``.

- :class:`Waveform`: raw audio ``(N, 1, length)`` (WaveGAN and the dense GAN).
- :class:`SpecGANSpectrogram`: SpecGAN's normalised log magnitude, back to audio by Griffin-Lim.
- :class:`MelIFImages`: GANSynth's mel log magnitude and instantaneous frequency, inverted exactly.
- :class:`MelImage`: the street-music GAN's mel spectrogram in decibels resized to a 256 x 256
  image, back to audio by a non-negative least-squares mel inverse and Griffin-Lim (notebook 03).
- :class:`NoteFeatures`: PianoGAN's notes ``(N, length, 3)`` as three channels in [-1, 1],
  inverted exactly (:meth:`NoteFeatures.to_notes`); ``decode`` renders them to audio
  (notebook 08). Its ``encode`` and ``fit`` take notes, not waveforms.
"""

from __future__ import annotations

import dataclasses
import math

import torch
import torch.nn.functional as F

from .audio import check_emphasis_coeff, deemphasis, preemphasis
from .notes import check_notes, render_notes
from .mel_images import (centred_magnitude, griffin_lim_centred, mel_power, mel_to_linear_power,
                         slaney_mel_filterbank)
from .spectral import IFSpecConfig, IFSpectrogram, SpecGANNormalizer, griffin_lim, stft_logmag


class Waveform:
    """Models that see raw audio: ``(N, length)`` <-> ``(N, 1, length)``.

    ``preemphasis`` (0, the papers: none) makes the models see pre-emphasised audio
    (:func:`audio.preemphasis`); ``decode`` undoes it (:func:`audio.deemphasis`), so generated
    examples come back as plain audio. Notebook 05.
    """

    kind = "waveform"

    def __init__(self, preemphasis: float = 0.0):
        self.preemphasis = check_emphasis_coeff(preemphasis)

    def encode(self, waves: torch.Tensor) -> torch.Tensor:
        return preemphasis(waves, self.preemphasis).unsqueeze(1)

    def decode(self, examples: torch.Tensor) -> torch.Tensor:
        return deemphasis(examples.float().squeeze(1), self.preemphasis).clamp(-1, 1)

    def state(self) -> dict:
        return {"kind": self.kind, "preemphasis": self.preemphasis}


class SpecGANSpectrogram:
    """SpecGAN's input: normalised log magnitude ``(N, 1, 128, 128)``; back to audio by Griffin-Lim.

    ``fit`` learns the per-bin moments on the training waves; ``n_iter`` Griffin-Lim iterations
    (16 in the paper) turn generated spectrograms into ``(N, 16384)`` waves.
    """

    kind = "specgan"

    def __init__(self, normalizer=None, n_iter: int = 16):
        self.normalizer = normalizer or SpecGANNormalizer()
        self.n_iter = n_iter

    def fit(self, waves: torch.Tensor) -> "SpecGANSpectrogram":
        self.normalizer.fit(stft_logmag(waves))
        return self

    def encode(self, waves: torch.Tensor) -> torch.Tensor:
        return self.normalizer.normalize(stft_logmag(waves)).unsqueeze(1)

    def decode(self, examples: torch.Tensor) -> torch.Tensor:
        logmag = self.normalizer.denormalize(examples.float().squeeze(1))
        return griffin_lim(logmag, n_iter=self.n_iter).clamp(-1, 1)

    def state(self) -> dict:
        return {"kind": self.kind, "n_iter": self.n_iter,
                "normalizer": self.normalizer.state_dict()}


class MelIFImages:
    """GANSynth's input: mel log magnitude + instantaneous frequency, scaled for a tanh output.

    ``encode`` waves ``(N, length)`` -> ``(N, 2, frames, bins)`` (:class:`spectral.IFSpectrogram`
    with ``spec``), each channel mapped by ``a * x + b`` and clipped to [-1, 1] as the GANSynth
    code's ``specgrams_prespecified_normalizer`` (its constants are the defaults: log magnitude
    ``a = 0.0661371661726``, ``b = 0.113718730221``; IF ``a = 0.8``, ``b = 0``). ``decode`` undoes
    the scaling and inverts exactly (no Griffin-Lim) to ``(N, length)``. An image from an earlier
    stage of progressive growing (smaller by a power of two) is first upsampled to full size,
    as the code does with every generator output. Notebook 06.
    """

    kind = "mel-if"

    def __init__(self, spec=None, mag_a: float = 0.0661371661726, mag_b: float = 0.113718730221,
                 if_a: float = 0.8, if_b: float = 0.0):
        self.spec = spec if spec is not None else IFSpecConfig()
        self.transform = IFSpectrogram(self.spec)
        self.scale = (float(mag_a), float(mag_b), float(if_a), float(if_b))

    @property
    def shape(self) -> tuple[int, int, int]:
        """One image's shape ``(2, frames, bins)`` at full size."""
        return self.transform.shape

    def _ab(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        m_a, m_b, p_a, p_b = self.scale
        a = torch.tensor([m_a, p_a], dtype=like.dtype, device=like.device)[:, None, None]
        b = torch.tensor([m_b, p_b], dtype=like.dtype, device=like.device)[:, None, None]
        return a, b

    def encode(self, waves: torch.Tensor) -> torch.Tensor:
        image = self.transform.encode(waves)
        a, b = self._ab(image)
        return (a * image + b).clamp(-1.0, 1.0)

    def decode(self, examples: torch.Tensor) -> torch.Tensor:
        x = examples.detach().float()
        full = self.shape[1:]
        if tuple(x.shape[-2:]) != full:
            factor = full[0] // x.shape[-2]
            if factor < 1 or x.shape[-2] * factor != full[0] or x.shape[-1] * factor != full[1]:
                raise ValueError(f"mel-IF images of shape {tuple(x.shape)} cannot be brought to "
                                 f"{full}: the sizes must divide it by one power of two")
            x = F.interpolate(x, scale_factor=factor, mode="nearest")
        a, b = self._ab(x)
        return self.transform.decode((x - b) / a).clamp(-1, 1)

    def state(self) -> dict:
        m_a, m_b, p_a, p_b = self.scale
        return {"kind": self.kind, "spec": dataclasses.asdict(self.spec), "mag_a": m_a,
                "mag_b": m_b, "if_a": p_a, "if_b": p_b}


MEL_INVERSES = ("nnls", "pinv")
POWER_FLOOR = 1e-10  # librosa.power_to_db's amin


class MelImage:
    """A mel spectrogram in decibels as an image: waves ``(N, length)`` <->
    ``(N, 1, height, width)``.

    The street-music GAN of the course's source reports (UrbanSound8K, Brooks and Sallah 2024)
    made its images so, and its values are the defaults: ``sample_rate`` 22,050 Hz, ``length``
    4 s (88,200 samples), ``n_mels`` 64, ``n_fft`` 1024, ``hop`` 512 (173 centred frames), the
    power mel spectrogram of ``librosa.feature.melspectrogram`` (:func:`mel_images.mel_power`) in
    dB, resized bilinearly to ``size`` (256, 256). Rows are mel bands (low frequencies first),
    columns are time. Any size works; the models of :mod:`models.melimage` need sides of
    ``4 * 2**k``.

    Scale: ``ref_db`` (fitted by :meth:`fit` as the loudest mel bin of the training set) maps to
    +1 and ``ref_db - top_db`` (80 dB below, librosa's ``top_db``) to -1, for a tanh generator;
    quieter bins are clipped there. Course choice, named: the report scaled each image to its
    own maximum (``ref=np.max``), which throws away every clip's loudness; one reference for the
    whole set keeps it, and :meth:`decode` gives back audio at the level it was heard.

    ``decode`` undoes the resize (bilinear, antialiased), the dB scale, then the mel filters by
    ``inverse="nnls"`` (non-negative least squares, as ``librosa.feature.inverse.mel_to_stft``;
    ``"pinv"``: the pseudo-inverse, clipped at 0), and runs Griffin-Lim (``n_iter`` 32,
    ``momentum`` 0.99: ``librosa.feature.inverse.mel_to_audio``'s defaults).

    ``time_shift`` (0.4, the report's ``time_shift_limit``): :meth:`augment` rolls each training
    clip by a random offset of up to that fraction of its length, once, as the report did when it
    wrote its images; 0 turns it off.
    """

    kind = "mel-image"

    def __init__(self, sample_rate: int = 22050, length: int = 88200, n_mels: int = 64,
                 n_fft: int = 1024, hop: int = 512, size: tuple[int, int] = (256, 256),
                 top_db: float = 80.0, ref_db: float | None = None, time_shift: float = 0.4,
                 inverse: str = "nnls", n_iter: int = 32, momentum: float = 0.99,
                 nnls_iter: int = 200):
        size = ((int(size), int(size)) if isinstance(size, (int, float))
                else tuple(int(s) for s in size))
        problems = []
        if len(size) != 2 or min(size) < 1:
            problems.append(f"size={size} must be two positive sides (height, width), "
                            "e.g. (256, 256)")
        if sample_rate < 1 or length < 1 or hop < 1 or n_fft < 2 or hop > n_fft:
            problems.append(f"sample_rate={sample_rate}, length={length}, n_fft={n_fft}, "
                            f"hop={hop}: need positive values and hop <= n_fft "
                            "(defaults 22050, 88200, 1024, 512)")
        if not 1 <= n_mels <= n_fft // 2 + 1:
            problems.append(f"n_mels={n_mels} must be between 1 and "
                            f"n_fft // 2 + 1 = {n_fft // 2 + 1}")
        if top_db <= 0:
            problems.append(f"top_db={top_db} must be > 0 (librosa: 80)")
        if not 0.0 <= time_shift < 1.0:
            problems.append(f"time_shift={time_shift} must be in [0, 1) (a fraction of the clip; "
                            "0.4 in the report, 0 = off)")
        if inverse not in MEL_INVERSES:
            problems.append(f"inverse={inverse!r}; choose one of {', '.join(MEL_INVERSES)}")
        if problems:
            raise ValueError("MelImage: " + "; ".join(problems))
        self.sample_rate, self.length, self.n_mels = int(sample_rate), int(length), int(n_mels)
        self.n_fft, self.hop, self.size = int(n_fft), int(hop), size
        self.top_db, self.ref_db = float(top_db), (None if ref_db is None else float(ref_db))
        self.time_shift, self.inverse = float(time_shift), inverse
        self.n_iter, self.momentum, self.nnls_iter = int(n_iter), float(momentum), int(nnls_iter)
        self.filterbank = slaney_mel_filterbank(self.n_mels, self.n_fft, self.sample_rate)

    @property
    def frames(self) -> int:
        """Centred STFT frames of one clip: ``1 + length // hop`` (173 at the defaults)."""
        return 1 + self.length // self.hop

    @property
    def shape(self) -> tuple[int, int, int]:
        """One image's shape ``(1, height, width)``."""
        return (1, *self.size)

    def mel_db(self, waves: torch.Tensor) -> torch.Tensor:
        """Mel power in dB before resizing: ``(N, length)`` -> ``(N, n_mels, frames)``."""
        if waves.shape[-1] != self.length:
            raise ValueError(f"MelImage expects clips of {self.length} samples "
                             f"({self.length / self.sample_rate:g} s at {self.sample_rate} Hz); "
                             f"got {waves.shape[-1]}: pad or trim them (audio.pad_or_trim)")
        power = mel_power(waves, self.filterbank, self.n_fft, self.hop).mT
        return 10.0 * torch.log10(power.clamp_min(POWER_FLOOR))

    def fit(self, waves: torch.Tensor) -> "MelImage":
        """Set ``ref_db`` to the loudest mel bin of ``waves`` ``(N, length)`` (the +1 of the
        images)."""
        loudest = float(max(self.mel_db(chunk).max() for chunk in waves.split(256)))
        self.ref_db = loudest
        return self

    def _ref(self) -> float:
        if self.ref_db is None:
            raise ValueError("MelImage has no ref_db yet: call fit(training waves) first, or pass "
                             "ref_db= (the dB value that maps to +1)")
        return self.ref_db

    def augment(self, waves: torch.Tensor, seed: int = 0) -> torch.Tensor:
        """Each clip rolled in time by a random offset in ``[-time_shift, time_shift] * length``
        samples (one seeded draw per clip); unchanged when ``time_shift`` is 0."""
        limit = int(self.time_shift * waves.shape[-1])
        if limit == 0:
            return waves
        gen = torch.Generator().manual_seed(seed)
        shifts = torch.randint(-limit, limit + 1, (waves.shape[0],), generator=gen)
        index = (torch.arange(waves.shape[-1])[None, :] - shifts[:, None]) % waves.shape[-1]
        return torch.gather(waves, -1, index.to(waves.device))

    def encode(self, waves: torch.Tensor) -> torch.Tensor:
        """Waves ``(N, length)`` -> images ``(N, 1, height, width)`` in [-1, 1]."""
        scaled = (self.mel_db(waves) - self._ref()) / self.top_db * 2.0 + 1.0
        image = F.interpolate(scaled.unsqueeze(1), size=self.size, mode="bilinear",
                              align_corners=False)
        return image.clamp(-1.0, 1.0)

    def image_to_mel_db(self, images: torch.Tensor) -> torch.Tensor:
        """Undo the resize and the scaling: ``(N, 1, height, width)`` -> dB
        ``(N, n_mels, frames)``."""
        x = images.detach().float()
        if tuple(x.shape[-2:]) != self.size:
            raise ValueError(f"MelImage: images of shape {tuple(x.shape)}; expected (N, 1, "
                             f"{self.size[0]}, {self.size[1]})")
        back = F.interpolate(x, size=(self.n_mels, self.frames), mode="bilinear",
                             align_corners=False, antialias=True).squeeze(1)
        return (back.clamp(-1.0, 1.0) - 1.0) / 2.0 * self.top_db + self._ref()

    def decode(self, examples: torch.Tensor) -> torch.Tensor:
        """Images ``(N, 1, height, width)`` -> waves ``(N, length)`` in [-1, 1]."""
        power = 10.0 ** (self.image_to_mel_db(examples) / 10.0)
        linear = mel_to_linear_power(power.mT, self.filterbank, self.inverse, self.nnls_iter)
        waves = griffin_lim_centred(linear.sqrt(), self.n_fft, self.hop, self.length,
                                    self.n_iter, self.momentum)
        return waves.clamp(-1, 1)

    def magnitude(self, waves: torch.Tensor) -> torch.Tensor:
        """Linear STFT magnitude ``(N, frames, n_fft // 2 + 1)`` of waves, with this image's
        framing: what :func:`spectral.spectral_convergence` compares in a round trip."""
        return centred_magnitude(waves, self.n_fft, self.hop)

    def state(self) -> dict:
        return {"kind": self.kind, "sample_rate": self.sample_rate, "length": self.length,
                "n_mels": self.n_mels, "n_fft": self.n_fft, "hop": self.hop,
                "size": list(self.size), "top_db": self.top_db, "ref_db": self.ref_db,
                "time_shift": self.time_shift, "inverse": self.inverse, "n_iter": self.n_iter,
                "momentum": self.momentum, "nnls_iter": self.nnls_iter}


#: How :class:`NoteFeatures` gives a note's pitch, and the channels each needs: ``scalar`` (the
#: PianoGAN report: pitch, step, duration) or ``pitch_class`` (those three and the pitch class
#: one-hot, a course option; notebook 08).
PITCH_ENCODINGS = {"scalar": 3, "pitch_class": 3 + 12}


def note_channels(pitch_encoding: str, where: str = "notes") -> int:
    """The channels per note of ``pitch_encoding`` (:data:`PITCH_ENCODINGS`): 3 or 15."""
    if pitch_encoding not in PITCH_ENCODINGS:
        raise ValueError(f"{where}: pitch_encoding={pitch_encoding!r}; choose "
                         f"{' or '.join(map(repr, PITCH_ENCODINGS))} (the report's: 'scalar')")
    return PITCH_ENCODINGS[pitch_encoding]


class NoteFeatures:
    """PianoGAN's input: notes ``(N, length, 3)`` [pitch, step s, duration s] <-> ``(N, 3, length)``
    in [-1, 1], the three features as the channels of a 1-D convolution (notebook 08); with
    ``pitch_encoding="pitch_class"`` ``(N, 15, length)``.

    - pitch: linear over ``[pitch_min, pitch_max]``, the 88 keys of a piano (21-108) for
      every data set, so that one semitone is the same step everywhere (PianoGAN's pitch-class
      channels rely on it).
    - step and duration: linear in ``log(x + eps)`` over ``[log(eps), log(max + eps)]`` with
      ``eps`` = 10 ms, the maximum fitted as well. Log space because musical time is
      multiplicative: a tempo scales every step by one factor, and a half note is twice a
      quarter at any tempo; in log space those ratios are equal distances, and the short steps
      that most notes have get as much room as the long ones instead of being squeezed against
      -1. ``eps`` keeps a chord's step of exactly 0 finite (it maps to exactly -1) and is below
      what one hears. Quantiles would spread the values evenly too, but need a stored table and
      a piecewise inverse, and cannot spread the many exact zeros.

    ``pitch_encoding`` (course option; :data:`PITCH_ENCODINGS`): ``"scalar"`` (the default, the
    PianoGAN report's three features) or ``"pitch_class"``, which adds 12 channels after the
    three: the note's pitch class (C ... B) one-hot, 0 or 1 (a generator makes them with a
    softmax, as WGAN-GP's language model made characters, Gulrajani et al. 2017). In the scalar
    encoding a semitone is 2/87 of the pitch channel, so a generator that is off by half a
    semitone plays the neighbouring key, mostly one outside the piece's key; with the pitch
    class given apart, the pitch channel only has to place the note in its register.
    :meth:`to_notes` takes the most likely key given both: the class channels as the
    probabilities of the 12 classes, the pitch channel as the key's position give or take
    ``register_sd`` semitones (3; a Gaussian), so of the 88 keys the one with the largest
    ``log q(class) - (key - register)**2 / (2 * register_sd**2)``. Real notes (one-hot, the
    register exact) come back exactly; a generated note whose register is a few semitones off
    takes its most likely class in the nearest octave, unless another class is nearly as
    likely and much nearer.

    :meth:`to_notes` is the exact inverse of :meth:`encode` for notes within the ranges
    (values outside are clipped to them; generated pitches are rounded to whole MIDI numbers).
    ``decode`` renders generated examples to audio at ``sample_rate``
    (:func:`notes.render_notes`), so that every model's ``decode`` gives sound.
    """

    kind = "notes"

    def __init__(self, pitch_min: float = 21.0, pitch_max: float = 108.0, step_max: float = 4.0,
                 duration_max: float = 4.0, eps: float = 0.01, sample_rate: int = 16000,
                 max_seconds: float | None = None, pitch_encoding: str = "scalar",
                 register_sd: float = 3.0):
        if not pitch_max > pitch_min or step_max <= 0 or duration_max <= 0 or eps <= 0:
            raise ValueError(f"NoteFeatures: need pitch_max > pitch_min and positive step_max, "
                             f"duration_max and eps; got pitch {pitch_min}-{pitch_max}, step_max="
                             f"{step_max}, duration_max={duration_max}, eps={eps}")
        if pitch_max - pitch_min < 12 and pitch_encoding == "pitch_class":
            raise ValueError(f"NoteFeatures: pitch {pitch_min}-{pitch_max} spans less than an "
                             "octave; pitch_encoding='pitch_class' needs every class in range")
        if not register_sd > 0:
            raise ValueError(f"NoteFeatures: register_sd={register_sd} must be > 0 (semitones; "
                             "default 3)")
        self.channels = note_channels(pitch_encoding, "NoteFeatures")
        self.pitch_encoding, self.register_sd = pitch_encoding, float(register_sd)
        self.pitch_min, self.pitch_max = float(pitch_min), float(pitch_max)
        self.step_max, self.duration_max = float(step_max), float(duration_max)
        self.eps = float(eps)
        self.sample_rate = int(sample_rate)
        self.max_seconds = max_seconds

    def fit(self, notes) -> "NoteFeatures":
        """Take the time ranges from training notes ``(N, length, 3)``: the longest step and
        duration (pitches keep their fixed range)."""
        array = torch.as_tensor(check_notes(notes, "NoteFeatures.fit"))
        if array.numel() == 0:
            raise ValueError("NoteFeatures.fit: no notes to fit")
        self.step_max = max(float(array[..., 1].max()), self.eps)
        self.duration_max = max(float(array[..., 2].max()), self.eps)
        return self

    def _log_range(self, top: float) -> tuple[float, float]:
        return math.log(self.eps), math.log(top + self.eps)

    def encode(self, notes) -> torch.Tensor:
        """Notes ``(N, length, 3)`` -> examples ``(N, 3, length)`` float32 in [-1, 1]."""
        x = torch.as_tensor(check_notes(notes, "NoteFeatures.encode"), dtype=torch.float64)
        if x.dim() != 3:
            raise ValueError(f"NoteFeatures.encode: expected notes (N, length, 3); got "
                             f"{tuple(x.shape)}")
        pitch = (x[..., 0] - self.pitch_min) / (self.pitch_max - self.pitch_min)
        parts = [pitch]
        for column, top in ((1, self.step_max), (2, self.duration_max)):
            lo, hi = self._log_range(top)
            parts.append((torch.log(x[..., column] + self.eps) - lo) / (hi - lo))
        unit = torch.stack(parts, dim=1).clamp(0.0, 1.0)
        scaled = unit * 2.0 - 1.0
        if self.pitch_encoding == "pitch_class":
            whole = self._in_range(torch.round(x[..., 0]))
            classes = torch.remainder(whole, 12).long()
            scaled = torch.cat([scaled, F.one_hot(classes, 12).transpose(1, 2).double()], dim=1)
        return scaled.float()

    def _likely_keys(self, register: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        """The most likely whole pitch ``(N, L)`` given a register ``(N, L)`` in semitones and
        class scores ``(N, 12, L)`` (probabilities; values below 1e-6 count as 1e-6)."""
        keys = torch.arange(math.ceil(self.pitch_min), math.floor(self.pitch_max) + 1,
                            dtype=register.dtype)
        log_q = torch.log(classes.clamp_min(1e-6))[:, keys.long() % 12]  # (N, keys, L)
        distance = (keys[None, :, None] - register[:, None, :]) / self.register_sd
        return keys[(log_q - 0.5 * distance ** 2).argmax(1)]

    def _in_range(self, pitch: torch.Tensor) -> torch.Tensor:
        """Whole pitches moved by octaves into ``[pitch_min, pitch_max]`` (pitch class kept)."""
        low, high = math.ceil(self.pitch_min), math.floor(self.pitch_max)
        pitch = pitch + 12 * torch.clamp(torch.ceil((low - pitch) / 12), min=0)
        return pitch - 12 * torch.clamp(torch.ceil((pitch - high) / 12), min=0)

    def to_notes(self, examples: torch.Tensor, round_pitch: bool = True) -> torch.Tensor:
        """Examples ``(N, channels, length)`` -> notes ``(N, length, 3)`` on the CPU, float32; the
        exact inverse of :meth:`encode` within the ranges. Values are clipped to [-1, 1] first;
        ``round_pitch`` rounds pitches to whole MIDI numbers (as a MIDI file needs). With the
        ``pitch_class`` encoding a pitch is always whole: the most likely key given the class
        channels and the pitch channel (the class docstring says how)."""
        raw = examples.detach().cpu().double()  # on the CPU first: Metal (mps) has no float64
        if raw.dim() != 3 or raw.shape[1] != self.channels:
            raise ValueError(f"NoteFeatures.to_notes: expected examples (N, {self.channels}, "
                             f"length) for pitch_encoding={self.pitch_encoding!r}; got "
                             f"{tuple(raw.shape)}")
        x = (raw[:, :3].clamp(-1.0, 1.0) + 1.0) / 2.0
        pitch = self.pitch_min + x[:, 0] * (self.pitch_max - self.pitch_min)
        if self.pitch_encoding == "pitch_class":
            pitch = self._likely_keys(pitch, raw[:, 3:])
        elif round_pitch:
            pitch = pitch.round()
        parts = [pitch]
        for column, top in ((1, self.step_max), (2, self.duration_max)):
            lo, hi = self._log_range(top)
            parts.append((torch.exp(lo + x[:, column] * (hi - lo)) - self.eps).clamp_min(0.0))
        return torch.stack(parts, dim=-1).float()

    def decode(self, examples: torch.Tensor) -> torch.Tensor:
        """Examples ``(N, channels, length)`` -> audio ``(N, samples)`` at ``sample_rate``
        (:func:`notes.render_notes`, cut at ``max_seconds`` when set)."""
        return render_notes(self.to_notes(examples), self.sample_rate,
                            max_seconds=self.max_seconds)

    def state(self) -> dict:
        return {"kind": self.kind, "pitch_min": self.pitch_min, "pitch_max": self.pitch_max,
                "step_max": self.step_max, "duration_max": self.duration_max, "eps": self.eps,
                "sample_rate": self.sample_rate, "max_seconds": self.max_seconds,
                "pitch_encoding": self.pitch_encoding, "register_sd": self.register_sd}


def representation_from_state(state: dict, source: object = "checkpoint"):
    """Rebuild the representation saved in a checkpoint's ``meta`` from its ``kind``, one of a
    closed set (nothing is looked up by name elsewhere); an unknown kind or fields this version
    does not take are a ``ValueError`` naming ``source`` (the file)."""
    kind = state.get("kind") if isinstance(state, dict) else None
    try:
        if kind == "waveform":
            return Waveform(state.get("preemphasis", 0.0))
        if kind == "mel-if":
            return MelIFImages(IFSpecConfig(**state["spec"]), state["mag_a"], state["mag_b"],
                               state["if_a"], state["if_b"])
        if kind == MelImage.kind:
            return MelImage(**{k: v for k, v in state.items() if k != "kind"})
        if kind == "specgan":
            norm = SpecGANNormalizer(**state["normalizer"])
            return SpecGANSpectrogram(norm, n_iter=state.get("n_iter", 16))
        if kind == "notes":
            return NoteFeatures(**{k: v for k, v in state.items() if k != "kind"})
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{source}: the saved {kind!r} representation does not fit this version "
                         f"of the course ({type(exc).__name__}: {exc}); load it with the version "
                         "that wrote it") from None
    raise ValueError(f"{source}: unknown representation {kind!r}; this course has waveform, "
                     f"mel-if, {MelImage.kind}, specgan and notes")
