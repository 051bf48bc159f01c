"""Recipes: how each model of the course is trained, the papers' values written once (notebooks 02-06).

A :class:`Recipe` is what a model changes from the package's defaults: :class:`TrainConfig`
fields (``train``), generator and discriminator options (``generator``, ``discriminator``; the
fields of the models' config dataclasses), and the representation's options
(``representation``, such as ``preemphasis`` for waveforms). The defaults themselves are the
WaveGAN/SpecGAN paper's (Donahue et al. 2019, Table 3: ``TrainConfig`` and the model configs),
so WaveGAN's and SpecGAN's recipes are empty; GANSynth's is its paper's hparams (Engel et al.
2019, ``configs/mel_prog_hires.py``).

A profile scales a model (width, batch, clip length, budget; :mod:`profiles`). Where a small
budget needs another recipe, the change is a named :class:`Recipe` here, in
:data:`PROFILE_CHANGES`, with the measurements that chose it in the notebook that trains it.
:func:`recipe_for` puts the two together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Recipe:
    """Changes from the defaults: ``train`` (TrainConfig fields), ``generator`` and
    ``discriminator`` (model config fields), ``representation`` (its options)."""

    train: Mapping[str, Any] = field(default_factory=_frozen)
    generator: Mapping[str, Any] = field(default_factory=_frozen)
    discriminator: Mapping[str, Any] = field(default_factory=_frozen)
    representation: Mapping[str, Any] = field(default_factory=_frozen)

    def __post_init__(self) -> None:
        for part in ("train", "generator", "discriminator", "representation"):
            object.__setattr__(self, part, _frozen(getattr(self, part)))

    def then(self, changes: "Recipe | None") -> "Recipe":
        """This recipe with ``changes`` on top (their values win)."""
        if changes is None:
            return self
        return Recipe(**{part: {**getattr(self, part), **getattr(changes, part)}
                         for part in ("train", "generator", "discriminator", "representation")})


# ----------------------------------------------------------------------------- the papers

DENSE = Recipe()  # the dense baseline of notebook 02: TrainConfig's defaults, loss chosen per run
WAVEGAN = Recipe()  # Donahue et al. 2019: every value is a default of TrainConfig and the configs
SPECGAN = Recipe()
SPECGAN_MEL = Recipe()  # the mel-image GAN is SpecGAN's design on mel images: SpecGAN's recipe
GANSYNTH = Recipe(
    # Engel et al. 2019: WGAN-GP with one critic step, drift 0.001, an auxiliary pitch classifier
    # of weight 10 trained on real notes, Adam(8e-4, 0, 0.99), EMA 0.999, normal latents, pitch
    # conditioning
    train=dict(n_critic=1, lr_g=8e-4, lr_d=8e-4, betas=(0.0, 0.99), drift=0.001, aux_weight=10.0,
               aux_fake_in_d=False, ema_decay=0.999, latent="normal", conditional=True),
)
# PianoGAN (the source report): WaveGAN's design and training over notes, with the Wasserstein
# loss; every value is a default of TrainConfig and the configs
PIANOGAN = Recipe()

PAPER: Mapping[str, Recipe] = _frozen(
    {"dense": DENSE, "wavegan": WAVEGAN, "specgan": SPECGAN, "specgan-mel": SPECGAN_MEL,
     "gansynth": GANSYNTH, "pianogan": PIANOGAN})

# The street-music mel-image GAN's training (the course's source reports, UrbanSound8K): BCE
# with one-sided label smoothing 0.1, two generator updates per step, noise of 0.02 on the
# discriminator's inputs, a one-sided gradient penalty of weight 25, its gradients clipped at 0.5
# and the real and fake losses weighted dynamically (training.tricks). With loss="bce":
# make_experiment("specgan", "urbansound8k_street_music", representation="mel-image",
# loss="bce", recipe=STREET_MUSIC) (notebook 03's "Run at full scale").
STREET_MUSIC = Recipe(train=dict(label_smoothing=0.1, g_steps_per_d=2, instance_noise=0.02,
                                 bce_gp_weight=25.0, bce_gp_kind="one-sided",
                                 grad_clip_value=0.5, dynamic_weighting=True))

# Class-conditional WaveGAN and SpecGAN (a course option, off by default; notebook 09,
# models.conditional): the generator's one-hot label and the discriminator's projection or
# auxiliary classifier. AC-GAN's classifier loss has weight 1 and also trains on fakes (Odena et
# al. 2017; GANSynth's is 10 on real notes only, beside a single pitch-conditioned critic).
# Both keep the best checkpoint by the per-class score of a selection classifier every 500
# steps (training.selection, evaluation.selection.class_score).
CONDITIONAL: Mapping[str, Recipe] = _frozen({
    "projection": Recipe(train=dict(conditional=True, select_every=500),
                         discriminator=dict(conditioning="projection")),
    "acgan": Recipe(train=dict(conditional=True, aux_weight=1.0, aux_fake_in_d=True,
                               select_every=500),
                    discriminator=dict(conditioning="acgan")),
})

# ----------------------------------------------------------------------------- small budgets

# WaveGAN with WGAN-GP on 2 cores: 2 critic steps, Adam 3e-4, batch norm in G, an EMA of G
# (0.99) and pre-emphasis 0.9, the best-scoring setting of the ones measured (notebook 05 says
# what each change bought).
LAPTOP_WAVEGAN_WGAN = Recipe(train=dict(n_critic=2, lr_g=3e-4, lr_d=3e-4, ema_decay=0.99),
                             generator=dict(batch_norm=True),
                             representation=dict(preemphasis=0.9))
# GANSynth in 15 minutes over two octaves: an EMA that forgets faster (0.99), the one-hot pitch
# weighted as the whole latent (pitch_scale 16), so that the generator follows the pitch, and a
# projection critic (models.gansynth, projection) instead of the paper's auxiliary pitch
# classifier (aux_weight 0). The generator fooled the classifier long before pYIN heard the
# requested pitch (its loss on the fakes near 0.01 at step 3,000, when pYIN found the pitch in
# fewer than one note in ten), and the critic's score ignored the pitch; with the projection
# term the critic asks whether a note is real *at its pitch*. Fifteen-minute runs on two cores
# (one thread, two jobs at a time; pitch accuracy of 200 notes): the classifier alone 30%, the
# classifier and projection 74% (5,961 steps), projection alone 88% (4,894 steps). The run keeps
# its best weights by pitch accuracy, scored every 500 steps
# (evaluation.selection.pitch_selection). Notebook 06.
LAPTOP_GANSYNTH = Recipe(train=dict(ema_decay=0.99, select_every=500, aux_weight=0.0),
                         generator=dict(pitch_scale=16.0),
                         discriminator=dict(projection=True))

# PianoGAN with BCE on 2 cores: Adam 3e-4, and the discriminator also sees each note's pitch
# class (cos and sin of 6 harmonics of the octave and the magnitudes of their means,
# models.pianogan.PitchClassFeatures). So trained for 200 seconds, its notes had an in-key rate
# of 0.78 (real pieces 0.97, uniform noise 0.66). WGAN-GP runs with or without the pitch
# classes (n_critic 2 or 5, Adam 1e-4 or 3e-4, batch norm, EMA) stayed at 0.66-0.67: the
# gradient penalty forbids the steep steps that pitch classes are (models.pianogan), so WGAN-GP
# keeps the paper's recipe (notebook 08).
LAPTOP_PIANOGAN_BCE = Recipe(train=dict(lr_g=3e-4, lr_d=3e-4),
                             discriminator=dict(pitch_classes=6))


def pitch_encoding(name: str) -> Recipe:
    """The PianoGAN recipe change that gives notes with ``pitch_encoding=name`` to the
    representation and both models alike (:class:`representations.NoteFeatures`)."""
    return Recipe(generator=dict(pitch_encoding=name), discriminator=dict(pitch_encoding=name),
                  representation=dict(pitch_encoding=name))


# PianoGAN with WGAN-GP on 2 cores: the pitch class as 12 one-hot channels beside the pitch
# (a softmax in G; representations.NoteFeatures), since the scalar pitch has to be within about
# 0.4 semitone (0.009 of its [-1, 1]) for notes to keep to a key, and the scalar generator's
# pitches fell between whole keys no closer than chance: after 4-5 minutes (one thread, two
# jobs at a time) its notes were in key as often as uniform noise's (0.66; real pieces 0.98).
# With the pitch classes, 5-minute runs ended at 0.78-0.89 in key (five runs; with the
# softmax's logits times 4, classes nearer one-hot, 0.75-0.96 in three more: no difference
# shown, so the plain softmax stays), against 0.83 for 85% of the real pieces' rate; two of
# four runs of the `train` command itself were better at step 500 (about 2 minutes: 0.84 and
# 0.86 in key, W1 pitch a quarter of uniform noise's) than at their end. The spread of the
# pitches swings from checkpoint to checkpoint between too narrow and too wide: W1 pitch ended
# at 0.26-0.72 of noise's (a third or less in two runs of eight), while W1 step and duration
# stayed under a fifth of noise's. Two critic steps with Adam 3e-4 and an EMA of 0.99 (WaveGAN's
# laptop recipe) spread the pitches wider than noise's; an EMA of 0.99 alone kept fewer notes in
# key (0.68). So the run keeps its best weights, scored every 100 steps
# (evaluation.selection.note_selection): `train pianogan --data toy-piano --minutes 5` made
# 1,405 steps, kept step 600 (its later scores were worse), and `generate --n 200` from it gave
# 0.92 in key (94% of the real pieces' rate) with W1 pitch, step and duration at 0.19, 0.18 and
# 0.06 of noise's. Notebook 08 shows a run.
LAPTOP_PIANOGAN_WGAN = pitch_encoding("pitch_class").then(Recipe(train=dict(select_every=100)))

# WaveGAN with WGAN-GP on a GPU: the gradient penalty's double backward under the step's bf16
# autocast. On an H200 the gpu profile's training ran at 12.6 steps/s against 8.1 with the
# penalty in fp32, and a 40-second laptop-size run scored 29% of the real drums' inception score
# against 26% (one seed each: no loss seen). `train --gp-precision fp32` goes back.
GPU_WAVEGAN_WGAN = Recipe(train=dict(gp_precision="autocast"))

# The class-conditional WaveGAN with WGAN-GP on 2 cores, on top of the laptop WaveGAN's recipe:
# one critic step per generator step (GANSynth's choice), so a step costs half as much (17.9
# steps/s against 9.4 on a two-core EPYC), and pre-emphasis 0.5 instead of 0.9. In ten minutes
# with two critic steps a run made 5,001 steps and 62% of the real drums' inception score; with
# one, 9,236-9,744 steps and 70-75%, but up to 27% of its hi-hats were heard as snares: the
# de-emphasis of 0.9 has a gain of about 10 at the lowest frequencies and turned a slow error of
# the generator into a rumble under 100 Hz (41% of the hi-hats' energy; real ones have none).
# With 0.5 (a gain of 2) the rumble was gone and the run kept 77%, every class heard as asked at
# least 96% of the time; with none, 66% and toms at 65%. Notebook 09 has the table.
LAPTOP_CONDITIONAL_WAVEGAN_WGAN = Recipe(train=dict(n_critic=1),
                                         representation=dict(preemphasis=0.5))

# (profile, model, loss or None for every loss) -> the changes that profile makes
PROFILE_CHANGES: Mapping[tuple[str, str, str | None], Recipe] = _frozen({
    ("laptop", "wavegan", "wgan-gp"): LAPTOP_WAVEGAN_WGAN,
    ("laptop", "gansynth", None): LAPTOP_GANSYNTH,
    ("laptop", "pianogan", "bce"): LAPTOP_PIANOGAN_BCE,
    ("laptop", "pianogan", "wgan-gp"): LAPTOP_PIANOGAN_WGAN,
    ("gpu", "wavegan", "wgan-gp"): GPU_WAVEGAN_WGAN,
})


# (profile, model, loss) -> what that profile changes for a class-conditional model, on top of
# its changes for the model and of the conditioning's recipe (:data:`CONDITIONAL`)
CONDITIONAL_PROFILE_CHANGES: Mapping[tuple[str, str, str], Recipe] = _frozen({
    ("laptop", "wavegan", "wgan-gp"): LAPTOP_CONDITIONAL_WAVEGAN_WGAN,
})


def profile_changes(profile: str, model: str, loss: str) -> Recipe | None:
    """The recipe changes ``profile`` makes for ``model`` trained with ``loss``, or None."""
    return PROFILE_CHANGES.get((profile, model, loss), PROFILE_CHANGES.get((profile, model, None)))


def recipe_layers(model: str, loss: str, profile: str | None = None,
                  conditioning: str | None = None) -> list[tuple[str, Recipe]]:
    """The recipes that make ``model``'s with ``loss``, in the order they apply, each with the
    name of the layer that sets it: ``"paper"``, ``"profile <name>"``, ``"conditioning <kind>"``
    and ``"profile <name>, conditional"`` (absent layers are left out). Later ones win;
    :func:`recipe_for` folds them, and ``train --show-config`` names them."""
    if model not in PAPER:
        raise KeyError(f"no recipe for model {model!r}; known: {', '.join(PAPER)}")
    layers = [("paper", PAPER[model])]
    if profile and (changes := profile_changes(profile, model, loss)) is not None:
        layers.append((f"profile {profile}", changes))
    if conditioning is not None:
        layers.append((f"conditioning {conditioning}", CONDITIONAL[conditioning]))
        if (changes := CONDITIONAL_PROFILE_CHANGES.get((profile, model, loss))) is not None:
            layers.append((f"profile {profile}, conditional", changes))
    return layers


def recipe_for(model: str, loss: str, profile: str | None = None,
               conditioning: str | None = None) -> Recipe:
    """The recipe of ``model`` with ``loss``: the paper's, with ``profile``'s changes on top;
    for a class-conditional model (``conditioning``, a key of :data:`CONDITIONAL`) then the
    conditioning's recipe and the profile's changes for it (:func:`recipe_layers`)."""
    recipe = Recipe()
    for _, layer in recipe_layers(model, loss, profile, conditioning):
        recipe = recipe.then(layer)
    return recipe
