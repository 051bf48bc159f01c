"""Checks for notebooks 03_specgan_dcgan and 04_wavegan_phase_shuffle: shapes, upsampling,
phase shuffle."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .core import _call, failed, passed


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
