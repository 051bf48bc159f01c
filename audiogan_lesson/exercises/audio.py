"""Checks for notebook 01_audio_preprocessing: slicing, SpecGAN moments, instantaneous frequency."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from ..audio import slice_audio
from ..spectral import IFSpecConfig, IFSpectrogram, instantaneous_frequency
from .core import _call, failed, passed


def _as_tensor(value) -> torch.Tensor | None:
    """The student's answer as a tensor (numpy arrays and lists are accepted), else None."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    try:
        return torch.as_tensor(np.asarray(value))
    except Exception:  # not array-like: the caller reports what came back
        return None


def check_slice_examples(fn: Callable[[torch.Tensor, int, int], torch.Tensor]) -> None:
    """Check ``fn(wave, length, hop) -> (n, length)`` (notebook ``01_audio_preprocessing``,
    exercise 1.1).

    Examples start every ``hop`` samples; the tail that does not fill a whole example is padded
    with zeros at its end into one more example (a clip shorter than ``length`` gives one padded
    example), and no example is ever all padding.
    """
    name = "Exercise 1.1 slice_examples"
    cases = [(10, 40, 40), (40, 40, 40), (80, 40, 40), (100, 40, 40), (90, 40, 20),
             (100, 40, 30), (16384 * 2 + 5, 16384, 16384), (1, 16, 4)]
    for n, length, hop in cases:
        wave = torch.arange(1, n + 1, dtype=torch.float32)  # no zeros: padding shows
        what = f"slice_examples(wave of {n} samples, length={length}, hop={hop})"
        got = _as_tensor(_call(name, fn, wave.clone(), length, hop))
        expected = slice_audio(wave, length, hop, pad_end=True)
        if got is None or got.dim() != 2 or got.shape[1] != length:
            shape = None if got is None else tuple(got.shape)
            failed(name, f"{what} returned shape {shape}; expected (number of examples, {length})")
        if got.shape[0] != expected.shape[0]:
            covered = (got.shape[0] - 1) * hop + length
            if hop != length and got.shape[0] == slice_audio(wave, length, length).shape[0]:
                hint = "start an example every hop samples, not every length samples"
            elif got.shape[0] < expected.shape[0]:
                hint = ("the tail that does not fill a whole example must become one more "
                        "example, padded with zeros" if n > length or n == 0 else
                        "a clip shorter than length still gives one padded example")
            elif covered - hop >= n:
                hint = "the last example is all padding: stop once an example reaches the end"
            else:
                hint = "start an example every hop samples"
            failed(name, f"{what} gave {got.shape[0]} examples, "
                         f"expected {expected.shape[0]} ({hint})")
        got = got.float()
        for i in range(expected.shape[0]):
            start = i * hop
            real = min(length, n - start)
            if not torch.equal(got[i, :real], expected[i, :real]):
                if torch.equal(got[i, length - real:], expected[i, :real]) and real < length:
                    hint = "the zeros go at the end, after the audio, not before it"
                else:
                    hint = (f"example {i} must hold samples {start} to {start + real - 1} "
                            "of the wave")
                failed(name, f"{what}: example {i} has the wrong samples ({hint})")
            if got[i, real:].any():
                failed(name, f"{what}: example {i} is padded with "
                             f"{got[i, real:real + 3].tolist()}... "
                             "instead of zeros (pad with zeros; do not wrap or reflect the audio)")
    passed(name, f"{len(cases)} cases: short clips, exact multiples, padded tails, "
                 "overlapping hops")


def check_moments(fit_fn: Callable[[torch.Tensor], tuple],
                  normalize_fn: Callable[..., torch.Tensor]) -> None:
    """Check SpecGAN's moments normaliser (notebook ``01_audio_preprocessing``, exercise 1.2).

    ``fit_fn(specs) -> (mean, std)`` takes log magnitudes ``(examples, frames, bins)`` and
    returns one mean and one standard deviation per frequency bin, ``(bins,)``, measured over
    all examples and all frames. ``normalize_fn(specs, mean, std)`` subtracts the mean, divides
    by 3 standard deviations and clips to [-1, 1]; a bin that never varies must not give NaN.
    """
    name = "Exercise 1.2 moments"
    gen = torch.Generator().manual_seed(0)
    n, frames, bins = 12, 20, 16
    offsets = torch.linspace(-8, 2, bins)
    scales = torch.linspace(0.5, 3, bins)
    time_trend = torch.linspace(-1, 1, frames)[:, None]  # frames differ, so per-frame stats differ
    specs = torch.randn(n, frames, bins, generator=gen) * scales + offsets + time_trend
    specs[:, :, 3] = -14.0  # a silent bin (about log(1e-6)), exactly representable
    flat = specs.reshape(-1, bins).double()
    true_mean, true_std = flat.mean(0), flat.std(0, unbiased=False)

    result = _call(name, fit_fn, specs.clone())
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        failed(name, f"fit_moments must return (mean, std); got {type(result).__name__}")
    mean, std = (_as_tensor(r) for r in result)
    if mean is None or std is None:
        failed(name, "fit_moments must return two tensors (mean, std)")
    mean, std = mean.double().squeeze(), std.double().squeeze()
    if mean.dim() == 0 or std.dim() == 0:
        failed(name, "fit_moments returned one number for the whole data set; SpecGAN keeps one "
                     f"mean and one std per frequency bin, shape ({bins},)")
    if mean.shape != (bins,) or std.shape != (bins,):
        hint = (" (that is one per frame: average over examples and frames, axes 0 and 1)"
                if frames in mean.shape else "")
        failed(name, f"mean and std must have shape ({bins},), one per frequency bin; got "
                     f"{tuple(mean.shape)} and {tuple(std.shape)}{hint}")
    if not torch.allclose(mean, true_mean, atol=1e-3):
        per_example = specs.mean(1)[0].double()
        hint = (" (that is the first example only: average over all examples and frames)"
                if torch.allclose(mean, per_example, atol=1e-3) else "")
        failed(name, f"the means are wrong{hint}; bin 0 should be {true_mean[0]:.3f}, "
                     f"got {mean[0]:.3f}")
    varying = torch.arange(bins) != 3
    if not torch.allclose(std[varying], true_std[varying], rtol=0.02):
        failed(name, f"the standard deviations are wrong; bin 0 should be {true_std[0]:.3f}, got "
                     f"{std[0]:.3f} (over all examples and frames)")

    out = _as_tensor(_call(name, normalize_fn, specs.clone(), mean.float(), std.float()))
    if out is None or out.shape != specs.shape:
        failed(name, f"normalize must keep the shape {tuple(specs.shape)}; got "
                     f"{None if out is None else tuple(out.shape)}")
    out = out.double()
    if bool(torch.isfinite(out).all()) and (out.max() > 1 + 1e-6 or out.min() < -1 - 1e-6):
        failed(name, f"normalized values reach {out.abs().max():.2f}; clip them to [-1, 1]")
    probe = mean + 1.5 * std  # 1.5 std above the mean: 0.5 after dividing by 3 std
    probe[3] = mean[3]
    probe_out = _as_tensor(_call(name, normalize_fn, probe.float()[None, None, :], mean.float(),
                                 std.float()))
    value = float(probe_out.reshape(-1)[0])
    if not abs(value - 0.5) <= 1e-3:
        if abs(value - 1.0) < 1e-3:
            hint = " (divide by 3 standard deviations, not 1)"
        elif abs(value - max(-1.0, min(1.0, float(probe[0] / (3 * std[0]))))) < 1e-3:
            hint = " (subtract the mean first)"
        else:
            hint = ""
        failed(name, f"a value 1.5 std above the mean should become 0.5; got {value:.3f}{hint}")
    if out.min() > -0.5:
        failed(name, "values below the mean must become negative: subtract the mean, and clip "
                     "to [-1, 1], not [0, 1]")
    silent = out[..., 3]
    if not bool(torch.isfinite(out).all()) or not bool((silent.abs() < 1e-3).all()):
        failed(name, "bin 3 never varies (std 0), and normalize turned it into NaN, inf or +-1 "
                     "instead of 0; use a std of 1 (or add a small epsilon) where the std is zero")
    passed(name, f"per-bin moments over {n} examples x {frames} frames, 3-std scaling, clipping, "
                 "silent bin safe")


def check_instantaneous_frequency(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(phase) -> inst_freq`` (notebook ``01_audio_preprocessing``, exercise 1.3).

    ``phase`` is ``(..., frames, bins)`` in radians. The answer unwraps the phase along the
    frames axis, takes the difference between consecutive frames and divides by pi; the first
    frame keeps its phase divided by pi, so the output has the input's shape and lies in [-1, 1].
    """
    name = "Exercise 1.3 instantaneous_frequency"
    gen = torch.Generator().manual_seed(0)
    random_phase = (torch.rand(24, 10, generator=gen) * 2 - 1) * math.pi
    rep = IFSpectrogram(IFSpecConfig(mel=False, length=4096, n_fft=256, hop=64))
    t = torch.arange(4096, dtype=torch.float64) / 16000
    chirp = torch.sin(2 * math.pi * (300 * t + 2000 * t**2)).float()
    real_phase = torch.angle(rep.to_stft(chirp))
    batched = (torch.rand(2, 3, 16, 8, generator=gen) * 2 - 1) * math.pi
    for label, phase in (("random phases (24 frames, 10 bins)", random_phase),
                         ("the phase of a chirp's STFT", real_phase),
                         ("a batch of shape (2, 3, 16, 8)", batched)):
        got = _as_tensor(_call(name, fn, phase.clone()))
        if got is None or got.shape != phase.shape:
            shape = None if got is None else tuple(got.shape)
            hint = (" (keep the first frame: its phase divided by pi)"
                    if shape and len(shape) == phase.dim() and shape[-2] == phase.shape[-2] - 1
                    else "")
            failed(name, f"on {label} the output has shape {shape}, "
                         f"expected {tuple(phase.shape)}{hint}")
        got = got.double()
        expected = instantaneous_frequency(phase.double())
        # A step of exactly pi (real-valued bins) is +1 or -1 depending on rounding: compare
        # modulo 2 once the range is right.
        gap = torch.remainder(got - expected + 1, 2) - 1
        if got.abs().max() <= 1 + 1e-4 and bool((gap.abs() < 1e-4).all()):
            continue
        phase64 = phase.double()
        no_unwrap = torch.cat([phase64.narrow(-2, 0, 1), torch.diff(phase64, dim=-2)], dim=-2)
        along_freq = torch.cat([phase64.narrow(-1, 0, 1), torch.diff(phase64, dim=-1)], dim=-1)
        hints = [
            (expected * math.pi, "divide by pi so the result lies in [-1, 1]"),
            (no_unwrap / math.pi, "differences of wrapped phases jump by 2 pi; unwrap the phase "
                                  "along time first (or wrap each difference into [-pi, pi))"),
            (no_unwrap, "unwrap the phase along time first, and divide by pi"),
            (along_freq / math.pi, "the differences run along the frequency axis; take them along "
                                   "time, the frames axis (dim -2)"),
            (instantaneous_frequency(phase64, dim=-1), "the differences run along the frequency "
                                                       "axis; take them along time (dim -2)"),
        ]
        for wrong, hint in hints:
            if torch.allclose(got, wrong, atol=1e-4):
                failed(name, f"on {label}: {hint}")
        if got.abs().max() > 1 + 1e-4 and bool((gap.abs() < 1e-4).all()):
            failed(name, f"on {label} values reach {got.abs().max():.2f}: unwrap the phase along "
                         "time first (or wrap each difference into [-pi, pi))")
        if got.abs().max() > 1 + 1e-4:
            failed(name, f"on {label} values reach {got.abs().max():.2f}; instantaneous frequency "
                         "divided by pi lies in [-1, 1]")
        if not torch.allclose(got[..., 0, :], expected[..., 0, :], atol=1e-4):
            failed(name, f"on {label} the first frame should be that frame's phase divided by pi, "
                         "so that a running sum gives the phase back")
        failed(name, f"on {label} the values differ from unwrap -> difference along time -> / pi "
                     f"(largest difference {float(gap.abs().max()):.3f})")
    passed(name, "matches unwrap, finite difference along time and division by pi; the first "
                 "frame keeps its phase")
