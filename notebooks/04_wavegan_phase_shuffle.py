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
# # 04 · WaveGAN: DCGAN flattened to one dimension, and phase shuffle
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/audiogan-lesson/audiogan-lesson/blob/v0.1.0/notebooks/04_wavegan_phase_shuffle.ipynb)
#
# SpecGAN (notebook 03) makes pictures of sound and needs Griffin-Lim to hear them. **WaveGAN**
# (Donahue et al., 2019) makes the waveform itself: it takes the same DCGAN and flattens it to
# one dimension, so that 16384 output samples come out of five transposed convolutions. Audio is
# less forgiving than images about one thing: the periodic pattern that transposed convolutions
# print on their output is not a faint grid here but a *tone*, and the discriminator can use it.
# The paper's answer is **phase shuffle**.
#
# **In this notebook you will**
# - flatten DCGAN to 1-D (kernel 25, stride 4) and check that WaveGAN has exactly SpecGAN's
#   parameter count, layer by layer against the paper's table;
# - see and hear the periodic artifacts of an untrained generator, and see why a discriminator
#   can exploit them;
# - draw phase shuffle as a picture and write it (exercise 4.1);
# - train WaveGAN with BCE on the toy drums with and without phase shuffle, listen, and compare
#   inception scores;
# - meet the optional post-processing filter and the longer slices of the original code.
#
# Code behind this notebook: `audiogan_lesson.models.wavegan`, `audiogan_lesson.models.layers`,
# `audiogan_lesson.experiments`, `audiogan_lesson.evaluation`.

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
# ## 1. The data: waveforms
#
# WaveGAN sees raw samples in [-1, 1], one channel. The paper uses 16384 samples at 16 kHz
# (about one second); on a laptop the profile may use fewer samples at a lower rate, which keeps
# the same design with a shorter first layer.

# %%
from audiogan_lesson.experiments import make_experiment

if profile.name == "laptop":
    # the laptop profile's 600 steps (half a minute) end in one steady buzz; two and a half minutes
    # a run (3,000-5,000 steps on two cores) is where the first drums appear
    profile = profile.with_scale("wavegan", steps=100_000, minutes=2.5)
exp = make_experiment("wavegan", "toy-drums", profile, loss="bce")
real = exp.real
sr = real.sample_rate
length = real.waves.shape[1]
first_of_each = [int((real.labels == k).nonzero()[0]) for k in range(len(real.classes))]
print(f"{real.waves.shape[0]} drum hits of {length} samples at {sr} Hz ({length / sr:.2f} s); "
      f"examples {tuple(exp.examples.shape[1:])}")
show.play_row(real.waves[first_of_each], sr, labels=real.classes)

# %% [markdown]
# ## 2. Flattening DCGAN
#
# The paper lists the changes from DCGAN to WaveGAN:
#
# 1. **Flatten** every 2-D convolution to 1-D: a 5 x 5 kernel (25 taps) becomes a length-25
#    kernel.
# 2. **Stride 4** instead of 2 x 2: each layer still makes 4 times as many values. Five layers
#    grow 16 steps to 16 x 4^5 = 16384 samples, as SpecGAN grows 4 x 4 to 128 x 128 = 16384
#    pixels.
# 3. **No batch normalisation** in either network.
# 4. Train with the Wasserstein loss and gradient penalty (notebook 05; here we keep BCE).
#
# Same taps per kernel, same channels, same number of outputs: every layer has exactly the
# parameters of its SpecGAN twin. The discriminator adds **phase shuffle** after each of its first
# four convolutions (section 4); it has no parameters.

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.models.summary import count_parameters, layer_table
from audiogan_lesson.models.wavegan import WaveGANDiscriminator, WaveGANGenerator

paper_g, paper_d = WaveGANGenerator(), WaveGANDiscriminator()
print(layer_table(paper_g, paper_order=True))
print()
print(layer_table(paper_d, paper_order=True))

# %% [markdown]
# Against the paper's table of WaveGAN: input `(n, 100)`; dense `(100, 256d)`; reshape `(n, 16, 16d)`;
# transposed convolutions `(25, 16d, 8d)` ... `(25, d, c)` with stride 4 to `(n, 64, 8d)`,
# `(n, 256, 4d)`, `(n, 1024, 2d)`, `(n, 4096, d)`, `(n, 16384, c)`, ReLU after each but the last,
# tanh at the end. The discriminator: convolutions `(25, c, d)` ... `(25, 8d, 16d)` with stride 4
# from `(n, 16384, c)` down to `(n, 16, 16d)`, LeakyReLU(0.2) after each, phase shuffle (n = 2)
# after the first four, reshape to `(n, 256d)`, dense to one logit. Side by side with SpecGAN:

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.models.specgan import SpecGANDiscriminator, SpecGANGenerator

pairs = [("generator", paper_g, SpecGANGenerator()), ("discriminator", paper_d, SpecGANDiscriminator())]
for name, wave_model, spec_model in pairs:
    w, s = count_parameters(wave_model), count_parameters(spec_model)
    print(f"{name:<14} WaveGAN {w:>11,}   SpecGAN {s:>11,}   equal: {w == s}")
del pairs

# %% [markdown]
# **Longer slices.** The original code also makes 32768 and 65536 samples (about 2 and 4
# seconds at 16 kHz): the dense projection gets twice the channels and a sixth layer is added
# (stride 2 for 32768, stride 4 for 65536), and the discriminator gets a sixth convolution. The
# course adds one option of its own, for small profiles: slices shorter than 16384 (a multiple of
# 1024) keep the five layers and start from fewer steps.

# %%
# NBVAL_CHECK_OUTPUT
for n_samples in (16384, 32768, 65536):
    g, d = WaveGANGenerator(slice_len=n_samples), WaveGANDiscriminator(slice_len=n_samples)
    ups = sum(name.startswith("upconv_") and "_relu" not in name for name, _ in g.net.named_children())
    print(f"slice_len {n_samples:>5}: {ups} transposed convolutions, generator "
          f"{count_parameters(g):>11,}, discriminator {count_parameters(d):>11,} parameters")
del g, d, paper_g, paper_d

# %%
scale = exp.scale
print(f"profile {profile.name}: d = {scale.width}, {scale.slice_len} samples at "
      f"{scale.sample_rate} Hz, batch {exp.config.batch_size}, up to {exp.config.steps} steps "
      f"or {exp.config.max_seconds / 60:.1f} min")
print(f"generator {count_parameters(exp.generator):,} and discriminator "
      f"{count_parameters(exp.discriminator):,} parameters")

# %% [markdown]
# ## 3. Periodic artifacts
#
# Notebook 03 counted the stamps of a transposed convolution that cover each output sample. With
# WaveGAN's kernel 25 and stride 4, an output sample is covered by 7 stamps or by 6: one sample
# in every 4 gets more. In a picture that was a faint grid; in sound, a pattern that repeats
# every 4 samples is a **tone** at `sample_rate / 4` and its multiples. The layer before repeats
# every 16 samples (`sample_rate / 16`), the one before every 64, and so on.

# %%
stamp = nn.ConvTranspose1d(1, 1, 25, stride=4, padding=11, output_padding=1, bias=False)
nn.init.ones_(stamp.weight)
with torch.no_grad():
    cover = stamp(torch.ones(1, 1, 16))[0, 0]
print("stamps covering output samples 24 to 39:", cover[24:40].int().tolist())

# %% [markdown]
# An **untrained** WaveGAN generator shows it: its outputs, averaged over 64 latents, have a
# power spectrum full of sharp peaks at exact multiples of `sample_rate / 16` (dotted lines; the
# tall ones at multiples of `sample_rate / 4`), where real drums have a smooth spectrum. With
# `upsample="nn"` (nearest-neighbour resize, then a convolution; notebook 03) the peaks are
# gone. Listen to the untrained generators: the transposed-convolution one buzzes.

# %%
from audiogan_lesson.models.layers import sample_latent


def mean_power_db(waves):
    """Mean power spectrum in dB of waves ``(n, samples)``: ``(samples // 2 + 1,)``, 0 dB at its peak."""
    x = waves.detach().float().cpu()
    power = torch.fft.rfft(x * torch.hann_window(x.shape[-1]), dim=-1).abs().square().mean(0)
    db = 10 * torch.log10(power.clamp_min(1e-20))
    return db - db.max()


def tone_excess_db(waves, period: int = 16) -> float:
    """How far the spectrum stands out at multiples of ``sample_rate / period``, in dB.

    Mean power at the bins of those frequencies against the median power of the 8 bins on
    either side of each; about 0 dB for a smooth spectrum.
    """
    x = waves.detach().float().cpu()
    power = torch.fft.rfft(x * torch.hann_window(x.shape[-1]), dim=-1).abs().square().mean(0)
    step = x.shape[-1] // period
    excess = []
    for j in range(1, period // 2 + 1):
        b = j * step
        neighbours = torch.cat([power[max(0, b - 8):b - 1], power[b + 2:b + 9]])
        excess.append(10 * torch.log10(power[b] / neighbours.median()))
    return float(torch.stack(excess).mean())


z = sample_latent(64, generator=torch.Generator().manual_seed(1))
untrained = {}
for mode in ("zeros", "nn"):
    torch.manual_seed(0)
    with torch.no_grad():
        g = WaveGANGenerator(d=scale.width, slice_len=length, upsample=mode)
        untrained[mode] = g(z).squeeze(1)

freqs = np.fft.rfftfreq(length, 1 / sr)
fig, ax = plt.subplots(figsize=(11, 3.5))
ax.plot(freqs, mean_power_db(real.waves[:256]), color="0.5", lw=0.8, label="real drums")
ax.plot(freqs, mean_power_db(untrained["nn"]) - 20, lw=0.8, label="untrained, nn (shifted -20 dB)")
ax.plot(freqs, mean_power_db(untrained["zeros"]) - 40, lw=0.8,
        label="untrained, zeros (shifted -40 dB)")
for j in range(1, 9):
    ax.axvline(j * sr / 16, color="k", ls=":", lw=0.6)
ax.set_xlabel("frequency (Hz)")
ax.set_ylabel("power (dB)")
ax.set_ylim(-130, 5)
ax.legend(fontsize=8, loc="lower left")
plt.show()
for name, waves in [("untrained, zeros", untrained["zeros"]), ("untrained, nn", untrained["nn"]),
                    ("real drums", real.waves[:256])]:
    print(f"{name:<17} tones at multiples of sr/16 stand {tone_excess_db(waves):5.1f} dB above "
          "their neighbours")
show.play_row([untrained["zeros"][0], untrained["nn"][0]], sr,
              labels=["untrained, zeros", "untrained, nn"])

# %% [markdown]
# **Why the discriminator can exploit them.** Nothing in a real drum hit knows about sample
# positions that are multiples of 4 or 16: its spectrum has no peaks there. A generator built
# from transposed convolutions puts its pattern at the same *phase* in every example: the
# loud sample of each group of 4 is always sample 0, 4, 8, ... That is a feature a discriminator
# can pick up for free. Its own convolutions have stride 4 too, so every window of its first
# layer sees the pattern in the same position, and one filter that matches it adds up the
# evidence over thousands of windows: a few percent of extra level on one sample in four is then
# plenty to say "fake", whatever the sound is. A discriminator that wins that way teaches the
# generator little about drums. The same holds one layer up: the first layer's activations carry
# the period-16 pattern of the generator as a period-4 pattern of *their* steps, which the second
# layer's stride-4 windows see at a fixed phase, and so on.
#
# The plot below shows the fixed phase directly: the share of the signal's energy that falls on
# samples `t` with `t mod 4 = 0, 1, 2, 3`, and `t mod 16`. Real drums give a flat 1/4 and 1/16;
# the untrained generator does not.

# %%
def energy_by_phase(waves, period: int):
    """Share of the energy of waves ``(n, samples)`` on samples with ``t mod period = 0 .. period-1``."""
    x = waves.detach().float().cpu()
    per_phase = x.reshape(x.shape[0], -1, period).square().mean(dim=(0, 1))
    return per_phase / per_phase.sum()


fig, axes = plt.subplots(1, 2, figsize=(12, 2.8))
for ax, period in zip(axes, (4, 16)):
    width = 0.4
    ax.bar(np.arange(period) - width / 2, energy_by_phase(real.waves[:256], period), width,
           color="0.6", label="real drums")
    ax.bar(np.arange(period) + width / 2, energy_by_phase(untrained["zeros"], period), width,
           color="tab:red", label="untrained, zeros")
    ax.axhline(1 / period, color="k", lw=0.6, ls=":")
    ax.set_xlabel(f"t mod {period}")
    ax.set_ylabel("share of energy")
axes[0].legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 4. Phase shuffle
#
# The discriminator cannot be told to ignore a feature, but it can be given inputs on which that
# feature is unreliable. **Phase shuffle** (the paper's section 3.3) moves each layer's
# activations in time by a random `k` in `[-n, n]` before the next layer sees them; the `|k|`
# values that come in at one edge are filled by **reflection** (a mirror image of the values next
# to the edge), so that the edge makes no new pattern. The shape does not change. The paper uses
# `n = 2` after each of the discriminator's first four convolutions, one `k` per layer and call for
# the whole batch, and only in training (the generator gets no phase shuffle: its latent can
# already choose any phase).
#
# Below: one layer's activations (16 steps, with a spike every 4 steps standing for a
# generator's periodic pattern) shifted by each `k` from -2 to 2. Orange stems are the values
# filled by reflection; the grey bands are the positions where the next layer's stride-4 windows
# start. Without phase shuffle the spikes always sit on the grey bands; with it they land on any
# of the positions, changing from one training step to the next.

# %%
steps = torch.arange(16.0)
activation = 0.25 + 0.03 * steps + 0.6 * (steps % 4 == 0)


def shifted_with_reflection(x, k):
    """``x`` (1-D) moved right by ``k`` (left when negative), the gap filled by reflection."""
    n = abs(k)
    padded = F.pad(x.view(1, 1, -1), (n, n), mode="reflect").view(-1) if n else x
    return padded[n - k:n - k + x.shape[0]]


fig, axes = plt.subplots(5, 1, figsize=(9, 7), sharex=True)
for ax, k in zip(axes, range(-2, 3)):
    out = shifted_with_reflection(activation, k)
    filled = torch.zeros(16, dtype=torch.bool)
    if k > 0:
        filled[:k] = True
    elif k < 0:
        filled[16 + k:] = True
    for start in range(0, 16, 4):
        ax.axvspan(start - 0.4, start + 0.4, color="0.88", zorder=0)
    ax.stem(steps[~filled], out[~filled], basefmt=" ")
    if filled.any():
        markers = ax.stem(steps[filled], out[filled], basefmt=" ", linefmt="C1-", markerfmt="C1o")
    ax.set_ylim(0, 1.45)
    ax.set_yticks([])
    ax.set_ylabel(f"k = {k:+d}", rotation=0, ha="right", va="center")
axes[-1].set_xlabel("time step of the layer's activations")
axes[0].set_title("phase shuffle, n = 2: the same activations at the five possible shifts")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Exercise 4.1.** Write `phase_shuffle(x, n)` for activations `x` of shape
# `(batch, channels, time)`: draw one integer `k` uniformly from `[-n, n]` (both ends included),
# shift `x` in time by `k` (so that `out[..., t] = x[..., t - k]`), fill the gap by reflection,
# and return a tensor of the same shape. `n = 0` returns `x` unchanged. Hint: pad both ends by
# `n` with `F.pad(x, (n, n), mode="reflect")`, then crop the window you need. (Rolling with
# `torch.roll` wraps the end around to the start; padding with zeros makes a step at the edge.
# Both are patterns the discriminator could learn.)

# %% tags=["raises-exception"]
def phase_shuffle(x: torch.Tensor, n: int) -> torch.Tensor:
    """Shift ``x`` (batch, channels, time) by a random k in [-n, n], filling the gap by reflection."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 4.1: draw k in [-n, n], pad both ends by n with reflection, crop the shifted window')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_phase_shuffle

check_phase_shuffle(phase_shuffle)

# %% [markdown]
# The package's `layers.PhaseShuffle(n)` is the layer the discriminator uses: it shuffles in
# training mode and is the identity in evaluation mode. `per_example=True` draws one `k` per
# example instead of one per batch (an option the original code does not have), with one
# `gather` and no Python loop over examples.

# %%
from audiogan_lesson.models.layers import PhaseShuffle

layer = PhaseShuffle(2)
ramp = torch.arange(10.0).view(1, 1, 10).repeat(3, 1, 1)
torch.manual_seed(3)
print("training mode, one k per batch:\n", layer(ramp)[:, 0].int().numpy())
print("training mode, per_example=True:\n", PhaseShuffle(2, per_example=True)(ramp)[:, 0].int().numpy())
print("eval mode (identity):\n", layer.eval()(ramp)[:, 0].int().numpy())

# %% [markdown]
# ## 5. Train WaveGAN with BCE, with and without phase shuffle
#
# Two runs with the same seed, data, loss and time budget (two and a half minutes each in the
# laptop profile, set in section 1); only the discriminator differs:
# phase shuffle with `n = 2` (the paper) or none (`phase_shuffle=0`). As in notebook 03, the loss
# is BCE with the non-saturating generator loss and Adam(1e-4, betas 0.5, 0.9); the paper's
# WGAN-GP comes in notebook 05. Each cell trains or loads.

# %%
runs = {}
for name, shuffle in [("phase shuffle n=2", 2), ("no phase shuffle", 0)]:
    run_exp = exp if shuffle == 2 else make_experiment(
        "wavegan", "toy-drums", profile, loss="bce", model_options={"phase_shuffle": shuffle})
    trainer = run_exp.trainer(runs_dir(f"04_wavegan_bce_shuffle{shuffle}", profile))
    trainer.train(resume=True)
    runs[name] = trainer
    print(f"{name}: step {trainer.step}, {trainer.seconds:.0f} s of training, "
          f"{trainer.step / max(trainer.seconds, 1e-9):.2f} steps/s")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3), sharey=True)
for ax, (name, trainer) in zip(axes, runs.items()):
    show.plot_history(trainer.history, ["d_loss", "g_loss", "d_acc"], ax=ax, title=name)
plt.show()

# %% [markdown]
# ## 6. Listening
#
# First real drums, then each generator. Listen for the drum character (a thump, a snare's
# noise, a hat's hiss) and for a steady whistle or buzz under the sound: the periodic artifact.

# %%
n_eval = min(profile.n_eval, real.waves.shape[0])
fake = {name: trainer.sample(n_eval).squeeze(1).cpu() for name, trainer in runs.items()}
show.play_row(real.waves[first_of_each], sr, labels=[f"real {k}" for k in real.classes])
for name, waves in fake.items():
    show.play_row(waves[:5], sr, labels=[f"{name} #{i}" for i in range(5)])
for name, waves in fake.items():
    show.plot_grid(waves[:6], sr, kind="spectrogram", cols=6, figsize_per=(2.0, 1.6),
                   titles=[f"{name} #{i}" for i in range(6)])
    plt.show()

# %% [markdown]
# In the stored run, after two and a half minutes each (3,707 steps with phase shuffle, 3,692
# without, about 25 steps a second on two threads), the sounds without phase shuffle have begun
# to decay like a hit: most fade in their second half, and some fall silent before the end. Those
# with phase shuffle stay loud almost to the end, and thin horizontal lines (steady tones) run
# across their spectrograms. Within each run the sounds are still much alike from one sample to
# the next. Your own runs give other sounds; listen in each for the same two things: does a sound
# fade like a hit or stay loud to its last sample, and does a whistle hold its pitch under it?
#
# The power spectra after training, and the two measures of section 3. A trained generator can
# learn to cancel its pattern; whether it does within this budget, the peaks at the dotted lines
# tell.

# %%
fig, ax = plt.subplots(figsize=(11, 3.5))
ax.plot(freqs, mean_power_db(real.waves[:n_eval]), color="0.5", lw=0.8, label="real drums")
for offset, (name, waves) in zip((-20, -40), fake.items()):
    ax.plot(freqs, mean_power_db(waves) + offset, lw=0.8, label=f"{name} (shifted {offset} dB)")
for j in range(1, 9):
    ax.axvline(j * sr / 16, color="k", ls=":", lw=0.6)
ax.set_xlabel("frequency (Hz)")
ax.set_ylabel("power (dB)")
ax.set_ylim(-130, 5)
ax.legend(fontsize=8, loc="lower left")
plt.show()

print(f"{'':<19} {'tones at sr/16 (dB)':>20} {'max energy share at t mod 4':>28}")
rows = [("real drums", real.waves[:n_eval]), ("untrained, zeros", untrained["zeros"]), *fake.items()]
for name, waves in rows:
    print(f"{name:<19} {tone_excess_db(waves):>20.1f} {float(energy_by_phase(waves, 4).max()):>28.3f}")

# %% [markdown]
# In the stored spectra both generators still print tones at the multiples of sr/16: 24.7 dB
# above their neighbours with phase shuffle, more than the untrained generator's 17.8, and 10.6 dB
# without (the real drums 0). The run with phase shuffle shows a dense comb of sharp peaks, many
# more than the dotted lines; the one without has much smaller ones. The second measure hardly
# tells the runs apart: each puts 29% of its energy on one sample position in four, against 32%
# for the untrained generator and 25% (an even share) in the real drums. Neither run has rid
# itself of the pattern within this budget.
#
# ## 7. The inception score
#
# The classifier of notebook 02, trained on the real drums at this notebook's sample rate and
# length, scores both generators (`score_run`: the score every notebook prints for a run, notebook
# 07 included). Beside the share of the real drums' score stands the chance-normalised score,
# (IS - 1) / (IS_real - 1): an IS of 1.0, every sound in one class, is already 21% of real with
# five classes, but 0 on that scale.

# %%
from audiogan_lesson.evaluation.run_scores import run_classifier, score_run

print(f"classifier accuracy on held-out real drums: "
      f"{run_classifier(runs['phase shuffle n=2'].out_dir, profile).val_accuracy:.2f}")
for name, trainer in runs.items():
    print(score_run(trainer.out_dir, profile).line())

# %% [markdown]
# In the stored run the generator with phase shuffle scores 1.20 (26% of real, 0.06 against
# chance) and the one without 1.50 (32% of real, 0.14 against chance): the classifier hears little
# more than one kind of drum from the first and between one and two from the second, not yet
# five. Notebook 05's ten-minute run with the Wasserstein recipe scores 2.13 (46% of real, 0.31
# against chance).
#
# How to read this. On the spoken digits, with the Wasserstein loss and hours of training, the
# paper found phase shuffle with `n = 2` to be its best WaveGAN setting (inception score 4.67,
# SpecGAN 6.03); here the run without phase shuffle scored higher. A few minutes of BCE on a
# laptop is a much noisier experiment: one pair of runs with one seed can come out either way,
# and the ± above is the spread over splits of the generated set, not over training runs. Trust
# your ears and the spectra as much as the number, and re-run both trainings with another
# `seed=` in `make_experiment` before you conclude.

# %% [markdown]
# **The floor and the click.** An inception score forgives a quiet hiss under a drum: the
# classifier names the drum by its loud part. `evaluation.floor_report` measures what it
# forgives, per class (each generated clip in the class the classifier hears), as the median
# over clips, against the real drums of that class:
#
# - `out_of_band`: the energy outside the band where the real class has 99.9% of its energy,
#   relative to the clip's total (a hiss above a kick, a rumble under a hi-hat);
# - `quiet`: the level of the clip's quietest quarter below its peak (a real drum decays);
# - `tail`: the last 5 ms against the loudest 5 ms (a sound cut off while still loud clicks).
#
# The `excess` columns are generated minus real: 0 dB is as clean as the data, every 10 dB
# above it a floor ten times stronger.

# %%
from audiogan_lesson.evaluation import classifier_probs, floor_report

classifier = run_classifier(runs["phase shuffle n=2"].out_dir, profile)
for name, waves in fake.items():
    heard = classifier_probs(classifier, waves).argmax(1)
    print(f"{name}:")
    print(floor_report(waves, real.waves[:n_eval], sr, fake_labels=heard,
                       real_labels=real.labels[:n_eval], classes=real.classes).table())

# %% [markdown]
# The classifier hears only snares, hi-hats and claps from these runs, no kick or tom. In those
# classes both generators put 19 to 30 dB more of their energy outside the real band than the real
# drums do (a generated hi-hat keeps a quarter of its energy below 1375 Hz), and their last 5 ms
# stand 15 to 46 dB above the real ones': they click, the hi-hats most, the run with phase shuffle
# more in every class. The quiet quarter is within 6 dB of the real drums' except in that run's
# hi-hats (+21.5 dB), which fade far less. Notebook 05 measures its ten-minute run the same way.

# %% [markdown]
# ## 8. The post-processing filter
#
# The original code has one more remedy, off by default: a learned **post-processing filter**, a
# single convolution of 512 taps (no bias) after the generator's tanh. A 512-tap filter can learn
# sharp notches at the artifact frequencies, so the generator can remove its own tones. It is
# `WaveGANGenerator(post_filter=512)` here; it adds 512 parameters:

# %%
# NBVAL_CHECK_OUTPUT
g_filtered = WaveGANGenerator(post_filter=512)
print(f"with the 512-tap post filter: {count_parameters(g_filtered):,} parameters "
      f"(19,065,345 + 512); last layer: {g_filtered.net.post_filter.describe()}")
del g_filtered

# %% [markdown]
# What to take away:
#
# - WaveGAN is SpecGAN's DCGAN with its kernels laid out in a line: the same 19,065,345 and
#   17,427,969 parameters, kernel 25 instead of 5 x 5, stride 4 instead of 2 x 2.
# - Transposed convolutions print a pattern at fixed sample positions; in audio it is a set of
#   tones at multiples of `sample_rate / 4`, `/ 16`, ... A discriminator with stride-4 windows
#   can recognise it at a fixed phase without listening to the sound.
# - Phase shuffle moves each discriminator layer's activations by up to `n` steps, with
#   reflection at the edges, so that the phase of such a pattern changes from step to step. The
#   discriminator must then rely on what does not depend on phase: what the sound is.

# %% [markdown]
# ## Run at full scale
#
# In the `gpu` profile the cells above build WaveGAN at the paper's size (d = 64, batch 64, 16384
# samples at 16 kHz) and train each run for four minutes, so that the notebook ends within a
# quarter of an hour on one GPU. A paper-size run of 200,000 steps on the spoken digits of SC09
# (fetched through the course's dataset registry on first use), takes hours: it goes through the
# command line, which writes a checkpoint every 500 steps and continues from the newest with
# `--resume` after an interruption. On Colab the setup cell keeps the runs on Google Drive
# (`KEEP_ON_DRIVE`, on by default with a GPU).
#
# The cell below prints the command, with the run folder this notebook looks in, and plays the run
# once it is there; `generate` writes wav files from any of its checkpoints.

# %%
from audiogan_lesson.runs import full_scale_run, sample_run

full = full_scale_run("04_wavegan_sc09", "wavegan --data sc09 --loss bce")
if full is not None:
    waves, _ = sample_run(full.path, 4)
    show.play_row(waves, full.meta["sample_rate"])

# %% [markdown]
# The command line trains the paper's discriminator, phase shuffle on. The paper's own recipe,
# WGAN-GP with five critic steps per generator step, is `--loss wgan-gp` (notebook 05).
