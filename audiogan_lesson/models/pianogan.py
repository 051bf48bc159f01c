"""PianoGAN: a DCGAN with 1-D convolutions that makes 256 notes at once
(notebook ``08_pianogan_notes``).

The note-level GAN of the PianoGAN source report: the generator maps ``z ~ Uniform(-1, 1)`` of
shape ``(N, 100)`` to ``(N, 3, length)``, one column of three features (pitch, step, duration;
:class:`~audiogan_lesson.representations.NoteFeatures`) per note, in [-1, 1]; the discriminator
maps such a sequence to one logit ``(N,)``. It is WaveGAN's design (Donahue et al. 2019) over
notes instead of samples, as the report draws it: a dense projection to a short, wide map, then
transposed 1-D convolutions with kernel 25 and stride 4 (a larger upsampling factor than
DCGAN's 2), ReLU between them and tanh at the end; the discriminator mirrors it with strided
convolutions and LeakyReLU 0.2, then one dense layer. With ``length`` 256: 4 -> 16 -> 64 -> 256
notes in the generator, 256 -> 64 -> 16 -> 4 in the discriminator. No phase shuffle: a note's
position is not a sample phase that the generator could give away.

Course option, not in the report: ``pitch_classes=K`` gives the discriminator the pitch class
of every note as ``2K`` more channels, ``cos`` and ``sin`` of ``2 pi k pitch / 12`` for
``k = 1 .. K``, and ``K`` channels constant along the sequence: the magnitudes of their means,
which are the magnitudes of the discrete Fourier transform of the sequence's pitch-class
histogram (:class:`PitchClassFeatures`). A key is a set of pitch classes, a pattern that repeats
every octave, and from the raw pitch alone a small network must learn that periodic function
note by note. The magnitudes do not change when a piece is transposed, and the fifth one is
large for every diatonic scale (Quinn 2006; Amiot 2016): whether a sequence keeps to a key
shows in one number. The laptop profile's BCE recipe uses it (``recipes.LAPTOP_PIANOGAN_BCE``;
notebook 08 shows what it changed). It does not help WGAN-GP: a 1-Lipschitz critic can change
its score by at most 2/87 from one key to the next (the pitch channel spans 87 semitones over
[-1, 1]), so the gradient penalty forbids exactly the steep steps that pitch classes are.

Course option, not in the report: ``pitch_encoding="pitch_class"`` (both configs, and
:class:`~audiogan_lesson.representations.NoteFeatures` alike) adds each note's pitch class as
12 one-hot channels after the three features, 15 in all; the generator makes them with a
softmax (:class:`NoteOutput`), as WGAN-GP's language model made characters (Gulrajani et al.
2017), and the pitch channel only has to place the note within six semitones. Two classes are
then sqrt(2) apart in the critic's input instead of 2/87, a step a 1-Lipschitz critic can
score. In the scalar encoding a generated pitch must be within about 0.4 semitone (0.009 of
the channel) for the notes to keep to a key, and the WGAN-GP generator's pitches after
minutes of training fall between whole keys no closer than chance. The laptop profile's
WGAN-GP recipe uses it (``recipes.LAPTOP_PIANOGAN_WGAN``; notebook 08).

At the defaults (d=64, length 256) the generator has 16,817,667 parameters and the
discriminator 1,030,273 (:func:`~audiogan_lesson.models.summary.layer_table` prints them).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn

from ..representations import NoteFeatures, note_channels
from ..scales import TrainScale
from .dcgan import check_sizes, check_upsample, discriminator_layers, generator_layers
from .entry import ModelEntry, Recipe, both
from .layers import LatentGenerator, LogitDiscriminator, init_like_tensorflow

STRIDE = 4
N_FEATURES = 3  # pitch, step, duration
GENERATOR_PLAN = ((8, STRIDE), (4, STRIDE), (0, STRIDE))  # (channels / d, stride); 0: the features
DISCRIMINATOR_PLAN = ((1, STRIDE), (2, STRIDE), (4, STRIDE))
START_MULT = 16  # the dense projection makes 16d channels
PITCH_RANGE = (21.0, 108.0)  # the scaled pitch channel's -1 and 1 (representations.NoteFeatures)


class PitchClassFeatures(nn.Module):
    """Adds ``3 * harmonics`` channels to notes ``(N, 3, L)``: ``cos`` and ``sin`` of
    ``2 pi k p / 12`` (``k = 1 .. harmonics``) of each note's pitch ``p`` in semitones, read from
    the scaled pitch channel 0 (-1 and 1 are ``pitch_min`` and ``pitch_max``), and for each ``k``
    the magnitude of their mean over the sequence (the same at every position): ``|DFT_k|`` of
    the pitch-class histogram divided by its length. The pitch is rounded to a whole key first,
    in the pitch channel as well, with the gradient passed straight through (a generated pitch
    between two keys is heard as the nearer one), so the generator still learns from it which
    pitch classes to move towards."""

    def __init__(self, harmonics: int, pitch_min: float = PITCH_RANGE[0],
                 pitch_max: float = PITCH_RANGE[1]):
        super().__init__()
        self.harmonics, self.pitch_min, self.pitch_max = int(harmonics), pitch_min, pitch_max
        self.register_buffer("k", torch.arange(1, self.harmonics + 1, dtype=torch.float32),
                             persistent=False)

    def describe(self) -> str:
        return f"PitchClasses(k=1..{self.harmonics})"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        span = self.pitch_max - self.pitch_min
        pitch = self.pitch_min + (x[:, :1] + 1) * 0.5 * span
        whole = pitch + (torch.round(pitch) - pitch).detach()  # whole keys; gradients pass
        x = torch.cat([(whole - self.pitch_min) / span * 2 - 1, x[:, 1:]], dim=1)
        angle = (2 * math.pi / 12) * whole * self.k.to(x.dtype)[None, :, None]
        cos, sin = torch.cos(angle), torch.sin(angle)
        magnitude = torch.sqrt(cos.mean(-1, keepdim=True) ** 2 + sin.mean(-1, keepdim=True) ** 2
                               + 1e-8)
        return torch.cat([x, cos, sin, magnitude.expand_as(cos)], dim=1)


class NoteOutput(nn.Module):
    """The generator's last activation for ``pitch_encoding="pitch_class"``: ``(N, 15, L)`` ->
    the same shape, tanh on the first three channels (pitch register, step, duration, in
    [-1, 1]) and a softmax over the 12 pitch-class channels (each position's sum to 1), which
    real notes have one-hot (:class:`~audiogan_lesson.representations.NoteFeatures`)."""

    def describe(self) -> str:
        return "Tanh(0:3), Softmax(3:15)"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([torch.tanh(x[:, :N_FEATURES]), torch.softmax(x[:, N_FEATURES:], 1)], 1)


def _check_encoding(config, where: str) -> None:
    """Set ``config.c`` from its ``pitch_encoding`` (3 or 15), or refuse a ``c`` that differs."""
    channels = note_channels(config.pitch_encoding, where)
    if config.c == N_FEATURES and channels != N_FEATURES:  # c left at its default
        object.__setattr__(config, "c", channels)
    elif config.c != channels:
        raise ValueError(f"{where}: c={config.c} but pitch_encoding={config.pitch_encoding!r} "
                         f"has {channels} channels per note; leave c out")


def _check_length(length: int, where: str) -> None:
    factor = STRIDE ** len(GENERATOR_PLAN)
    if length < factor or length % factor:
        raise ValueError(f"{where}: length={length} notes; use a multiple of {factor} (256 in "
                         "PianoGAN), since three layers of stride 4 make the sequence")


@dataclass(frozen=True)
class PianoGANGeneratorConfig:
    """PianoGAN generator settings: ``d`` width (64), ``c`` channels per note (3; set by
    ``pitch_encoding``), ``latent_dim`` (100), ``length`` notes (256), ``kernel_len`` (25),
    ``upsample`` ``zeros`` (transposed convolution) or ``nn``/``linear``/``cubic``,
    ``batch_norm`` (False), ``pitch_encoding`` (``"scalar"``, the report; ``"pitch_class"``
    adds 12 pitch-class channels made by a softmax, :class:`NoteOutput`)."""

    d: int = 64
    c: int = N_FEATURES
    latent_dim: int = 100
    length: int = 256
    kernel_len: int = 25
    upsample: str = "zeros"
    batch_norm: bool = False
    pitch_encoding: str = "scalar"

    def __post_init__(self) -> None:
        where = "PianoGANGenerator"
        _check_encoding(self, where)
        check_sizes(where, self.d, self.c, self.kernel_len, STRIDE, paper_kernel=25)
        check_upsample(where, self.upsample, self.kernel_len)
        _check_length(self.length, where)
        if self.latent_dim < 1:
            raise ValueError(f"{where}: latent_dim={self.latent_dim} must be >= 1 (default 100)")


class _NoteShape:
    input_hint = "; notes are (batch, 3, length): NoteFeatures.encode makes them"

    @property
    def example_shape(self) -> tuple[int, ...]:
        """One example: ``(c, length)``, the features as channels."""
        return (self.config.c, self.config.length)


class PianoGANGenerator(_NoteShape, LatentGenerator, nn.Module):
    """PianoGAN generator: ``(N, latent_dim)`` -> notes ``(N, c, length)`` in [-1, 1] (notebook 08).

    ``PianoGANGenerator(d=16)`` or ``PianoGANGenerator(config)``; ``self.net`` is a
    ``Sequential`` (``z_project``, ``upconv_0`` ... ``upconv_2``, ``tanh``).
    """

    config_class = PianoGANGeneratorConfig

    def __init__(self, config: PianoGANGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        start = cfg.length // STRIDE ** len(GENERATOR_PLAN)
        layers = generator_layers(1, cfg.latent_dim, (start,), START_MULT * cfg.d,
                                  GENERATOR_PLAN, cfg.d, cfg.c, cfg.kernel_len, cfg.upsample,
                                  cfg.batch_norm)
        if cfg.pitch_encoding == "pitch_class":
            del layers["tanh"]
            layers["output"] = NoteOutput()
        self.net = nn.Sequential(layers)
        init_like_tensorflow(self)


@dataclass(frozen=True)
class PianoGANDiscriminatorConfig:
    """PianoGAN discriminator settings: ``d`` (64), ``c`` (3), ``length`` (256), ``kernel_len``
    (25), ``batch_norm`` (False), ``negative_slope`` of the LeakyReLU (0.2), ``pitch_classes``
    (0 = off, the report; ``K`` adds the pitch-class channels of :class:`PitchClassFeatures`),
    ``pitch_encoding`` (``"scalar"``; ``"pitch_class"``: 15 channels in, and ``c`` follows)."""

    d: int = 64
    c: int = N_FEATURES
    length: int = 256
    kernel_len: int = 25
    batch_norm: bool = False
    negative_slope: float = 0.2
    pitch_classes: int = 0
    pitch_encoding: str = "scalar"

    def __post_init__(self) -> None:
        where = "PianoGANDiscriminator"
        _check_encoding(self, where)
        if self.pitch_classes and self.pitch_encoding != "scalar":
            raise ValueError(f"{where}: pitch_classes={self.pitch_classes} reads the scalar pitch; "
                             f"pitch_encoding={self.pitch_encoding!r} gives the classes already "
                             "(use one or the other)")
        check_sizes(where, self.d, self.c, self.kernel_len, STRIDE, paper_kernel=25)
        _check_length(self.length, where)
        if not 0 <= self.pitch_classes <= 6:
            raise ValueError(f"{where}: pitch_classes={self.pitch_classes}; use 0 (off) to 6 "
                             "harmonics of the 12-semitone octave")


class PianoGANDiscriminator(_NoteShape, LogitDiscriminator, nn.Module):
    """PianoGAN discriminator: notes ``(N, c, length)`` -> logits ``(N,)`` (notebook 08)."""

    config_class = PianoGANDiscriminatorConfig
    input_name = "notes"

    def __init__(self, config: PianoGANDiscriminatorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        layers = discriminator_layers(1, (cfg.length,), cfg.c + 3 * cfg.pitch_classes,
                                      DISCRIMINATOR_PLAN, cfg.d, cfg.kernel_len, cfg.batch_norm,
                                      cfg.negative_slope)
        if cfg.pitch_classes:
            layers = {"pitch_classes": PitchClassFeatures(cfg.pitch_classes), **layers}
        self.net = nn.Sequential(OrderedDict(layers))
        init_like_tensorflow(self)

# ----------------------------------------------------------------------------- the course's entry

# PianoGAN (the source report): WaveGAN's design and training over notes, with the Wasserstein
# loss; every value is a default of TrainConfig and the configs
PIANOGAN = Recipe()

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

SCALES = {
    # slice_len counts notes; sample_rate is what they are rendered at
    "smoke": TrainScale(width=4, batch_size=8, slice_len=256, sample_rate=8000, steps=4,
                        minutes=0.2),
    "laptop": TrainScale(width=16, batch_size=64, slice_len=256, sample_rate=8000,
                         steps=100_000, minutes=5.0),
    "gpu": TrainScale(width=64, batch_size=64, slice_len=256, sample_rate=16000, steps=100_000,
                      minutes=4.0),
}

ENTRY = ModelEntry(
    "pianogan", PianoGANGenerator, PianoGANDiscriminator,
    sizes=lambda s: both(d=s.width, length=s.slice_len),
    representation=lambda s, options: NoteFeatures(sample_rate=s.sample_rate, **options),
    recipe=PIANOGAN, notebook="08_pianogan_notes", scales=SCALES, notes=True,
    profile_recipes={("laptop", "bce"): LAPTOP_PIANOGAN_BCE,
                     ("laptop", "wgan-gp"): LAPTOP_PIANOGAN_WGAN})
