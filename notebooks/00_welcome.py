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
# # 00 · Welcome to adversarial audio synthesis
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/audiogan-lesson/audiogan-lesson/blob/v0.1.0/notebooks/00_welcome.ipynb)
#
# This course teaches generative adversarial networks (GANs) that make sound: a dense baseline,
# SpecGAN and WaveGAN (Donahue et al., 2019), the Wasserstein loss with gradient penalty, and
# GANSynth (Engel et al., 2019). Every notebook runs on a laptop CPU in minutes and, with one
# switch, at paper size on a GPU.
#
# **In this notebook you will**
# - check that your environment is ready (torch and torchaudio, device, profile);
# - learn how exercises and their checks work, with a warm-up exercise;
# - make a sound from numbers, listen to it, and look at its waveform and spectrogram.

# %% [markdown]
# ## Setup
#
# The next cell works in JupyterLab and on Colab. On Colab it installs the course package
# (Colab's own torch stays); on your machine `make lesson` has installed it already.

# %%
import subprocess
import sys

KEEP_ON_DRIVE = None  # Colab: True keeps runs and datasets on Google Drive; None: with a GPU only
if "google.colab" in sys.modules:  # install the course; Colab's torch, torchaudio, ipywidgets stay
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "audiogan-lesson==0.1.0"], check=True)
    from audiogan_lesson.paths import colab_setup

    colab_setup(KEEP_ON_DRIVE)

import numpy as np
import torch
from IPython.display import display

from audiogan_lesson import display as show
from audiogan_lesson.env import environment_report
from audiogan_lesson.profiles import get_profile, seed_everything

profile = get_profile()
print(profile.summary())
generator = seed_everything(0)

# %% [markdown]
# ## 1. Is the environment ready?
#
# torch and torchaudio are compiled against each other, so they must come from the same release.
# `environment_report` imports torchaudio and, if the pair does not match, stops with a message
# that names both versions and the `pip` line that fixes it.

# %%
for key, value in environment_report().items():
    print(f"{key:>12}: {value}")

# %% [markdown]
# ## 2. Profiles: one notebook, three scales
#
# The same notebook runs at three scales. The **profile** is chosen from the environment variable
# `AUDIOGAN_PROFILE`, or else from your hardware:
#
# | profile | chosen when | what it means |
# |---|---|---|
# | `smoke` | CI sets `AUDIOGAN_PROFILE=smoke` | tiny models, a few steps: checks that the code runs |
# | `laptop` | no GPU | reduced models on synthetic data, a few minutes per notebook, results you can hear |
# | `gpu` | CUDA is present | paper-size models, runs of a few minutes (each notebook in about a quarter of an hour); the runs of hours through the command line, checkpointed |
#
# A profile is plain data. Every field can be changed in a notebook, for example
# `profile.replace(n_train=512)` or `profile.with_scale("wavegan", batch_size=32)`.

# %%
print(profile.name, profile.device, "autocast:", profile.autocast)
print("training examples:", profile.n_train, "| evaluation examples:", profile.n_eval)

# %% [markdown]
# ## 3. Sound is a sequence of numbers
#
# A digital recording is a list of *samples*: the air pressure measured `sample_rate` times per
# second. The models in this course work at 16 000 samples per second (16 kHz), and WaveGAN makes
# 16 384 samples at a time: just over one second.
#
# ### How exercises work
#
# An exercise is a function for you to complete. In your copy of the notebook its body is
# `raise NotImplementedError(...)`; replace that line with your code and run the cell. The cell
# after it runs a **check**: it tries your function on several cases and prints `[PASS]`, or
# `[FAIL]` with what is wrong. The check tests properties of the answer, not one literal line of
# code, so any correct solution passes.
#
# **Exercise 0.1.** Write `seconds_to_samples(seconds, sample_rate)`: the whole number of samples
# nearest to `seconds` seconds at `sample_rate` Hz.

# %% tags=["raises-exception"]
def seconds_to_samples(seconds: float, sample_rate: int) -> int:
    """Number of samples in ``seconds`` at ``sample_rate`` Hz, rounded to the nearest sample."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 0.1: return the whole number of samples nearest to seconds * sample_rate')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_seconds_to_samples

check_seconds_to_samples(seconds_to_samples)

# %% [markdown]
# A check fails loudly on a wrong answer. Here is one that truncates instead of rounding:
# `int(0.29 * 100)` is 28, because `0.29 * 100` is `28.999999999999996` in floating point.

# %% tags=["raises-exception"]
def truncating(seconds, sample_rate):
    return int(seconds * sample_rate)


try:
    check_seconds_to_samples(truncating)
except AssertionError:
    print("(the check raised AssertionError, as it should for a wrong answer)")

# %% [markdown]
# ## 4. Make a sound, listen, look
#
# A plucked string, in numbers: a few harmonics of a 220 Hz fundamental, each decaying faster
# than the one below it, with a short attack. Then a rising *chirp*, whose frequency sweeps
# from 200 Hz to 4 kHz.

# %%
sample_rate = 16000
n = 16384  # 1.024 s at 16 kHz, the length of one WaveGAN example
t = torch.arange(n) / sample_rate

pluck = torch.zeros(n)
for harmonic in range(1, 9):
    decay = torch.exp(-t * (2.0 + 1.5 * harmonic))
    pluck += decay * torch.sin(2 * torch.pi * 220.0 * harmonic * t) / harmonic
pluck *= torch.clamp(t / 0.005, max=1.0)
pluck /= pluck.abs().max()

f0, f1 = 200.0, 4000.0
phase = 2 * torch.pi * (f0 * t + (f1 - f0) * t**2 / (2 * t[-1]))
chirp = 0.5 * torch.sin(phase) * torch.hann_window(n, periodic=False)

print(f"{n} samples = {n / sample_rate:.3f} s at {sample_rate} Hz")

# %%
show.play(pluck, sample_rate, label="plucked string, 220 Hz")
show.play(chirp, sample_rate, label="chirp, 200 Hz to 4 kHz")

# %% [markdown]
# The **waveform** shows amplitude against time; the **spectrogram** shows which frequencies
# sound when (brighter is louder). The pluck's harmonics are horizontal lines that fade; the
# chirp is a rising curve. Most of this course's pictures are spectrograms, because a GAN's
# mistakes are easier to see there than in the waveform.

# %%
import matplotlib.pyplot as plt

fig, axes = plt.subplots(2, 2, figsize=(12, 5))
show.plot_waveform(pluck, sample_rate, ax=axes[0, 0], title="pluck: waveform")
show.plot_spectrogram(pluck, sample_rate, ax=axes[1, 0], title="pluck: spectrogram")
show.plot_waveform(chirp, sample_rate, ax=axes[0, 1], title="chirp: waveform")
show.plot_spectrogram(chirp, sample_rate, ax=axes[1, 1], title="chirp: spectrogram")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Run at full scale
#
# Nothing here trains, so there is nothing to scale up. On Colab, choose
# *Runtime → Change runtime type → GPU* and re-run the notebook: the profile line at the top then
# reads `profile=gpu device=cuda`, and every later notebook trains at paper size.
#
# **Next:** `01_audio_preprocessing` turns recordings into the examples and spectrograms the GANs
# learn from.
