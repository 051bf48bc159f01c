"""Layers shared by the course's GANs (notebooks ``03_specgan_dcgan``,
``04_wavegan_phase_shuffle``).

What lives here:

- :func:`sample_latent`: the latent prior of WaveGAN and SpecGAN, uniform in [-1, 1].
- Shape arithmetic of (transposed) convolutions, and the padding that gives TensorFlow's
  ``'same'`` output sizes: :func:`conv_output_length`, :func:`transposed_conv_output_length`,
  :func:`same_padding`, :func:`same_padding_transposed`.
- Upsampling blocks for 1-D (WaveGAN) and 2-D (SpecGAN): :func:`transposed_conv` (the papers'
  ``zeros`` upsampling: a strided transposed convolution), :class:`ResizeConv` (``nn``,
  ``linear`` or ``cubic`` resize, then a stride-1 convolution), and :func:`up_conv`, which picks
  one by name.
- Phase shuffle of the WaveGAN discriminator: :func:`phase_shuffle` and :class:`PhaseShuffle`.
- :class:`PostFilter`: WaveGAN's optional learned FIR filter at the generator output.
- :class:`ConfigMixin`: every model keeps its frozen config dataclass, the one home of its
  defaults, in ``model.config`` and can be rebuilt with
  ``type(model)(**dataclasses.asdict(model.config))``; :class:`LatentGenerator` and
  :class:`LogitDiscriminator` add the shapes, the shape check and ``forward`` of the models
  built as one ``Sequential``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Mapping

import torch
import torch.nn.functional as F
from torch import nn

UPSAMPLE_MODES = ("zeros", "nn", "linear", "cubic")

# interpolate() mode names for each course upsampling name, per number of spatial dimensions.
_RESIZE_MODES = {
    1: {"nn": "nearest", "linear": "linear", "cubic": "bicubic"},  # 1-D cubic: see ResizeConv
    2: {"nn": "nearest", "linear": "bilinear", "cubic": "bicubic"},
}


# ----------------------------------------------------------------------------- latent prior


def sample_latent(
    n: int,
    latent_dim: int = 100,
    generator: torch.Generator | None = None,
    device: str | torch.device = "cpu",
) -> torch.Tensor:
    """Latent vectors ``z ~ Uniform(-1, 1)``: a ``(n, latent_dim)`` float32 tensor on ``device``.

    The WaveGAN/SpecGAN prior (Donahue et al. 2019, Table 3). With a CPU ``generator`` the
    numbers are drawn on the CPU and moved, so the same seed gives the same latents on every
    device; a CUDA generator draws on its own device. Used by notebooks 02 to 05 and the trainer.
    """
    if n < 0 or latent_dim < 1:
        raise ValueError(f"sample_latent(n={n}, latent_dim={latent_dim}): need n >= 0 and "
                         "latent_dim >= 1")
    draw_on = generator.device if generator is not None else torch.device("cpu")
    z = torch.rand(n, latent_dim, generator=generator, device=draw_on) * 2.0 - 1.0
    return z.to(device)


# ----------------------------------------------------------------------------- shape arithmetic


def conv_output_length(length: int, kernel: int, stride: int = 1, padding: int = 0,
                       dilation: int = 1) -> int:
    """Output length of a convolution along one axis: ``floor((L + 2p - dil*(k-1) - 1)/s) + 1``."""
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def transposed_conv_output_length(length: int, kernel: int, stride: int = 1, padding: int = 0,
                                  output_padding: int = 0, dilation: int = 1) -> int:
    """Output length of a transposed convolution along one axis (notebook 03, exercise 3.1).

    ``(L - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1``, which is
    ``(L - 1) * stride - 2 * padding + kernel + output_padding`` when ``dilation == 1``.
    """
    return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def same_padding(kernel: int, stride: int) -> int:
    """Symmetric padding that makes a strided convolution give ``L / stride`` outputs.

    For lengths ``L`` that are multiples of the stride, as every layer of the course's models.

    TensorFlow's ``'same'`` pads ``k - s`` in total (when ``L`` is a multiple of ``s``), one
    more on the right when that is odd; PyTorch pads both sides alike, so this pads
    ``ceil((k - s) / 2)`` on each side and the surplus on the right is never read. The output
    size is TensorFlow's; the windows sit at most one sample to the left of TensorFlow's.
    """
    if kernel < stride:
        raise ValueError(f"kernel {kernel} < stride {stride}: 'same' padding needs "
                         "kernel >= stride")
    return math.ceil((kernel - stride) / 2)


def same_padding_transposed(kernel: int, stride: int) -> tuple[int, int]:
    """``(padding, output_padding)`` that make a transposed convolution give exactly ``L * stride``.

    From ``(L-1)s - 2p + k + op = Ls``: ``2p - op = k - s``, so ``p = ceil((k - s) / 2)`` and
    ``op = 2p - (k - s)`` (0 or 1, always below the stride). WaveGAN (k=25, s=4): ``(11, 1)``;
    SpecGAN (k=5, s=2): ``(2, 1)``. TensorFlow's ``'same'`` gives the same sizes; its crop of the
    full output starts one sample earlier when ``k - s`` is odd.
    """
    padding = same_padding(kernel, stride)
    output_padding = 2 * padding - (kernel - stride)
    if output_padding >= stride:
        raise ValueError(f"kernel {kernel}, stride {stride}: no 'same' transposed padding "
                         "(output_padding would reach the stride)")
    return padding, output_padding


# ----------------------------------------------------------------------------- upsampling blocks


def _conv_class(dims: int, transposed: bool = False) -> type[nn.Module]:
    if dims not in (1, 2):
        raise ValueError(f"dims={dims}: only 1-D (WaveGAN) and 2-D (SpecGAN) layers exist")
    if transposed:
        return nn.ConvTranspose1d if dims == 1 else nn.ConvTranspose2d
    return nn.Conv1d if dims == 1 else nn.Conv2d


def transposed_conv(dims: int, in_channels: int, out_channels: int, kernel: int,
                    stride: int) -> nn.Module:
    """The papers' ``zeros`` upsampling: a transposed conv whose output is ``stride`` times longer.

    ``dims`` is 1 (input ``(N, C, L)`` -> ``(N, out, L*stride)``) or 2 (``(N, C, H, W)`` ->
    ``(N, out, H*stride, W*stride)``). Padding from :func:`same_padding_transposed`.
    """
    padding, output_padding = same_padding_transposed(kernel, stride)
    cls = _conv_class(dims, transposed=True)
    return cls(in_channels, out_channels, kernel, stride=stride, padding=padding,
               output_padding=output_padding)


def strided_conv(dims: int, in_channels: int, out_channels: int, kernel: int,
                 stride: int) -> nn.Module:
    """A downsampling conv with ``'same'`` sizes: ``L -> ceil(L / stride)`` (discriminators)."""
    cls = _conv_class(dims)
    return cls(in_channels, out_channels, kernel, stride=stride,
               padding=same_padding(kernel, stride))


def resize(x: torch.Tensor, factor: int, mode: str) -> torch.Tensor:
    """Resize the spatial axes of ``x`` (``(N, C, L)`` or ``(N, C, H, W)``) by an integer factor.

    ``mode`` is ``nn`` (each value repeated), ``linear`` or ``cubic`` (half-pixel centres,
    ``align_corners=False``). A 1-D cubic resize runs as a 2-D bicubic on a height-1 image,
    which leaves that height unchanged.
    """
    dims = x.dim() - 2
    if dims not in (1, 2):
        raise ValueError(f"resize: expected (N, C, L) or (N, C, H, W), got shape {tuple(x.shape)}")
    if mode not in _RESIZE_MODES[dims]:
        raise ValueError(f"resize mode {mode!r}; choose one of nn, linear, cubic")
    torch_mode = _RESIZE_MODES[dims][mode]
    corners = None if torch_mode == "nearest" else False
    if dims == 1 and torch_mode == "bicubic":
        y = F.interpolate(x.unsqueeze(2), size=(1, x.shape[-1] * factor), mode="bicubic",
                          align_corners=False)
        return y.squeeze(2)
    size = tuple(s * factor for s in x.shape[2:])
    return F.interpolate(x, size=size, mode=torch_mode, align_corners=corners)


class ResizeConv(nn.Module):
    """Resize by ``factor``, then a stride-1 ``'same'`` convolution (``nn``/``linear``/``cubic``).

    The original code's alternative to transposed convolutions (Donahue et al. 2019, section
    3.2; Odena et al. 2016 on checkerboard artifacts). Same parameter count as the transposed
    conv it replaces. ``(N, C, L) -> (N, out, L*factor)`` when ``dims == 1``, and
    ``(N, C, H, W) -> (N, out, H*factor, W*factor)`` when ``dims == 2``. Notebooks 03 and 04.
    """

    table_atomic: ClassVar[bool] = True  # one row in layer_table

    def __init__(self, dims: int, in_channels: int, out_channels: int, kernel: int, factor: int,
                 mode: str = "nn") -> None:
        super().__init__()
        if mode not in _RESIZE_MODES.get(dims, {}):
            raise ValueError(f"ResizeConv mode {mode!r}; choose one of nn, linear, cubic "
                             "(or use transposed_conv for 'zeros')")
        if kernel % 2 == 0:
            raise ValueError(f"ResizeConv kernel {kernel}: use an odd kernel so 'same' padding "
                             "is symmetric")
        self.dims, self.factor, self.mode = dims, factor, mode
        self.conv = _conv_class(dims)(in_channels, out_channels, kernel, padding=kernel // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(resize(x, self.factor, self.mode))

    def describe(self) -> str:
        c = self.conv
        return (f"Resize{self.dims}d({self.mode}, x{self.factor}) + Conv{self.dims}d"
                f"({c.in_channels}->{c.out_channels}, k={c.kernel_size[0]})")


def up_conv(dims: int, in_channels: int, out_channels: int, kernel: int, stride: int,
            upsample: str = "zeros") -> nn.Module:
    """An upsampling block by name: ``zeros`` (transposed conv, the papers) or ``nn``/``linear``/
    ``cubic`` (:class:`ResizeConv`). Output is ``stride`` times longer on each spatial axis."""
    if upsample not in UPSAMPLE_MODES:
        raise ValueError(f"upsample={upsample!r}; choose one of {', '.join(UPSAMPLE_MODES)}")
    if upsample == "zeros":
        return transposed_conv(dims, in_channels, out_channels, kernel, stride)
    return ResizeConv(dims, in_channels, out_channels, kernel, stride, upsample)


# ----------------------------------------------------------------------------- phase shuffle


def _draw_shifts(count: int, n: int, generator: torch.Generator | None) -> torch.Tensor:
    """``count`` integers uniform in [-n, n], drawn on the generator's device (CPU by default)."""
    device = generator.device if generator is not None else torch.device("cpu")
    return torch.randint(-n, n + 1, (count,), generator=generator, device=device)


def phase_shuffle(x: torch.Tensor, n: int, generator: torch.Generator | None = None,
                  per_example: bool = False) -> torch.Tensor:
    """Shift ``x`` of shape ``(N, C, T)`` in time by a random ``k`` in ``[-n, n]``, reflecting.

    ``out[..., t] = x[..., t - k]``; the ``|k|`` samples that come in at one edge are filled by
    reflection (``x[-j] = x[j]``, the edge sample not repeated), as TensorFlow's
    ``tf.pad(mode='REFLECT')`` in the original code. By default one ``k`` for the whole call, as
    in the original; ``per_example=True`` draws one ``k`` per example and applies them all with
    one ``gather`` (no Python loop). The shape does not change. Notebook 04.

    The shifts are drawn from ``generator`` (a ``torch.Generator``; the global CPU generator when
    None), on the CPU for a CPU generator, so no device synchronisation is needed.
    """
    if x.dim() != 3:
        raise ValueError(f"phase_shuffle: expected (batch, channels, time), got {tuple(x.shape)}")
    if n < 0:
        raise ValueError(f"phase_shuffle: n={n}; the shift radius must be >= 0")
    if n == 0:
        return x
    length = x.shape[-1]
    if n >= length:
        raise ValueError(f"phase_shuffle: n={n} needs more than {n} time steps for reflection, "
                         f"got {length}; lower n or feed a longer signal")
    if not per_example:
        k = int(_draw_shifts(1, n, generator)[0])
        if k == 0:
            return x
        if k > 0:  # out[t] = x[t - k]: k mirrored samples x[k], ..., x[1] come in on the left
            return torch.cat([x[..., 1:k + 1].flip(-1), x[..., :length - k]], dim=-1)
        return torch.cat([x[..., -k:], x[..., k - 1:-1].flip(-1)], dim=-1)
    shifts = _draw_shifts(x.shape[0], n, generator).to(x.device, non_blocking=True)
    # source index of every output sample, (N, T): t - k, reflected back into [0, T - 1]
    index = torch.arange(length, device=x.device) - shifts[:, None]
    index = torch.where(index < 0, -index, index)
    index = torch.where(index > length - 1, 2 * (length - 1) - index, index)
    return x.gather(2, index[:, None, :].expand(-1, x.shape[1], -1))


class PhaseShuffle(nn.Module):
    """Phase shuffle (Donahue et al. 2019, section 3.3), active only in training mode.

    ``PhaseShuffle(n)`` shifts ``(N, C, T)`` activations by a random ``k`` in ``[-n, n]`` with
    reflection fill (:func:`phase_shuffle`); in eval mode, or with ``n == 0``, it is the
    identity. ``per_example=False`` (the original) draws one ``k`` per call; ``True`` one per
    example. ``generator`` (optional) makes the shifts reproducible on its own; without it the
    global CPU generator is used, which the trainer seeds and checkpoints. Notebook 04.
    """

    table_atomic: ClassVar[bool] = True

    def __init__(self, n: int = 2, per_example: bool = False,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        if n < 0:
            raise ValueError(f"PhaseShuffle(n={n}): the shift radius must be >= 0 (0 turns it off)")
        self.n, self.per_example, self.generator = n, per_example, generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.n == 0:
            return x
        return phase_shuffle(x, self.n, generator=self.generator, per_example=self.per_example)

    def extra_repr(self) -> str:
        return f"n={self.n}, per_example={self.per_example}"

    def describe(self) -> str:
        mode = ", per example" if self.per_example else ""
        return f"PhaseShuffle(n={self.n}{mode})"


# ----------------------------------------------------------------------------- post filter


class PostFilter(nn.Module):
    """WaveGAN's learned post-processing FIR filter (the original's ``post_proc_filt_len``).

    A length-``taps`` convolution without bias on each output channel (``(N, C, L) -> (N, C,
    L)``), zero-padded as TensorFlow's ``'same'`` (``(taps-1)//2`` left, the rest right). The
    original code uses 512 taps and leaves it off by default; with ``c > 1`` its layer mixed the
    channels into one, here each channel has its own filter (``groups=c``). Notebook 04.
    """

    table_atomic: ClassVar[bool] = True
    #: From this many taps on the filter runs as an FFT product, which costs the same at any
    #: length; a direct convolution with 512 taps on 2048 samples doubles the generator's time.
    FFT_FROM_TAPS: ClassVar[int] = 64

    def __init__(self, channels: int = 1, taps: int = 512) -> None:
        super().__init__()
        if taps < 1:
            raise ValueError(f"PostFilter taps={taps}: need at least 1 tap")
        self.taps = taps
        self.conv = nn.Conv1d(channels, channels, taps, bias=False, groups=channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left = (self.taps - 1) // 2
        padded = F.pad(x, (left, self.taps - 1 - left))
        if self.taps < self.FFT_FROM_TAPS:
            return self.conv(padded)
        # The same cross-correlation as ``self.conv``: y[n] = sum_k w[k] x_padded[n + k]. With an
        # FFT size at least the padded length nothing wraps around; float32 because cuFFT in
        # half precision takes only powers of two.
        length, n_fft = x.shape[-1], padded.shape[-1]
        spectrum = torch.fft.rfft(padded.float())
        kernel = torch.fft.rfft(self.conv.weight.float().squeeze(1), n=n_fft).conj()
        return torch.fft.irfft(spectrum * kernel.unsqueeze(0), n=n_fft)[..., :length].to(x.dtype)

    def describe(self) -> str:
        return f"PostFilter({self.conv.in_channels} ch, {self.taps} taps)"


# ----------------------------------------------------------------------------- init and configs


def init_like_tensorflow(module: nn.Module) -> None:
    """Glorot-uniform weights and zero biases in every dense/conv layer of ``module``.

    The defaults of ``tf.layers`` (and Keras) that the original WaveGAN/SpecGAN code and the
    dense baseline's source rely on; PyTorch's own defaults differ.
    """
    convs = (nn.Linear, nn.Conv1d, nn.ConvTranspose1d, nn.Conv2d, nn.ConvTranspose2d)
    for m in module.modules():
        if isinstance(m, convs):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class ConfigMixin:
    """Models whose settings are one frozen config dataclass, the one home of their defaults.

    A subclass sets ``config_class`` and takes ``(config=None, **options)``: ``Model()`` is the
    paper's model, ``Model(d=8, slice_len=2048)`` changes some fields, ``Model(config)`` or
    ``Model.from_config(config)`` takes a whole config (or a dict of its fields). Then
    ``model.config`` is that dataclass (checked by its ``__post_init__``), and
    ``type(model)(**dataclasses.asdict(model.config))`` rebuilds the same architecture (the
    trainer stores configs in checkpoints).

    :meth:`check_input` gives the error for a batch of the wrong shape, naming the expected
    ``(batch, *input_shape)``; ``input_name`` says what the input is and ``input_hint`` how
    to fix it.
    """

    config_class: ClassVar[type]
    config: Any
    input_name: ClassVar[str] = "input"
    input_hint: ClassVar[str] = ""

    def __init__(self, config: Any = None, **options: Any) -> None:
        super().__init__()
        self.config = self._make_config(config, options)

    @classmethod
    def _make_config(cls, config: Any, options: dict[str, Any]) -> Any:
        if config is None:
            return cls.config_class(**options)
        if options:
            raise TypeError(f"{cls.__name__}: give a config or keyword options, not both "
                            f"(got a config and {', '.join(sorted(options))})")
        if isinstance(config, Mapping):
            return cls.config_class(**config)
        if not isinstance(config, cls.config_class):
            raise TypeError(f"{cls.__name__}: got a {type(config).__name__}, expected a "
                            f"{cls.config_class.__name__}")
        return config

    @classmethod
    def from_config(cls, config: Any):
        """Build a model from its config dataclass (or a dict of its fields)."""
        return cls(config)

    @property
    def example_shape(self) -> tuple[int, ...]:
        """One example of the data: ``(c, slice_len)``, the generator's output and the
        discriminator's input (SpecGAN's: ``(c, 128, 128)``)."""
        return (self.config.c, self.config.slice_len)

    def check_input(self, x: torch.Tensor, expected: tuple[int, ...] | None = None,
                    where: str | None = None) -> None:
        """Raise a ValueError unless ``x`` is ``(batch, *expected)`` (default: ``input_shape``)."""
        expected = self.input_shape if expected is None else tuple(expected)
        if tuple(x.shape[1:]) != expected:
            raise ValueError(f"{where or type(self).__name__}: expected {self.input_name} of shape "
                             f"(batch, {', '.join(map(str, expected))}), got {tuple(x.shape)}"
                             f"{self.input_hint}")


class LatentGenerator(ConfigMixin):
    """A generator built as one ``Sequential`` ``self.net``: ``z (N, latent_dim)`` ->
    ``(N, *output_shape)`` (dense, WaveGAN and SpecGAN; notebooks 02-04)."""

    input_name = "z"

    @property
    def input_shape(self) -> tuple[int, ...]:
        """One input example's shape: ``(latent_dim,)``."""
        return (self.config.latent_dim,)

    @property
    def output_shape(self) -> tuple[int, ...]:
        """One output example's shape: :attr:`example_shape`."""
        return self.example_shape

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        self.check_input(z)
        return self.net(z)


class LogitDiscriminator(ConfigMixin):
    """A discriminator built as one ``Sequential`` ``self.net``: ``(N, *input_shape)`` -> one
    logit per example ``(N,)`` (dense, WaveGAN and SpecGAN; notebooks 02-04)."""

    input_name = "audio"

    @property
    def input_shape(self) -> tuple[int, ...]:
        """One input example's shape: :attr:`example_shape`."""
        return self.example_shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        return self.net(x).squeeze(1)


# ------------------------------------------------------------------------- progressive GAN layers
#
# GANSynth (Engel et al. 2019) builds on the progressive GAN (Karras et al. 2018); these are the
# layers of its public code (magenta/models/gansynth/lib/layers.py), used by models/gansynth.py
# and notebook 06_gansynth_progressive.

HE_GAIN = math.sqrt(2.0)  # He et al. 2015 for a ReLU-like layer: std = sqrt(2 / fan_in)


def pixel_norm(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Pixel norm: divide each position's feature vector by its root mean square over channels.

    ``x`` is ``(N, C, ...)``; ``out[n, :, h, w] = x[n, :, h, w] / sqrt(mean_c(x[n, c, h, w]^2) +
    eps)``, so every position's ``C`` features have mean square 1 (Karras et al. 2018, section
    4.2; the GANSynth generator after every LeakyReLU, and on its input latent). Notebook 06.
    """
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + eps)


class PixelNorm(nn.Module):
    """:func:`pixel_norm` as a layer: ``(N, C, ...)`` -> same shape. Notebook 06."""

    def __init__(self, eps: float = 1e-8) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return pixel_norm(x, self.eps)

    def describe(self) -> str:
        return "PixelNorm"


def minibatch_stddev(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Append one channel holding the batch's mean standard deviation: ``(N, C, H, W)`` ->
    ``(N, C + 1, H, W)``.

    For every feature ``(c, h, w)`` the standard deviation over the batch (population variance,
    ``sqrt(var + eps)``), averaged over all features to one number, which fills the new channel
    of every example. A discriminator that sees it can tell a batch of near-identical fakes
    (mode collapse) from a varied real batch (Karras et al. 2018, section 3). As the GANSynth code
    (``minibatch_mean_stddev``): one group, the whole batch. Notebook 06.
    """
    if x.dim() < 2:
        raise ValueError(f"minibatch_stddev: expected (N, C, ...), got {tuple(x.shape)}")
    var = x.var(dim=0, unbiased=False)
    value = torch.sqrt(var + eps).mean()
    extra = value.expand(x.shape[0], 1, *x.shape[2:]).to(x.dtype)
    return torch.cat([x, extra], dim=1)


class MinibatchStdDev(nn.Module):
    """:func:`minibatch_stddev` as a layer: ``(N, C, H, W)`` -> ``(N, C + 1, H, W)``.
    Notebook 06."""

    def __init__(self, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return minibatch_stddev(x, self.eps)

    def describe(self) -> str:
        return "MinibatchStdDev(+1 channel)"


class EqualizedConv2d(nn.Module):
    """A 2-D convolution with an equalised learning rate (Karras et al. 2018, section 4.1).

    The weights are stored as draws from N(0, 1) and multiplied at run time by the He constant
    ``gain / sqrt(fan_in)`` (``fan_in = in_channels * kh * kw``); biases start at zero. The
    effective weights have He initialisation, but Adam's update of the stored weights is the same
    size for every layer, whatever its fan-in. ``gain`` is ``sqrt(2)`` (He, for layers followed
    by a LeakyReLU; the GANSynth code's ``he_initializer_slope=0``) or 1 (its ``to_rgb`` and dense
    heads, ``slope=1``). ``padding`` as ``nn.Conv2d``; ``kernel`` an int or ``(kh, kw)``.
    ``(N, in, H, W)`` -> ``(N, out, H', W')``. Notebook 06.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int | tuple[int, int],
                 padding: int | tuple[int, int] = 0, gain: float = HE_GAIN) -> None:
        super().__init__()
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.padding, self.gain = (kh, kw), padding, gain
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kh, kw))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.scale = gain / math.sqrt(in_channels * kh * kw)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel={self.kernel_size}, "
                f"padding={self.padding}, gain={self.gain:.4g}")

    def describe(self) -> str:
        k = "x".join(map(str, self.kernel_size))
        return f"EqConv2d({self.in_channels}->{self.out_channels}, k={k})"


class EqualizedLinear(nn.Module):
    """A dense layer with an equalised learning rate: N(0, 1) weights times ``gain / sqrt(fan_in)``
    at run time, zero biases (see :class:`EqualizedConv2d`). ``(N, in)`` -> ``(N, out)``.
    Notebook 06."""

    def __init__(self, in_features: int, out_features: int, gain: float = HE_GAIN) -> None:
        super().__init__()
        self.in_features, self.out_features, self.gain = in_features, out_features, gain
        self.weight = nn.Parameter(torch.randn(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features))
        self.scale = gain / math.sqrt(in_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, gain={self.gain:.4g}"

    def describe(self) -> str:
        return f"EqDense({self.in_features}->{self.out_features})"


class LatentToMap(nn.Module):
    """The first layer of the GANSynth generator: a vector ``(N, C)`` -> a map ``(N, out, kh, kw)``.

    The original code treats the latent as a 1 x 1 image, pads it with zeros to
    ``(2kh - 1) x (2kw - 1)`` and applies a ``kh x kw`` convolution without padding (``'VALID'``),
    so each output position sees the latent through a different kernel tap: a dense layer to
    ``kh * kw * out`` units in disguise. This computes the same numbers without the zeros (one
    ``einsum`` with the flipped kernel). The equalised-learning-rate scale counts the whole
    kernel as the original does: ``gain / sqrt(C * kh * kw)``. Notebook 06.
    """

    def __init__(self, in_features: int, out_channels: int, size: tuple[int, int],
                 gain: float = HE_GAIN) -> None:
        super().__init__()
        kh, kw = size
        self.in_features, self.out_channels = in_features, out_channels
        self.size, self.gain = (kh, kw), gain
        self.weight = nn.Parameter(torch.randn(out_channels, in_features, kh, kw))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.scale = gain / math.sqrt(in_features * kh * kw)

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        if v.dim() != 2:
            raise ValueError(f"LatentToMap: expected vectors (N, {self.in_features}), "
                             f"got {tuple(v.shape)}")
        # conv over the zero-padded 1x1 input: output (i, j) uses kernel tap (kh-1-i, kw-1-j)
        kernel = self.weight.flip(2, 3) * self.scale
        return torch.einsum("nc,ocij->noij", v, kernel) + self.bias[None, :, None, None]

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_channels}, size={self.size}, gain={self.gain:.4g}"

    def describe(self) -> str:
        kh, kw = self.size
        return f"EqConv2d({self.in_features}->{self.out_channels}, k={kh}x{kw}) on the 1x1 latent"


class Upscale2d(nn.Module):
    """Nearest-neighbour ("box") upsampling by an integer factor: ``(N, C, H, W)`` -> ``(N, C, fH,
    fW)``, every value repeated ``f x f`` times (the GANSynth code's ``upscale``). Notebook 06."""

    def __init__(self, factor: int = 2) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.factor == 1 else resize(x, self.factor, "nn")

    def describe(self) -> str:
        return f"Upsample(nearest, x{self.factor})"


class Downscale2d(nn.Module):
    """Average pooling ("box" downsampling) by an integer factor: ``(N, C, H, W)`` -> ``(N, C, H/f,
    W/f)``, each output the mean of an ``f x f`` block (the GANSynth code's ``downscale``).
    Notebook 06."""

    def __init__(self, factor: int = 2) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.factor == 1 else F.avg_pool2d(x, self.factor)

    def describe(self) -> str:
        return f"AvgPool(x{self.factor})"
