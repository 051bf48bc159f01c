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
# # 01 · Audio for GANs: from files to examples and spectrograms
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/audiogan-lesson/audiogan-lesson/blob/v0.1.0/notebooks/01_audio_preprocessing.ipynb)
#
# A GAN learns from a pile of examples that all have the same shape. This notebook turns sound
# into such examples, and into the two image-like representations the course's spectrogram GANs
# use: SpecGAN's normalised log magnitude (Donahue et al., 2019) and GANSynth's log magnitude
# with instantaneous frequency (Engel et al., 2019).
#
# **In this notebook you will**
# - make and hear the course's two synthetic datasets, drum hits and pitched notes;
# - load audio of any format, rate and channel count, and resample it without aliasing;
# - cut recordings into fixed-length examples (exercise 1.1) and build a cached folder dataset;
# - compute SpecGAN's 128 x 128 log-magnitude spectrogram and its per-frequency normalisation
#   (exercise 1.2);
# - go back to sound with Griffin-Lim, and hear why the phase that a magnitude throws away matters;
# - compute instantaneous frequency from phase (exercise 1.3) and invert GANSynth's
#   representation exactly;
# - see how the real datasets of the papers are fetched and checked.
#
# Code behind this notebook: `audiogan_lesson.audio`, `audiogan_lesson.spectral`,
# `audiogan_lesson.data`.

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

import math
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import soundfile as sf
import torch
from IPython.display import display

from audiogan_lesson import display as show
from audiogan_lesson import spectral
from audiogan_lesson.profiles import get_profile, seed_everything

profile = get_profile()
print(profile.summary())
seed_everything(0)

SR = 16000  # every model in the course works at 16 kHz
N = {"smoke": 40, "laptop": 400}.get(profile.name, 1000)  # examples for the statistics below
workdir = Path(tempfile.mkdtemp(prefix="audiogan01_"))  # files this notebook writes

# %% [markdown]
# ## 1. Two synthetic datasets
#
# Every notebook runs offline on data made by code in seconds. `toy_drums` makes one-shot drum
# hits of five classes, each with its own random tuning, decay and level, in the spirit of the
# drum set WaveGAN was trained on. `toy_notes` makes pitched notes of five instrument families
# over MIDI pitches 24 to 84, labelled with pitch and family, in the spirit of NSynth, GANSynth's
# data. Both are seeded: the same seed gives the same sounds.

# %%
from audiogan_lesson.data import toy_drums, toy_notes

start = time.perf_counter()
drums = toy_drums(N, seed=0)
notes = toy_notes(N, seed=0)
print(f"{N} drums and {N} notes made in {time.perf_counter() - start:.1f} s")
print("drums:", tuple(drums.waves.shape), drums.classes)
print("notes:", tuple(notes.waves.shape), notes.family_names,
      f"MIDI {int(notes.pitches.min())} to {int(notes.pitches.max())}")

# %% [markdown]
# Listen to one example of each class, and look at them. A kick is a low sine whose pitch
# falls; a hi-hat is bright noise; a clap is three quick bursts.

# %%
first_drum = [int((drums.labels == c).nonzero()[0]) for c in range(len(drums.classes))]
show.play_row([drums.waves[i] for i in first_drum], SR, labels=drums.classes)
show.plot_grid([drums.waves[i] for i in first_drum], SR, cols=5, titles=drums.classes)
plt.show()

# %%
first_note = [int((notes.families == f).nonzero()[0]) for f in range(len(notes.family_names))]
note_titles = [f"{notes.family_names[notes.families[i]]}, MIDI {int(notes.pitches[i])}"
               for i in first_note]
show.play_row([notes.waves[i] for i in first_note], SR, labels=note_titles)
show.plot_grid([notes.waves[i] for i in first_note], SR, cols=5, titles=note_titles)
plt.show()

# %% [markdown]
# ## 2. From a file to samples
#
# Real datasets arrive as files of every kind: 8-bit, 16-bit, 24-bit or floating-point samples,
# one to six channels, 8 kHz to 96 kHz, and now and then a file that is empty or not audio at
# all. `load_audio(path, sample_rate=16000, mono=True)` turns any of them into one float32
# tensor in [-1, 1]: channels are averaged, the rate is converted, and a bad file raises an
# error that names the file and the problem.

# %%
from audiogan_lesson.audio import AudioDecodeError, load_audio, resample

files = workdir / "files"
(files / "notes").mkdir(parents=True)
(files / "drums").mkdir()
stereo = torch.stack([notes.waves[0], 0.5 * notes.waves[1]])  # (2 channels, samples)
sf.write(files / "notes" / "stereo_44k.wav", resample(stereo, SR, 44100).T.numpy(), 44100,
         subtype="PCM_24")
sf.write(files / "notes" / "long_3s.flac", torch.cat(list(notes.waves[:3])).numpy(), SR)
sf.write(files / "drums" / "kick_8k.wav", resample(drums.waves[first_drum[0]], SR, 8000).numpy(),
         8000, subtype="PCM_U8")
sf.write(files / "drums" / "snare_float.wav", drums.waves[first_drum[1]].numpy(), SR,
         subtype="FLOAT")
six = resample(drums.waves[first_drum[2]], SR, 48000)[:, None].repeat(1, 6)
sf.write(files / "drums" / "hihat_6ch_48k.wav", six.numpy(), 48000, subtype="PCM_16")
(files / "drums" / "empty.wav").write_bytes(b"")
(files / "drums" / "readme.wav").write_text("this is not a wav file")

for path in sorted(files.rglob("*.*")):
    name = path.relative_to(files).as_posix()
    try:
        meta = sf.info(path)
        source = f"{meta.samplerate} Hz, {meta.channels} ch, {meta.subtype}"
    except Exception:
        source = "unreadable"
    try:
        wave = load_audio(path)
        print(f"{name:28s} {source:30s} -> {tuple(wave.shape)} peak {wave.abs().max():.2f}")
    except AudioDecodeError as err:
        print(f"{name:28s} {source:30s} -> error: {str(err).split(': ', 1)[1][:60]}")

# %% [markdown]
# ### Resampling needs a low-pass filter
#
# Going from 48 kHz to 16 kHz keeps one sample in three. Doing just that (`x[::3]`) folds
# every frequency above the new limit of 8 kHz back into the audible range: *aliasing*. A chirp
# that sweeps from 0 to 20 kHz shows it. Naive decimation makes the sweep bounce back down
# twice; `resample` (a windowed-sinc low-pass, soxr on the CPU) lets it fade out at 8 kHz.

# %%
t48 = torch.arange(2 * 48000, dtype=torch.float64) / 48000
chirp48 = (0.5 * torch.sin(2 * math.pi * 20000 / 2 / 2.0 * t48**2)).float()  # 0 -> 20 kHz in 2 s
naive = chirp48[::3]
proper = resample(chirp48, 48000, SR)
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
show.plot_spectrogram(naive, SR, ax=axes[0], title="x[::3]: aliasing folds the sweep back")
show.plot_spectrogram(proper, SR, ax=axes[1], title="resample: low-passed at 8 kHz")
fig.tight_layout()
plt.show()
show.play_row([naive, proper], SR, labels=["naive x[::3]", "resample"])

# %% [markdown]
# ## 3. Fixed-length examples: pad, trim, slice
#
# WaveGAN and SpecGAN learn from examples of exactly 16384 samples (1.024 s at 16 kHz). A
# one-shot sound shorter than that is padded with zeros *at the end*, so that its onset stays at
# sample 0. A long recording is cut into many examples, one starting every `hop` samples (a hop
# smaller than the length gives overlapping examples, and more of them). The tail that does not
# fill a whole example becomes one more example, padded with zeros, but no example may be all
# padding.
#
# **Exercise 1.1.** Write `slice_examples(wave, length, hop)`: the examples of a 1-D `wave` as a
# tensor `(n, length)`.

# %% tags=["raises-exception"]
import torch.nn.functional as F


def slice_examples(wave: torch.Tensor, length: int = 16384, hop: int = 16384) -> torch.Tensor:
    """Cut ``wave`` ``(samples,)`` into examples ``(n, length)`` starting every ``hop`` samples."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 1.1: cut wave into examples starting every hop samples, zero-padding the last one at its end')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_slice_examples

check_slice_examples(slice_examples)

# %% [markdown]
# The package's `slice_audio(wave, length, hop, pad_end=True)` does the same (and can drop the
# tail instead); `pad_or_trim(wave, length)` makes a single example; `peak_normalize` scales each
# example to a common peak without turning silence into NaN.

# %%
from audiogan_lesson.audio import pad_or_trim, peak_normalize, slice_audio

long_wave = load_audio(files / "notes" / "long_3s.flac")
for hop in (16384, 8192):
    print(f"{long_wave.shape[0]} samples, hop {hop}: {tuple(slice_audio(long_wave, 16384, hop).shape)}")
print("a 0.1 s clip:", tuple(pad_or_trim(long_wave[:1600], 16384).shape))
print("peaks after peak_normalize(peak=0.9):",
      peak_normalize(torch.stack([long_wave[:1000] * 0.1, torch.zeros(1000)]), 0.9).abs().amax(-1))

# %% [markdown]
# ### A folder of files becomes a dataset
#
# `AudioFolder` walks a folder, decodes every file once (mono, 16 kHz, cut into examples), keeps
# the examples in one tensor, and writes them to a cache keyed by each file's path, size and
# modification time and by the settings. The next time, and in every epoch, nothing is decoded.
# Sub-folder names become labels. A file that cannot be used is skipped, counted, and listed in
# `.skipped` with the reason: a dataset never stops halfway, and never drops a file silently.

# %%
from audiogan_lesson.data import AudioFolder

folder = AudioFolder(files, cache_dir=workdir / "cache")
print("classes:", folder.classes, "| waves:", tuple(folder.waves.shape))
for path, reason in folder.skipped:
    print("skipped", Path(path).name, "->", reason[:70])
again = AudioFolder(files, cache_dir=workdir / "cache", verbose=False)
print("second time:", again.stats)

# %% [markdown]
# ## 4. Spectrograms
#
# A short-time Fourier transform (STFT) cuts the sound into overlapping windows and measures
# how much of each frequency each window holds. SpecGAN uses windows of 256 samples (16 ms) every
# 128 samples: 16384 samples give 128 frames of 129 frequency bins; dropping the top (Nyquist) bin
# leaves a 128 x 128 image. The magnitudes span many orders of size, so SpecGAN takes their
# logarithm, `log(|X| + 1e-6)`.
#
# In this package spectrograms are `(frames, bins)`, time first, as in the original code; to draw
# one with frequency going up we transpose it (`.mT`).

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.spectral import stft_logmag

print("stft_logmag:", tuple(drums.waves[:4].shape), "->", tuple(stft_logmag(drums.waves[:4]).shape))

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.2))
for ax, wave, title in zip(axes, [drums.waves[first_drum[1]], notes.waves[first_note[0]],
                                  notes.waves[first_note[3]]], ["snare", note_titles[0],
                                                                note_titles[3]]):
    show.plot_image(stft_logmag(wave).mT, ax=ax, title=f"{title}: log magnitude")
    ax.set_xlabel("frame")
    ax.set_ylabel("bin (62.5 Hz each)")
fig.tight_layout()
plt.show()

# %% [markdown]
# A **mel** spectrogram warps the frequency axis the way pitch is heard: equal steps in mel are
# equal steps in perceived pitch, so low frequencies get more rows and high ones fewer. GANSynth
# uses a mel axis (section 6); here is the same note on both axes.

# %%
from audiogan_lesson.spectral import log_mel_spectrogram

note = notes.waves[first_note[2]]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.2))
show.plot_image(stft_logmag(note, n_fft=1024, hop=256).mT, ax=axes[0],
                title="linear frequency (512 bins)")
show.plot_image(log_mel_spectrogram(note, SR, n_fft=1024, hop=256, n_mels=128).mT, ax=axes[1],
                title="mel frequency (128 bins)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. SpecGAN's normalisation: per-frequency moments
#
# A generator ends in `tanh`, so its outputs lie in [-1, 1]. SpecGAN brings the log magnitudes
# there with statistics of the training set: for each frequency bin, the mean and standard
# deviation over every frame of every example. Each value has its bin's mean subtracted, is
# divided by **3** standard deviations, and is clipped to [-1, 1]. A bin that never varies (in
# silent data, or a frequency no example reaches) has a standard deviation of 0 and must not
# turn into NaN.
#
# **Exercise 1.2.** Write `fit_moments(specs)`, returning `(mean, std)` of shape `(bins,)` for
# spectrograms `(examples, frames, bins)`, and `normalize(specs, mean, std)`.

# %% tags=["raises-exception"]
def fit_moments(specs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-bin mean and std ``(bins,)`` of ``specs`` ``(examples, frames, bins)``."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 1.2: per-bin mean and std over all examples and frames, std 1 where it is 0')


def normalize(specs: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Subtract the mean, divide by 3 std, clip to [-1, 1]."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 1.2: subtract the mean, divide by 3 standard deviations, clip to [-1, 1]')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_moments

check_moments(fit_moments, normalize)

# %% [markdown]
# The package's `SpecGANNormalizer` does the same, can be fitted batch by batch on a dataset too
# large for memory, and saves its moments so that a trained SpecGAN can turn its outputs back
# into sound later. Before normalisation the values of different bins live in different ranges
# (the spike at log(1e-6) = -13.8 is silence); after it they sit inside [-1, 1], and only values
# more than 3 standard deviations from their bin's mean would be clipped.

# %%
from audiogan_lesson.spectral import SpecGANNormalizer

logmags = stft_logmag(drums.waves)
norm = SpecGANNormalizer().fit(logmags)
normalized = norm.normalize(logmags)
norm.save(workdir / "drum_moments.pt")
print(norm, "| clipped values:", f"{(normalized.abs() == 1).float().mean():.1%}")

fig, axes = plt.subplots(1, 3, figsize=(15, 3))
axes[0].plot(norm.mean, label="mean")
axes[0].fill_between(range(128), norm.mean - 3 * norm.std, norm.mean + 3 * norm.std, alpha=0.3,
                     label="mean +- 3 std")
axes[0].set_xlabel("frequency bin")
axes[0].set_title("per-bin moments of log magnitude")
axes[0].legend()
axes[1].hist(logmags.flatten().numpy(), bins=100, color="grey")
axes[1].set_title("log magnitudes, all bins")
axes[2].hist(normalized.flatten().numpy(), bins=100, color="tab:orange")
axes[2].set_title("after normalisation")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Back to sound: Griffin-Lim, and why phase matters
#
# A magnitude spectrogram throws away the phase of every bin, so SpecGAN's images cannot be
# played directly. Griffin-Lim (1984) guesses a phase: start from zero phase, go to the time
# domain and back, keep the new phase with the known magnitude, repeat. SpecGAN uses 16
# iterations. The *spectral convergence* measures how far the magnitude of the result is from
# the one we asked for (0 is perfect).

# %%
from audiogan_lesson.spectral import griffin_lim, logmag_to_magnitude, spectral_convergence

examples = drums.waves[first_drum]
logmag = stft_logmag(examples)
target = logmag_to_magnitude(logmag)
iterations = [0, 4, 16, 32] + ([64, 100] if profile.name != "smoke" else [])
errors = {}
for n_iter in iterations:
    audio = griffin_lim(logmag, n_iter=n_iter)
    errors[n_iter] = spectral_convergence(target, logmag_to_magnitude(stft_logmag(audio)))
fast = griffin_lim(logmag, n_iter=iterations[-1], momentum=0.99)
fast_error = spectral_convergence(target, logmag_to_magnitude(stft_logmag(fast)))

fig, ax = plt.subplots(figsize=(7, 3))
for c, name in enumerate(drums.classes):
    ax.plot(iterations, [float(errors[n][c]) for n in iterations], marker="o", label=name)
ax.scatter([iterations[-1]] * len(fast_error), fast_error, marker="*", s=80, color="k",
           label="fast Griffin-Lim (momentum 0.99)")
ax.set_xlabel("iterations")
ax.set_ylabel("spectral convergence")
ax.legend(fontsize=8)
plt.show()
print("mean spectral convergence:",
      {n: round(float(e.mean()), 3) for n, e in errors.items()},
      "| fast:", round(float(fast_error.mean()), 3))

# %%
snare = drums.classes.index("snare")
show.play_row([examples[snare], griffin_lim(logmag[snare], n_iter=16), fast[snare]], SR,
              labels=["original snare", "Griffin-Lim, 16 iterations",
                      f"fast Griffin-Lim, {iterations[-1]} iterations"])

# %% [markdown]
# How much does phase matter? Keep the true magnitude and replace the phase: by zeros, or by
# random angles. The true phase gives the sound back exactly; random phase smears every
# attack and turns a note into a breathy, "phasey" cloud, even though every bin has exactly the
# right magnitude.

# %%
from audiogan_lesson.spectral import istft, stft

pair = torch.stack([drums.waves[first_drum[0]], notes.waves[first_note[3]]])
framing = dict(n_fft=256, hop=128)  # SpecGAN's window and hop, padded so every sample is covered
complex_spec = stft(pair, **framing, pad_left=256, pad_right=256)
magnitude, true_phase = complex_spec.abs(), torch.angle(complex_spec)
noise = torch.rand(magnitude.shape, generator=torch.Generator().manual_seed(0))
random_phase = (2 * noise - 1) * math.pi
rebuilt = {}
for name, phase in [("true phase", true_phase), ("zero phase", torch.zeros_like(true_phase)),
                    ("random phase", random_phase)]:
    audio = istft(torch.polar(magnitude, phase), **framing, length=16384, pad_left=256, steady=True)
    rebuilt[name] = audio
    error = (audio - pair).square().sum(-1).sqrt() / pair.square().sum(-1).sqrt()
    print(f"{name:12s}: relative error kick {error[0]:.1%}, guitar {error[1]:.1%}")
    show.play_row(list(audio), SR, labels=[f"kick, {name}", f"guitar, {name}"])
fig, axes = plt.subplots(1, 2, figsize=(12, 2.5))
show.plot_waveform(rebuilt["true phase"][0, :4000], SR, ax=axes[0], title="kick, true phase")
show.plot_waveform(rebuilt["random phase"][0, :4000], SR, ax=axes[1], title="kick, random phase")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 7. Instantaneous frequency: phase a network can learn
#
# GANSynth keeps the phase, but not as raw angles: wrapped to (-pi, pi], the phase of a steady
# tone spins around every few frames, a tangle of stripes that is hard for a network to draw.
# Its *rate of change* is simple.
# **Instantaneous frequency** (IF) unwraps the phase along time (adding multiples of 2 pi so no
# step exceeds pi), takes the difference between consecutive frames, and divides by pi. For a
# steady harmonic the IF is constant along time. The first frame keeps its own phase (divided
# by pi), so a running sum gives the phase back.
#
# **Exercise 1.3.** Write `instantaneous_frequency(phase)` for phases `(..., frames, bins)`.
# (`np.unwrap` or `torch.remainder` may help.)

# %% tags=["raises-exception"]
def instantaneous_frequency(phase: torch.Tensor) -> torch.Tensor:
    """``(..., frames, bins)`` phase in radians -> IF in [-1, 1], same shape."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 1.3: unwrap along time (dim -2), difference consecutive frames, divide by pi, keep frame 0')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_instantaneous_frequency

check_instantaneous_frequency(instantaneous_frequency)

# %% [markdown]
# GANSynth's representation, `IFSpectrogram`, uses 4 s notes (64000 samples), windows of 2048
# samples every 512: 128 frames of 1024 bins, in two channels: log magnitude and IF. Compare the
# wrapped phase of one note with its IF, which is constant along each harmonic (and in the
# quieter bins around it, which leak from the same harmonic), and changes only where the note
# is released.

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.spectral import IFSpecConfig, IFSpectrogram

linear_rep = IFSpectrogram(IFSpecConfig(mel=False))
mel_rep = IFSpectrogram(IFSpecConfig())
print(linear_rep)
print(mel_rep)

# %%
long_notes = toy_notes(4, seed=1, length=64000, pitches=[43, 55, 62, 67])
long_note = long_notes.waves[3]
complex_note = linear_rep.to_stft(long_note)
image = linear_rep.encode(long_note)
mel_image = mel_rep.encode(long_note)
top = 160  # the lowest 160 bins (up to 1.25 kHz), where the harmonics are
fig, axes = plt.subplots(1, 5, figsize=(20, 3.2))
show.plot_image(image[0, :, :top].mT, ax=axes[0], title="log magnitude")
show.plot_image(torch.angle(complex_note)[:, :top].mT, ax=axes[1], title="phase (wrapped)",
                cmap="twilight")
show.plot_image(image[1, :, :top].mT, ax=axes[2], title="instantaneous frequency", cmap="RdBu")
show.plot_image(mel_image[0].mT, ax=axes[3], title="log mel magnitude (1024 mel bins)")
show.plot_image(mel_image[1].mT, ax=axes[4], title="mel IF", cmap="RdBu")
fig.tight_layout()
plt.show()
show.play(long_note, SR, label=f"{long_notes.family_names[long_notes.families[3]]}, MIDI 67, 4 s")

# %% [markdown]
# ### The round trip, exactly
#
# On a linear frequency axis nothing is lost: the magnitude comes back from `exp`, the phase
# from a running sum of the IF, and the inverse STFT gives the samples back to float precision.
# Two details make this exact: the bin GANSynth drops to keep 1024 (the DC bin) is restored from
# the fact that a Hann window is zero at its first sample, and the padding is split around the
# note (GANSynth's code puts it all in front, which makes the last samples fragile). Both are
# options of `IFSpecConfig` (`fill_dropped`, `pad`) with the code's behaviour one keyword away.

# %%
back = linear_rep.decode(linear_rep.encode(long_notes.waves))
print(f"linear IF round trip: largest error {float((back - long_notes.waves).abs().max()):.1e}")
gansynth_code = IFSpectrogram(IFSpecConfig(mel=False, pad="front", fill_dropped="zeros"))
back_code = gansynth_code.decode(gansynth_code.encode(long_notes.waves))
print(f"with the GANSynth code's padding and zero-filled DC bin: largest error "
      f"{float((back_code - long_notes.waves).abs().max()):.1e}")

# %% [markdown]
# The mel version cannot be exact, and no method could make it so. GANSynth warps the 1024
# linear bins onto 1024 mel bins: the mel bins crowd the low frequencies, several per linear bin,
# and are spread thin at the top, one per two or three linear bins. The warp is a 1024 x 1024
# matrix of rank well below 1024, so the detail it drops at the top is gone. `decode` maps mel
# bins back with the least-squares pseudo-inverse; the GANSynth code uses a cruder normalised
# transpose (`mel_variant="gansynth"`). Compare their errors and listen.

# %%
freqs = mel_rep.bin_frequencies()
mel_matrix = spectral.mel_filterbank(1024, freqs, float(freqs[0]), float(freqs[-1]))
centres = (mel_matrix * freqs.double()).sum(1)
rank = int((torch.linalg.eigvalsh(mel_matrix @ mel_matrix.T) > 1e-10).sum())
print(f"below 700 Hz: {int((freqs < 700).sum())} linear bins, {int((centres < 700).sum())} mel bins; "
      f"above 4 kHz: {int((freqs > 4000).sum())} linear bins, {int((centres > 4000).sum())} mel bins; "
      f"rank of the warp {rank} of 1024")

faithful_rep = IFSpectrogram(IFSpecConfig(mel_variant="gansynth"))
target = linear_rep.to_stft(long_notes.waves).abs()
mel_back = mel_rep.decode(mel_rep.encode(long_notes.waves))
faithful_back = faithful_rep.decode(faithful_rep.encode(long_notes.waves))
for name, audio in [("pseudo-inverse", mel_back), ("GANSynth transpose", faithful_back)]:
    error = spectral_convergence(target, linear_rep.to_stft(audio).abs())
    print(f"mel round trip, {name:18s}: spectral convergence {[round(float(e), 3) for e in error]}")
show.play_row([long_note, mel_back[3], faithful_back[3]], SR,
              labels=["original", "mel IF, pseudo-inverse", "mel IF, GANSynth transpose"])

# %% [markdown]
# ## 8. The real datasets
#
# The papers trained on recordings: SC09 spoken digits, drum sounds and Bach piano for
# WaveGAN/SpecGAN, NSynth notes for GANSynth; student projects that this course follows also
# used UrbanSound8K street music and GTZAN classical. The registry holds where each comes from, its
# licence, its layout, and how it becomes examples. Nothing is downloaded here.

# %%
from audiogan_lesson.data import DATASETS, cache_dir, dataset_table

print(dataset_table())
print("\nSC09 recipe:", DATASETS["sc09"].recipe)
print("downloads go to:", cache_dir(create=False), "(set AUDIOGAN_DATA to change it)")

# %% [markdown]
# A download shows a progress bar, resumes after an interruption (HTTP `Range` requests), and
# checks the file's SHA-256 *before* putting it in place: a file that does not match is deleted,
# and nothing is left where the dataset should be. Where the owners publish no checksum, the
# registry records `None` rather than a made-up one, and `download` refuses to trust the file
# unless you say so with `allow_unverified=True`; it then prints the hash it measured so you can
# pin it. Archives are unpacked only after every member has been checked to stay inside the
# destination folder. Here is the checksum guard on a local file:

# %%
from audiogan_lesson.data import ChecksumError, download

upstream = workdir / "upstream.tar.gz"
upstream.write_bytes(b"pretend this is an archive" * 1000)
destination = workdir / "downloads" / "dataset.tar.gz"
try:
    download(upstream.as_uri(), destination, sha256="0" * 64, quiet=True)
except ChecksumError as err:
    print("ChecksumError:", str(err)[-120:])
print("anything at the destination?", destination.exists())
try:
    download(upstream.as_uri(), destination)
except ValueError as err:
    print("ValueError:", str(err)[:110], "...")

# %% [markdown]
# ## Run at full scale
#
# On a GPU machine (or any machine with the disk space), fetch a real dataset, look at it, and
# keep its SpecGAN moments for notebook 03. SC09 is about 0.8 GB; on Colab the download
# survives the session on Google Drive when the setup cell keeps files there (`KEEP_ON_DRIVE`,
# on by default with a GPU). Then set `FETCH_REAL = True` below. The first run downloads, verifies and extracts the archive
# and decodes every file once; later runs read the cache in seconds.

# %%
FETCH_REAL = False

if FETCH_REAL:
    from audiogan_lesson.data import load_dataset

    sc09 = load_dataset("sc09", download=True, allow_unverified=True)
    sc09_norm = SpecGANNormalizer().fit(stft_logmag(w) for w in sc09.waves.split(256))
    sc09_norm.save(cache_dir() / "sc09_moments.pt")
    picks = torch.randperm(len(sc09))[:5].tolist()
    show.play_row([sc09.waves[i] for i in picks], SR,
                  labels=[sc09.classes[int(sc09.labels[i])] for i in picks])

# %% [markdown]
# **Next:** `02_dense_gan_baseline` plays the GAN game on these examples with the simplest
# possible networks, and shows why that is not enough.
