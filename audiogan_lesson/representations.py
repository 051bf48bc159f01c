"""Representations: what a model sees, and the way back to audio (notebooks 03-06).

A representation turns waveforms ``(N, length)`` in [-1, 1] into the examples a model trains on
(``encode``) and generated examples back into waveforms (``decode``); ``state()`` is what a
checkpoint stores so that :func:`representation_from_state` can rebuild it for ``generate``.

- :class:`Waveform`: raw audio ``(N, 1, length)`` (WaveGAN and the dense GAN).
- :class:`SpecGANSpectrogram`: SpecGAN's normalised log magnitude, back to audio by Griffin-Lim.
- :class:`MelIFImages`: GANSynth's mel log magnitude and instantaneous frequency, inverted exactly.
"""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F

from .audio import check_emphasis_coeff, deemphasis, preemphasis
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
        return {"kind": self.kind, "n_iter": self.n_iter, "normalizer": self.normalizer.state_dict()}


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


def representation_from_state(state: dict):
    """Rebuild the representation saved in a checkpoint's ``meta``."""
    if state["kind"] == "waveform":
        return Waveform(state.get("preemphasis", 0.0))
    if state["kind"] == "mel-if":
        return MelIFImages(IFSpecConfig(**state["spec"]), state["mag_a"], state["mag_b"],
                           state["if_a"], state["if_b"])
    if state["kind"] == "specgan":
        norm = SpecGANNormalizer(**state["normalizer"])
        return SpecGANSpectrogram(norm, n_iter=state.get("n_iter", 16))
    raise ValueError(f"unknown representation {state['kind']!r} in checkpoint")
