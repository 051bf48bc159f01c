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
# # 02 · The GAN game, and a dense baseline that struggles
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/audiogan-lesson/audiogan-lesson/blob/v0.1.0/solutions/02_dense_gan_baseline.ipynb)
#
# A generative adversarial network (GAN; Goodfellow et al., 2014) is two networks in a game.
# The **generator** G turns random numbers into examples; the **discriminator** D tries to tell
# those fakes from real examples. D learns to catch G; G learns to fool D. When the game goes
# well, G's examples end up looking (and sounding) like the data.
#
# **In this notebook you will**
# - watch the game on numbers you can plot: a one-dimensional GAN;
# - write the two losses of the game: the discriminator's binary cross-entropy and the
#   generator's *non-saturating* loss;
# - train the simplest audio GAN, a stack of dense layers, on synthetic drum hits, and listen;
# - measure what goes wrong (noise, collapse) with the inception score and a diversity statistic
#   you write, and try two tricks from the literature: one-sided label smoothing and two
#   generator steps per discriminator step;
# - read a measured table of twelve more: the stabilisation tricks of the street-music GAN and
#   the changes of the GTZAN classical GAN, each on the same budget.
#
# Code behind this notebook: `audiogan_lesson.losses`, `audiogan_lesson.training`,
# `audiogan_lesson.models.dense`, `audiogan_lesson.evaluation`.

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

from audiogan_lesson import display as show
from audiogan_lesson.profiles import get_profile, seed_everything
from audiogan_lesson.runs import runs_dir

profile = get_profile()
print(profile.summary())
seed_everything(0)

# %% [markdown]
# ## 1. The game, in one dimension
#
# Real data: numbers drawn from two bumps, around -2 and +2. The generator maps a random
# number `z` to a number `x`; the discriminator outputs a *logit*, a score whose sigmoid is
# its belief that `x` is real. We train both with the course's `Trainer` (the same loop that
# trains every audio model later) and, every few steps, draw:
#
# - the histogram of real numbers (grey) and of generated numbers (orange);
# - the discriminator's belief D(x) = sigmoid(logit) across x (blue).
#
# Watch D push its curve up where real data is and down where fakes are, and G move its
# numbers toward where D says "real".

# %%
from torch import nn

from audiogan_lesson.training import TrainConfig, Trainer

rng = torch.Generator().manual_seed(0)
n_real = 4096
centres = torch.where(torch.rand(n_real, generator=rng) < 0.5, -2.0, 2.0)
real_1d = (centres + 0.4 * torch.randn(n_real, generator=rng)).unsqueeze(1)

g_1d = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
d_1d = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2),
                     nn.Linear(32, 1), nn.Flatten(0))
snapshots = []
grid = torch.linspace(-4, 4, 200).unsqueeze(1)


def snapshot(trainer, step, samples):
    with torch.no_grad():
        belief = torch.sigmoid(trainer.discriminator(grid.to(trainer.device))).cpu()
    snapshots.append((step, trainer.sample(1000, seed=1).cpu().squeeze(1), belief))


steps_1d = {"smoke": 20, "laptop": 1500, "gpu": 1500}[profile.name]
game = Trainer(g_1d, d_1d, real_1d, TrainConfig(loss="bce", latent_dim=4, latent="normal",
               batch_size=128, lr_g=1e-3, lr_d=1e-3, steps=steps_1d, autocast=False,
               preview_every=max(1, steps_1d // 3), log_every=10), device="cpu", preview=snapshot)
snapshot(game, 0, None)
game.train(progress=False)

fig, axes = plt.subplots(1, len(snapshots), figsize=(4 * len(snapshots), 3), sharey=True)
for ax, (step, fake, belief) in zip(axes, snapshots):
    ax.hist(real_1d.squeeze(1).numpy(), bins=60, range=(-4, 4), density=True, color="0.7", label="real")
    ax.hist(fake.numpy(), bins=60, range=(-4, 4), density=True, color="tab:orange", alpha=0.7, label="G(z)")
    ax.plot(grid.squeeze(1), belief, color="tab:blue", label="D(x)")
    ax.set_title(f"step {step}")
    ax.set_xlabel("x")
axes[0].legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# In the stored run the generator has found only the bump at -2 by step 500 and stays there to
# step 1,500, its numbers piling into an ever narrower spike, while D's belief climbs to 1 over
# the bump at +2 that G never visits: G has **collapsed** onto one of the two modes. D's curve
# knows where the missing mode is, but near -2 it says about 0.4 for real and fake alike, so G
# gets no push to leave.

# %% [markdown]
# ## 2. The losses of the game
#
# D is a binary classifier: label 1 for real, 0 for fake. With logits `l` and
# `D(x) = sigmoid(l)`, its binary cross-entropy loss is
#
# $$L_D = -\mathbb{E}_{x \sim \text{real}}\,\log D(x) \;-\; \mathbb{E}_{z}\,\log\big(1 - D(G(z))\big).$$
#
# The original minimax game gives G the opposite loss, $\mathbb{E}_z \log(1 - D(G(z)))$. Early
# in training D rejects fakes easily, $D(G(z)) \approx 0$, and that loss is flat there: G gets
# almost no gradient. Goodfellow et al. therefore train G to *maximise* $\log D(G(z))$ instead:
# the **non-saturating** loss
#
# $$L_G = -\mathbb{E}_z\,\log D(G(z)),$$
#
# the same fixed point, with strong gradients exactly when G is losing. Work with logits and
# `F.binary_cross_entropy_with_logits`, which is exact where `log(sigmoid(l))` would round to
# `log(0)`.
#
# **Exercise 2.1.** Write `discriminator_loss(real_logits, fake_logits)`: the mean BCE of real
# logits against 1 plus the mean BCE of fake logits against 0.
#
# **Exercise 2.2.** Write `generator_loss(fake_logits)`: the non-saturating generator loss.

# %%
def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """BCE loss of the discriminator: real examples labelled 1, fakes labelled 0."""
    # BEGIN SOLUTION Exercise 2.1: mean BCE-with-logits of real logits against 1 plus fake logits against 0
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake
    # END SOLUTION


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss: -log D(G(z)), from the discriminator's logits on fakes."""
    # BEGIN SOLUTION Exercise 2.2: the non-saturating loss, BCE-with-logits of fake logits against 1
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    # END SOLUTION


# %%
from audiogan_lesson.exercises import check_discriminator_bce, check_generator_bce

check_discriminator_bce(discriminator_loss)
check_generator_bce(generator_loss)

# %% [markdown]
# Why "non-saturating"? Plot both generator losses against D's belief that a fake is real.
# Where G is losing (left), the minimax loss is flat and its gradient vanishes; the
# non-saturating loss is steep.

# %%
d_of_fake = torch.linspace(0.001, 0.999, 300)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(d_of_fake, torch.log(1 - d_of_fake), label="minimax: log(1 - D(G(z)))  (G minimises)")
ax.plot(d_of_fake, -torch.log(d_of_fake), label="non-saturating: -log D(G(z))")
ax.set_xlabel("D(G(z)): D's belief that a fake is real")
ax.set_ylabel("generator loss")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 3. The data: toy drum hits
#
# From here on the course package's own losses (`audiogan_lesson.losses`) are used. The data
# are synthetic drum hits, five classes with random tuning, decay and level (notebook 01 shows
# how they are made). The dense model sees each example as one long vector of samples, so we
# keep examples short in the laptop profile.

# %%
from audiogan_lesson.experiments import make_experiment

exp = make_experiment("dense", "toy-drums", profile, loss="bce")
real = exp.real
sr = real.sample_rate
print(f"{real.waves.shape[0]} examples of {real.waves.shape[1]} samples at {sr} Hz "
      f"({real.waves.shape[1] / sr:.2f} s); classes: {', '.join(real.classes)}")
first_of_each = [int((real.labels == k).nonzero()[0]) for k in range(len(real.classes))]
show.play_row([real.waves[i] for i in first_of_each], sr, labels=real.classes)

# %% [markdown]
# ## 4. A dense generator and discriminator
#
# The baseline that first audio-GAN projects often start from: the generator maps a latent vector through
# dense layers of 512, 512, 1024 and 1024 units (ReLU) to one output per sample (tanh); the
# discriminator maps the samples through 1024, 512 and 256 units (LeakyReLU, dropout) to one
# logit. At full size, for 16384 samples:

# %%
# NBVAL_CHECK_OUTPUT
from audiogan_lesson.models.dense import DenseDiscriminator, DenseGenerator
from audiogan_lesson.models.summary import count_parameters

full_g, full_d = DenseGenerator(slice_len=16384, width=1024), DenseDiscriminator(slice_len=16384, width=1024)
print(f"generator:     {count_parameters(full_g):>11,} parameters")
print(f"discriminator: {count_parameters(full_d):>11,} parameters")

# %% [markdown]
# The source generated 4 seconds at 16 kHz, 64,000 samples (`python -m audiogan_lesson train
# dense --slice-len 64000 --sample-rate 16000` builds it). Its output layer alone then holds
# 1024 x 64,000 weights:

# %%
# NBVAL_CHECK_OUTPUT
long_g, long_d = DenseGenerator(slice_len=64000, width=1024), DenseDiscriminator(slice_len=64000, width=1024)
print(f"64,000 samples: generator {count_parameters(long_g):,}, discriminator "
      f"{count_parameters(long_d):,} parameters")
del long_g, long_d

# %% [markdown]
# Almost all of those parameters sit in the last generator layer and the first discriminator
# layer: every output sample has its own 1024 weights, and nothing tells the model that a
# sound at sample 100 is the same sound at sample 5000. Convolutions (notebooks 03 and 04) share
# weights across time; dense layers cannot. In this profile the model is scaled down:

# %%
print(f"profile {profile.name}: width {exp.scale.width}, {exp.scale.slice_len} samples, "
      f"batch {exp.config.batch_size}, up to {exp.config.steps} steps or "
      f"{exp.config.max_seconds:.0f} s")
print(f"generator {count_parameters(exp.generator):,} and discriminator "
      f"{count_parameters(exp.discriminator):,} parameters")

# %% [markdown]
# ## 5. Train it
#
# One step is one discriminator update on a real and a fake batch, then one generator update.
# The cell *trains or loads*: checkpoints go to a runs folder, and re-running the cell after
# the run is complete loads the last one instead of training again.

# %%
trainer = exp.trainer(runs_dir("02_dense_bce", profile))
trainer.train(resume=True)
print(f"step {trainer.step}, {trainer.seconds:.0f} s of training, "
      f"{trainer.step / max(trainer.seconds, 1e-9):.1f} steps/s")

# %% [markdown]
# The losses tell a story. If `d_acc` (the discriminator's accuracy on a batch) sits near 1.0
# and `g_loss` keeps rising, D has won and G learns little; if D's accuracy hovers near 0.5
# while the samples are still bad, D has given up.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
show.plot_history(trainer.history, ["d_loss", "g_loss"], ax=axes[0], title="losses")
show.plot_history(trainer.history, ["d_acc", "d_real", "d_fake"], ax=axes[1],
                  title="D accuracy and mean belief on real / fake")
plt.show()

# %% [markdown]
# In the stored run D's accuracy rises to about 0.72 by step 200, then falls **below chance**
# from step 350 and stays between 0.16 and 0.36 from step 650 on: D believes the fakes
# more than the real drums (its mean belief on fakes reaches 0.84 at step 700, while from step
# 800 on real examples get 0.42-0.51), and `d_loss` peaks at 3.3. That is neither D winning nor D
# giving up, but D fooled by a generator that hops from one sound to another faster than D can
# follow.
#
# Listen, and look. A dense generator typically makes noise, and often the same sound over and
# over. In the stored run all eight are broadband noise at a steady level from start to end,
# without the attack and decay of the real drums below, and they look almost alike.

# %%
fake = exp.to_audio(trainer.sample(8))
show.play_row(fake[:4], sr, labels=[f"dense #{i}" for i in range(4)])
show.plot_grid(fake, sr, kind="spectrogram", cols=4, titles=[f"generated #{i}" for i in range(8)])
plt.show()
show.plot_grid(real.waves[first_of_each], sr, kind="spectrogram", cols=5, titles=real.classes)
plt.show()

# %% [markdown]
# ## 6. Measuring it: the inception score
#
# Listening does not scale, so the WaveGAN paper uses the **inception score** (IS): train a
# classifier on the real data, run it on generated examples, and score
# $\exp\big(\mathbb{E}_x\, \mathrm{KL}(p(y\mid x)\,\|\,p(y))\big)$. It is high when each
# example is confidently one class (recognisable) *and* the classes are used evenly (varied);
# it ranges from 1 to the number of classes. The real data's own IS is the ceiling.

# %%
from audiogan_lesson.evaluation import classifier_probs, inception_score, reference_classifier

classifier = reference_classifier(exp.real, profile)
n_eval = min(profile.n_eval, real.waves.shape[0])
is_real = inception_score(classifier_probs(classifier, real.waves[:n_eval]))
is_dense = inception_score(classifier_probs(classifier, exp.to_audio(trainer.sample(n_eval))))
print(f"classifier accuracy on held-out real drums: {classifier.val_accuracy:.2f}")
print(f"IS real drums:   {is_real[0]:.2f} ± {is_real[1]:.2f}  (ceiling; {len(real.classes)} classes)")
print(f"IS dense GAN:    {is_dense[0]:.2f} ± {is_dense[1]:.2f}  ({100 * is_dense[0] / is_real[0]:.0f}% of real)")

# %% [markdown]
# An IS of 1.00 is the least any set can score: the classifier puts every generated sound in
# the same class. Five classes make that read as 21% of real; read against chance,
# (IS - 1) / (IS_real - 1), it is 0 (section 9's table uses that scale).
#
# ## 7. Detecting collapse
#
# *Mode collapse* is G making nearly the same output whatever `z` is: D then learns to reject
# that one output, G jumps to another, and the game chases its tail. The inception score sees
# it only when the collapsed sound is confidently one class. A direct check: how different are
# the examples of a batch from one another?
#
# **Exercise 2.3.** Write `diversity(waves)`: for a batch `(N, samples)`, the mean distance
# between pairs of *different* examples, after normalising each example to unit RMS (so that
# a quiet batch is not mistaken for a collapsed one). 0 means every example is the same.

# %%
def diversity(waves: torch.Tensor) -> float:
    """Mean pairwise L2 distance between distinct examples of ``waves`` (N, samples), each at unit RMS."""
    # BEGIN SOLUTION Exercise 2.3: normalise each example to unit RMS, then average the distances between distinct pairs
    x = waves.reshape(waves.shape[0], -1).float()
    x = x / x.pow(2).mean(dim=1, keepdim=True).sqrt().clamp_min(1e-8)
    distances = torch.cdist(x, x)
    n = x.shape[0]
    return float(distances.sum() / (n * (n - 1)))
    # END SOLUTION


# %%
from audiogan_lesson.exercises import check_diversity

check_diversity(diversity)

# %%
from audiogan_lesson.evaluation import diversity as course_diversity

print(f"diversity of real drums:   {course_diversity(real.waves[:64]):.2f}")
print(f"diversity of dense GAN:    {course_diversity(fake):.2f}")
print(f"a collapsed batch (8 copies of one drum): {course_diversity(real.waves[:1].repeat(8, 1)):.2f}")

# %% [markdown]
# ## 8. Two tricks, tried honestly
#
# Two common remedies:
#
# - **One-sided label smoothing** (Salimans et al., 2016): train D toward 0.9 instead of 1 on
#   real examples, so that it cannot become infinitely confident; fakes keep the target 0.
# - **Two G steps per D step**: give the generator more updates when D wins too easily.
#
# Each run below gets the same budget as the baseline. Same seed, same data; only the trick
# changes.

# %%
variants = {"baseline": {}, "label smoothing 0.1": {"label_smoothing": 0.1},
            "2 G steps per D step": {"g_steps_per_d": 2}}
results = {}
for name, change in variants.items():
    if name == "baseline":
        run = trainer
    else:
        variant = make_experiment("dense", "toy-drums", profile, loss="bce", **change)
        run = variant.trainer(runs_dir("02_dense_" + name.replace(" ", "_"), profile))
        run.train(resume=True, progress=False)
    audio = exp.to_audio(run.sample(n_eval))
    last = run.history[-1]
    results[name] = (inception_score(classifier_probs(classifier, audio))[0],
                     course_diversity(audio[:64]), last["d_acc"], audio[:4])

print(f"{'run':<22} {'IS':>6} {'% of real':>10} {'diversity':>10} {'final D acc':>12}")
for name, (score, div, acc, _) in results.items():
    print(f"{name:<22} {score:>6.2f} {100 * score / is_real[0]:>9.0f}% {div:>10.2f} {acc:>12.2f}")
print(f"{'real drums':<22} {is_real[0]:>6.2f} {100:>9.0f}% {course_diversity(real.waves[:64]):>10.2f}")

# %%
for name, (_, _, _, audio) in results.items():
    show.play_row(audio, sr, labels=[f"{name} #{i}" for i in range(len(audio))])

# %% [markdown]
# In the stored table all three runs score IS 1.00 (0 against chance) and end with D's
# accuracy below 0.5 (0.36, 0.36, 0.43); the tricks change only how varied the noise is
# (diversity 12-17 against the real drums' 91). What to take away: the tricks move the numbers
# a little, but none fixes the model. A dense
# generator must learn every sample position separately, and a dense discriminator judges a
# waveform without any notion of "the same pattern, a bit later". The next notebooks replace
# both with convolutions: SpecGAN on spectrogram images (03) and WaveGAN on raw audio (04).
# Notebook 05 then replaces the BCE game itself with the Wasserstein loss.

# %% [markdown]
# ## 9. The table of tricks, measured
#
# Projects of this kind reach for many more remedies. A street-music GAN added noise to the
# discriminator's inputs, a gradient penalty on its BCE discriminator, gradient clipping and a
# dynamic weighting of the real and fake losses; the GTZAN classical GAN tried a bigger latent,
# more hidden units, batch norm, separate learning rates and other clip lengths, and wrote that
# none of them got it past noise. Each is an option here, off by default (`TrainConfig`'s
# `instance_noise`, `bce_gp_weight` with `bce_gp_kind`, `grad_clip_value`, `grad_clip_norm`,
# `dynamic_weighting`; `model_options={"batch_norm": True}` or `{"latent_dim": 256}`; the
# profile's width and `slice_len`). The dynamic weighting is the street-music report's own rule:
# the discriminator's loss is `(1 - mean D(real)) * BCE_real + mean D(fake) * BCE_fake`, so each
# half counts as much as the discriminator is currently wrong on it.
#
# Fifteen runs do not fit this notebook's few minutes, so the table was measured once with
# `python -m audiogan_lesson.tricks_table` in the laptop profile (on a CPU, one thread per run,
# fifteen runs at a time) and ships with the course. Every row is the baseline of section 5 with
# one change, trained for the same 1500 steps (no time limit) with the same two seeds, and
# scored the same way: the inception score of 500 samples under the classifier of section 6,
# chance-normalised as $(\mathrm{IS}-1)/(\mathrm{IS}_\text{real}-1)$ (0: every sound in one
# class, as chance would do at best; 1: the real drums), the diversity of section 7, and the
# discriminator's last accuracy. Set `REMEASURE = True` to measure it again on your machine.

# %%
from audiogan_lesson import tricks_table

REMEASURE = False
result = (tricks_table.measure(profile.name, seeds=(0, 1)) if REMEASURE else tricks_table.load())
print(f"profile {result['profile']}, {result['model']} on {result['data']}, loss {result['loss']}: "
      f"{result['steps']} steps, batch {result['batch_size']}, seeds {result['seeds']}, "
      f"{result['n_eval']} samples scored")
print(f"measured with: {result['command']}\n")
print(tricks_table.format_table(result))

# %% [markdown]
# What the table says, for this model and budget: none of the fourteen changes makes drums.
# Every row stays at or near 0 on the chance-normalised score, as the GTZAN report found on
# classical music. Two changes move something else: the R1 penalty on real data and batch norm
# make the generator's sounds far more varied (diversity 71 and 75, near the real drums' 91,
# where the other rows stay between 4 and 35), and the gradient penalties leave a discriminator
# that is right most of the time (accuracy 0.70-0.88) rather than one below chance, like the
# baseline's 0.30. Varied noise is still noise. The lesson of notebooks 03-05 is that the
# architecture and the loss matter more than any of these knobs: convolutions that share weights
# across time, and the Wasserstein loss with its gradient penalty.

# %% [markdown]
# ## Run at full scale
#
# In the `gpu` profile the cells above build the dense model at its full size (widths
# 512-512-1024-1024, 16384 samples at 16 kHz) and train each run for four minutes, so that the
# notebook ends within a quarter of an hour on one GPU. A full run (20,000 steps on the real SC09
# digits, downloaded on first use) takes hours: it goes through the command line, which writes a
# checkpoint every 500 steps and continues from the newest with `--resume` after an interruption.
# On Colab the setup cell keeps the runs on Google Drive (`KEEP_ON_DRIVE`, on by default with a
# GPU), so that a disconnect loses nothing.
#
# The cell below prints the command, with the run folder this notebook looks in, and plays the
# run once it is there; `generate` writes wav files from any of its checkpoints.

# %%
from audiogan_lesson.runs import full_scale_run, sample_run

full = full_scale_run("02_dense_sc09", "dense --data sc09 --loss bce")
if full is not None:
    waves, _ = sample_run(full.path, 4)
    show.play_row(waves, full.meta["sample_rate"])
