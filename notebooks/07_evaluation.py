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
# # 07 · Evaluation: numbers you can trust, and your ears
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/audiogan-lesson/audiogan-lesson/blob/v0.1.0/notebooks/07_evaluation.ipynb)
#
# A GAN has no loss that says how good its samples are: the discriminator's loss only says who
# is winning the game. The papers of this course therefore judge generators from the outside,
# with a classifier trained on the real data, with statistics of many samples, and with people
# listening. This notebook builds each of those measurements, looks at what it sees and what it
# misses, and puts every model of notebooks 02-06 side by side with the real data.
#
# **In this notebook you will**
# - compute the **inception score** (WaveGAN's metric) from class probabilities;
# - compute the **Fréchet distance** between two Gaussians, the core of FID;
# - write the z-test behind **NDB**, the number of statistically different bins (GANSynth);
# - measure **pitch accuracy and pitch entropy** of pitched notes, and check for **memorisation**
#   with nearest neighbours;
# - fill one table with every model you trained, beside the real data and the papers' figures,
#   and print each run's score exactly as the notebook that made it printed it;
# - run a blind **A/B listening test** on yourself and explore a generator's latent space.
#
# Code behind this notebook: `audiogan_lesson.evaluation` (metrics, classifier, runs),
# `audiogan_lesson.widgets` (listening test, latent explorer).

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
from IPython.display import HTML, display

from audiogan_lesson import display as show
from audiogan_lesson import evaluation as ev
from audiogan_lesson.profiles import get_profile, seed_everything
from audiogan_lesson.runs import (find_runs, runs_dir, sample_run, source_from_run,
                                  stand_in_source)

profile = get_profile()
print(profile.summary())
seed_everything(0)
n_eval = profile.n_eval  # examples per set for every metric

# %% [markdown]
# ## 1. The models to judge
#
# Notebooks 02-06 keep their training runs in the runs folder of your profile (train or load).
# `find_runs` lists every run with a checkpoint, and says why it passed over any other folder.
# A model you have not trained yet is missing here; the notebook then trains a small stand-in
# for a minute or so (in a folder of its own, `07_fallback_<model>`) so that every section has
# something to measure, and says so. A stand-in is barely trained: it shows how the metrics
# react to a model that has not learnt yet, not what the model can do. For a fair table, run
# notebooks 02-06 first.

# %%
runs, notes = find_runs(profile)
print(f"runs folder: {runs_dir('07_evaluation', profile).parent}")
for r in runs:
    print(f"  {r.name:<34} {r.model:<9} {r.dataset:<10} loss={r.loss:<8} step {r.step:>6} "
          f"({r.seconds / 60:.1f} min)  {r.slice_len} samples at {r.sample_rate} Hz")
for note in notes:
    print(f"  passed over: {note}")
if not runs:
    print("  no runs of notebooks 02-06 found")

# %% [markdown]
# Each run as the notebook that made it scored it: `score_run` (`audiogan_lesson.evaluation.
# run_scores`) takes 500 clips of the run's result (seed 0): its newest checkpoint, or the best
# weights it kept (notebook 05's WGAN-GP WaveGANs, notebook 06's GANSynth runs), in the run's
# own sample rate and length, and scores them with the course's classifier of that format,
# beside held-out real clips of the same format. It keeps the result in the run's folder, so
# notebooks 05 and 06 and this one print the very same line for the same run (`course check`
# compares them). The chance-normalised score
# $(\mathrm{IS} - 1) / (\mathrm{IS}_\text{real} - 1)$ is 0 for a set
# the classifier puts in one class and 1 at the real data's score; the share of the real score
# starts at $1 / \mathrm{IS}_\text{real}$ instead (21-22% for the five drum classes).
# Sections 2-8 then compare all models in one common format.

# %%
from audiogan_lesson.evaluation.run_scores import score_run

own_scores = {r.name: score_run(r, profile) for r in runs}
for score in own_scores.values():
    print(score.line())

# %%
# A Source (audiogan_lesson.runs) makes sounds: source.sample(n, seed) gives waves (and the MIDI
# pitch of each for GANSynth), source.generate turns latents into waves (the latent explorer).
# source_from_run samples a saved run; stand_in_source trains or loads a small BCE model with
# train_or_load, as notebook 05 does.
# Stand-ins for models that have no run yet: 200 steps (none in the smoke profile,
# where only the code path is checked). GANSynth needs notebook 06's long run; no stand-in.
FALLBACK_STEPS = {"smoke": 0, "laptop": 200, "gpu": 5000}[profile.name]

sources = [source_from_run(r, profile.device) for r in runs]
have = {s.model for s in sources}
for model, notebook in (("dense", "02"), ("specgan", "03"), ("wavegan", "04")):
    if model not in have:
        print(f"no {model} run of notebook {notebook} yet: training a stand-in "
              f"({FALLBACK_STEPS} steps)")
        sources.append(stand_in_source(model, profile, FALLBACK_STEPS))
if "gansynth" not in have:
    print("no GANSynth run of notebook 06 yet: its row stays empty (run notebook 06, then this one)")
drum_sources = [s for s in sources if s.dataset == "toy-drums"]
note_sources = [s for s in sources if s.model == "gansynth"]
print(f"{len(drum_sources)} drum models, {len(note_sources)} GANSynth models to evaluate")

# %% [markdown]
# ## 2. One format, one classifier, and the real data as the ceiling
#
# The models were trained at different sample rates and lengths (the laptop profile trains
# the dense model and WaveGAN at 8 kHz, SpecGAN at 16 kHz). To compare them, every sound is
# brought to one format: the lowest sample rate among the models (a model trained at 8 kHz
# has nothing above 4 kHz, so comparing at 16 kHz would mostly measure that choice) and the
# shortest duration (longer clips are cut), so every model is judged on the part of a drum
# that all of them make. Padding a short clip with silence instead would stop its drum dead,
# and the classifier, trained on hits that ring out, hears that as another sound: one laptop
# WaveGAN's quarter-second drums, measured once, scored an inception score of 1.1 padded to a
# second against 2.0 at their own length.
#
# Every metric is computed for the real data too, on held-out examples the classifier and the
# metrics' references never saw: that row is the ceiling a generator can reach.

# %%
from audiogan_lesson.experiments import load_audio_set

eval_rate = min(s.sample_rate for s in drum_sources)
eval_len = int(round(min(s.slice_len / s.sample_rate for s in drum_sources) * eval_rate))
real_train = load_audio_set("toy-drums", profile.n_train, eval_rate, eval_len, seed=0)
real_held = load_audio_set("toy-drums", n_eval, eval_rate, eval_len, seed=1)
classes = real_train.classes
print(f"evaluation format: {eval_len} samples at {eval_rate} Hz ({eval_len / eval_rate:.2f} s); "
      f"{len(real_train.waves)} training and {len(real_held.waves)} held-out real drums")

classifier = ev.reference_classifier(real_train, profile)
print(f"classifier accuracy on held-out real drums: "
      f"{ev.classifier_accuracy(classifier, real_held.waves, real_held.labels):.3f}")

# %% [markdown]
# **A classifier hears what it was taught.** The toy drums are synthetic: between and after
# the hits they are digitally silent. Every generator leaves a faint hiss there. A classifier
# trained only on clean hits has never heard hiss, and hiss is what a snare or a hi-hat is made
# of, so it calls a quiet-but-hissy kick a snare, and a generator's score then measures its
# noise floor instead of its drums. The course's classifier is therefore trained with a random
# noise floor under every training hit (`ClassifierConfig.noise_db`: up to -30 dBFS). The cell
# compares it with the same classifier trained without that augmentation, on the held-out real
# drums with white noise added at levels a listener barely hears.

# %%
import dataclasses

brittle = ev.train_classifier(real_train.waves, real_train.labels, eval_rate,
                              dataclasses.replace(classifier.config, noise_db=None))
hiss = torch.randn(real_held.waves.shape, generator=torch.Generator().manual_seed(0))
print(f"{'noise floor':<14}{'IS, course classifier':>24}{'IS, trained without noise':>28}")
for db in (None, -60, -40, -30):
    waves = real_held.waves if db is None else real_held.waves + 10 ** (db / 20) * hiss
    row = [ev.inception_score(ev.classifier_probs(c, waves))[0] for c in (classifier, brittle)]
    print(f"{'none' if db is None else f'{db} dBFS':<14}{row[0]:>24.2f}{row[1]:>28.2f}")

# %%
generated = {}
for s in drum_sources:
    waves, _ = s.sample(n_eval, 0)  # seed 0: the latents of every run score (score_run)
    generated[s.name] = ev.to_format(waves, s.sample_rate, eval_rate, eval_len)
show.play_row([real_held.waves[0]] + [w[0] for w in generated.values()], eval_rate,
              labels=["real"] + list(generated))

# %% [markdown]
# ## 3. The inception score
#
# The classifier gives each clip `x` a distribution over classes, $p(y \mid x)$. Averaged over
# a set it gives the set's class distribution $p(y)$. A good generator makes clips that are each
# clearly one class (a peaked $p(y\mid x)$) and uses all classes (a flat $p(y)$): then every
# $p(y\mid x)$ is far from $p(y)$. The inception score (Salimans et al., 2016) measures exactly
# that distance:
#
# $$\mathrm{IS} = \exp\Big(\mathbb{E}_x\, \mathrm{KL}\big(p(y\mid x)\,\|\,p(y)\big)\Big),$$
#
# from 1 (every clip alike, or the classifier unsure of every clip) to the number of classes.
# As in the WaveGAN paper's code, the set is cut into 10 groups; each group gets its own $p(y)$
# and score, and the result is the mean (and spread) over groups.
#
# The picture: $p(y\mid x)$ for 40 clips (one column each), with $p(y)$ on the right, for the
# real drums and for the model with the highest inception score in this format (`best`, which
# sections 4-6 use as well).

# %%
probs_real = ev.classifier_probs(classifier, real_held.waves)
probs_of = {name: ev.classifier_probs(classifier, waves) for name, waves in generated.items()}
best = max(generated, key=lambda name: ev.inception_score(probs_of[name])[0])
probs_best = probs_of[best]
fig, axes = plt.subplots(1, 4, figsize=(14, 3), gridspec_kw={"width_ratios": [6, 1, 6, 1]})
for (ax, ax_m), probs, title in ((axes[:2], probs_real, "real drums"),
                                 (axes[2:], probs_best, best)):
    ax.imshow(probs[:40].T, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("clip")
    ax.set_title(f"p(y|x): {title}", fontsize=10)
    ax_m.barh(range(len(classes)), probs.mean(0), color="tab:orange")
    ax_m.set_ylim(len(classes) - 0.5, -0.5)
    ax_m.set_yticks([])
    ax_m.set_title("p(y)", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Exercise 7.1.** Write `inception_score(probs, splits)`: `probs` is an `(N, classes)` numpy
# array of probabilities. Cut the rows, in order, into `splits` groups (`N * i // splits` to
# `N * (i + 1) // splits`); for each group take $p(y)$ as the group's mean row, the mean over its
# rows of $\mathrm{KL}(p(y\mid x)\,\|\,p(y))$ with the natural log (count $0 \log 0$ as 0), and
# `exp` of that; return the mean over groups.

# %% tags=["raises-exception"]
def inception_score(probs: np.ndarray, splits: int = 10) -> float:
    """Inception score of class probabilities (N, classes): mean over groups of exp(mean KL)."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 7.1: per group, exp of the mean KL(p(y|x) || p(y)); return the mean over groups')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_inception_score

check_inception_score(inception_score)

# %% [markdown]
# The package's `ev.inception_score` does the same and returns the spread over groups too; it
# also shuffles the rows first (seeded), as the WaveGAN script shuffles its files, because a
# set sorted by class would otherwise give groups of one class each.

# %%
from audiogan_lesson.evaluation.metrics import chance_normalised

is_real = ev.inception_score(probs_real)
print(f"{'real drums (held out)':<40} IS {is_real[0]:.2f} ± {is_real[1]:.2f}   "
      f"(maximum {len(classes)})")
for name in generated:
    score = ev.inception_score(probs_of[name])
    print(f"{name:<40} IS {score[0]:.2f} ± {score[1]:.2f}  {100 * score[0] / is_real[0]:3.0f}% of real"
          f"  chance-normalised {chance_normalised(score[0], is_real[0]):.2f}")

# %% [markdown]
# What the inception score misses: it never compares with the real data. A generator that
# makes one perfect example of each class, over and over, scores the maximum. The next two
# metrics compare the generated set with the real one.
#
# ## 4. The Fréchet distance
#
# Take the classifier's penultimate features (a vector per clip), fit a Gaussian to the real
# set and one to the generated set, and measure how far apart the two Gaussians are. For
# Gaussians $\mathcal{N}(\mu_1, \Sigma_1)$ and $\mathcal{N}(\mu_2, \Sigma_2)$ the Fréchet
# (2-Wasserstein) distance has a closed form (Heusel et al., 2017, with Inception features:
# FID):
#
# $$d^2 = \lVert \mu_1 - \mu_2 \rVert^2 + \mathrm{tr}\Big(\Sigma_1 + \Sigma_2 - 2\,(\Sigma_1 \Sigma_2)^{1/2}\Big),$$
#
# where $(\cdot)^{1/2}$ is the *matrix* square root. It is 0 only when means and covariances
# agree: a generator that repeats a few sounds has too small a covariance and is caught.
#
# The picture: the features of real training drums, held-out real drums and the best model,
# projected on the two main directions of the real features, with an ellipse of two standard
# deviations of each fitted Gaussian.

# %%
feats_train = ev.classifier_features(classifier, real_train.waves)
feats_held = ev.classifier_features(classifier, real_held.waves)
feats_best = ev.classifier_features(classifier, generated[best])
mean = feats_train.mean(0)
_, _, vt = np.linalg.svd(feats_train - mean, full_matrices=False)
fig, ax = plt.subplots(figsize=(6, 4.5))
angles = np.linspace(0, 2 * np.pi, 100)
for feats, label, color in ((feats_train, "real (train)", "0.5"),
                            (feats_held, "real (held out)", "tab:blue"),
                            (feats_best, best, "tab:orange")):
    xy = (feats - mean) @ vt[:2].T
    ax.scatter(xy[:, 0], xy[:, 1], s=4, alpha=0.4, color=color, label=label)
    mu, cov = xy.mean(0), np.cov(xy, rowvar=False)
    w, v = np.linalg.eigh(cov)
    ellipse = mu[:, None] + 2 * (v * np.sqrt(np.clip(w, 0, None))) @ np.stack([np.cos(angles), np.sin(angles)])
    ax.plot(*ellipse, color=color)
ax.set_xlabel("feature direction 1")
ax.set_ylabel("feature direction 2")
ax.legend(fontsize=8, markerscale=3)
plt.show()

# %% [markdown]
# **Exercise 7.2.** Write `frechet_distance(mu1, sigma1, mu2, sigma2)`: means `(D,)` and
# covariance matrices `(D, D)` as numpy arrays (named `sigma` as in the FID code). Use
# `scipy.linalg.sqrtm` for the matrix square root; it can return a complex matrix with tiny
# imaginary parts from round-off: keep the real part.

# %% tags=["raises-exception"]
import scipy.linalg


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2) (sigma: covariance matrices)."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 7.2: |mu1 - mu2|^2 + tr(sigma1 + sigma2 - 2 sqrtm(sigma1 @ sigma2))')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_frechet_distance

check_frechet_distance(frechet_distance)

# %% [markdown]
# The package's `ev.frechet_distance(features_a, features_b)` fits both Gaussians from every row
# (one public FID helper silently kept only its first batch) and computes the trace of the
# square root from eigenvalues, which are real by construction. The held-out real set is not at
# 0: a finite sample never is, which is why the real row matters.

# %%
print(f"{'real drums (held out)':<40} FD {ev.frechet_distance(feats_train, feats_held):8.2f}")
for name, waves in generated.items():
    fd = ev.frechet_distance(feats_train, ev.classifier_features(classifier, waves))
    print(f"{name:<40} FD {fd:8.2f}")

# %% [markdown]
# ## 5. NDB: the number of statistically different bins
#
# A Gaussian summary can hide a missing corner of the data. NDB (Richardson & Weiss, 2018;
# used by GANSynth with k = 50) looks at the data directly: k-means cuts the real training
# features into k bins (clusters); every generated clip falls into the bin of its nearest
# centre; then, bin by bin, a statistical test asks whether the generated set's share of that
# bin differs from the training set's. The score is the number of bins that differ at
# p < 0.05. A generator that covers the data evenly leaves about 5% of the bins different by
# chance; one that collapses piles its samples into a few bins and empties the rest.
#
# The test is the two-proportion z-test. With proportions $p_1$ of $n_1$ training clips and
# $p_2$ of $n_2$ generated clips in a bin, and the pooled proportion
# $p = (p_1 n_1 + p_2 n_2) / (n_1 + n_2)$ (the best estimate if both sets share one
# distribution, the null hypothesis):
#
# $$z = \frac{p_1 - p_2}{\sqrt{p(1-p)\,(1/n_1 + 1/n_2)}}, \qquad
#   \text{p-value} = 2\,\big(1 - \Phi(|z|)\big),$$
#
# two-sided, because a bin can be over- or under-filled.
#
# **Exercise 7.3.** Write `ndb_z_test(p1, n1, p2, n2)`: `p1`, `p2` are `(k,)` numpy arrays of
# proportions, `n1`, `n2` the set sizes; return the `(k,)` p-values. `scipy.stats.norm.sf(x)` is
# $1 - \Phi(x)$. Where a bin is empty in both sets the standard error is 0: set `z = 0` there
# (p-value 1) instead of dividing by zero.

# %% tags=["raises-exception"]
from scipy.stats import norm


def ndb_z_test(p1: np.ndarray, n1: int, p2: np.ndarray, n2: int) -> np.ndarray:
    """Two-sided two-proportion z-test per bin, pooled standard error: p-values (k,)."""
    # YOUR CODE HERE
    raise NotImplementedError('Exercise 7.3: pooled proportion, standard error, z (0 where the error is 0), two-sided p-value')


# %% tags=["raises-exception"]
from audiogan_lesson.exercises import check_ndb_z_test

check_ndb_z_test(ndb_z_test)

# %% [markdown]
# The package fits the bins once on the training features (`ev.NDBBins`, or `ev.ndb` in one
# call) and tests every set against them. The picture shows the share of each bin, training
# set against held-out real drums and against the best model; the bins that differ are red.

# %%
ndb_k = min(50, len(feats_train) // 4)
bins = ev.NDBBins(feats_train, k=ndb_k, seed=0)
held_result = bins.test(feats_held)
best_result = bins.test(feats_best)
order = np.argsort(-bins.train_proportions)
fig, axes = plt.subplots(1, 2, figsize=(13, 3), sharey=True)
for ax, result, title in ((axes[0], held_result, "real (held out)"), (axes[1], best_result, best)):
    x = np.arange(ndb_k)
    ax.bar(x - 0.2, result.train_proportions[order], 0.4, color="0.6", label="training set")
    colors = np.where(result.different[order], "tab:red", "tab:blue")
    ax.bar(x + 0.2, result.generated_proportions[order], 0.4, color=colors, label=title)
    ax.set_title(f"{title}: NDB = {result.n_different} of {ndb_k}", fontsize=10)
    ax.set_xlabel("bin (by size in the training set)")
axes[0].set_ylabel("share of the set")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Memorisation: nearest neighbours
#
# A generator that copies its training data scores well on every metric above. The check is
# direct: for each generated clip, find the closest training clip (here by Euclidean distance
# between log-mel spectrograms) and compare those distances with the held-out real clips'
# distances to the training set. Generated clips much *closer* than real ones are copies.
# To see what that looks like, the last row is a "copycat" that returns training clips played
# 1 dB quieter.

# %%
mel_train = ev.log_mel_features(real_train.waves, eval_rate)
neighbours = {"real (held out)": ev.nearest_neighbours(ev.log_mel_features(real_held.waves, eval_rate), mel_train)}
for name, waves in generated.items():
    neighbours[name] = ev.nearest_neighbours(ev.log_mel_features(waves, eval_rate), mel_train)
copycat = real_train.waves[:n_eval] * 10 ** (-1 / 20)
neighbours["copycat (training clips, 1 dB down)"] = ev.nearest_neighbours(
    ev.log_mel_features(copycat, eval_rate), mel_train)

fig, ax = plt.subplots(figsize=(8, 3))
top = max(np.percentile(n.distances, 99) for n in neighbours.values())
for name, found in neighbours.items():
    ax.hist(found.distances, bins=40, range=(0, top), histtype="step", label=name)
    print(f"{name:<40} median distance to the nearest training clip {np.median(found.distances):7.1f}")
ax.set_xlabel("log-mel distance to the nearest training clip")
ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# Listen to the three closest pairs of the best model: each generated clip, then its nearest
# training clip. Near-identical pairs would be a warning; different sounds mean the model
# makes its own.

# %%
for i, j, dist in neighbours[best].closest(3):
    show.play_row([generated[best][i], real_train.waves[j]], eval_rate,
                  labels=[f"{best} #{i}", f"nearest training clip #{j} (distance {dist:.0f})"])

# %% [markdown]
# **RMSE and SNR to the nearest training clip.** Two earlier audio-GAN projects scored their
# generators by how close each generated clip comes to a real one: the street-music GAN by the
# root-mean-square error (RMSE) of its images, the 64,000-sample dense GAN by a signal-to-noise
# ratio (SNR). `ev.rmse_to_nearest` and `ev.snr_to_nearest` compute both per clip, against the
# nearest training clip. Both reward copying: a generator that plays back its training clips gets
# RMSE 0 and an SNR that only round-off keeps finite (146 dB for the exact copies below; the
# function caps it at 200 dB), the best scores there are, while a new
# hit that sounds just as real scores like noise as soon as it starts a millisecond later than
# every training clip. The figure shows it with the copycat above, exact copies, and training
# clips delayed by 1 ms.

# %%
delay = int(round(0.001 * eval_rate))
closeness = {"real (held out)": real_held.waves[:n_eval]}
closeness.update({name: waves for name, waves in generated.items()})
closeness["copycat (1 dB down)"] = copycat
closeness["exact copies"] = real_train.waves[:n_eval]
closeness["copies delayed 1 ms"] = torch.nn.functional.pad(real_train.waves[:n_eval], (delay, 0))[:, :eval_len]
rmse = {name: ev.rmse_to_nearest(waves, real_train.waves) for name, waves in closeness.items()}
snr = {name: ev.snr_to_nearest(waves, real_train.waves) for name, waves in closeness.items()}

fig, axes = plt.subplots(1, 2, figsize=(12, 0.5 * len(closeness) + 1.5), sharey=True)
names = list(closeness)
for ax, values, label in [(axes[0], rmse, "RMSE to the nearest training clip (lower looks better)"),
                          (axes[1], {n: np.minimum(v, 60) for n, v in snr.items()},
                           "SNR to the nearest training clip, dB (higher looks better; shown up to 60)")]:
    for row, name in enumerate(names):  # a bar from the 10th to the 90th percentile, the median
        low, mid, high = np.percentile(values[name], [10, 50, 90])
        ax.plot([low, high], [row, row], color="C0", lw=3, alpha=0.5)
        ax.plot([mid], [row], "o", color="C0")
    ax.set_xlabel(label, fontsize=9)
axes[0].set_yticks(range(len(names)), names)
axes[0].invert_yaxis()
fig.tight_layout()
plt.show()
for name in names:
    print(f"{name:<40} median RMSE {np.median(rmse[name]):.4f}   median SNR {np.median(snr[name]):7.1f} dB")

# %% [markdown]
# Read the figure from the bottom: exact copies win both scores outright and the copycat nearly
# does, while the same training clips delayed by 1 ms score about the same as held-out real drums.
# RMSE has a second blind spot: a generator of quiet clips can come out *closer* than real drums,
# because quiet clips sit near the quietest training clips whatever they sound like. Neither
# number says whether a sound is a good drum; the nearest-neighbour check above says whether it
# is a copy.

# %% [markdown]
# ## 7. Pitch accuracy and pitch entropy (GANSynth)
#
# GANSynth is told which pitch to play. Two of its metrics ask whether it obeys: **pitch
# accuracy** (PA), the fraction of notes whose detected pitch equals the requested one, and
# **pitch entropy** (PE), how spread the detected pitch is within each note (0 for one steady
# pitch). GANSynth detects pitch with a classifier trained on NSynth; the course uses pYIN
# (Mauch & Dixon, 2014; `librosa.pyin`), which needs no training and is exact on clean notes:
# each frame gets a pitch or "unvoiced", a note's pitch is the median of its voiced frames,
# rounded to a MIDI number, and a note with no voiced frames is marked -1 and counted.
#
# The picture: pYIN's frame-by-frame pitch for four real toy notes, against the requested
# pitch.

# %%
from audiogan_lesson.data import toy_notes

if note_sources:
    gan_run = next(r for r in runs if r.pitches)
    note_rate, note_len = gan_run.sample_rate, gan_run.slice_len
    pitch_range = range(min(gan_run.pitches), max(gan_run.pitches) + 1)
else:  # no GANSynth run: the real notes alone, in this profile's GANSynth format
    gs = profile.scale("gansynth")
    note_rate, note_len = gs.sample_rate, gs.slice_len
    pitch_range = range(gs.pitch_min, gs.pitch_max + 1)
n_notes = min(n_eval, 200)
notes = toy_notes(n_notes, seed=1, sample_rate=note_rate, length=note_len, pitches=pitch_range)
track_real = ev.pitch_track(notes.waves, note_rate)
fig, axes = plt.subplots(1, 4, figsize=(14, 2.5), sharey=True)
for ax, i in zip(axes, range(4)):
    t = np.arange(track_real.frames.shape[1]) * 512 / note_rate
    ax.plot(t, track_real.frames[i], ".", label="pYIN per frame")
    ax.axhline(int(notes.pitches[i]), color="tab:orange", lw=1, label="requested")
    ax.set_title(f"{notes.family_names[int(notes.families[i])]}, MIDI {int(notes.pitches[i])}",
                 fontsize=9)
    ax.set_xlabel("time (s)")
axes[0].set_ylabel("MIDI pitch")
axes[0].legend(fontsize=7)
plt.show()

pitch_rows = {"real notes": (ev.pitch_accuracy(track_real, notes.pitches),
                             ev.pitch_entropy(track_real), track_real.n_unvoiced)}
for s in note_sources:
    waves, midi = s.sample(n_notes, 0)
    track = ev.pitch_track(waves, s.sample_rate)
    pitch_rows[s.name] = (ev.pitch_accuracy(track, midi), ev.pitch_entropy(track), track.n_unvoiced)
for name, (pa, pe, unvoiced) in pitch_rows.items():
    print(f"{name:<40} PA {pa:.3f}  PE {pe:.3f} nats  ({unvoiced} of {n_notes} notes without pitch)")

# %% [markdown]
# ## 8. Every model, side by side
#
# One row per model, every metric in the same format against the same references, the real
# data first. Arrows say which way is better. `NN` is the median log-mel distance from a clip to
# its nearest training clip: it should be about that of real held-out clips, not far below
# (copies) and not far above (sounds unlike the data).

# %%
reference = ev.ReferenceSet(real_train.waves, eval_rate, classifier, k=50)
table = {"real drums (held out)": reference.score(real_held.waves)}
for name, waves in generated.items():
    table[name] = reference.score(waves)
steps = {s.name: s.steps for s in sources}

note_table = {}
if note_sources:
    from audiogan_lesson.experiments import AudioSet

    notes_train = toy_notes(profile.n_train, seed=0, sample_rate=note_rate, length=note_len,
                            pitches=pitch_range)
    notes_set = AudioSet(notes_train.waves, note_rate, notes_train.families,
                         list(notes_train.family_names), "toy-notes")
    note_reference = ev.ReferenceSet(notes_train.waves, note_rate,
                                     ev.reference_classifier(notes_set, profile), k=50)
    note_table["real notes"] = note_reference.score(notes.waves)
    for s in note_sources:
        note_table[s.name] = note_reference.score(s.sample(n_eval, 0)[0])

header = (f"{'model':<40} {'steps':>6} {'IS ↑':>12} {'FD ↓':>8} {'NDB ↓':>8} {'NN':>7} "
          f"{'div.':>6} {'PA ↑':>6} {'PE ↓':>6}")
print(header)
print("-" * len(header))
for group in (table, note_table):
    for name, row in group.items():
        pa, pe, _ = pitch_rows.get(name, (None, None, None))
        pitch = f"{pa:>6.2f} {pe:>6.2f}" if pa is not None else f"{'—':>6} {'—':>6}"
        print(f"{name:<40} {steps.get(name, 0) or '':>6} {row['IS']:>6.2f} ± {row['IS_std']:<4.2f} "
              f"{row['FD']:>8.2f} {row['NDB']:>4}/{row['k']:<3} {row['NN']:>7.1f} "
              f"{row['diversity']:>6.1f} {pitch}")
print(f"\nIS out of {len(classes)} drum classes; NDB at p < 0.05; {n_eval} clips per row; "
      f"drums at {eval_rate} Hz x {eval_len} samples")

# %% [markdown]
# In the stored table, two models stand out from chance: the ten-minute WaveGAN of notebook 05
# (an inception score of 2.13, as in its run-score line above and in notebook 05, by far the
# lowest Fréchet distance of the drum models, 37.4, and a spread of sounds of 51.2, against the
# real drums' 63.9) and notebook 06's fifteen-minute GANSynth on the notes (1.73, as in
# notebook 06, against the real notes' 4.14). Among the drums, notebook 04's BCE WaveGAN
# without phase shuffle comes next (1.50, FD 82.1), then SpecGAN with nearest-neighbour
# upsampling (1.29, with the second-lowest FD, 69.5), notebook 04's run with phase shuffle
# (1.20, FD 86.2) and notebook 05's WGAN-GP WaveGAN of two and a half minutes, in the weights
# it kept from step 500 (1.11, FD 81.1). The other BCE runs of notebooks 02 and 03 put (nearly)
# every clip in one class (1.00 to 1.04), SpecGAN with cubic upsampling among them, though its
# clips differ more from each other than any other drum model's (52.3): a wide spread of sounds
# is not yet a spread of drums. NDB finds 45 to 47 of the 50 bins different for every drum
# model: none covers the drums yet. GANSynth plays the requested pitch for most of its notes
# after fifteen minutes (a pitch accuracy of 0.93 over two octaves, against 0.18 for the kept
# weights of the two-minute run, whose row shows the step of those weights; the two runs'
# inception scores, 1.73 and 1.72, barely tell them apart), though NDB still finds 39 of its
# 50 bins different from the real notes'.
#
# ## 9. The papers' figures, and why ours differ
#
# The WaveGAN paper reports inception scores on SC09 (spoken digits, ten classes) with its own
# classifier (Donahue et al., 2019, Table 1); below are its real-data score and the best score of
# each model family. They are printed beside the course's own real-data ceiling and best model.

# %%
PUBLISHED_SC09_IS = {  # Donahue et al. (2019), Adversarial Audio Synthesis, Table 1 (SC09)
    "real data (train)": 9.18,
    "WaveGAN, best (phase shuffle n=2)": 4.67,
    "SpecGAN, best": 6.03,
}
best_in_table = max(generated, key=lambda name: table[name]["IS"])
published_real = PUBLISHED_SC09_IS["real data (train)"]
print(f"{'published, SC09, 10 classes':<42} {'IS':>6} {'% of real':>10} {'chance-normalised':>18}")
for name, score in PUBLISHED_SC09_IS.items():
    print(f"{name:<42} {score:>6.2f} {100 * score / published_real:>9.0f}% "
          f"{chance_normalised(score, published_real):>18.2f}")
real_is = table["real drums (held out)"]["IS"]
print(f"\n{'this course, ' + profile.name + ' profile, toy drums, 5 classes':<42} {'IS':>6} "
      f"{'% of real':>10} {'chance-normalised':>18}")
print(f"{'real drums (held out)':<42} {real_is:>6.2f} {100:>9.0f}% {1:>18.2f}")
print(f"{best_in_table:<42} {table[best_in_table]['IS']:>6.2f} "
      f"{100 * table[best_in_table]['IS'] / real_is:>9.0f}% "
      f"{chance_normalised(table[best_in_table]['IS'], real_is):>18.2f}")

# %% [markdown]
# Only the *fraction of the real data's score* can be compared, and even that loosely; on the
# chance-normalised scale the gap is wider than the plain share suggests (the paper's WaveGAN
# 0.45, the course's best laptop drum model 0.31). What differs in the protocol:
#
# - **Data and classes.** SC09 has ten spoken digits; here five synthetic drum classes, so the
#   maximum is 5, not 10. On a GPU with SC09 present, the "Run at full scale" section scores on
#   SC09 itself.
# - **Classifier.** The paper trained its own SC09 classifier on mel spectrograms; the course's
#   classifier is a small log-mel CNN trained in seconds on the training set. Different
#   classifiers give different scores for the same sounds: an inception score only compares
#   models scored with the same classifier.
# - **Sample count and groups.** The paper scores 50,000 generated examples in 10 groups; here
#   `n_eval` examples (500 in the laptop profile), so the spread is larger.
# - **Training.** The paper trains for days at 16 kHz with d = 64; the laptop profile trains
#   minutes at reduced width and rate.
# - **Real data.** The paper's real-data row scores the training set; the course scores
#   held-out examples, the honest ceiling for a generator (which also never sees them).
#
# ## 10. Listen: a blind A/B test
#
# Numbers are proxies; the papers also asked people. In each trial below you hear A and B, one
# real drum and one generated by the model with the lowest Fréchet distance, in random order.
# Pick the one you think is real. After the last trial the table shows your answers and how
# likely such a score is for someone guessing. (In a static copy of this notebook the widget
# does not appear; the cell after it shows the scoring with a simulated listener.)

# %%
from audiogan_lesson import widgets

closest = min(generated, key=lambda name: table[name]["FD"])
ab = widgets.listening_test_widget(real_held.waves, generated[closest], eval_rate, n_trials=10, seed=0)
display(ab)

# %% [markdown]
# The same scoring, played by a "listener" that trusts the classifier: it calls the clip the
# classifier is more confident about real. How often that listener is right says how easy the
# model's clips are to tell apart *for the classifier*; your own score says it for your ears.

# %%
test = widgets.ListeningTest(real_held.waves, generated[closest], eval_rate, n_trials=10, seed=0)
while not test.done:
    a, b = test.clips()
    confidence = ev.classifier_probs(classifier, torch.stack([a, b])).max(axis=1)
    test.answer("A" if confidence[0] >= confidence[1] else "B")
display(HTML(f"<b>classifier-as-listener, {closest}</b>" + test.table()))

# %% [markdown]
# **A mean opinion score.** The dense GAN's report asked listeners for a mean opinion score
# (MOS): each clip on its own, rated from 1 (bad) to 5 (excellent), the average per source. The
# widget below plays real and generated clips shuffled together, without saying which is which;
# after the last one it shows each source's mean with a 95% confidence interval (Student's t)
# and saves every rating to a CSV file in this notebook's runs folder. Eight clips per source
# give wide intervals; rate more (`n_per_source`) before you compare two models.

# %%
mos_csv = runs_dir("07_evaluation", profile) / "mos_ratings.csv"
mos = widgets.mos_test_widget({"real": real_held.waves, closest: generated[closest]}, eval_rate,
                              n_per_source=8, seed=0, csv_path=mos_csv)
display(mos)

# %% [markdown]
# In a static copy the widget is not there; the same scoring with a simulated rater that gives
# each clip 1 + 4 x the classifier's top probability (rounded) shows what the results look like.
# It measures the classifier's confidence, not anybody's ears.

# %%
rater = widgets.MOSTest({"real": real_held.waves, closest: generated[closest]}, eval_rate,
                        n_per_source=8, seed=0)
while not rater.done:
    top = ev.classifier_probs(classifier, rater.clip()[None]).max()
    rater.rate(int(round(1 + 4 * float(top))))
display(HTML("<b>simulated rater (classifier confidence)</b>" + rater.table()))
print(rater.summary())
print(f"ratings saved to {rater.to_csv(runs_dir('07_evaluation', profile) / 'mos_simulated.csv').name}")

# %% [markdown]
# ## 11. Explore the latent space
#
# A generator maps a latent vector `z` to a sound. Moving `z` along a direction changes the
# sound gradually if the model has learnt a smooth space. The sliders move `z` along four random
# orthogonal directions; the sound and its spectrogram follow (in a live notebook). Below them,
# a static walk: eight steps on the straight line between two latents. The model is the
# unconditional one with the highest inception score: a model that makes one sound for every
# latent would show a walk where nothing changes.

# %%
explorable = [s for s in drum_sources if s.generate is not None]  # unconditional models
# the one with the highest inception score: its samples spread over the kinds of drum
pick = max(explorable, key=lambda s: ev.inception_score(probs_of[s.name])[0], default=None)
if pick is None:
    print("no unconditional model to explore")
else:
    latent_dim = 100  # WaveGAN/SpecGAN/dense latent size (Donahue et al., Table 3)
    explorer = widgets.LatentExplorer(pick.generate, latent_dim, k=4, seed=0)
    display(HTML(f"<b>{pick.name}</b>"))
    display(widgets.latent_explorer_widget(explorer, pick.sample_rate))
    g = torch.Generator().manual_seed(3)
    z0, z1 = torch.rand(2, latent_dim, generator=g) * 2 - 1
    fig, walk = widgets.plot_interpolation(pick.generate, z0, z1, pick.sample_rate, steps=8)
    plt.show()
    show.play_row(walk[::2], pick.sample_rate, labels=[f"step {i}" for i in range(0, 8, 2)])

# %% [markdown]
# What to take away:
#
# - The **inception score** rewards recognisable, varied clips but never looks at the real
#   data; the **Fréchet distance** and **NDB** compare with it, NDB bin by bin.
# - Every number needs the **real-data row**: a finite real sample is not perfect either.
# - Good numbers can come from **copying**: check nearest neighbours, and listen to the pairs.
# - Numbers from different classifiers, datasets or sample counts do not compare; the papers'
#   figures are a guide to the *gap* between models and real data, not a target.
# - Your ears are the last word: the A/B test is the measurement the metrics try to predict.

# %% [markdown]
# ## Run at full scale
#
# On a GPU (the `gpu` profile) the notebooks 02-06 train at paper size and this notebook finds
# their runs in the same runs folder (on Colab the setup cell's `KEEP_ON_DRIVE` keeps
# them on Google Drive). For the paper's protocol, fetch SC09, train the
# models on it (`python -m audiogan_lesson train wavegan --data sc09 ...`), and score them with
# the SC09 classifier: a mel spectrogram with n_fft 1024, hop 128 and 128 bins, then four conv
# blocks, trained once and cached. The cell below trains or loads it when SC09 is present, and
# says so when it is not.

# %%
sc09 = ev.sc09_classifier(profile)
if sc09 is not None:
    print(f"SC09 classifier ready: held-out accuracy {sc09.val_accuracy:.3f}")

# %% [markdown]
# With `sc09` in hand, use it in place of `classifier` above (the evaluation format is then
# 16384 samples at 16 kHz, and `real_train` the SC09 training split from
# `load_audio_set("sc09", ...)`), and set `n_eval` to 50,000 for the paper's sample count:
#
# ```python
# from audiogan_lesson.experiments import load_audio_set
# real_train = load_audio_set("sc09", 20000, 16000, 16384, seed=0)
# reference = ev.ReferenceSet(real_train.waves, 16000, sc09, k=50)
# waves, _ = sample_run(run, 50000, seed=0, device=profile.device)
# print(reference.score(ev.to_format(waves, run.sample_rate, 16000, 16384)))
# ```
