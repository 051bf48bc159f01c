"""Checks of notebook 06_gansynth_progressive (audiogan_lesson.exercises.gansynth): the package's
own layers pass, and the plausible wrong answers fail with a message that names the mistake."""

import pytest
import torch
import torch.nn.functional as F

from audiogan_lesson.exercises import (
    ExerciseFailure,
    check_fade_in,
    check_minibatch_std,
    check_pixel_norm,
)
from audiogan_lesson.models.layers import minibatch_stddev, pixel_norm


def assert_fails(check, answer, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason) as err:
        check(answer)
    out = capsys.readouterr().out
    assert out.startswith("[FAIL] Exercise") and str(err.value) in out


# ----------------------------------------------------------------------------- 6.1 pixel norm


def test_pixel_norm_passes(capsys):
    check_pixel_norm(pixel_norm)
    check_pixel_norm(lambda x: x / torch.sqrt(torch.mean(x ** 2, dim=1, keepdim=True) + 1e-8))
    check_pixel_norm(lambda x: x / x.pow(2).mean(1, keepdim=True).add(1e-8).sqrt())
    assert capsys.readouterr().out.count("[PASS] Exercise 6.1") == 3


@pytest.mark.parametrize("wrong, reason", [
    (lambda x: x * torch.rsqrt(x.square().mean(dim=-1, keepdim=True) + 1e-8), "channel axis"),
    (lambda x: x * torch.rsqrt(x.square().mean(dim=0, keepdim=True) + 1e-8), "channel axis"),
    (lambda x: x * torch.rsqrt(x.square().flatten(1).mean(1).reshape(-1, *[1] * (x.dim() - 1))
                               + 1e-8), "channel axis"),
    (lambda x: x * torch.rsqrt(x.square().mean() + 1e-8), "channel axis"),
    (lambda x: x / (x.square().mean(dim=1, keepdim=True) + 1e-8), "square root"),
    (lambda x: x * torch.rsqrt(x.square().sum(dim=1, keepdim=True) + 1e-8), "not the sum"),
    (lambda x: (x - x.mean(1, keepdim=True)) / (x - x.mean(1, keepdim=True)).square().mean(
        1, keepdim=True).add(1e-8).sqrt(), "direction|mean"),
    (lambda x: x * torch.rsqrt(x.abs().mean(dim=1, keepdim=True) + 1e-8), "mean square|scale"),
    (lambda x: x.shape, "return a tensor"),
])
def test_pixel_norm_wrong_answers_fail(wrong, reason, capsys):
    assert_fails(check_pixel_norm, wrong, reason, capsys)


# ----------------------------------------------------------------------------- 6.2 minibatch std


def test_minibatch_std_passes(capsys):
    check_minibatch_std(minibatch_stddev)
    check_minibatch_std(lambda x: torch.cat(
        [x, x.std(0, unbiased=False).mean().expand(x.shape[0], 1, *x.shape[2:])], 1))
    assert capsys.readouterr().out.count("[PASS] Exercise 6.2") == 2


def _append(x, value):
    return torch.cat([x, value.expand(x.shape[0], 1, *x.shape[2:])], dim=1)


@pytest.mark.parametrize("wrong, reason", [
    (lambda x: _append(x, torch.sqrt(x.var(0, unbiased=True) + 1e-6).mean()), "population"),
    (lambda x: _append(x, (x.var(0, unbiased=False) + 1e-6).mean()), "square root"),
    (lambda x: _append(x, torch.sqrt(x.var(1, unbiased=False) + 1e-6).mean()), "batch axis"),
    (lambda x: _append(x, torch.sqrt(x.var(0, unbiased=False).mean() + 1e-6)), "first, then"),
    (lambda x: torch.cat([x, torch.sqrt(x.var(0, unbiased=False) + 1e-6).mean(0)
                          .expand(x.shape[0], 1, *x.shape[2:])], 1), "one number"),
    (lambda x: torch.cat([x.std(0, unbiased=False).mean().expand(x.shape[0], 1, *x.shape[2:]), x],
                         1), "come last"),
    (lambda x: x.std(0).mean().expand(x.shape[0], 1, *x.shape[2:]), "shape"),
    (lambda x: torch.cat([x, torch.sqrt(x.var(1, keepdim=True, unbiased=False) + 1e-6)], 1),
     "one number"),
])
def test_minibatch_std_wrong_answers_fail(wrong, reason, capsys):
    assert_fails(check_minibatch_std, wrong, reason, capsys)


# ----------------------------------------------------------------------------- 6.3 fade-in


def test_fade_in_passes(capsys):
    check_fade_in(lambda new, old, a: a * new + (1 - a) * F.interpolate(old, scale_factor=2))
    check_fade_in(lambda new, old, a: torch.lerp(
        old.repeat_interleave(2, -2).repeat_interleave(2, -1), new, torch.as_tensor(a)))
    assert capsys.readouterr().out.count("[PASS] Exercise 6.3") == 2


def _up(old, mode="nearest"):
    return F.interpolate(old, scale_factor=2, mode=mode)


@pytest.mark.parametrize("wrong, reason", [
    (lambda new, old, a: (1 - a) * new + a * _up(old), "alpha weighs the new block"),
    (lambda new, old, a: a * new + (1 - a) * _up(old, "bilinear"), "nearest"),
    (lambda new, old, a: a * new + (1 - a) * old, "raised|shape"),
    (lambda new, old, a: a * F.avg_pool2d(new, 2) + (1 - a) * old, "shape"),
    (lambda new, old, a: new + _up(old), "alpha = 0|wrong values"),
    (lambda new, old, a: a * new + _up(old), "alpha = 0|wrong values"),
])
def test_fade_in_wrong_answers_fail(wrong, reason, capsys):
    assert_fails(check_fade_in, wrong, reason, capsys)
