"""Checks for notebook 06_gansynth_progressive: pixel norm, minibatch standard deviation,
fade-in."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .core import _call, failed, passed


def _tensor_result(name: str, got, shape: tuple[int, ...], call: str) -> torch.Tensor:
    if not isinstance(got, torch.Tensor):
        failed(name, f"{call} returned {type(got).__name__}; return a tensor")
    if tuple(got.shape) != shape:
        failed(name, f"{call} returned shape {tuple(got.shape)}, expected {shape}")
    if not bool(torch.isfinite(got).all()):
        failed(name, f"{call} returned NaN or inf")
    return got.float()


# ----------------------------------------------------------------------------- pixel norm


def check_pixel_norm(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(x) -> x / sqrt(mean over channels of x^2 + eps)`` (notebook 06, exercise 6.1).

    ``x`` is ``(N, C)`` (the latent) or ``(N, C, H, W)`` (a feature map); every position's
    ``C`` values must come out with mean square 1, pointing the same way as before, and the
    result must not change when ``x`` is scaled. Fails on a norm over the wrong axes, a missing
    square root, a sum in place of the mean, or a mean subtracted first.
    """
    name = "Exercise 6.1 pixel_norm"
    g = torch.Generator().manual_seed(6)
    # every example and position gets its own scale, so a norm over other axes shows
    maps = (torch.randn(3, 8, 4, 5, generator=g)
            * torch.rand(3, 1, 4, 5, generator=g).mul(3).add(0.2))
    latent = torch.randn(4, 16, generator=g) * torch.tensor([0.5, 1.0, 2.0, 4.0])[:, None]
    for x in (latent, maps):
        call = f"fn(tensor{tuple(x.shape)})"
        out = _tensor_result(name, _call(name, fn, x.clone()), tuple(x.shape), call)
        ms = out.square().mean(dim=1)
        if not torch.allclose(ms, torch.ones_like(ms), atol=1e-3):
            c = x.shape[1]
            bad = float(ms.flatten()[(ms.flatten() - 1).abs().argmax()])
            if torch.allclose(ms, torch.full_like(ms, 1.0 / c), rtol=1e-3):
                hint = "the mean square is 1/C: divide by the root of the mean of x^2, not the sum"
            elif torch.allclose(out, x / (x.square().mean(dim=1, keepdim=True) + 1e-8), rtol=1e-3,
                                atol=1e-5):
                hint = "divide by the square root of the mean square (the root is missing)"
            elif x.dim() == 4 or torch.allclose(ms.mean(), torch.tensor(1.0), atol=1e-2):
                hint = ("normalise over the channel axis (dim=1) only, separately for every "
                        "example and position")
            else:
                hint = "normalise over the channel axis (dim=1)"
            failed(name, f"{call}: the {x.shape[1]} channels of a position should have mean "
                         f"square 1 but one has {bad:.4g}; {hint}")
        cos = F.cosine_similarity(out, x, dim=1)
        if not bool((cos > 0.999).all()):
            failed(name, f"{call}: each position's feature vector must keep its direction (only "
                         "its length changes); do not subtract a mean")
        scaled = _tensor_result(name, _call(name, fn, 7.0 * x), tuple(x.shape), call)
        if not torch.allclose(scaled, out, rtol=1e-3, atol=1e-4):
            failed(name, f"{call}: fn(7 * x) differs from fn(x); dividing by the root mean square "
                         "makes the result independent of the scale of x")
    passed(name, "unit mean square over channels at every position, for latents and maps")


# ----------------------------------------------------------------------------- minibatch std


def check_minibatch_std(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(x) -> concat(x, s)`` with ``s`` one channel holding the batch's mean standard
    deviation (notebook 06, exercise 6.2).

    For ``x (N, C, H, W)``: the standard deviation of every feature ``(c, h, w)`` over the batch
    (population variance, ``sqrt(var + eps)``), averaged to one number, appended as channel
    ``C`` of every example: ``(N, C + 1, H, W)``. Fails on a deviation over the wrong axis, the
    unbiased (N - 1) variance, a missing square root, a map that is not averaged, or a channel
    that is not appended last.
    """
    name = "Exercise 6.2 minibatch_stddev"
    g = torch.Generator().manual_seed(62)
    cases = [torch.randn(4, 3, 2, 16, generator=g) * 2.0 + 0.5,
             torch.randn(5, 2, 4, 4, generator=g)
             * torch.linspace(0.2, 3.0, 4)[None, None, :, None]]
    for x in cases:
        n, c, h, w = x.shape
        call = f"fn(tensor{tuple(x.shape)})"
        out = _tensor_result(name, _call(name, fn, x.clone()), (n, c + 1, h, w), call)
        if not torch.allclose(out[:, :c], x, atol=1e-6):
            if torch.allclose(out[:, 1:], x, atol=1e-6):
                failed(name, f"{call}: the new channel must come last (concatenate after x), "
                             "as in the discriminator whose weights expect it there")
            failed(name, f"{call}: the first {c} channels must be x unchanged")
        extra = out[:, c]
        if not torch.allclose(extra, extra[:1, :1, :1].expand_as(extra), atol=1e-5):
            failed(name, f"{call}: the new channel must hold one number everywhere (the mean of "
                         "the per-feature standard deviations); average over c, h and w too")
        got = float(extra[0, 0, 0])
        var = x.var(dim=0, unbiased=False)
        expected = float(torch.sqrt(var + 1e-6).mean())
        if abs(got - expected) <= 1e-3 * expected:
            continue
        hints = [
            (float(torch.sqrt(x.var(dim=0, unbiased=True) + 1e-6).mean()),
             "use the population variance (divide by N, unbiased=False), as the paper's code"),
            (float((var + 1e-6).mean()), "take the square root of the variance"),
            (float(torch.sqrt(x.var(dim=1, unbiased=False) + 1e-6).mean()),
             "the deviation is over the batch axis (dim=0), across examples, not over channels"),
            (float(torch.sqrt(var.mean() + 1e-6)),
             "take the square root of every feature's variance first, then the mean"),
        ]
        hint = next((h for value, h in hints if abs(got - value) <= 1e-3 * abs(value)),
                    "std over the batch of every feature, then the mean over all features")
        failed(name, f"{call}: the new channel holds {got:.5g}, expected {expected:.5g}; {hint}")
    passed(name, "one channel appended with the mean over features of the batch standard deviation")


# ----------------------------------------------------------------------------- fade-in


def check_fade_in(fn: Callable[..., torch.Tensor]) -> None:
    """Check ``fn(new, old, alpha) -> alpha * new + (1 - alpha) * upsample(old)`` (notebook 06,
    exercise 6.3).

    ``new`` ``(N, C, 2H, 2W)`` is the new block's output, ``old`` ``(N, C, H, W)`` the previous
    resolution's; ``old`` is brought up by nearest-neighbour upsampling (each value repeated in a
    2 x 2 square), and ``alpha`` (a float or a 0-d tensor) goes from 0 (only the old path) to 1
    (only the new block). Fails on swapped weights, another upsampling, or a blend that does not
    reach both ends.
    """
    name = "Exercise 6.3 fade_in"
    g = torch.Generator().manual_seed(63)
    new = torch.randn(2, 2, 4, 16, generator=g)
    old = torch.randn(2, 2, 2, 8, generator=g)
    up = old.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    shape = tuple(new.shape)
    for alpha in (0.0, 1.0, 0.25, torch.tensor(0.7)):
        call = f"fn(new{shape}, old{tuple(old.shape)}, alpha={float(alpha):g})"
        out = _tensor_result(name, _call(name, fn, new.clone(), old.clone(), alpha), shape, call)
        a = float(alpha)
        expected = a * new + (1 - a) * up
        if torch.allclose(out, expected, atol=1e-5):
            continue
        if torch.allclose(out, (1 - a) * new + a * up, atol=1e-5):
            hint = "alpha weighs the new block: alpha = 0 gives only the upsampled old image"
        elif torch.allclose(out.mean(dim=(2, 3)), expected.mean(dim=(2, 3)), atol=1e-4):
            hint = ("upsample the old image by nearest neighbour (each value repeated 2 x 2, "
                    "F.interpolate(old, scale_factor=2, mode='nearest')), as the paper's code")
        elif a == 0.0:
            hint = "at alpha = 0 the result must be the upsampled old image exactly"
        elif a == 1.0:
            hint = "at alpha = 1 the result must be the new block's output exactly"
        else:
            hint = "the blend is alpha * new + (1 - alpha) * upsample(old)"
        failed(name, f"{call}: wrong values; {hint}")
    passed(name, "exact at alpha 0 and 1, linear in between, old image upsampled by nearest")
