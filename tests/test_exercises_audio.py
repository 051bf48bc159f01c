"""Checks of notebook 01_audio_preprocessing: right answers pass, the plausible wrong ones fail."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from audiogan_lesson.exercises import (ExerciseFailure, check_instantaneous_frequency,
                                       check_moments, check_slice_examples)

# ----------------------------------------------------------------------------- 1.1 slicing


def slice_right(wave, length, hop):
    n = max(1, math.ceil(max(len(wave) - length, 0) / hop) + 1)
    needed = (n - 1) * hop + length
    return F.pad(wave, (0, max(0, needed - len(wave))))[:needed].unfold(0, length, hop)


def slice_loop(wave, length, hop):  # a different, equally right answer
    out, start = [], 0
    while True:
        piece = wave[start:start + length]
        out.append(torch.cat([piece, torch.zeros(length - len(piece))]))
        if start + length >= len(wave):
            return torch.stack(out)
        start += hop


def drops_tail(wave, length, hop):
    return wave.unfold(0, length, hop) if len(wave) >= length else torch.zeros(0, length)


def pads_front(wave, length, hop):
    n = max(1, math.ceil(max(len(wave) - length, 0) / hop) + 1)
    needed = (n - 1) * hop + length
    return F.pad(wave, (max(0, needed - len(wave)), 0)).unfold(0, length, hop)


def wraps(wave, length, hop):
    n = max(1, math.ceil(max(len(wave) - length, 0) / hop) + 1)
    needed = (n - 1) * hop + length
    return wave.repeat(needed // len(wave) + 1)[:needed].unfold(0, length, hop)


def extra_empty_example(wave, length, hop):
    n = len(wave) // hop + 1
    needed = (n - 1) * hop + length
    return F.pad(wave, (0, max(0, needed - len(wave))))[:needed].unfold(0, length, hop)


def ignores_hop(wave, length, hop):
    return slice_right(wave, length, length)


def returns_list(wave, length, hop):
    return list(slice_right(wave, length, hop))


@pytest.mark.parametrize("answer", [slice_right, slice_loop,
                                    lambda w, n, h: slice_right(w, n, h).numpy()])
def test_slice_right_answers_pass(answer, capsys):
    check_slice_examples(answer)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 1.1")


@pytest.mark.parametrize("wrong, reason", [
    (drops_tail, "padded with zeros|one padded example"),
    (pads_front, "zeros go at the end"),
    (wraps, "instead of zeros"),
    (extra_empty_example, "all padding"),
    (ignores_hop, "every hop samples"),
    (lambda w, n, h: w[None, :n], "examples|wrong samples|instead of zeros"),
    (lambda w, n, h: 1 / 0, "ZeroDivisionError"),
])
def test_slice_wrong_answers_fail(wrong, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason):
        check_slice_examples(wrong)
    assert capsys.readouterr().out.startswith("[FAIL] Exercise 1.1")


def test_slice_unfinished_stub_is_not_a_fail(capsys):
    def stub(wave, length, hop):
        raise NotImplementedError("Exercise 1.1: ...")

    with pytest.raises(NotImplementedError):
        check_slice_examples(stub)
    assert "[FAIL]" not in capsys.readouterr().out


# ----------------------------------------------------------------------------- 1.2 moments


def fit_right(specs):
    flat = specs.reshape(-1, specs.shape[-1])
    std = flat.std(0)
    return flat.mean(0), torch.where(std > 0, std, torch.ones_like(std))


def normalize_right(specs, mean, std):
    return ((specs - mean) / (3 * std)).clamp(-1, 1)


def normalize_eps(specs, mean, std):
    return np.clip((specs.numpy() - mean.numpy()) / (3 * std.numpy() + 1e-8), -1, 1)


def test_moments_right_answers_pass(capsys):
    check_moments(fit_right, normalize_right)
    check_moments(lambda s: (s.mean((0, 1)), s.std((0, 1), unbiased=False)), normalize_eps)
    assert capsys.readouterr().out.count("[PASS] Exercise 1.2") == 2


@pytest.mark.parametrize("fit, normalize, reason", [
    (lambda s: (s.mean(), s.std()), normalize_right, "one number"),
    (lambda s: (s.mean(0), s.std(0)), normalize_right, "one per frame"),
    (lambda s: (s[0].mean(0), s[0].std(0)), normalize_right, "first example only"),
    (lambda s: (s.mean((0, 2)), s.std((0, 2))), normalize_right, r"shape \(16,\)"),
    (lambda s: (s.mean((0, 1)), s.var((0, 1))), normalize_right, "standard deviations are wrong"),
    (lambda s: (s.mean((0, 1)), s.std((0, 1))), normalize_right, "NaN"),
    (fit_right, lambda s, m, sd: (s - m) / (3 * sd), "clip"),
    (fit_right, lambda s, m, sd: ((s - m) / sd).clamp(-1, 1), "3 standard deviations"),
    (fit_right, lambda s, m, sd: ((s - m) / (3 * sd)).clamp(0, 1), "negative"),
    (fit_right, lambda s, m, sd: (s / (3 * sd)).clamp(-1, 1), "subtract the mean"),
    (lambda s: s.mean((0, 1)), normalize_right, r"\(mean, std\)"),
])
def test_moments_wrong_answers_fail(fit, normalize, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason):
        check_moments(fit, normalize)
    assert capsys.readouterr().out.startswith("[FAIL] Exercise 1.2")


# ----------------------------------------------------------------------------- 1.3 IF


def if_right(phase):
    unwrapped = torch.from_numpy(np.unwrap(phase.numpy(), axis=-2))
    return torch.cat([unwrapped[..., :1, :], torch.diff(unwrapped, dim=-2)], dim=-2) / math.pi


def if_wrapped_differences(phase):  # equally right: wrap each difference into [-pi, pi)
    step = torch.remainder(torch.diff(phase, dim=-2) + math.pi, 2 * math.pi) - math.pi
    return torch.cat([phase[..., :1, :], step], dim=-2) / math.pi


def if_no_unwrap(phase):
    return torch.cat([phase[..., :1, :], torch.diff(phase, dim=-2)], dim=-2) / math.pi


def if_no_pi(phase):
    return if_right(phase) * math.pi


def if_freq_axis(phase):
    return if_right(phase.transpose(-1, -2)).transpose(-1, -2)


def if_drops_first(phase):
    return if_right(phase)[..., 1:, :]


def if_zero_first(phase):
    out = if_right(phase).clone()
    out[..., 0, :] = 0
    return out


@pytest.mark.parametrize("answer", [if_right, if_wrapped_differences])
def test_if_right_answers_pass(answer, capsys):
    check_instantaneous_frequency(answer)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 1.3")


@pytest.mark.parametrize("wrong, reason", [
    (if_no_unwrap, "unwrap"),
    (if_no_pi, "divide by pi"),
    (if_freq_axis, "frequency axis"),
    (if_drops_first, "keep the first frame"),
    (if_zero_first, "first frame"),
    (lambda p: torch.diff(p, dim=-2), "shape"),
    (lambda p: p / math.pi, "differ"),
])
def test_if_wrong_answers_fail(wrong, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason):
        check_instantaneous_frequency(wrong)
    assert capsys.readouterr().out.startswith("[FAIL] Exercise 1.3")
