# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-all
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · SpecGAN: a DCGAN on spectrograms, and its checkerboard
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/audiogan-lesson/audiogan-lesson/blob/v0.1.0/solutions/03_specgan_dcgan.ipynb)
#
# The dense GAN of notebook 02 learned every sample position on its own. Image GANs solved the
# same problem years earlier with convolutions: DCGAN (Radford et al., 2016) grows a small
# 4 x 4 map into an image by repeated *transposed* convolutions, and its discriminator shrinks
# the image back with strided convolutions. **SpecGAN** (Donahue et al., 2019) takes DCGAN
# almost as it is and trains it on a picture of sound: the 128 x 128 log-magnitude spectrogram
# of notebook 01. Griffin-Lim then turns generated pictures back into audio.
#
# **In this notebook you will**
# - hold SpecGAN's generator and discriminator against the paper's table (19,065,345 and
#   17,427,969 parameters at full size);
# - work out the output size of a transposed convolution (exercise 3.1) and follow the
#   generator from 4 x 4 to 128 x 128;
# - see where **checkerboard artifacts** come from, on an untrained generator and after training;
# - write a resize-then-convolve upsampling block (exercise 3.2), and compare the four upsampling
#   variants of the paper's code on the same budget, in pictures and sound;
# - train SpecGAN with the BCE loss of notebook 02 on the toy drums, go back to audio with
#   Griffin-Lim, listen, and measure the inception score against the real drums;
# - draw sound the way a street-music GAN did, as 256 x 256 mel images, measure and hear what
#   their way back to audio loses, and train SpecGAN grown to that size on the same budget.
#
# Code behind this notebook: `audiogan_lesson.models.specgan`, `audiogan_lesson.models.layers`,
# `audiogan_lesson.spectral`, `audiogan_lesson.experiments`, `audiogan_lesson.evaluation`,
# `audiogan_lesson.representations` and `audiogan_lesson.models.melimage` (section 10).

# %% [markdown]
# ## Setup

# %%
import subprocess
import sys

KEEP_ON_DRIVE = None  # Colab: True keeps runs and datasets on Google Drive; None: with a GPU only
if "google.colab" in sys.modules:  # install the course; Colab's torch, torchaudio, ipywidgets stay
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "audiogan-lesson==0.1.0"], check=True)
    from audiogan_lesson.paths import colab_setup

    colab_setup(KEEP_ON_DRIVE)

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import display
from torch import nn

from audiogan_lesson import display as show
from audiogan_lesson.profiles import get_profile, seed_everything
from audiogan_lesson.runs import runs_dir

profile = get_profile()
print(profile.summary())
seed_everything(0)

# %% [markdown]
# ## 1. Sound as a 128 x 128 image
#
# SpecGAN's data are the log-magnitude spectrograms of notebook 01: 16384 samples at 16 kHz,
# an STFT with 256-sample windows and a hop of 128 (128 frames, 128 frequency bins once the
# Nyquist bin is dropped), the log, then each frequency bin shifted by its mean and divided by
# three standard deviations over the training set, and clipped to [-1, 1], the range of the
# generator's tanh. The experiment below does all of it for the toy drums. The arrays hold time
# frames first and frequency bins second, as the original code does; the pictures are drawn
# with frequency going up.

# %%
from audiogan_lesson.experiments import make_experiment

exp = make_experiment("specgan", "toy-drums", profile, loss="bce")
real = exp.real
sr = real.sample_rate
images = exp.examples  # (N, 1, 128, 128): frames x bins, normalised to [-1, 1]
first_of_each = [int((real.labels == k).nonzero()[0]) for k in range(len(real.classes))]
print(f"{real.waves.shape[0]} drum hits of {real.waves.shape[1]} samples at {sr} Hz -> "
      f"images {tuple(images.shape[1:])}, values in [{images.min():.1f}, {images.max():.1f}]")


def show_images(batch, titles=None, cols=None, size=2.4, crop=None):
    """Plot images ``(n, 1, frames, bins)`` with frequency going up; ``crop`` zooms on a corner."""
    batch = batch.detach().float().cpu()
    cols = cols or len(batch)
    rows = -(-len(batch) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(batch):
            image = batch[i, 0].mT  # bins x frames: frequency on the vertical axis
            if crop:
                image = image[:crop, :crop]
            ax.imshow(image, origin="lower", aspect="auto", cmap="magma",
                      interpolation="nearest")
            if titles:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    plt.show()


show_images(images[first_of_each], real.classes)
show.play_row(real.waves[first_of_each], sr, labels=real.classes)

# %% [markdown]
# ## 2. From DCGAN to SpecGAN: the layer table
#
# DCGAN's generator projects a latent vector to a 4 x 4 map with many channels, then doubles
# height and width with each transposed convolution while halving the channels; its
# discriminator mirrors it with strided convolutions. SpecGAN keeps that design and changes
# little (Donahue et al., 2019):
#
# - one more layer, so that the output is 128 x 128 (DCGAN stopped at 64 x 64);
# - 5 x 5 kernels with stride 2 everywhere; ReLU in G, LeakyReLU(0.2) in D, tanh at G's output;
# - the latent is 100 numbers uniform in [-1, 1]; **no batch normalisation** in either network;
# - width `d = 64` and `c = 1` channel: the projection goes to 4 x 4 x 16d = 16384 numbers.
#
# The package builds both networks from the paper's defaults. `layer_table` runs one forward
# pass and lists each layer with its output shape, printed channels last as the paper's table
# writes it: `(n, height, width, channels)`.

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.models.specgan import SpecGANDiscriminator, SpecGANGenerator
from audiogan_lesson.models.summary import count_parameters, layer_table

paper_g, paper_d = SpecGANGenerator(), SpecGANDiscriminator()
print(layer_table(paper_g, paper_order=True))
print()
print(layer_table(paper_d, paper_order=True))

# %% [markdown]
# The paper's table of SpecGAN, row by row: input `(n, 100)`; dense `(100, 256d)` to `(n, 256d)`;
# reshape to `(n, 4, 4, 16d)`; five transposed convolutions `(5, 5, 16d, 8d)` ... `(5, 5, d, c)`
# with stride 2 to `(n, 8, 8, 8d)` ... `(n, 128, 128, c)`, ReLU after each but the last, tanh
# at the end. The discriminator: five `(5, 5)` convolutions with stride 2 from `(n, 128, 128, c)`
# down to `(n, 4, 4, 16d)`, LeakyReLU after each, reshape to `(n, 256d)`, dense to one logit.
# The shapes above match. The parameter counts follow from the kernel sizes alone: a (transposed)
# convolution from `C_in` to `C_out` channels with a 5 x 5 kernel has `25 C_in C_out` weights and
# `C_out` biases.

# %%
# NBVAL_CHECK_OUTPUT
d, c, latent = 64, 1, 100
g_channels = [16 * d, 8 * d, 4 * d, 2 * d, d, c]
d_channels = [c, d, 2 * d, 4 * d, 8 * d, 16 * d]
by_hand_g = (latent * 256 * d + 256 * d) + sum(
    25 * c_in * c_out + c_out for c_in, c_out in zip(g_channels[:-1], g_channels[1:]))
by_hand_d = sum(25 * c_in * c_out + c_out for c_in, c_out in zip(d_channels[:-1], d_channels[1:])) \
    + (256 * d + 1)
print(f"generator:     {by_hand_g:>11,} by hand, {count_parameters(paper_g):>11,} in the model")
print(f"discriminator: {by_hand_d:>11,} by hand, {count_parameters(paper_d):>11,} in the model")

# %% [markdown]
# Two thirds of the generator's parameters sit in its first transposed convolution (1024 to 512
# channels). On a laptop the profile scales the width `d` down; the design stays the same:

# %%
scale = exp.scale
print(f"profile {profile.name}: d = {scale.width}, batch {exp.config.batch_size}, "
      f"up to {exp.config.steps} steps or {exp.config.max_seconds / 60:.1f} min")
print(f"generator {count_parameters(exp.generator):,} and discriminator "
      f"{count_parameters(exp.discriminator):,} parameters")
del paper_g, paper_d

# %% [markdown]
# ## 3. Transposed convolutions: shape arithmetic
#
# A strided convolution slides its kernel over the input and keeps every `s`-th position: the
# output is about `s` times shorter. A **transposed convolution** runs the other way: each input
# value *stamps* a copy of the kernel, scaled by that value, into the output, and consecutive
# stamps start `s` samples apart. Along one axis, with `L` inputs:
#
# - the stamps start at `0, s, 2s, ..., (L - 1) s`, and the last one covers `k` samples, so
#   the full output has `(L - 1) s + k` samples;
# - `padding = p` crops `p` samples from *each* end of that full output;
# - `output_padding = op` adds `op` samples at the end. It exists because several input lengths
#   of a strided convolution give the same output length, so its transpose needs to be told
#   which one to return;
# - a dilated kernel (taps `dilation` apart) spans `dilation (k - 1) + 1` samples instead of `k`.
#
# **Exercise 3.1.** Put those four facts together: write `transposed_conv_output(length,
# kernel, stride, padding, output_padding, dilation=1)`, the output length of a transposed
# convolution along one axis. (Check yourself on a small case by hand: 3 inputs, k = 4, s = 2,
# no padding gives 8 samples.)

# %%
def transposed_conv_output(length: int, kernel: int, stride: int, padding: int = 0,
                           output_padding: int = 0, dilation: int = 1) -> int:
    """Output length of a transposed convolution along one axis."""
    # BEGIN SOLUTION Exercise 3.1: the full length of the stamps, minus the crop of padding at both ends, plus output_padding
    return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    # END SOLUTION


# %%
from audiogan_lesson.exercises import check_transposed_conv_output

check_transposed_conv_output(transposed_conv_output)

# %% [markdown]
# The formula: $L_\text{out} = (L - 1)\,s - 2p + \text{dilation}\,(k - 1) + \text{op} + 1$.
# Every upsampling layer of the paper's models should give exactly `stride` times its input
# (TensorFlow's `'same'` padding). From `(L - 1) s - 2p + k + op = L s` follows `2p - op = k - s`:
# SpecGAN (k = 5, s = 2) needs `p = 2, op = 1`, WaveGAN of notebook 04 (k = 25, s = 4) needs
# `p = 11, op = 1`. `same_padding_transposed` in the package works them out; below the course's
# formula follows both generators from their first map to the output, and PyTorch agrees.

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.models.layers import same_padding_transposed, transposed_conv_output_length

for name, kernel, stride, start, layers in [("SpecGAN", 5, 2, 4, 5), ("WaveGAN", 25, 4, 16, 5)]:
    p, op = same_padding_transposed(kernel, stride)
    sizes = [start]
    for _ in range(layers):
        sizes.append(transposed_conv_output_length(sizes[-1], kernel, stride, p, op))
    layer = nn.ConvTranspose1d(1, 1, kernel, stride=stride, padding=p, output_padding=op)
    torch_sizes = [start]
    for _ in range(layers):
        torch_sizes.append(layer(torch.zeros(1, 1, torch_sizes[-1])).shape[-1])
    print(f"{name}: k={kernel}, s={stride}, padding={p}, output_padding={op}: "
          f"{' -> '.join(map(str, sizes))}  (PyTorch: {torch_sizes == sizes})")

# %% [markdown]
# ## 4. Where checkerboards come from
#
# Look again at the stamps. With `k = 5` and `s = 2`, neighbouring stamps overlap, but not
# evenly: an output position is covered by 3 stamps or by 2, alternately. A 2-D layer does this
# along both axes, so positions get 3 x 3, 3 x 2, 2 x 3 or 2 x 2 contributions: a
# **checkerboard** (Odena, Dumoulin and Olah, 2016). To see it, feed a transposed convolution
# whose kernel is all ones with an input that is all ones: each output value is then simply the
# number of stamps that cover it.

# %%
stamp_1d = nn.ConvTranspose1d(1, 1, 5, stride=2, padding=2, output_padding=1, bias=False)
stamp_2d = nn.ConvTranspose2d(1, 1, 5, stride=2, padding=2, output_padding=1, bias=False)
for layer in (stamp_1d, stamp_2d):
    nn.init.ones_(layer.weight)
with torch.no_grad():
    cover_1d = stamp_1d(torch.ones(1, 1, 8))[0, 0]
    cover_2d = stamp_2d(torch.ones(1, 1, 8, 8))[0, 0]

fig, axes = plt.subplots(1, 3, figsize=(14, 3.2), gridspec_kw={"width_ratios": [1.4, 1, 0.8]})
for i in range(8):  # the stamp of input i covers full-output samples 2i ... 2i + 4; padding crops 2
    axes[0].barh(i, 5, left=2 * i - 2, height=0.6, color=plt.cm.tab10(i % 10), alpha=0.7)
axes[0].axvspan(-0.5, 15.5, color="0.9", zorder=0)
axes[0].set_xlim(-3, 19)
axes[0].set_xlabel("output position (grey: the 16 samples kept)")
axes[0].set_ylabel("input index")
axes[0].set_title("stamps of 8 inputs, k=5, s=2")
axes[1].bar(range(16), cover_1d, color="tab:orange")
axes[1].set_title("stamps covering each output")
axes[1].set_xlabel("output position")
axes[2].imshow(cover_2d, cmap="magma", interpolation="nearest")
axes[2].set_title("the same in 2-D")
axes[2].axis("off")
fig.tight_layout()
plt.show()
print("interior of the 2-D coverage:\n", cover_2d[6:10, 6:10].int().numpy())

# %% [markdown]
# A real generator has learned kernels, not ones, but the uneven overlap is still there, and five
# such layers stack their patterns at periods 2, 4, 8, 16 and 32. An **untrained** SpecGAN shows it
# plainly: below, 64 images from random latents, one of them zoomed, and their *mean*. Because
# ReLU outputs are positive on average, every layer adds the same stamped pattern whatever the
# latent, and the mean image keeps it. The power spectrum of the images (their 2-D Fourier
# transform, centred, log scale) shows a checkerboard as bright lines and dots at the highest
# frequencies, the edges of the picture. The same generator with `upsample="nn"` (nearest
# neighbour resize, then a convolution; section 5) is drawn for comparison.

# %%
from audiogan_lesson.models.layers import sample_latent


def power_spectrum_2d(batch):
    """Log10 of the mean 2-D power spectrum of images ``(n, 1, H, W)``, zero frequency centred."""
    x = batch[:, 0].detach().float().cpu()
    x = x - x.mean(dim=(-2, -1), keepdim=True)
    power = torch.fft.fft2(x).abs().square().mean(0)
    return torch.fft.fftshift(power).clamp_min(1e-20).log10()


def checkerboard_share(batch) -> float:
    """Share of the images' power on the highest-frequency row and column (period 2)."""
    x = batch[:, 0].detach().float().cpu()
    x = x - x.mean(dim=(-2, -1), keepdim=True)
    power = torch.fft.fft2(x).abs().square().mean(0)
    h, w = power.shape
    nyquist = power[h // 2, :].sum() + power[:, w // 2].sum() - power[h // 2, w // 2]
    return float(nyquist / power.sum())


z = sample_latent(64, generator=torch.Generator().manual_seed(1))
untrained = {}
for mode in ("zeros", "nn"):
    torch.manual_seed(0)
    with torch.no_grad():
        untrained[mode] = SpecGANGenerator(d=scale.width, upsample=mode)(z)

fig, axes = plt.subplots(2, 4, figsize=(13, 6))
for row, (mode, batch) in enumerate(untrained.items()):
    panels = [(batch[0, 0].mT, "one image"), (batch[0, 0].mT[:24, :24], "zoom, 24 x 24"),
              (batch.mean(0)[0].mT[:24, :24], "mean of 64, zoom"),
              (power_spectrum_2d(batch), "power spectrum (log)")]
    for ax, (image, title) in zip(axes[row], panels):
        ax.imshow(image, origin="lower", cmap="magma", interpolation="nearest")
        ax.set_title(f"{mode}: {title}", fontsize=9)
        ax.axis("off")
fig.suptitle(f"untrained SpecGAN generators (d = {scale.width})")
fig.tight_layout()
plt.show()
share_real = checkerboard_share(images[:256])
for mode, batch in untrained.items():
    print(f"untrained, upsample={mode!r}: {100 * checkerboard_share(batch):5.1f}% of the power at "
          "period 2")
print(f"real drum spectrograms:      {100 * share_real:5.1f}%")

# %% [markdown]
# The transposed-convolution generator starts out with a grid printed on every output; the
# resize-then-convolve one does not. Training has to *unlearn* the grid: the generator's kernels
# must become balanced so that 2 and 3 overlapping stamps add up to the same thing. Section 7
# checks how far training gets.
#
# ## 5. Resize, then convolve
#
# Odena et al. (2016) proposed to separate the two jobs of a transposed convolution: first
# **resize** the map to the larger size by an ordinary interpolation, then apply a stride-1
# convolution. Every output position then sees the same number of kernel taps, so no grid is
# built in. The original WaveGAN/SpecGAN code offers three resizes besides `zeros` (its name for
# the transposed convolution, which inserts zeros between the inputs): `nn` (nearest
# neighbour: repeat each value), `linear` and `cubic` interpolation. The convolution has the same
# kernel and the same channel counts, so the parameter count does not change; it runs on the
# larger map, which costs about `stride^2` = 4 times the arithmetic in 2-D.
#
# **Exercise 3.2.** Write `UpsampleBlock(in_channels, out_channels, kernel_size, factor)`: an
# `nn.Module` whose `forward` resizes `(N, C_in, H, W)` by `factor` with `F.interpolate`
# (nearest neighbour is fine), then applies one `nn.Conv2d` with stride 1 and `'same'` padding
# (`kernel_size // 2` on each side), giving `(N, C_out, H * factor, W * factor)`.

# %%
class UpsampleBlock(nn.Module):
    """Resize by ``factor``, then a stride-1 convolution: (N, C_in, H, W) -> (N, C_out, fH, fW)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, factor: int):
        super().__init__()
        self.factor = factor
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION Exercise 3.2: resize x by self.factor with F.interpolate, then apply self.conv
        return self.conv(F.interpolate(x, scale_factor=self.factor, mode="nearest"))
        # END SOLUTION


# %%
from audiogan_lesson.exercises import check_upsample_block

check_upsample_block(UpsampleBlock)

# %% [markdown]
# The package's version is `layers.ResizeConv`, which `SpecGANGenerator(upsample=...)` uses for
# `nn`, `linear` and `cubic`. At full size each variant has exactly the paper's parameter count:

# %%
# NBVAL_CHECK_OUTPUT
for mode in ("zeros", "nn", "linear", "cubic"):
    g = SpecGANGenerator(upsample=mode)
    print(f"upsample={mode!r:9} {count_parameters(g):>11,} parameters, first layer: "
          f"{type(g.net.upconv_0).__name__}")
del g

# %% [markdown]
# ## 6. Train SpecGAN with BCE
#
# The paper trains SpecGAN with the Wasserstein loss and a gradient penalty (notebook 05 does
# that). Here it plays the game of notebook 02: the discriminator's binary cross-entropy and the
# generator's non-saturating loss, one D step per G step, Adam with learning rate 1e-4 and
# betas (0.5, 0.9) as in the paper. The cell *trains or loads*: re-running it after the run is
# complete loads the checkpoint instead of training again.

# %%
trainer = exp.trainer(runs_dir("03_specgan_bce", profile))
trainer.train(resume=True)
print(f"step {trainer.step}, {trainer.seconds:.0f} s of training, "
      f"{trainer.step / max(trainer.seconds, 1e-9):.2f} steps/s")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
show.plot_history(trainer.history, ["d_loss", "g_loss"], ax=axes[0], title="losses")
show.plot_history(trainer.history, ["d_acc", "d_real", "d_fake"], ax=axes[1],
                  title="D accuracy and mean belief on real / fake")
plt.show()

# %% [markdown]
# Read the curves as in notebook 02: a discriminator accuracy near 1 with a rising generator
# loss means D has won and G learns little from it. Then look at generated images next to real
# ones. Real drum spectrograms have a sharp onset (a vertical edge on the left) and a decay whose
# length and colour depend on the drum. Two signs of trouble: every sample looking alike (mode
# collapse), and a fine grid over the picture.

# %%
n_eval = min(profile.n_eval, real.waves.shape[0])
fake_images = trainer.sample(n_eval).cpu()  # (n_eval, 1, 128, 128)
show_images(fake_images[:8], [f"SpecGAN #{i}" for i in range(8)], cols=8, size=1.8)
show_images(images[:8], [f"real: {real.classes[int(real.labels[i])]}" for i in range(8)],
            cols=8, size=1.8)

# %% [markdown]
# ## 7. Back to audio with Griffin-Lim, and listening
#
# A spectrogram has no phase. SpecGAN undoes the normalisation and estimates a phase with 16
# iterations of Griffin-Lim, as in the paper (notebook 01 showed how). To separate what the GAN
# gets wrong from what Griffin-Lim loses, listen first to *real* drums sent through the same
# path: spectrogram, normalisation, Griffin-Lim. That is the best a perfect SpecGAN could sound.

# %%
real_through_gl = exp.to_audio(images[first_of_each])
show.play_row(real.waves[first_of_each], sr, labels=[f"real {k}" for k in real.classes])
show.play_row(real_through_gl, sr, labels=[f"{k}, Griffin-Lim" for k in real.classes])

# %%
t0 = time.perf_counter()
fake = exp.to_audio(fake_images)  # (n_eval, 16384) waves at 16 kHz
print(f"Griffin-Lim (16 iterations) on {len(fake)} spectrograms: {time.perf_counter() - t0:.1f} s")
show.play_row(fake[:6], sr, labels=[f"SpecGAN #{i}" for i in range(6)])
show.plot_grid(fake[:8], sr, kind="spectrogram", cols=8, figsize_per=(1.8, 1.6),
               titles=[f"SpecGAN #{i}" for i in range(8)])
plt.show()

# %% [markdown]
# **Checkerboard after training.** The same pictures as in section 4, now for the trained
# generator and for the real data. Compare the share of power at period 2 with the untrained
# generator's and with the real spectrograms'.

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for ax, (title, batch) in zip(axes, [("untrained (zeros)", untrained["zeros"]),
                                     (f"trained, step {trainer.step}", fake_images),
                                     ("real drums", images[:n_eval])]):
    ax.imshow(power_spectrum_2d(batch), origin="lower", cmap="magma")
    ax.set_title(f"{title}\n{100 * checkerboard_share(batch):.1f}% at period 2", fontsize=9)
    ax.axis("off")
fig.suptitle("mean 2-D power spectrum of the images (log)")
fig.tight_layout()
plt.show()
show_images(torch.stack([fake_images.mean(0), images[:n_eval].mean(0)]),
            ["mean generated image", "mean real image"], size=3.0)

# %% [markdown]
# ## 8. The inception score
#
# As in notebook 02: a classifier trained on the real drums labels generated sounds, and the
# inception score $\exp\big(\mathbb{E}_x \mathrm{KL}(p(y\mid x)\,\|\,p(y))\big)$ is high when
# each sound is confidently one drum and all drums occur. Two ceilings: the real drums, and the
# real drums after the Griffin-Lim round trip (a SpecGAN cannot beat the path its sounds take).

# %%
from audiogan_lesson.evaluation import classifier_probs, inception_score, reference_classifier

classifier = reference_classifier(real, profile)
is_real = inception_score(classifier_probs(classifier, real.waves[:n_eval]))
is_real_gl = inception_score(classifier_probs(classifier, exp.to_audio(images[:n_eval])))
is_specgan = inception_score(classifier_probs(classifier, fake))
print(f"classifier accuracy on held-out real drums: {classifier.val_accuracy:.2f}")
print(f"IS real drums:               {is_real[0]:.2f} ± {is_real[1]:.2f}  "
      f"(ceiling; {len(real.classes)} classes)")
print(f"IS real drums, Griffin-Lim:  {is_real_gl[0]:.2f} ± {is_real_gl[1]:.2f}")
print(f"IS SpecGAN (BCE, step {trainer.step}): {is_specgan[0]:.2f} ± {is_specgan[1]:.2f}  "
      f"({100 * is_specgan[0] / is_real[0]:.0f}% of real)")

# %% [markdown]
# **What happened in this run.** In the laptop profile (d = 16, batch 32) the run reached its
# 600 steps in 161 s, inside the four-minute cap, and BCE did not get SpecGAN far: the
# discriminator's accuracy reached 0.99 by step 100, stayed between about 0.85 and 0.92 from
# step 200 to step 500 and fell to about 0.68 over the last 100 steps, and the generator's loss
# climbed to about 7.7 by step 150, then swung between about 2.5 and 9.4 without settling. Every
# latent gave nearly the same spectrogram, loud in the first frames and darkest near the end,
# grid included; through Griffin-Lim each is a short burst followed by near silence. An
# inception score of 1.00 is the minimum to two decimals: the classifier puts nearly every
# generated sound in the same class. It is a common outcome of the original GAN loss on a short
# budget, and not a bug to hide: the paper trains SpecGAN with the Wasserstein loss and gradient
# penalty, and notebook 05 retrains this model with it. Section 9 points at one reason the
# discriminator wins so fast here.

# %% [markdown]
# ## 9. Four ways to upsample, on the same budget
#
# Now the four upsampling variants, each trained from scratch with the same seed, data, loss,
# batch size and number of steps. Four runs do not fit a laptop's few minutes at the main run's
# size, so the comparison uses its own smaller budget, derived from the profile: **half the
# width and a quarter of the main run's steps** (with a time cap that only guards against a very
# slow machine; the table says how many steps each run reached). Resize-then-convolve runs its
# convolutions on maps four times larger, so the same steps take longer: the table shows that
# price too. The inception scores use 200 generated sounds each.

# %%
compare_profile = profile.with_scale("specgan", width=max(2, scale.width // 2),
                                     steps=max(1, scale.steps // 4), minutes=scale.minutes / 2)
compare_scale = compare_profile.scale("specgan")
n_compare = min(200, n_eval)
print(f"comparison: d = {compare_scale.width}, batch {compare_scale.batch_size}, "
      f"{compare_scale.steps} steps per variant")

variants = {}
for mode in ("zeros", "nn", "linear", "cubic"):
    run_exp = make_experiment("specgan", "toy-drums", compare_profile, loss="bce",
                              model_options={"upsample": mode})
    run = run_exp.trainer(runs_dir(f"03_specgan_compare_{mode}", profile))
    run.train(resume=True, progress=False)
    samples = run.sample(n_compare).cpu()
    audio = run_exp.to_audio(samples)
    variants[mode] = dict(steps=run.step, seconds=run.seconds, images=samples, audio=audio,
                          IS=inception_score(classifier_probs(classifier, audio))[0],
                          share=checkerboard_share(samples), d_acc=run.history[-1]["d_acc"])
    print(f"  {mode:<7} {run.step} steps in {run.seconds:.0f} s")

# %%
print(f"{'upsample':<9} {'steps':>6} {'seconds':>8} {'IS':>6} {'% of real':>10} "
      f"{'period-2 power':>15} {'final D acc':>12}")
for mode, v in variants.items():
    print(f"{mode:<9} {v['steps']:>6} {v['seconds']:>8.0f} {v['IS']:>6.2f} "
          f"{100 * v['IS'] / is_real[0]:>9.0f}% {100 * v['share']:>14.1f}% {v['d_acc']:>12.2f}")
print(f"{'real':<9} {'':>6} {'':>8} {is_real[0]:>6.2f} {100:>9.0f}% {100 * share_real:>14.1f}%")

# %%
fig, axes = plt.subplots(3, 4, figsize=(12, 8))
for col, (mode, v) in enumerate(variants.items()):
    axes[0, col].imshow(v["images"][0, 0].mT, origin="lower", aspect="auto", cmap="magma",
                        interpolation="nearest")
    axes[0, col].set_title(f"{mode}: one image", fontsize=9)
    axes[1, col].imshow(v["images"][0, 0].mT[:24, :24], origin="lower", cmap="magma",
                        interpolation="nearest")
    axes[1, col].set_title(f"{mode}: zoom, 24 x 24", fontsize=9)
    axes[2, col].imshow(power_spectrum_2d(v["images"]), origin="lower", cmap="magma")
    axes[2, col].set_title(f"{mode}: power spectrum (log)", fontsize=9)
for ax in axes.flat:
    ax.axis("off")
fig.tight_layout()
plt.show()
for mode, v in variants.items():
    show.play_row(v["audio"][:4], sr, labels=[f"{mode} #{i}" for i in range(4)])

# %% [markdown]
# What to take away:
#
# - Transposed convolutions with a kernel that the stride does not divide (5 and 2 here) print a
#   grid on everything an untrained generator makes, and training has to unlearn it: compare the
#   share of power at period 2 in the table, and the lattice of dots in the power spectra.
# - The grid is also a free tell for the discriminator. Watch the last column of the table: in
#   the laptop run shown here, the discriminator facing the transposed-convolution generator was
#   right on every example after 150 steps, while against the three resize generators it stayed
#   near chance (0.49 to 0.56), a balanced game in which the generator still gets a useful signal.
# - Resizing first and convolving after builds no grid in, at the same parameter count but
#   several times the arithmetic (the seconds column: about 2.2 to 3.7 times as long for the
#   same steps). Whether it makes *better sounds* is another question: in the paper, none of the
#   resize variants beat the transposed convolution on the spoken digits, and runs of 150 steps
#   are far too short to make drums at all (an inception score near 1 for every variant). Re-run
#   the comparison with more steps, or with another `seed=`, before you conclude anything from
#   the scores.
# - A spectrogram GAN's sounds can be no better than Griffin-Lim's reconstruction of a perfect
#   spectrogram (the second ceiling above). Notebook 04 removes that step: WaveGAN generates the
#   waveform itself.

# %% [markdown]
# ## 10. Mel images: the street-music GAN's 256 x 256 pictures
#
# A student project trained a DCGAN on street music (UrbanSound8K) drawn
# differently: 4 s at 22,050 Hz, an STFT of 1024 samples with a hop of 512, the power folded
# into **64 mel bands** (librosa's filters), in decibels, and the 64 x 173 picture **resized to
# 256 x 256** like a photograph; each clip was also rolled by a random time shift of up to 40%.
# `representations.MelImage` makes those images (its defaults are the report's) and turns
# them back into sound: undo the resize, fit a non-negative linear spectrum to the 64 mel bands
# (non-negative least squares, as `librosa.feature.inverse.mel_to_stft`), then Griffin-Lim (32
# fast iterations). Two things are lost on the way that SpecGAN keeps: the fine frequency detail
# inside each mel band, and everything below 80 dB under the loudest bin.
#
# The model is SpecGAN with one more layer on each side (`models/melimage.py`): 4 x 4 -> 256 x
# 256 in six stride-2 steps. On the command line it is `train specgan --representation
# mel-image`. In the laptop profile the clips are one second long (44 frames, still resized to
# 256 x 256) and the width is halved to bring the cost of a step closer to SpecGAN's (the table
# below gives the seconds: 150 steps took 28 s here, against 16 s for SpecGAN).

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.models.melimage import MelImageDiscriminator, MelImageGenerator

print(f"mel-image generator at d=64, 256 x 256:     {count_parameters(MelImageGenerator()):>11,} parameters")
print(f"mel-image discriminator at d=64, 256 x 256: {count_parameters(MelImageDiscriminator()):>11,} parameters")

# %%
from audiogan_lesson.evaluation import to_format
from audiogan_lesson.spectral import logmag_to_magnitude, spectral_convergence, stft_logmag

mel_profile = profile.with_scale("specgan-mel",
                                 width=max(2, profile.scale("specgan-mel").width // 2),
                                 steps=compare_scale.steps, minutes=compare_scale.minutes)
mel_exp = make_experiment("specgan", "toy-drums", mel_profile, loss="bce",
                          representation="mel-image")
mel_rep, mel_real = mel_exp.representation, mel_exp.real
mel_sr = mel_real.sample_rate
print(f"{mel_exp.model}: {mel_real.waves.shape[1]} samples at {mel_sr} Hz -> {mel_rep.n_mels} mel "
      f"bands x {mel_rep.frames} frames -> images {tuple(mel_exp.examples.shape[1:])}")
mel_first = [int((mel_real.labels == k).nonzero()[0]) for k in range(len(mel_real.classes))]
show_images(mel_rep.encode(mel_real.waves[mel_first]).mT, mel_real.classes)

# %% [markdown]
# **The round trip.** Real drums through each path and back, measured by the spectral
# convergence of notebook 01 (the distance between the magnitude we wanted and the one we got,
# relative to the first; 0 is perfect), each on its own STFT:

# %%
n_trip = min(40, mel_real.waves.shape[0], real.waves.shape[0])
t0 = time.perf_counter()
mel_back = mel_rep.decode(mel_rep.encode(mel_real.waves[:n_trip]))
mel_seconds = time.perf_counter() - t0
sc_mel = spectral_convergence(mel_rep.magnitude(mel_real.waves[:n_trip]), mel_rep.magnitude(mel_back))
spec_back = exp.to_audio(images[:n_trip])
sc_spec = spectral_convergence(logmag_to_magnitude(stft_logmag(real.waves[:n_trip])),
                               logmag_to_magnitude(stft_logmag(spec_back)))
print(f"SpecGAN, 128 x 128 linear, Griffin-Lim 16:       spectral convergence "
      f"{float(sc_spec.mean()):.3f} (mean of {n_trip} drums)")
print(f"mel image, 64 bands -> 256 x 256, NNLS + GL 32:  spectral convergence "
      f"{float(sc_mel.mean()):.3f}  ({mel_seconds / n_trip * 1000:.0f} ms per clip)")
snare = real.classes.index("snare")
show.play_row([real.waves[first_of_each[snare]], exp.to_audio(images[first_of_each[snare]:first_of_each[snare] + 1])[0]],
              sr, labels=["snare", "snare, SpecGAN's round trip"])
show.play_row([mel_real.waves[mel_first[snare]], mel_rep.decode(mel_rep.encode(mel_real.waves[mel_first[snare]:mel_first[snare] + 1]))[0]],
              mel_sr, labels=["snare at 22,050 Hz", "snare, the mel image's round trip"])

# %% [markdown]
# **Training it on the same budget.** The mel-image GAN now trains with the comparison budget
# of section 9 (the same loss, batch, seed and number of steps as the `zeros` SpecGAN there) and
# is scored by the same classifier: its sounds are resampled to 16 kHz and padded to 16384
# samples first. Each path has its own ceiling, the real drums sent through it.

# %%
mel_run = mel_exp.trainer(runs_dir("03_specgan_mel_compare", profile))
mel_run.train(resume=True, progress=False)
mel_samples = mel_run.sample(n_compare).cpu()
mel_audio = mel_exp.to_audio(mel_samples)
mel_is = inception_score(classifier_probs(classifier, to_format(mel_audio, mel_sr, sr, real.waves.shape[1])))[0]
mel_ceiling = inception_score(classifier_probs(classifier, to_format(mel_back, mel_sr, sr, real.waves.shape[1])))[0]
gl_ceiling = inception_score(classifier_probs(classifier, spec_back))[0]
zeros = variants["zeros"]
print(f"{'model':<28} {'steps':>6} {'seconds':>8} {'IS':>6} {'(IS-1)/(IS_real-1)':>19} {'final D acc':>12}")
for name, steps, seconds, score, acc in [
        ("SpecGAN 128 x 128 (zeros)", zeros["steps"], zeros["seconds"], zeros["IS"], zeros["d_acc"]),
        ("mel image 256 x 256", mel_run.step, mel_run.seconds, mel_is, mel_run.history[-1]["d_acc"])]:
    print(f"{name:<28} {steps:>6} {seconds:>8.0f} {score:>6.2f} "
          f"{(score - 1) / (is_real[0] - 1):>19.2f} {acc:>12.2f}")
for name, score in [("real drums, SpecGAN's path", gl_ceiling), ("real drums, mel path", mel_ceiling)]:
    print(f"{name:<28} {'':>6} {'':>8} {score:>6.2f} {(score - 1) / (is_real[0] - 1):>19.2f}")
show_images(mel_samples[:8].mT, [f"mel GAN #{i}" for i in range(8)], cols=8, size=1.8)
show.play_row(mel_audio[:4], mel_sr, labels=[f"mel GAN #{i}" for i in range(4)])

# %% [markdown]
# What to take away:
#
# - The mel image loses more on the way back to sound than SpecGAN's linear spectrogram (compare
#   the two spectral convergences, and listen to the snare): 64 mel bands cannot hold the
#   detail of 513 linear bins, and the least-squares fit spreads each band's energy over its
#   bins. Yet the classifier recognises real drums about as well after either round trip (the
#   two ceilings in the table, on the same drums): what the mel image loses is detail inside the
#   bands more than what makes a kick a kick.
# - Resizing 44 (or 173) frames to 256 columns adds pixels, not information; the generator has
#   to draw them all, and the discriminator judges interpolation as well as sound.
# - On a budget this short neither GAN makes drums (read the table, and the steps each run
#   reached within its time cap); the comparison says what each path costs, not which GAN
#   wins. The report's tricks (label smoothing, instance noise, a gradient penalty, gradient
#   clipping, dynamic weighting) are options of `TrainConfig`; notebook 02's table measures
#   each on the dense GAN.

# %% [markdown]
# ## Run at full scale
#
# In the `gpu` profile the cells above build SpecGAN at the paper's size (d = 64, batch 64) and
# train each run for minutes (four for the main run, two for each comparison run), so that the
# notebook ends within a quarter of an hour on one GPU. A paper-size run of 200,000 steps on
# the spoken digits of SC09 (fetched through the course's dataset registry on first use), takes
# hours: it goes through the command line, which writes a checkpoint every 500 steps and
# continues from the newest with `--resume` after an interruption. On Colab the setup cell keeps
# the runs on Google Drive (`KEEP_ON_DRIVE`, on by default with a GPU).
#
# The cell below prints the command, with the run folder this notebook looks in, and plays the run
# once it is there (through Griffin-Lim); `generate` writes wav files from any of its checkpoints.

# %%
from audiogan_lesson.runs import full_scale_run, sample_run

full = full_scale_run("03_specgan_sc09", "specgan --data sc09 --loss bce")
if full is not None:
    waves, _ = sample_run(full.path, 4)
    show.play_row(waves, full.meta["sample_rate"])

# %% [markdown]
# The street-music mel-image GAN of section 10, at the report's size (4 s at 22,050 Hz, 256 x 256
# images, d = 64) on UrbanSound8K's street music (about 6 GB, fetched and checked on first use),
# with the report's BCE recipe (`recipes.STREET_MUSIC`: label smoothing 0.1, two generator
# steps, instance noise 0.02, a one-sided gradient penalty of 25, gradient clipping at 0.5,
# dynamic weighting):
#
# ```python
# from audiogan_lesson.recipes import STREET_MUSIC
# street = make_experiment("specgan", "urbansound8k_street_music", profile, loss="bce",
#                          representation="mel-image", recipe=STREET_MUSIC)
# ```
#
# From a terminal (SpecGAN's recipe with BCE; the report's tricks are the Python options above),
# as the cell below prints it; `generate` then writes 4 s clips at 22,050 Hz:

# %%
street = full_scale_run("03_street_music", "specgan --representation mel-image "
                        "--data urbansound8k_street_music --loss bce", model="specgan-mel")
if street is not None:
    waves, _ = sample_run(street.path, 4)
    show.play_row(waves, street.meta["sample_rate"])

# %% [markdown]
# The paper's own recipe (the Wasserstein loss with gradient penalty, five critic steps per
# generator step) is `--loss wgan-gp`; notebook 05 explains it.
