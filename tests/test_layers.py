"""Shared layers: latent prior, conv shape arithmetic, upsampling blocks, phase shuffle, post filter
(audiogan_lesson.models.layers)."""

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from audiogan_lesson.models.layers import (
    PhaseShuffle,
    PostFilter,
    ResizeConv,
    conv_output_length,
    phase_shuffle,
    resize,
    same_padding,
    same_padding_transposed,
    sample_latent,
    strided_conv,
    transposed_conv,
    transposed_conv_output_length,
    up_conv,
)


def reflect_shift(x: torch.Tensor, k: int) -> torch.Tensor:
    """Reference: out[t] = x[t - k] with reflection at the edges, written index by index."""
    length = x.shape[-1]
    idx = []
    for t in range(length):
        j = t - k
        if j < 0:
            j = -j
        if j > length - 1:
            j = 2 * (length - 1) - j
        idx.append(j)
    return x[..., idx]


def shift_of(out: torch.Tensor, x: torch.Tensor, n: int) -> int | None:
    """The k in [-n, n] for which out is x reflect-shifted by k, else None."""
    for k in range(-n, n + 1):
        if torch.equal(out, reflect_shift(x, k)):
            return k
    return None


# ----------------------------------------------------------------------------- latent


def test_sample_latent_is_uniform_in_minus_one_one():
    z = sample_latent(4096, 100, generator=torch.Generator().manual_seed(0))
    assert z.shape == (4096, 100) and z.dtype == torch.float32
    assert z.min() >= -1 and z.max() <= 1
    assert abs(z.mean().item()) < 0.01 and abs(z.var().item() - 1 / 3) < 0.01  # U(-1,1): var 1/3


def test_sample_latent_is_reproducible_and_device_agnostic():
    a = sample_latent(3, 8, generator=torch.Generator().manual_seed(5))
    b = sample_latent(3, 8, generator=torch.Generator().manual_seed(5), device="meta")
    assert torch.equal(a, sample_latent(3, 8, generator=torch.Generator().manual_seed(5)))
    assert b.device.type == "meta" and b.shape == a.shape
    with pytest.raises(ValueError, match="latent_dim"):
        sample_latent(3, 0)


# ----------------------------------------------------------------------------- shape arithmetic


@pytest.mark.parametrize("length", [1, 4, 16, 37])
@pytest.mark.parametrize("kernel, stride, padding, output_padding, dilation",
                         [(25, 4, 11, 1, 1), (5, 2, 2, 1, 1), (4, 2, 1, 0, 1), (3, 3, 0, 2, 1),
                          (5, 2, 3, 1, 2), (1, 1, 0, 0, 1)])
def test_transposed_conv_formula_matches_pytorch(length, kernel, stride, padding, output_padding,
                                                 dilation):
    layer = nn.ConvTranspose1d(1, 1, kernel, stride, padding, output_padding, dilation=dilation)
    expected = transposed_conv_output_length(length, kernel, stride, padding, output_padding,
                                             dilation)
    if expected < 1:
        pytest.skip("empty output")
    assert layer(torch.zeros(1, 1, length)).shape[-1] == expected


@pytest.mark.parametrize("length, kernel, stride", [(16384, 25, 4), (128, 5, 2), (32, 25, 2),
                                                    (99, 7, 3)])
def test_conv_formula_and_same_padding(length, kernel, stride):
    p = same_padding(kernel, stride)
    layer = nn.Conv1d(1, 1, kernel, stride, padding=p)
    out = layer(torch.zeros(1, 1, length)).shape[-1]
    assert out == conv_output_length(length, kernel, stride, p) == -(-length // stride)


def test_same_padding_of_the_papers():
    assert same_padding_transposed(25, 4) == (11, 1)  # WaveGAN
    assert same_padding_transposed(5, 2) == (2, 1)  # SpecGAN
    assert same_padding_transposed(25, 2) == (12, 1)  # the last layer of 32768-sample WaveGAN
    assert same_padding_transposed(4, 2) == (1, 0)
    with pytest.raises(ValueError, match="kernel >= stride"):
        same_padding(2, 4)


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("kernel, stride", [(25, 4), (5, 2), (25, 2), (4, 2)])
def test_transposed_conv_gives_exactly_stride_times_longer(dims, kernel, stride):
    layer = transposed_conv(dims, 3, 2, kernel, stride)
    x = torch.zeros(2, 3, *([5] * dims))
    assert layer(x).shape == (2, 2, *([5 * stride] * dims))
    down = strided_conv(dims, 2, 3, kernel, stride)
    assert down(layer(x)).shape == x.shape


# ----------------------------------------------------------------------------- resize-then-conv


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("mode", ["nn", "linear", "cubic"])
def test_resize_conv_shapes_and_parameters(dims, mode):
    block = ResizeConv(dims, 4, 3, 5, 2, mode)
    x = torch.randn(2, 4, *([6] * dims))
    assert block(x).shape == (2, 3, *([12] * dims))
    transposed = transposed_conv(dims, 4, 3, 5, 2)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(block) == count(transposed)
    assert not any(isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d)) for m in block.modules())


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("mode", ["nn", "linear", "cubic"])
def test_resize_keeps_constants_and_nn_repeats(dims, mode):
    const = torch.full((1, 2, *([5] * dims)), 0.7)
    assert torch.allclose(resize(const, 4, mode), torch.full((1, 2, *([20] * dims)), 0.7))
    x = torch.randn(1, 2, *([5] * dims))
    y = resize(x, 4, mode)
    if mode == "nn":
        expected = x
        for axis in range(2, 2 + dims):
            expected = expected.repeat_interleave(4, dim=axis)
        assert torch.equal(y, expected)
    else:  # smooth modes really interpolate: new values between the old ones
        assert not torch.allclose(y, resize(x, 4, "nn"))


def test_resize_1d_cubic_is_a_true_cubic():
    x = torch.tensor([[[0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]])
    y = resize(x, 4, "cubic")
    assert y.min() < 0  # cubic kernels overshoot; linear and nearest never go below 0
    assert resize(x, 4, "linear").min() >= 0


def test_up_conv_picks_by_name():
    assert isinstance(up_conv(1, 2, 2, 25, 4, "zeros"), nn.ConvTranspose1d)
    assert isinstance(up_conv(2, 2, 2, 5, 2, "zeros"), nn.ConvTranspose2d)
    for mode in ("nn", "linear", "cubic"):
        assert isinstance(up_conv(1, 2, 2, 25, 4, mode), ResizeConv)
    with pytest.raises(ValueError, match="zeros, nn, linear, cubic"):
        up_conv(1, 2, 2, 25, 4, "bilinear")
    with pytest.raises(ValueError, match="odd kernel"):
        ResizeConv(1, 2, 2, 4, 2, "nn")


# ----------------------------------------------------------------------------- phase shuffle


def ramp(batch=3, channels=2, length=12):
    """Distinct, positive values: a zero fill or a wrap-around shows up at once."""
    return torch.arange(1.0, batch * channels * length + 1).view(batch, channels, length)


def test_reference_reflection_is_tensorflow_reflect():
    x = torch.arange(1.0, 7.0).view(1, 1, 6)
    assert reflect_shift(x, 2).flatten().tolist() == [3, 2, 1, 2, 3, 4]
    assert reflect_shift(x, -2).flatten().tolist() == [3, 4, 5, 6, 5, 4]
    assert torch.equal(reflect_shift(x, 2), F.pad(x, (2, 0), mode="reflect")[..., :6])


def test_one_shift_per_call_with_reflection_fill():
    x = ramp()
    gen = torch.Generator().manual_seed(0)
    seen = set()
    for _ in range(60):
        out = phase_shuffle(x, 2, generator=gen)
        k = shift_of(out, x, 2)
        assert k is not None, "not a reflection-filled shift in [-2, 2] of the whole batch"
        seen.add(k)
    assert seen == {-2, -1, 0, 1, 2}


def test_fill_is_reflection_not_zeros_nor_wraparound():
    x = ramp(1, 1, 8)
    for k in (1, 2, -1, -2):
        out = reflect_shift(x, k)
        assert (out != 0).all()
        assert not torch.equal(out, torch.roll(x, k, dims=-1))
    gen = torch.Generator().manual_seed(3)
    outs = [phase_shuffle(x, 2, generator=gen) for _ in range(30)]
    assert all((o != 0).all() for o in outs), "zero fill where reflection is claimed"
    assert not any(torch.equal(o, torch.roll(x, k, -1)) for o in outs for k in (1, 2, -1, -2))


def test_per_example_shifts_differ_and_reflect():
    x = ramp(64, 3, 16)
    out = phase_shuffle(x, 2, generator=torch.Generator().manual_seed(1), per_example=True)
    shifts = [shift_of(out[b], x[b], 2) for b in range(64)]  # the same k for every channel
    assert None not in shifts, "an example is not a reflection-filled shift in [-2, 2]"
    assert set(shifts) == {-2, -1, 0, 1, 2}, "the shift must differ between examples"


def test_per_example_has_no_python_loop_over_examples():
    class CountCalls(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.calls = 0

        def __torch_function__(self, func, types, args=(), kwargs=None):
            self.calls += 1
            return func(*args, **(kwargs or {}))

    counts = []
    for batch in (2, 48):
        with CountCalls() as mode:
            phase_shuffle(ramp(batch, 2, 16), 2, torch.Generator().manual_seed(0), per_example=True)
        counts.append(mode.calls)
    assert counts[0] == counts[1], f"torch calls grow with the batch: {counts}"


def test_shuffle_is_reproducible_with_a_generator():
    x = torch.randn(8, 4, 32)
    for per_example in (False, True):
        a = phase_shuffle(x, 3, torch.Generator().manual_seed(7), per_example)
        b = phase_shuffle(x, 3, torch.Generator().manual_seed(7), per_example)
        assert torch.equal(a, b)


def test_shuffle_keeps_gradients_flowing():
    x = torch.randn(4, 2, 16, requires_grad=True)
    phase_shuffle(x, 2, torch.Generator().manual_seed(2), per_example=True).sum().backward()
    assert x.grad is not None and x.grad.sum() == pytest.approx(4 * 2 * 16)


def test_shuffle_bad_inputs():
    with pytest.raises(ValueError, match="batch, channels, time"):
        phase_shuffle(torch.zeros(4, 16), 2)
    with pytest.raises(ValueError, match="more than 2 time steps"):
        phase_shuffle(torch.zeros(1, 1, 2), 2)
    with pytest.raises(ValueError, match=">= 0"):
        PhaseShuffle(-1)
    x = torch.randn(2, 2, 8)
    assert phase_shuffle(x, 0) is x


def test_module_shuffles_only_in_training_mode():
    x = ramp(4, 2, 16)
    layer = PhaseShuffle(2, generator=torch.Generator().manual_seed(0))
    assert layer.training
    trained = [layer(x) for _ in range(20)]
    assert any(not torch.equal(o, x) for o in trained), "never shuffles in training mode"
    assert all(shift_of(o, x, 2) is not None for o in trained)
    layer.eval()
    assert all(torch.equal(layer(x), x) for _ in range(20)), "shuffles in eval mode"
    off = PhaseShuffle(0).train()
    assert torch.equal(off(x), x)


def test_module_per_example_and_copy():
    layer = PhaseShuffle(2, per_example=True, generator=torch.Generator().manual_seed(4))
    x = ramp(32, 2, 16)
    out = layer(x)
    assert len({shift_of(out[b], x[b], 2) for b in range(32)}) > 1
    twin = copy.deepcopy(layer)
    assert torch.equal(twin(x), layer(x))  # the copied generator continues from the same state
    assert "per_example=True" in repr(layer)


# ----------------------------------------------------------------------------- post filter


def test_post_filter_is_a_same_length_fir():
    pf = PostFilter(1, 512)
    assert sum(p.numel() for p in pf.parameters()) == 512
    with torch.no_grad():
        pf.conv.weight.zero_()
        pf.conv.weight[0, 0, 255] = 1.0  # the centre tap of TensorFlow's 'same': (512 - 1) // 2
    x = torch.randn(2, 1, 1000)
    torch.testing.assert_close(pf(x), x, atol=1e-5, rtol=1e-5)  # an FFT product from 64 taps on
    two = PostFilter(2, 9)
    assert two(torch.randn(3, 2, 50)).shape == (3, 2, 50)
    assert sum(p.numel() for p in two.parameters()) == 18


@pytest.mark.parametrize("taps", [511, 512])
def test_post_filter_fft_matches_direct_convolution(taps):
    torch.manual_seed(0)
    f = PostFilter(channels=2, taps=taps)
    x = torch.randn(3, 2, 1000, requires_grad=True)
    y = f(x)
    left = (taps - 1) // 2
    direct = f.conv(F.pad(x, (left, taps - 1 - left)))
    assert y.shape == (3, 2, 1000)
    torch.testing.assert_close(y, direct, atol=1e-5, rtol=1e-4)
    (g_fft,) = torch.autograd.grad(y.square().sum(), f.conv.weight)
    (g_direct,) = torch.autograd.grad(direct.square().sum(), f.conv.weight)
    torch.testing.assert_close(g_fft, g_direct, atol=1e-3, rtol=1e-4)
