"""Checks of notebooks 03_specgan_dcgan and 04_wavegan_phase_shuffle (audiogan_lesson.exercises):
right answers pass, the plausible wrong answers fail with a message that names the mistake."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from audiogan_lesson.exercises import (
    ExerciseFailure,
    check_phase_shuffle,
    check_transposed_conv_output,
    check_upsample_block,
)
from audiogan_lesson.models.layers import ResizeConv, phase_shuffle


def assert_fails(check, answer, reason, capsys, **kwargs):
    with pytest.raises(ExerciseFailure, match=reason) as err:
        check(answer, **kwargs)
    out = capsys.readouterr().out
    assert out.startswith("[FAIL] Exercise") and str(err.value) in out


# ----------------------------------------------------------------------------- 3.1 formula


def formula(length, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def test_formula_passes_with_and_without_dilation(capsys):
    check_transposed_conv_output(formula)
    assert "dilation too" in capsys.readouterr().out
    check_transposed_conv_output(lambda L, k, s, p, op: (L - 1) * s - 2 * p + k + op)
    assert "[PASS] Exercise 3.1" in capsys.readouterr().out
    layer_based = lambda L, k, s, p, op: nn.ConvTranspose1d(1, 1, k, s, p, op)(  # noqa: E731
        torch.zeros(1, 1, L)).shape[-1]
    check_transposed_conv_output(layer_based)


@pytest.mark.parametrize("wrong, reason", [
    (lambda L, k, s, p, op: (L + 2 * p - k) // s + 1, "ordinary .*convolution"),
    (lambda L, k, s, p, op: L * s, "only for 'same' padding"),
    (lambda L, k, s, p, op: (L - 1) * s - 2 * p + k, "output_padding"),
    (lambda L, k, s, p, op: (L - 1) * s + 2 * p + k + op, "subtract 2 \\* padding"),
    (lambda L, k, s, p, op: (L - 1) * s - p + k + op, "not padding"),
    (lambda L, k, s, p, op: L * s - 2 * p + k + op, "L - 1"),
    (lambda L, k, s, p, op: (L - 1) * s - 2 * p + k + op - 1, "kernel - 1"),
    (lambda L, k, s, p, op: float((L - 1) * s - 2 * p + k + op), "return an int"),
    (lambda L, k, s, p, op, dilation=1: (L - 1) * s - 2 * p + k + op, "dilated kernel"),
])
def test_formula_wrong_answers_fail(wrong, reason, capsys):
    assert_fails(check_transposed_conv_output, wrong, reason, capsys)


# ----------------------------------------------------------------------------- 3.2 upsample block


class UpsampleConv(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, factor, mode="nearest"):
        super().__init__()
        self.up = nn.Upsample(scale_factor=factor, mode=mode)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)

    def forward(self, x):
        return self.conv(self.up(x))


@pytest.mark.parametrize("factory", [
    UpsampleConv,
    lambda i, o, k, f: UpsampleConv(i, o, k, f, mode="bilinear"),
    lambda i, o, k, f: UpsampleConv(i, o, k, f, mode="bicubic"),
    lambda i, o, k, f: ResizeConv(2, i, o, k, f, "cubic"),
])
def test_upsample_block_right_answers_pass(factory, capsys):
    check_upsample_block(factory)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 3.2")


def test_upsample_block_1d(capsys):
    check_upsample_block(lambda i, o, k, f: ResizeConv(1, i, o, k, f, "linear"), dims=1)
    check_upsample_block(lambda i, o, k, f: ResizeConv(1, i, o, k, f, "cubic"), dims=1)
    assert capsys.readouterr().out.count("[PASS]") == 2


class ConvThenResize(UpsampleConv):
    def forward(self, x):
        return self.up(self.conv(x))


class ZeroStuffing(UpsampleConv):
    def forward(self, x):
        f = int(self.up.scale_factor)
        y = torch.zeros(*x.shape[:2], x.shape[2] * f, x.shape[3] * f)
        y[..., ::f, ::f] = x
        return self.conv(y)


class FixedFactor(UpsampleConv):
    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2))


class WithActivation(UpsampleConv):
    def forward(self, x):
        return torch.relu(self.conv(self.up(x)))


class NoPadding(UpsampleConv):
    def __init__(self, i, o, k, f):
        super().__init__(i, o, k, f)
        self.conv.padding = (0, 0)


class Strided(UpsampleConv):
    def __init__(self, i, o, k, f):
        super().__init__(i, o, k, f)
        self.conv.stride = (2, 2)


def transposed(i, o, k, f):
    return nn.ConvTranspose2d(i, o, k, stride=f, padding=(k - f + 1) // 2,
                              output_padding=2 * ((k - f + 1) // 2) - (k - f))


def resize_only(i, o, k, f):
    return nn.Upsample(scale_factor=f)


@pytest.mark.parametrize("wrong, reason", [
    (transposed, "transposed convolution"),
    (ConvThenResize, "convolves first"),
    (ZeroStuffing, "not by inserting zeros"),
    (FixedFactor, "factor 4 gave"),
    (WithActivation, "nothing else in between or after"),
    (NoPadding, "padding"),
    (Strided, "stride 1"),
    (resize_only, "exactly one nn.Conv2d"),
    (lambda i, o, k, f: nn.Sequential(nn.Upsample(scale_factor=f),
                                      nn.Conv2d(i, i, k, padding=k // 2), nn.Conv2d(i, o, 1)),
     "exactly one"),
    (lambda i, o, k, f: UpsampleConv(i, i, k, f), "channels"),
    (lambda i, o, k, f: (lambda x: x), "return an nn.Module"),
])
def test_upsample_block_wrong_answers_fail(wrong, reason, capsys):
    assert_fails(check_upsample_block, wrong, reason, capsys)


# ----------------------------------------------------------------------------- 4.1 phase shuffle


def solution(x, n):
    k = int(torch.randint(-n, n + 1, ()))
    pad_l, pad_r = max(k, 0), max(-k, 0)
    return F.pad(x, (pad_l, pad_r), mode="reflect")[..., pad_r:pad_r + x.shape[-1]]


def per_example_solution(x, n):
    return phase_shuffle(x, n, per_example=True)


def opposite_sign(x, n):
    k = int(torch.randint(-n, n + 1, ()))
    return solution_with_k(x, -k)


def solution_with_k(x, k):
    pad_l, pad_r = max(k, 0), max(-k, 0)
    return F.pad(x, (pad_l, pad_r), mode="reflect")[..., pad_r:pad_r + x.shape[-1]]


@pytest.mark.parametrize("answer, style", [(solution, "one shift per call"),
                                           (per_example_solution, "one shift per example"),
                                           (opposite_sign, "one shift per call"),
                                           (lambda x, n: phase_shuffle(x, n), "per call")])
def test_phase_shuffle_right_answers_pass(answer, style, capsys):
    check_phase_shuffle(answer)
    out = capsys.readouterr().out
    assert out.startswith("[PASS] Exercise 4.1") and style in out


def test_check_leaves_the_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_phase_shuffle(solution)
    assert torch.equal(torch.rand(3), expected)


def rolled(x, n):
    return torch.roll(x, int(torch.randint(-n, n + 1, ())), dims=-1)


def zero_filled(x, n):
    k = int(torch.randint(-n, n + 1, ()))
    pad_l, pad_r = max(k, 0), max(-k, 0)
    return F.pad(x, (pad_l, pad_r))[..., pad_r:pad_r + x.shape[-1]]


def replicated(x, n):
    k = int(torch.randint(-n, n + 1, ()))
    pad_l, pad_r = max(k, 0), max(-k, 0)
    return F.pad(x, (pad_l, pad_r), mode="replicate")[..., pad_r:pad_r + x.shape[-1]]


def symmetric(x, n):
    k = int(torch.randint(1, n + 1, ()))
    mirrored = torch.cat([x[..., :k].flip(-1), x], dim=-1)
    return mirrored[..., :x.shape[-1]]


def too_wide(x, n):
    return solution_with_k(x, int(torch.randint(-n - 1, n + 2, ())))


def exclusive_bound(x, n):
    return solution_with_k(x, int(torch.randint(-n, n, ())))


def fixed_shift(x, n):
    return solution_with_k(x, n)


def per_channel(x, n):
    out = x.clone()
    for c in range(x.shape[1]):
        out[:, c] = solution_with_k(x[:, c:c + 1], int(torch.randint(-n, n + 1, ())))[:, 0]
    return out


def in_place(x, n):
    x[..., :] = solution(x, n)
    return x


def channel_axis(x, n):
    return torch.roll(x, 1, dims=1)


@pytest.mark.parametrize("wrong, reason", [
    (lambda x, n: x, "always equals the input"),
    (lambda x, n: x.clone(), "always equals the input"),
    (rolled, "not wrap around"),
    (zero_filled, "zeros"),
    (replicated, "repeats the edge"),
    (symmetric, "repeats the edge"),
    (too_wide, "outside \\[-"),
    (exclusive_bound, "upper bound is exclusive"),
    (fixed_shift, "never took the values"),
    (per_channel, "different amounts"),
    (in_place, "in place"),
    (channel_axis, "shifted in time"),
    (lambda x, n: x[..., n:], "shape must not change"),
    (lambda x, n: x.numpy(), "return a tensor"),
    (lambda x, n: solution(x, n + 1) if n == 0 else solution(x, n), "n=0"),
])
def test_phase_shuffle_wrong_answers_fail(wrong, reason, capsys):
    assert_fails(check_phase_shuffle, wrong, reason, capsys)


def test_unfinished_stubs_are_not_reported_as_fail(capsys):
    def stub(*args):
        raise NotImplementedError("Exercise 4.1: ...")

    for check in (check_phase_shuffle, check_transposed_conv_output, check_upsample_block):
        with pytest.raises(NotImplementedError):
            check(stub)
    assert "[FAIL]" not in capsys.readouterr().out
