"""Exercise checks for every notebook (the ``check_*`` functions).

A check runs the student's function on a few cases and tests properties, not one literal
answer. When the answer is right it prints ``[PASS] ...``; when it is wrong it prints
``[FAIL] ...`` that says what is wrong and raises ``AssertionError`` with the same message, so a
broken solution notebook fails under nbval. A stub that still raises ``NotImplementedError``
lets that error through: the exercise has not been done yet.

Each check's docstring names the notebook that uses it.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

__all__ = ["ExerciseFailure", "passed", "failed", "check_seconds_to_samples"]


class ExerciseFailure(AssertionError):
    """Raised by a check when the student's answer is wrong."""


def passed(exercise: str, detail: str = "") -> None:
    """Print the PASS line of ``exercise``."""
    print(f"[PASS] {exercise}" + (f": {detail}" if detail else ""))


def failed(exercise: str, reason: str) -> None:
    """Print the FAIL line of ``exercise`` and raise :class:`ExerciseFailure` with it."""
    message = f"[FAIL] {exercise}: {reason}"
    print(message)
    raise ExerciseFailure(message)


def _call(exercise: str, fn: Callable, *args, **kwargs):
    """Call the student's ``fn``; turn an unexpected exception into a FAIL that names it."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as exc:  # the student's code crashed: say where, and on what input
        shown = ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
        failed(exercise, f"calling {getattr(fn, '__name__', 'fn')}({shown}) raised "
                         f"{type(exc).__name__}: {exc}")


def _short(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor{tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    return repr(value)


# ----------------------------------------------------------------------------- 00_welcome


def check_seconds_to_samples(fn: Callable[[float, int], int]) -> None:
    """Check ``fn(seconds, sample_rate) -> int`` (notebook ``00_welcome``, exercise 0.1).

    The answer is the whole number of samples nearest to ``seconds * sample_rate``.
    """
    name = "Exercise 0.1 seconds_to_samples"
    cases = [(1.0, 16000, 16000), (0.5, 16000, 8000), (1.024, 16000, 16384),
             (2.0, 22050, 44100), (0.0, 16000, 0), (0.29, 100, 29), (1.00004, 16000, 16001),
             (1 / 3, 48000, 16000)]
    for seconds, rate, expected in cases:
        got = _call(name, fn, seconds, rate)
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            failed(name, f"fn({seconds}, {rate}) returned {got!r} of type {type(got).__name__}; "
                         "a number of samples is a whole number: return an int")
        if got != expected:
            hint = ""
            if got == math.floor(seconds * rate) != expected:
                hint = " (round to the nearest sample instead of truncating)"
            elif got == round(seconds / rate) or got == round(rate / seconds if seconds else 0):
                hint = " (multiply seconds by the sample rate)"
            failed(name, f"fn({seconds}, {rate}) returned {got}, expected {expected}{hint}")
    passed(name, f"{len(cases)} cases, including 1.024 s at 16 kHz = 16384 samples")


# ------------------------------------------------- 03_specgan_dcgan / 04_wavegan_phase_shuffle

import inspect  # noqa: E402

import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def _accepts(fn: Callable, name: str) -> bool:
    """Whether ``fn`` takes a parameter called ``name`` (or ``**kwargs``)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in params)


def _transposed_length(length, kernel, stride, padding, output_padding, dilation=1) -> int:
    return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def check_transposed_conv_output(fn: Callable[..., int]) -> None:
    """Check ``fn(length, kernel, stride, padding, output_padding[, dilation]) -> int``
    (notebook ``03_specgan_dcgan``, exercise 3.1).

    The output length of a transposed convolution is ``(L - 1) * stride - 2 * padding + kernel +
    output_padding`` (with ``dilation``: ``dilation * (kernel - 1) + 1`` in place of ``kernel``).
    Dilation is checked only when ``fn`` takes a ``dilation`` argument.
    """
    name = "Exercise 3.1 transposed_conv_output"
    cases = [(10, 3, 1, 0, 0), (7, 4, 3, 1, 0), (5, 4, 2, 1, 0), (16, 25, 4, 11, 1),
             (4, 5, 2, 2, 1), (1, 5, 2, 2, 1), (9, 7, 3, 0, 2), (4096, 25, 4, 11, 1)]
    for length, kernel, stride, padding, op in cases:
        got = _call(name, fn, length, kernel, stride, padding, op)
        _check_length(name, got, (length, kernel, stride, padding, op))
    dilated = [(6, 3, 2, 0, 1, 2), (10, 5, 1, 0, 0, 3), (8, 25, 4, 11, 1, 2)]
    if _accepts(fn, "dilation"):
        for length, kernel, stride, padding, op, dil in dilated:
            got = _call(name, fn, length, kernel, stride, padding, op, dilation=dil)
            _check_length(name, got, (length, kernel, stride, padding, op), dil)
        extra = ", dilation too"
    else:
        extra = " (dilation not checked: fn takes no dilation argument)"
    passed(name, f"{len(cases)} cases, e.g. WaveGAN 16 -> 64 and SpecGAN 4 -> 8{extra}")


def _check_length(name: str, got, args: tuple, dilation: int = 1) -> None:
    length, kernel, stride, padding, op = args
    shown = f"fn({length}, {kernel}, {stride}, {padding}, {op}" + \
        (f", dilation={dilation})" if dilation != 1 else ")")
    if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
        failed(name, f"{shown} returned {got!r} of type {type(got).__name__}; a length is a "
                     "whole number: return an int")
    expected = _transposed_length(length, kernel, stride, padding, op, dilation)
    if got == expected:
        return
    k_eff = dilation * (kernel - 1) + 1
    hints = [
        ((length + 2 * padding - k_eff) // stride + 1,
         "that is the length of an ordinary (downsampling) convolution, not a transposed one"),
        (expected - op, "output_padding adds samples at the end: add it"),
        (expected + 4 * padding, "padding crops the output: subtract 2 * padding"),
        (expected + padding, "padding crops both ends: subtract 2 * padding, not padding"),
        (expected + stride, "there are L - 1 gaps between L inputs: (L - 1) * stride"),
        (expected - 1, "the kernel adds kernel - 1 samples after the last input, plus that input"),
        (expected + 1, "the kernel adds kernel - 1 samples after the last input, plus that input"),
        (length * stride, "the output is exactly L * stride only for 'same' padding; "
                          "use the general formula"),
    ]
    if dilation != 1:
        hints.insert(0, (_transposed_length(length, kernel, stride, padding, op),
                         "a dilated kernel spans dilation * (kernel - 1) + 1 samples"))
    hint = next((h for value, h in hints if got == value), "")
    failed(name, f"{shown} returned {got}, expected {expected}" + (f" ({hint})" if hint else ""))


def _resize_candidates(x: torch.Tensor, factor: int) -> dict[str, torch.Tensor]:
    """``x`` resized by ``factor`` with every common interpolation (the answers we accept)."""
    dims = x.dim() - 2
    out = {"nearest": x}
    for axis in range(2, 2 + dims):
        out["nearest"] = out["nearest"].repeat_interleave(factor, dim=axis)
    size = tuple(s * factor for s in x.shape[2:])
    smooth = ["linear"] if dims == 1 else ["bilinear", "bicubic"]
    for mode in smooth:
        for corners in (False, True):
            out[f"{mode}{' align_corners' if corners else ''}"] = F.interpolate(
                x, size=size, mode=mode, align_corners=corners)
    if dims == 1:
        for corners in (False, True):
            out[f"cubic{' align_corners' if corners else ''}"] = F.interpolate(
                x.unsqueeze(2), size=(1, size[0]), mode="bicubic", align_corners=corners).squeeze(2)
    out["nearest-exact"] = F.interpolate(x, size=size, mode="nearest-exact")
    return out


def check_upsample_block(factory: Callable[..., nn.Module], dims: int = 2) -> None:
    """Check a resize-then-convolve upsampling block (notebook ``03_specgan_dcgan``, exercise 3.2).

    ``factory(in_channels, out_channels, kernel_size, factor)`` must return an ``nn.Module`` that
    maps ``(N, in, H, W)`` to ``(N, out, H*factor, W*factor)`` (``(N, in, L)`` to ``(N, out,
    L*factor)`` with ``dims=1``) by resizing (nearest, linear or cubic) and then applying one
    stride-1 ``'same'`` convolution: no transposed convolution, no zeros inserted.
    """
    name = "Exercise 3.2 upsample_block"
    conv_cls = nn.Conv1d if dims == 1 else nn.Conv2d
    transposed = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
    gen = torch.Generator().manual_seed(0)
    used_modes: set[str] = set()
    for in_ch, out_ch, kernel, factor, spatial in [(3, 5, 5, 2, (4, 6)), (4, 2, 3, 4, (3, 5)),
                                                   (2, 2, 5, 2, (8, 8))]:
        spatial = spatial[:dims]
        block = _call(name, factory, in_ch, out_ch, kernel, factor)
        if not isinstance(block, nn.Module):
            failed(name, f"factory({in_ch}, {out_ch}, {kernel}, {factor}) returned "
                         f"{type(block).__name__}; return an nn.Module (e.g. a class with forward)")
        if any(isinstance(m, transposed) for m in block.modules()):
            failed(name, "the block uses a transposed convolution; resize first (F.interpolate "
                         "or nn.Upsample), then apply an ordinary convolution")
        convs = [m for m in block.modules() if isinstance(m, conv_cls)]
        if len(convs) != 1:
            failed(name, f"expected exactly one nn.{conv_cls.__name__} in the block, found "
                         f"{len(convs)}")
        conv = convs[0]
        if (conv.in_channels, conv.out_channels) != (in_ch, out_ch):
            failed(name, f"the convolution maps {conv.in_channels} -> {conv.out_channels} "
                         f"channels; expected {in_ch} -> {out_ch}")
        if any(s != 1 for s in conv.stride):
            failed(name, f"the convolution has stride {conv.stride}; after resizing it must keep "
                         "the size: stride 1")
        x = torch.randn(2, in_ch, *spatial, generator=gen)
        with torch.no_grad():
            y = _call(name, block, x)
            want = (2, out_ch, *[s * factor for s in spatial])
            if not isinstance(y, torch.Tensor) or tuple(y.shape) != want:
                shape = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
                failed(name, f"input {tuple(x.shape)} with factor {factor} gave {shape}, expected "
                             f"{want} (resize by the factor, then a 'same' convolution: padding "
                             "kernel_size // 2)")
            matches = [mode for mode, r in _resize_candidates(x, factor).items()
                       if torch.allclose(y, conv(r), atol=1e-5)]
            if not matches:
                swapped = any(torch.allclose(y, r, atol=1e-5)
                              for r in _resize_candidates(conv(x), factor).values())
                if swapped:
                    failed(name, "the block convolves first and resizes after; resize first, "
                                 "then convolve")
                failed(name, "the output is not conv(resize(x)): resize with nearest, linear or "
                             "cubic interpolation (not by inserting zeros), then apply the "
                             "convolution, with nothing else in between or after")
            used_modes.update(matches[:1])
    passed(name, f"3 cases, resize ({', '.join(sorted(used_modes))}) then one stride-1 conv")


def _shift_index(length: int, k: int, fill: str) -> torch.Tensor | None:
    """Indices that shift a length-``length`` signal by ``k`` (out[t] = x[t-k]) with ``fill``.

    ``fill`` is ``reflect`` (edge not repeated), ``symmetric`` (edge repeated), ``replicate``
    or ``wrap``; ``zeros`` is handled by the caller (index -1 marks a zero). None if impossible.
    """
    idx = []
    for t in range(length):
        j = t - k
        if 0 <= j < length:
            idx.append(j)
        elif fill == "reflect":
            j = -j if j < 0 else 2 * (length - 1) - j
            if not 0 <= j < length:
                return None
            idx.append(j)
        elif fill == "symmetric":
            idx.append(-j - 1 if j < 0 else 2 * length - 1 - j)
        elif fill == "replicate":
            idx.append(0 if j < 0 else length - 1)
        elif fill == "wrap":
            idx.append(j % length)
        else:  # zeros
            idx.append(-1)
    return torch.tensor(idx)


def _shifted(x: torch.Tensor, k: int, fill: str) -> torch.Tensor | None:
    """``x`` shifted in time by ``k`` with ``fill`` (see :func:`_shift_index`), or None."""
    idx = _shift_index(x.shape[-1], k, fill)
    if idx is None:
        return None
    if fill == "zeros":  # index -1 picks the appended zero column
        return torch.cat([x, torch.zeros_like(x[..., :1])], dim=-1)[..., idx]
    return x[..., idx]


def _classify_shuffle(out: torch.Tensor, x: torch.Tensor, n: int) -> tuple[list[int | None], str]:
    """The reflection shift of each example of ``out`` (None where none in [-n, n] fits), and a
    reason naming the mistake for the first example that does not fit."""
    batch = x.shape[0]
    ks: list[int | None] = [None] * batch
    for k in range(-n, n + 1):
        cand = _shifted(x, k, "reflect")
        hit = (out == cand).flatten(1).all(1)
        for b in torch.nonzero(hit).flatten().tolist():
            ks[b] = k if ks[b] is None else ks[b]
    bad = [b for b in range(batch) if ks[b] is None]
    if not bad:
        return ks, ""
    b = bad[0]
    far = n + 3
    tests = [("wrap", "padding must reflect, not wrap around (torch.roll is circular): use "
                      "F.pad(x, (left, right), mode='reflect') and crop"),
             ("zeros", "the gap is filled with zeros; fill it by reflection "
                       "(F.pad(..., mode='reflect'))"),
             ("replicate", "the gap repeats the edge value (replicate); reflect instead: "
                           "mode='reflect' (x[-1] = x[1])"),
             ("symmetric", "the reflection repeats the edge sample; mode='reflect' mirrors "
                           "around it (x[-1] = x[1])")]
    for fill, reason in tests:
        for k in range(-far, far + 1):
            if k == 0:
                continue
            cand = _shifted(x[b:b + 1], k, fill)
            if cand is not None and torch.equal(out[b:b + 1], cand):
                return ks, reason
    for k in range(-far, far + 1):
        cand = _shifted(x[b:b + 1], k, "reflect")
        if abs(k) > n and cand is not None and torch.equal(out[b:b + 1], cand):
            return ks, (f"example {b} was shifted by {k}, outside [-{n}, {n}]; draw k with "
                        f"torch.randint(-n, n + 1, ...)")
    per_channel = all(
        any(torch.equal(out[b, c], _shifted(x[b, c], k, "reflect")) for k in range(-n, n + 1))
        for c in range(x.shape[1]))
    if per_channel:
        return ks, "channels of one example were shifted by different amounts; shift every " \
                   "channel of an example by the same k"
    return ks, (f"example {b} is not its input shifted in time (the last axis) by some k in "
                f"[-{n}, {n}] with reflection fill")


def check_phase_shuffle(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> None:
    """Check ``fn(x, n)`` for ``x`` of shape ``(batch, channels, time)``
    (notebook ``04_wavegan_phase_shuffle``, exercise 4.1).

    The answer shifts ``x`` in time by a random ``k`` in ``[-n, n]`` (``out[..., t] = x[...,
    t - k]``, either sign convention) and fills the ``|k|`` samples at the edge by reflection
    (``x[-j] = x[j]``). One ``k`` per call (as in the WaveGAN code) and one ``k`` per example
    both pass. An identity, a circular roll, a zero fill, an edge repeat, or a shift outside
    ``[-n, n]`` fails. The check uses its own seeded random state and leaves yours as it was.
    """
    name = "Exercise 4.1 phase_shuffle"
    styles: set[str] = set()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for n, batch, channels, length, calls in [(2, 16, 3, 32, 40), (1, 8, 2, 16, 30),
                                                  (3, 8, 2, 20, 40)]:
            x = torch.arange(1.0, batch * channels * length + 1).view(batch, channels, length)
            original = x.clone()
            seen: set[int] = set()
            for _ in range(calls):
                out = _call(name, fn, x, n)
                if not isinstance(out, torch.Tensor):
                    failed(name, f"fn(x, {n}) returned {type(out).__name__}; return a tensor")
                if not torch.equal(x, original):
                    failed(name, "fn changed its input in place; return a new tensor")
                if tuple(out.shape) != tuple(x.shape):
                    failed(name, f"fn(x, {n}) on {tuple(x.shape)} returned shape "
                                 f"{tuple(out.shape)}; the shape must not change (crop after "
                                 "padding)")
                ks, reason = _classify_shuffle(out.detach().to(x.dtype), x, n)
                if reason:
                    failed(name, reason)
                seen.update(ks)
                styles.add("per example" if len(set(ks)) > 1 else "per call")
            if seen == {0}:
                failed(name, "the output always equals the input; shift it by a random k")
            missing = sorted(set(range(-n, n + 1)) - seen)
            if missing:
                hint = (" (torch.randint's upper bound is exclusive: use n + 1)"
                        if n in missing or -n in missing else "")
                failed(name, f"with n={n} the shift never took the values {missing}; draw k "
                             f"uniformly from [-n, n]{hint}")
        x = torch.randn(4, 2, 8)
        if not torch.equal(_call(name, fn, x, 0), x):
            failed(name, "with n=0 the output must equal the input")
    kind = "one shift per example" if "per example" in styles else "one shift per call"
    passed(name, f"reflection-filled shifts covering [-n, n] for n = 1, 2, 3 ({kind})")


# ----------------------------------------------------------------------------- 02_dense_gan_baseline / 05_wgan_gp

_F = torch.nn.functional


def _loss_value(name: str, out, what: str) -> torch.Tensor:
    """The student's loss as a 0-d tensor, or a FAIL that says what to return."""
    if not isinstance(out, torch.Tensor):
        failed(name, f"{what} returned {type(out).__name__}; return a tensor (the loss)")
    if out.numel() != 1:
        failed(name, f"{what} returned shape {tuple(out.shape)}; return one number, the mean over "
                     "the batch")
    return out.reshape(())


def _logit_cases(seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    for batch, column in ((8, False), (5, True), (16, False)):
        real = torch.randn(batch, generator=g) * 2 + 1.0
        fake = torch.randn(batch, generator=g) * 2 - 0.5
        if column:
            real, fake = real[:, None], fake[:, None]
        cases.append((real, fake))
    return cases


def _bce(x: torch.Tensor, target: float, reduction: str = "mean") -> torch.Tensor:
    x = x.reshape(-1).double()
    return _F.binary_cross_entropy_with_logits(x, torch.full_like(x, target), reduction=reduction)


def check_discriminator_bce(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(real_logits, fake_logits) -> loss`` (notebook ``02_dense_gan_baseline``, exercise 2.1).

    The discriminator's binary cross-entropy from logits ``(B,)`` or ``(B, 1)``: real examples
    have label 1, generated ones label 0, each term averaged over its batch
    (``BCE(real, 1) + BCE(fake, 0)``; half of that is accepted too). It must stay finite for
    large logits and be differentiable.
    """
    name = "Exercise 2.1 discriminator_bce"
    big = (torch.tensor([30.0, 50.0, -20.0, 3.0]), torch.tensor([-60.0, 25.0, 40.0, -3.0]))
    factors = set()
    for real, fake in _logit_cases() + [big]:
        r = real.clone().requires_grad_(True)
        f = fake.clone().requires_grad_(True)
        out = _call(name, fn, r, f)
        value = _loss_value(name, out, "fn(real_logits, fake_logits)")
        expected = (_bce(real, 1.0) + _bce(fake, 0.0)).item()
        got = value.item()
        if not math.isfinite(got):
            failed(name, f"the loss is {got} for large logits {real.tolist()} / {fake.tolist()}; "
                         "compute it from the logits with binary_cross_entropy_with_logits "
                         "(log(sigmoid(x)) overflows)")
        factor = next((c for c in (1.0, 0.5) if math.isclose(got, c * expected, rel_tol=1e-4,
                                                              abs_tol=1e-6)), None)
        if factor is None and real is big[0]:
            failed(name, f"for large logits the loss is {got:.6g}, expected {expected:.6g}: a "
                         "sigmoid followed by BCE loses precision (BCELoss clips log at -100); "
                         "use binary_cross_entropy_with_logits on the logits")
        if factor is None:
            failed(name, _diagnose_d_bce(real, fake, got, expected))
        factors.add(factor)
        if not value.requires_grad:
            failed(name, "the loss is not differentiable: build it from torch operations on the "
                         "logits (no .item(), .detach() or numpy)")
        gr, gf = torch.autograd.grad(value, (r, f), allow_unused=True)
        if gr is None or gf is None:
            failed(name, "the loss must depend on both the real and the fake logits")
    if len(factors) > 1:
        failed(name, "the loss is sometimes the sum of the two terms and sometimes half of it; "
                     "pick one")
    passed(name, "BCE from logits, real -> 1, fake -> 0, stable for large logits")


def _diagnose_d_bce(real, fake, got: float, expected: float) -> str:
    candidates = [
        (_bce(real, 0.0) + _bce(fake, 1.0), "the labels are swapped: real examples have label 1 "
                                            "and generated ones label 0"),
        (_bce(torch.sigmoid(real), 1.0) + _bce(torch.sigmoid(fake), 0.0),
         "the inputs are logits: pass them to binary_cross_entropy_with_logits directly, "
         "without a sigmoid first"),
        (_bce(real, 1.0), "only the real term is there: add BCE(fake logits, 0)"),
        (_bce(fake, 0.0), "only the fake term is there: add BCE(real logits, 1)"),
        (_bce(real, 1.0, "sum") + _bce(fake, 0.0, "sum"), "average over the batch (mean), not a sum"),
        (-(_bce(real, 1.0) + _bce(fake, 0.0)), "the sign is flipped: cross-entropy is positive, "
                                               "and the discriminator minimises it"),
    ]
    for value, reason in candidates:
        for c in (1.0, 0.5):
            if math.isclose(got, c * value.item(), rel_tol=1e-4, abs_tol=1e-6):
                return reason
    return f"got {got:.6g}, expected {expected:.6g} = BCE(real logits, 1) + BCE(fake logits, 0)"


def check_generator_bce(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(fake_logits) -> loss`` (notebook ``02_dense_gan_baseline``, exercise 2.2).

    The non-saturating generator loss ``-log D(G(z))``: the BCE of the fakes' logits against the
    *real* label 1, averaged over the batch. The saturating minimax form ``log(1 - D(G(z)))``
    fails: its gradient vanishes when the discriminator rejects the fakes.
    """
    name = "Exercise 2.2 generator_bce"
    big = torch.tensor([-120.0, -12.0, 35.0])
    for _, fake in _logit_cases(1) + [(None, big)]:
        f = fake.clone().requires_grad_(True)
        value = _loss_value(name, _call(name, fn, f), "fn(fake_logits)")
        got, expected = value.item(), _bce(fake, 1.0).item()
        if not math.isfinite(got):
            failed(name, f"the loss is {got} for large logits {fake.tolist()}; compute it from "
                         "the logits with binary_cross_entropy_with_logits")
        if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-6) and fake is big:
            failed(name, f"for large logits the loss is {got:.6g}, expected {expected:.6g}: a "
                         "sigmoid followed by BCE loses precision (BCELoss clips log at -100); "
                         "use binary_cross_entropy_with_logits on the logits")
        if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-6):
            failed(name, _diagnose_g_bce(fake, got, expected))
        if not value.requires_grad:
            failed(name, "the loss is not differentiable: build it from torch operations on the "
                         "logits (no .item(), .detach() or numpy)")
    # where D confidently rejects the fakes, the non-saturating gradient is about -1/B per logit
    rejected = torch.full((4,), -8.0, requires_grad=True)
    (grad,) = torch.autograd.grad(_call(name, fn, rejected).reshape(()), rejected)
    if not torch.allclose(grad, torch.full_like(grad, -0.25), atol=1e-3):
        failed(name, f"where D rejects the fakes (logit -8) the gradient is {grad.tolist()}; "
                     "the non-saturating loss keeps it near -1/B")
    passed(name, "non-saturating -log D(G(z)) from logits")


def _diagnose_g_bce(fake, got: float, expected: float) -> str:
    candidates = [
        (-_bce(fake, 0.0), "this is the saturating minimax loss log(1 - D(G(z))); its gradient "
                           "vanishes when D rejects the fakes. Use -log D(G(z)): BCE of the fake "
                           "logits against label 1"),
        (_bce(fake, 0.0), "the label is wrong: the generator wants D to call its fakes real, so "
                          "the target is 1, not 0"),
        (_bce(torch.sigmoid(fake), 1.0), "the inputs are logits: no sigmoid before "
                                         "binary_cross_entropy_with_logits"),
        (_bce(fake, 1.0, "sum"), "average over the batch (mean), not a sum"),
        (-_bce(fake, 1.0), "the sign is flipped: minimise BCE(fake logits, 1), a positive number"),
    ]
    for value, reason in candidates:
        if math.isclose(got, value.item(), rel_tol=1e-4, abs_tol=1e-6):
            return reason
    return f"got {got:.6g}, expected {expected:.6g} = BCE(fake logits, 1)"


def _drum_batch(n: int, length: int = 2048, seed: int = 0) -> torch.Tensor:
    """``(n, length)`` decaying tones and noise bursts, all different: a diverse batch."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(length) / 8000.0
    freq = 60 + 1500 * torch.rand(n, 1, generator=g)
    decay = 5 + 40 * torch.rand(n, 1, generator=g)
    noise = torch.rand(n, 1, generator=g)
    tone = torch.sin(2 * math.pi * freq * t + 6.28 * torch.rand(n, 1, generator=g))
    burst = torch.randn(n, length, generator=g) * 0.3
    return ((1 - noise) * tone + noise * burst) * torch.exp(-decay * t) * 0.8


def _statistic(name: str, fn, batch: torch.Tensor, what: str) -> float:
    out = _call(name, fn, batch.clone())
    if isinstance(out, torch.Tensor):
        if out.numel() != 1:
            failed(name, f"fn returned shape {tuple(out.shape)} on {what}; return one number for "
                         "the whole batch")
        out = out.detach().float().item()
    try:
        value = float(out)
    except (TypeError, ValueError):
        failed(name, f"fn returned {type(out).__name__} on {what}; return one number")
    if not math.isfinite(value):
        failed(name, f"fn returned {value} on {what}")
    return value


def check_diversity(fn: Callable[[torch.Tensor], float]) -> None:
    """Check ``fn(samples) -> float``, a diversity statistic (notebook ``02_dense_gan_baseline``,
    exercise 2.3).

    ``samples`` ``(N, L)`` (or ``(N, 1, L)``) is a batch of generated sounds. The statistic must
    be larger for more varied batches and near 0 for a collapsed batch (every example the same
    sound), so it compares examples with each other (for example the mean distance between
    pairs, or the standard deviation across the batch). It must not depend on the order of the
    examples, and must count every example.
    """
    name = "Exercise 2.3 diversity"
    diverse = _drum_batch(16)
    v_div = _statistic(name, fn, diverse, "a diverse batch")
    collapsed = diverse[:1].repeat(16, 1)
    v_col = _statistic(name, fn, collapsed, "a collapsed batch")
    if v_col > v_div:
        failed(name, f"a collapsed batch scores higher ({v_col:.4g}) than a diverse one "
                     f"({v_div:.4g}); make larger mean more diverse")
    if v_div <= 0:
        failed(name, f"a batch of 16 different sounds scored {v_div:.4g}; a diverse batch must "
                     "score more than 0")
    if v_col > 0.5 * v_div:
        failed(name, f"a collapsed batch (one sound repeated 16 times) scores {v_col:.4g}, close "
                     f"to a diverse batch ({v_div:.4g}): the statistic measures something inside "
                     "each example (loudness, spread over time), not how examples differ from "
                     "each other")
    if v_col > 0.05 * v_div:
        failed(name, f"a collapsed batch scores {v_col:.4g}, not near 0 (diverse: {v_div:.4g}); "
                     "identical examples have no diversity")
    noisy = collapsed + 1e-4 * torch.randn(collapsed.shape, generator=torch.Generator().manual_seed(1))
    if _statistic(name, fn, noisy, "a nearly collapsed batch") > 0.05 * v_div:
        failed(name, "one sound repeated with a tiny bit of noise must still score near 0")
    twins = diverse.clone()
    twins[1] = twins[0]
    if _statistic(name, fn, twins, "a diverse batch whose first two examples match") < 0.5 * v_div:
        failed(name, "a batch that is diverse except that its first two examples are equal scores "
                     "near 0: use every example, not just the first ones")
    one_odd = collapsed.clone()
    one_odd[1] = -diverse[0]
    if _statistic(name, fn, one_odd, "a batch of 15 copies and one other sound") > 0.4 * v_div:
        failed(name, "15 copies of one sound plus a single other sound score as high as a fully "
                     "diverse batch: the statistic must reflect the whole batch (a mean, not a "
                     "max or the first pair)")
    perm = torch.randperm(16, generator=torch.Generator().manual_seed(2))
    if not math.isclose(_statistic(name, fn, diverse[perm], "a reordered batch"), v_div,
                        rel_tol=1e-3, abs_tol=1e-6):
        failed(name, "shuffling the batch changes the value: the statistic must not depend on the "
                     "order of the examples")
    original = diverse.clone()
    _call(name, fn, diverse)
    if not torch.equal(diverse, original):
        failed(name, "fn changed the samples in place; compute on a copy")
    if not math.isclose(_statistic(name, fn, diverse[:, None, :], "the same batch as (N, 1, L)"),
                        v_div, rel_tol=1e-3, abs_tol=1e-6):
        failed(name, "samples of shape (N, 1, L) give a different value than the same samples as "
                     "(N, L): flatten each example first (samples.flatten(1))")
    passed(name, f"collapsed {v_col:.3g} vs diverse {v_div:.3g}, order-free, uses every example")


def check_critic_loss(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(real_scores, fake_scores) -> loss`` (notebook ``05_wgan_gp``, exercise 5.1).

    The Wasserstein critic minimises ``mean D(fake) - mean D(real)``: raw scores (no sigmoid, no
    log), real scores pushed up, fake scores down.
    """
    name = "Exercise 5.1 critic_loss"
    cases = _logit_cases(2) + [(torch.tensor([300.0, 120.0, -50.0]), torch.tensor([-400.0, 80.0, 20.0]))]
    for real, fake in cases:
        r = real.clone().requires_grad_(True)
        f = fake.clone().requires_grad_(True)
        value = _loss_value(name, _call(name, fn, r, f), "fn(real_scores, fake_scores)")
        got = value.item()
        expected = (fake.double().mean() - real.double().mean()).item()
        if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-5):
            reasons = [
                ((real.double().mean() - fake.double().mean()).item(),
                 "the sign is flipped: the critic scores real examples high, so it minimises "
                 "mean D(fake) - mean D(real)"),
                ((fake.double().sum() - real.double().sum()).item(),
                 "average over the batch (mean), not a sum"),
                ((torch.sigmoid(fake.double()).mean() - torch.sigmoid(real.double()).mean()).item(),
                 "a critic's scores are not probabilities: no sigmoid, just the difference of means"),
                ((_bce(real, 1.0) + _bce(fake, 0.0)).item(),
                 "this is the BCE loss of notebook 02; the Wasserstein critic uses the difference "
                 "of mean scores"),
            ]
            hint = next((r for v, r in reasons if math.isclose(got, v, rel_tol=1e-4, abs_tol=1e-5)),
                        f"got {got:.6g}, expected mean(fake) - mean(real) = {expected:.6g}")
            failed(name, hint)
        if not value.requires_grad:
            failed(name, "the loss is not differentiable: build it from torch operations (no .item())")
    passed(name, "mean D(fake) - mean D(real) on raw scores")


class _RecordingCritic(torch.nn.Module):
    """``D(x) = <w, x> + k/2 |x|^2 + b`` per example; remembers the inputs it was called with."""

    def __init__(self, shape: tuple[int, ...], seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        size = math.prod(shape)
        w = torch.randn(size, generator=g)
        self.w = torch.nn.Parameter(0.6 * w / w.norm())
        self.k = torch.nn.Parameter(torch.tensor(1.0))
        self.b = torch.nn.Parameter(torch.tensor(0.1))
        self.inputs: list[torch.Tensor] = []

    def score(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(1)
        return (flat @ self.w + 0.5 * self.k * (flat ** 2).sum(1) + self.b)[:, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.inputs.append(x.detach().clone())
        return self.score(x)


def _gp_pair(shape: tuple[int, ...], batch: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Real and fake examples that differ in every sample (so alpha can be read back)."""
    g = torch.Generator().manual_seed(seed)
    scale = (0.02 + 0.2 * torch.rand(batch, generator=g)).reshape((batch,) + (1,) * len(shape))
    real = scale * torch.randn((batch,) + shape, generator=g)
    sign = torch.where(torch.rand((batch,) + shape, generator=g) < 0.5, -1.0, 1.0)
    fake = real + sign * scale * (0.2 + torch.rand((batch,) + shape, generator=g))
    return real, fake


def _gp_variants(critic: _RecordingCritic, x_hat: torch.Tensor, weight: float) -> dict[str, torch.Tensor]:
    x = x_hat.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic.score(x).sum(), x, create_graph=True)
    norms = grad.flatten(1).norm(2, dim=1)
    return {
        "right": weight * ((norms - 1) ** 2).mean(),
        "one-sided": weight * (torch.relu(norms - 1) ** 2).mean(),
        "last dim": weight * ((grad.norm(2, dim=-1) - 1) ** 2).mean(),
        "dim 1": weight * ((grad.norm(2, dim=1) - 1) ** 2).mean(),
        "whole batch": weight * (grad.norm(2) - 1) ** 2,
        "no square": weight * (norms - 1).abs().mean(),
        "squared norm": weight * ((norms ** 2 - 1) ** 2).mean(),
        "no weight": ((norms - 1) ** 2).mean(),
        "sum": weight * ((norms - 1) ** 2).sum(),
    }


_GP_HINTS = {
    "one-sided": "the penalty is two-sided: (||grad|| - 1)^2 pulls norms below 1 up as well; do "
                 "not clamp it with relu/max",
    "last dim": "take the norm over every dimension except the batch (grad.flatten(1).norm(2, "
                "dim=1)); a norm over the last dimension covers only part of each example",
    "dim 1": "take the norm over every dimension except the batch (grad.flatten(1).norm(2, "
             "dim=1)); norm(dim=1) of a (B, C, L) gradient covers only the channels",
    "whole batch": "one gradient norm per example, not one for the whole batch",
    "no square": "square the difference: (||grad|| - 1)^2",
    "squared norm": "use the norm ||grad||_2, not its square",
    "no weight": "multiply the penalty by weight (lambda = 10)",
    "sum": "average the penalty over the batch (mean), not a sum",
}


def check_gradient_penalty(fn: Callable[..., torch.Tensor]) -> None:
    """Check ``fn(critic, real, fake, weight=10.0) -> penalty`` (notebook ``05_wgan_gp``, exercise 5.2).

    WGAN-GP: ``x_hat = real + alpha * (fake - real)`` with one ``alpha ~ U[0, 1]`` per example,
    the critic's gradient at ``x_hat`` with ``create_graph=True``, its 2-norm over all non-batch
    dimensions, and ``weight * mean((norm - 1)^2)``. The check calls ``fn`` with a critic that
    records where it is evaluated, so it can tell an interpolation at the wrong points, a
    missing ``create_graph``, a norm over the wrong dimensions and a one-sided penalty apart.
    """
    name = "Exercise 5.2 gradient_penalty"
    alphas = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for trial, (shape, weight) in enumerate([((2, 24), 10.0), ((2, 24), 10.0), ((3, 16), 1.0),
                                                 ((1, 6, 5), 10.0)]):
            critic = _RecordingCritic(shape, seed=trial)
            real, fake = _gp_pair(shape, 32, seed=10 + trial)
            real_copy, fake_copy = real.clone(), fake.clone()
            out = _call(name, fn, critic, real, fake, weight=weight)
            value = _loss_value(name, out, "fn(critic, real, fake)")
            if not (torch.equal(real, real_copy) and torch.equal(fake, fake_copy)):
                failed(name, "fn changed real or fake in place; build x_hat as a new tensor")
            if len(critic.inputs) != 1:
                failed(name, f"the critic was called {len(critic.inputs)} times; call it once, on "
                             "the interpolated examples x_hat")
            x_hat = critic.inputs[0]
            alphas.append(_read_alphas(name, x_hat, real, fake))
            variants = _gp_variants(critic, x_hat, weight)
            got, expected = value.item(), variants["right"].item()
            if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-6):
                hint = next((_GP_HINTS[k] for k, v in variants.items()
                             if k != "right" and math.isclose(got, v.item(), rel_tol=1e-4,
                                                              abs_tol=1e-6)), None)
                failed(name, hint or f"got {got:.6g}, expected {expected:.6g} = weight * "
                                     "mean((||grad D(x_hat)||_2 - 1)^2) at the points the critic saw")
            if value.grad_fn is None or not value.requires_grad:
                failed(name, "the penalty must be differentiable with respect to the critic's "
                             "parameters, or it cannot train the critic: pass create_graph=True to "
                             "torch.autograd.grad")
            params = list(critic.parameters())
            got_grads = torch.autograd.grad(value, params, allow_unused=True)
            want_grads = torch.autograd.grad(variants["right"], params, allow_unused=True)
            for p_name, p, a, b in zip(("w", "k", "b"), params, got_grads, want_grads):
                a = torch.zeros_like(p) if a is None else a
                b = torch.zeros_like(p) if b is None else b
                if not torch.allclose(a, b, rtol=1e-3, atol=1e-5):
                    failed(name, f"the penalty's gradient with respect to the critic parameter "
                                 f"{p_name} is wrong: keep the graph of the input gradient "
                                 "(create_graph=True) and do not detach it")
    alpha = torch.cat(alphas)
    if not (0.3 < alpha.mean().item() < 0.7 and alpha.min().item() < 0.15
            and alpha.max().item() > 0.85):
        failed(name, f"alpha ranged over [{alpha.min().item():.2f}, {alpha.max().item():.2f}] with "
                     f"mean {alpha.mean().item():.2f}; draw it uniformly from [0, 1] (torch.rand)")
    passed(name, "per-example interpolation, two-sided penalty on the full gradient norm, "
                 "differentiable (create_graph=True)")


def _read_alphas(name: str, x_hat: torch.Tensor, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The interpolation coefficient of each example, or a FAIL naming what is wrong."""
    if tuple(x_hat.shape) != tuple(real.shape):
        failed(name, f"the critic got shape {tuple(x_hat.shape)}; interpolate the batch "
                     f"{tuple(real.shape)} example by example")
    a = ((x_hat.double() - real.double()) / (fake.double() - real.double())).flatten(1)
    if torch.allclose(x_hat, real):
        failed(name, "the critic saw the real examples themselves; evaluate it between real and "
                     "fake: x_hat = real + alpha * (fake - real)")
    if torch.allclose(x_hat, fake):
        failed(name, "the critic saw the fake examples themselves; evaluate it between real and "
                     "fake: x_hat = real + alpha * (fake - real)")
    if a.min() < -1e-4 or a.max() > 1 + 1e-4:
        failed(name, "x_hat does not lie between real and fake: use alpha in [0, 1] and "
                     "x_hat = real + alpha * (fake - real)")
    if (a.max(dim=1).values - a.min(dim=1).values).max() > 1e-4:
        failed(name, "alpha differs within an example: draw one alpha per example, of shape "
                     "(B, 1, ..., 1), so that x_hat lies on the segment between a real example and "
                     "a fake one (an alpha shaped like real mixes them sample by sample)")
    alpha = a.mean(dim=1)
    if alpha.std() < 1e-6:
        failed(name, f"every example has the same alpha ({alpha[0].item():.3f}); draw one per "
                     "example: torch.rand(B, 1, ..., 1)")
    return alpha.float()


# ----------------------------------------------------------------------------- 01_audio_preprocessing


def _as_tensor(value) -> torch.Tensor | None:
    """The student's answer as a tensor (numpy arrays and lists are accepted), else None."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    try:
        return torch.as_tensor(np.asarray(value))
    except Exception:  # not array-like: the caller reports what came back
        return None


def check_slice_examples(fn: Callable[[torch.Tensor, int, int], torch.Tensor]) -> None:
    """Check ``fn(wave, length, hop) -> (n, length)`` (notebook ``01_audio_preprocessing``, exercise 1.1).

    Examples start every ``hop`` samples; the tail that does not fill a whole example is padded
    with zeros at its end into one more example (a clip shorter than ``length`` gives one padded
    example), and no example is ever all padding.
    """
    from .audio import slice_audio

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
            failed(name, f"{what} gave {got.shape[0]} examples, expected {expected.shape[0]} ({hint})")
        got = got.float()
        for i in range(expected.shape[0]):
            start = i * hop
            real = min(length, n - start)
            if not torch.equal(got[i, :real], expected[i, :real]):
                if torch.equal(got[i, length - real:], expected[i, :real]) and real < length:
                    hint = "the zeros go at the end, after the audio, not before it"
                else:
                    hint = f"example {i} must hold samples {start} to {start + real - 1} of the wave"
                failed(name, f"{what}: example {i} has the wrong samples ({hint})")
            if got[i, real:].any():
                failed(name, f"{what}: example {i} is padded with {got[i, real:real + 3].tolist()}... "
                             "instead of zeros (pad with zeros; do not wrap or reflect the audio)")
    passed(name, f"{len(cases)} cases: short clips, exact multiples, padded tails, overlapping hops")


def check_moments(fit_fn: Callable[[torch.Tensor], tuple], normalize_fn: Callable[..., torch.Tensor]) -> None:
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
        failed(name, f"the means are wrong{hint}; bin 0 should be {true_mean[0]:.3f}, got {mean[0]:.3f}")
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
    from .spectral import IFSpecConfig, IFSpectrogram, instantaneous_frequency

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
                    if shape and len(shape) == phase.dim() and shape[-2] == phase.shape[-2] - 1 else "")
            failed(name, f"on {label} the output has shape {shape}, expected {tuple(phase.shape)}{hint}")
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
