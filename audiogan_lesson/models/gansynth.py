"""GANSynth (Engel et al. 2019): a progressive GAN on log-magnitude + IF images (notebook
``06_gansynth_progressive``).

The generator maps a normal latent ``z (N, 256)`` and a pitch (an index into ``pitches``, MIDI
24-84 by default) to a two-channel image ``(N, 2, 128, 1024)`` (frames x frequency bins; channel
0 the log magnitude, channel 1 the instantaneous frequency, see :class:`spectral.IFSpectrogram`).
The discriminator maps such an image to a Wasserstein score ``(N,)`` and pitch logits ``(N, 61)``.
Defaults follow the paper's best model ("IF-Mel + high frequency resolution") and the public
code (``magenta/models/gansynth``: ``lib/networks.py``, ``lib/layers.py``,
``lib/network_functions.py``, ``configs/mel_prog_hires.py``):

- 7 resolutions, 2 x 16 up to 128 x 1024, each doubling both axes; the channels of resolution
  ``r`` (block ``r + 1`` in the code) are ``num_filters(r + 1) = min(4096 / 2^(r+1), 256)``:
  256, 256, 256, 256, 128, 64, 32.
- Generator: pixel norm of ``[z, one-hot pitch]`` (317 values), a 2 x 16 convolution of that
  1 x 1 "image" (:class:`layers.LatentToMap`), a 3 x 3 convolution; then per resolution nearest
  2x upsampling and two 3 x 3 convolutions. LeakyReLU(0.2) then pixel norm after every
  convolution. A 1 x 1 ``to_rgb`` convolution with tanh gives the two output channels.
- Discriminator: a 1 x 1 ``from_rgb`` convolution with LeakyReLU, then per resolution two 3 x 3
  convolutions (the second one changes the channel count) and 2 x 2 average pooling; at 2 x 16
  minibatch standard deviation (one extra channel), a 3 x 3 convolution and a 2 x 16 convolution
  without padding (to 1 x 1), and two dense heads: the score and the pitch classifier.
- Every convolution and dense layer has an equalised learning rate
  (:class:`layers.EqualizedConv2d`): gain sqrt(2) before a LeakyReLU, gain 1 for ``to_rgb``
  and the two heads, as the code's ``he_initializer_slope``.

Progressive growing: ``2 * num_resolutions - 1`` stages (13). Even stages are stable at one
resolution; odd stages fade the next resolution in, with ``alpha`` going from 0 to 1::

    stage 0: 2 x 16 | stage 1: fade in 4 x 32 | stage 2: 4 x 32 | ... | stage 12: 128 x 1024

In a fade-in stage the generator returns ``alpha * to_rgb(new block) + (1 - alpha) *
upsample(to_rgb(previous block))``, and the discriminator reads ``alpha * (new block of
from_rgb(x)) + (1 - alpha) * from_rgb(avgpool(x))``. Both models hold their stage and alpha
(:meth:`GANSynthGenerator.set_stage`), or take them in ``forward``. At stage ``s`` the models
work at :func:`stage_resolution` ``(s)``; the real data are brought there by :func:`real_at_stage`
(average pooling, and the same fade as the generator's). The original code instead keeps every
image at full size (upsampling the generator's output, and average-pooling again in the
discriminator); that gives the same numbers with more work.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..representations import MelIFImages
from ..scales import GANSynthScale
from ..spectral import IFSpecConfig
from .conditional import projection_term
from .entry import ModelEntry, Recipe, both
from .layers import (
    ConfigMixin,
    Downscale2d,
    EqualizedConv2d,
    EqualizedLinear,
    LatentToMap,
    MinibatchStdDev,
    PixelNorm,
    Upscale2d,
)
from .progressive import (START_RESOLUTION, ProgressiveSchedule, _check_alpha, _check_stage,
                          downsample_to, is_fade_in, num_filters, num_stages, real_at_stage,
                          stage_alpha, stage_blocks, stage_resolution)

__all__ = [
    "PAPER_PITCHES",
    "START_RESOLUTION",
    "ProgressiveConfig",
    "GANSynthGeneratorConfig",
    "GANSynthDiscriminatorConfig",
    "GANSynthGenerator",
    "GANSynthDiscriminator",
    "num_filters",
    "num_stages",
    "stage_blocks",
    "is_fade_in",
    "stage_resolution",
    "stage_alpha",
    "downsample_to",
    "real_at_stage",
    "pitch_to_label",
    "ProgressiveSchedule",
]

PAPER_PITCHES = tuple(range(24, 85))  # MIDI 24-84, 61 pitches (the NSynth subset of the paper)
TO_RGB_ACTIVATIONS = ("tanh", "linear")


def pitch_to_label(midi: torch.Tensor | list[int], pitches: tuple[int, ...] = PAPER_PITCHES
                   ) -> torch.Tensor:
    """MIDI pitch numbers -> class indices into ``pitches`` (``(N,)`` long), e.g. 60 -> 36.

    The models take indices; the data (``data.toy_notes``) give MIDI numbers. A pitch not in
    ``pitches`` is an error that names it.
    """
    midi = torch.as_tensor(midi, dtype=torch.long)
    lookup = {int(p): i for i, p in enumerate(pitches)}
    values = midi.flatten().tolist()
    missing = sorted({v for v in values if v not in lookup})
    if missing:
        raise ValueError(f"pitch_to_label: MIDI pitches {missing} are not among the model's "
                         f"pitches ({min(pitches)}-{max(pitches)}); leave those notes out or "
                         "train with a wider pitch range")
    labels = torch.tensor([lookup[v] for v in values], dtype=torch.long).reshape(midi.shape)
    return labels.to(midi.device)


# ----------------------------------------------------------------------------- configs


@dataclass(frozen=True)
class ProgressiveConfig:
    """The settings that GANSynth's generator and discriminator share; defaults are the paper's
    code (``mel_prog_hires``).

    ``pitches`` (MIDI numbers of the one-hot and of the auxiliary classifier's classes, 24-84),
    ``num_resolutions`` (7: 2 x 16 up to 128 x 1024; 5 stops at 32 x 256), ``start_resolution``
    ((2, 16)), ``fmap_base`` / ``fmap_decay`` / ``fmap_max`` (4096, 1.0, 256; the channel
    schedule :func:`num_filters`; divide ``fmap_base`` and ``fmap_max`` by the same factor for a
    narrower model), ``kernel_size`` (3), ``channels`` (2: log magnitude and IF),
    ``negative_slope`` of the LeakyReLU (0.2).
    """

    pitches: tuple[int, ...] = PAPER_PITCHES
    num_resolutions: int = 7
    start_resolution: tuple[int, int] = START_RESOLUTION
    fmap_base: int = 4096
    fmap_decay: float = 1.0
    fmap_max: int = 256
    kernel_size: int = 3
    channels: int = 2
    negative_slope: float = 0.2

    def __post_init__(self) -> None:
        where = type(self).__name__.removesuffix("Config")
        object.__setattr__(self, "pitches", tuple(int(p) for p in self.pitches))
        object.__setattr__(self, "start_resolution", tuple(int(s) for s in self.start_resolution))
        if not self.pitches:
            raise ValueError(f"{where}: pitches is empty; give the MIDI numbers the model is "
                             "conditioned on (paper: 24-84)")
        if len(set(self.pitches)) != len(self.pitches):
            raise ValueError(f"{where}: pitches {self.pitches} repeat a value")
        if self.num_resolutions < 1:
            raise ValueError(f"{where}: num_resolutions={self.num_resolutions} must be >= 1 "
                             "(paper: 7)")
        if len(self.start_resolution) != 2 or min(self.start_resolution) < 1:
            raise ValueError(f"{where}: start_resolution={self.start_resolution} must be two "
                             "positive sizes (paper: (2, 16))")
        if self.kernel_size < 1 or self.kernel_size % 2 == 0:
            raise ValueError(f"{where}: kernel_size={self.kernel_size} must be odd (paper: 3)")
        if self.channels < 1:
            raise ValueError(f"{where}: channels={self.channels} must be >= 1 (paper: 2)")
        smallest = num_filters(self.num_resolutions, self.fmap_base, self.fmap_decay,
                               self.fmap_max)
        if smallest < 1:
            raise ValueError(f"{where}: fmap_base={self.fmap_base}, fmap_decay={self.fmap_decay} "
                             f"leave block {self.num_resolutions} with {smallest} channels; "
                             "raise fmap_base")


@dataclass(frozen=True)
class GANSynthGeneratorConfig(ProgressiveConfig):
    """GANSynth generator settings: those of :class:`ProgressiveConfig`, and

    ``latent_dim`` (256), ``to_rgb_activation`` (``"tanh"``, or ``"linear"``), ``pitch_scale``
    (1.0: the one-hot pitch enters as is, so after the input pixel norm it is one of 317 inputs
    of equal size; a course option, not in the paper: a larger value, such as
    ``sqrt(latent_dim)``, gives the pitch as much weight as the whole latent, which a short run
    needs to follow the requested pitch at all, see notebook 06).
    """

    latent_dim: int = 256
    to_rgb_activation: str = "tanh"
    pitch_scale: float = 1.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.pitch_scale > 0:
            raise ValueError(f"GANSynthGenerator: pitch_scale={self.pitch_scale} must be > 0 "
                             "(paper: 1.0)")
        if self.latent_dim < 1:
            raise ValueError(f"GANSynthGenerator: latent_dim={self.latent_dim} must be >= 1 "
                             "(paper: 256)")
        if self.to_rgb_activation not in TO_RGB_ACTIVATIONS:
            raise ValueError(f"GANSynthGenerator: to_rgb_activation={self.to_rgb_activation!r}; "
                             f"choose one of {', '.join(TO_RGB_ACTIVATIONS)} (paper: tanh)")


@dataclass(frozen=True)
class GANSynthDiscriminatorConfig(ProgressiveConfig):
    """GANSynth discriminator settings: those of :class:`ProgressiveConfig` (``pitches`` are the
    auxiliary classifier's classes), ``mbstd_eps`` (1e-6, inside the square root of the
    minibatch standard deviation), and ``projection`` (False, the paper: the critic's score
    ignores the pitch and only the auxiliary classifier hears it; a course option: True adds
    the projection term ``<embed(pitch), phi(x)>`` of :mod:`.conditional` to the score, so that
    the critic asks "is this a real note *at this pitch*?", and ``forward`` takes the labels).
    """

    mbstd_eps: float = 1e-6
    projection: bool = False


# ----------------------------------------------------------------------------- shared machinery


class _Progressive(ConfigMixin, nn.Module):
    """Stage bookkeeping shared by both networks: ``stage`` (a Python int, saved in the
    ``state_dict`` as extra state) and ``alpha`` (a 0-d buffer, so that the trainer's EMA copy of
    the generator follows it and no host synchronisation is needed to change it)."""

    def __init__(self, config: ProgressiveConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        self._stage = num_stages(self.config.num_resolutions) - 1
        self.register_buffer("alpha", torch.tensor(1.0))

    @property
    def num_stages(self) -> int:
        """Number of training stages, ``2 * num_resolutions - 1``."""
        return num_stages(self.config.num_resolutions)

    @property
    def stage(self) -> int:
        """The current stage (the last one, full resolution, after construction)."""
        return self._stage

    def set_stage(self, stage: int, alpha: float = 1.0) -> None:
        """Work at ``stage`` with fade-in weight ``alpha`` (used only in fade-in stages).

        Set the same stage on the generator, its EMA copy and the discriminator.
        """
        name = type(self).__name__
        _check_stage(f"{name}.set_stage", stage, self.config.num_resolutions)
        _check_alpha(f"{name}.set_stage", alpha)
        self._stage = stage
        self.alpha.fill_(alpha)

    def resolution(self, stage: int | None = None) -> tuple[int, int]:
        """``(frames, bins)`` at ``stage`` (default: the current one)."""
        stage = self._stage if stage is None else stage
        _check_stage(f"{type(self).__name__}.resolution", stage, self.config.num_resolutions)
        return stage_resolution(stage, self.config.start_resolution)

    def _resolve(self, stage, alpha):
        stage = self._stage if stage is None else stage
        _check_stage(type(self).__name__, stage, self.config.num_resolutions)
        alpha = self.alpha if alpha is None else alpha
        _check_alpha(type(self).__name__, alpha)
        return stage, alpha

    def get_extra_state(self) -> dict:
        return {"stage": self._stage}

    def set_extra_state(self, state: dict) -> None:
        _check_stage(f"{type(self).__name__} state", state["stage"], self.config.num_resolutions)
        self._stage = int(state["stage"])

    def _filters(self, block_id: int) -> int:
        c = self.config
        return num_filters(block_id, c.fmap_base, c.fmap_decay, c.fmap_max)


def _blend(alpha, new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    """``alpha * new + (1 - alpha) * old``: exactly ``old`` at 0 and exactly ``new`` at 1."""
    return alpha * new + (1 - alpha) * old


# ----------------------------------------------------------------------------- generator


class GANSynthGenerator(_Progressive):
    """GANSynth generator: ``z (N, latent_dim)`` and pitch labels ``(N,)`` -> ``(N, 2, H, W)``.

    ``forward(z, pitch_labels, stage=None, alpha=None)``. ``pitch_labels`` are class indices into
    ``config.pitches`` (long, :func:`pitch_to_label` converts MIDI numbers) or float weights
    ``(N, n_pitches)`` (a one-hot, or a mix of two pitches). Without ``pitch_labels``, ``z``
    must already be the conditioned input ``(N, latent_dim + n_pitches)`` (so
    ``summary.layer_table`` can run the model). ``stage`` and ``alpha`` default to the model's own
    (:meth:`set_stage`); the output is ``(N, channels, *stage_resolution(stage))``, in [-1, 1]
    with the tanh output. Notebook 06.
    """

    config_class = GANSynthGeneratorConfig

    def __init__(self, config: GANSynthGeneratorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        pad = cfg.kernel_size // 2
        blocks, to_rgb = [], []
        for r in range(cfg.num_resolutions):
            layers: OrderedDict[str, nn.Module] = OrderedDict()
            out = self._filters(r + 1)
            if r == 0:
                layers["pixel_norm_in"] = PixelNorm()
                layers["conv0"] = LatentToMap(self.input_shape[0], out, cfg.start_resolution)
                c_in = out
            else:
                layers["upsample"] = Upscale2d(2)
                c_in = self._filters(r)
                layers["conv0"] = EqualizedConv2d(c_in, out, cfg.kernel_size, pad)
            layers["lrelu0"] = nn.LeakyReLU(cfg.negative_slope)
            layers["pixel_norm0"] = PixelNorm()
            layers["conv1"] = EqualizedConv2d(out, out, cfg.kernel_size, pad)
            layers["lrelu1"] = nn.LeakyReLU(cfg.negative_slope)
            layers["pixel_norm1"] = PixelNorm()
            blocks.append(nn.Sequential(layers))
            rgb: OrderedDict[str, nn.Module] = OrderedDict()
            rgb["conv"] = EqualizedConv2d(out, cfg.channels, 1, gain=1.0)
            if cfg.to_rgb_activation == "tanh":
                rgb["tanh"] = nn.Tanh()
            to_rgb.append(nn.Sequential(rgb))
        self.blocks = nn.ModuleList(blocks)
        self.to_rgb = nn.ModuleList(to_rgb)
        self.upsample = Upscale2d(2)

    @property
    def latent_dim(self) -> int:
        """Size of ``z`` (256)."""
        return self.config.latent_dim

    @property
    def n_pitches(self) -> int:
        """Number of pitch classes (61)."""
        return len(self.config.pitches)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """One conditioned input's shape: ``(latent_dim + n_pitches,)``, 317 for the paper."""
        return (self.config.latent_dim + len(self.config.pitches),)

    @property
    def output_shape(self) -> tuple[int, ...]:
        """One output's shape at the current stage: ``(channels, frames, bins)``."""
        return (self.config.channels, *self.resolution())

    def condition(self, z: torch.Tensor, pitch_labels: torch.Tensor | None) -> torch.Tensor:
        """``[z, one-hot(pitch)]``: ``(N, latent_dim)`` and ``(N,)`` -> ``(N, latent_dim +
        n_pitches)``; ``pitch_labels=None`` passes an already conditioned ``z`` through."""
        d, n = self.config.latent_dim, self.n_pitches
        if pitch_labels is None:
            if z.dim() != 2 or z.shape[1] != d + n:
                raise ValueError(f"GANSynthGenerator: got z of shape {tuple(z.shape)} and no pitch "
                                 f"labels; pass pitch_labels (N,) with z (N, {d}), or a "
                                 f"conditioned input (N, {d + n})")
            return z
        if z.dim() != 2 or z.shape[1] != d:
            raise ValueError(f"GANSynthGenerator: expected z of shape (batch, {d}), got "
                             f"{tuple(z.shape)}")
        if pitch_labels.is_floating_point():
            if pitch_labels.shape != (z.shape[0], n):
                raise ValueError(f"GANSynthGenerator: float pitch labels must be one-hot weights "
                                 f"({z.shape[0]}, {n}); got {tuple(pitch_labels.shape)}")
            one_hot = pitch_labels.to(z.dtype)
        else:
            if pitch_labels.shape != (z.shape[0],):
                raise ValueError(f"GANSynthGenerator: pitch labels must be class indices of shape "
                                 f"({z.shape[0]},), got {tuple(pitch_labels.shape)}")
            one_hot = F.one_hot(pitch_labels.long(), n).to(z.dtype)
        return torch.cat([z, one_hot * self.config.pitch_scale], dim=1)

    def forward(self, z: torch.Tensor, pitch_labels: torch.Tensor | None = None,
                stage: int | None = None, alpha: float | torch.Tensor | None = None
                ) -> torch.Tensor:
        stage, alpha = self._resolve(stage, alpha)
        x = self.condition(z, pitch_labels)
        used = stage_blocks(stage)
        previous = None
        for r in range(used):
            if r == used - 1:
                previous = x
            x = self.blocks[r](x)
        out = self.to_rgb[used - 1](x)
        if is_fade_in(stage):
            old = self.upsample(self.to_rgb[used - 2](previous))
            out = _blend(alpha, out, old)
        return out


# ----------------------------------------------------------------------------- discriminator


class GANSynthDiscriminator(_Progressive):
    """GANSynth discriminator: ``(N, 2, H, W)`` -> ``(scores (N,), pitch logits (N, n_pitches))``.

    ``forward(x, labels=None, stage=None, alpha=None)``; ``labels`` (pitch indices ``(N,)``) only
    with ``projection``, which needs them. ``x`` must have the stage's resolution
    (:func:`stage_resolution`; bring real data there with :func:`real_at_stage`). The scores are
    the Wasserstein critic's; the logits feed the auxiliary pitch classification loss.
    Notebook 06.
    """

    config_class = GANSynthDiscriminatorConfig
    input_name = "images"
    input_hint = "; bring real data to the stage with real_at_stage(x, stage, alpha)"

    def __init__(self, config: GANSynthDiscriminatorConfig | None = None, **options) -> None:
        super().__init__(config, **options)
        cfg = self.config
        pad = cfg.kernel_size // 2
        from_rgb, blocks = [], []
        for r in range(cfg.num_resolutions):
            width = self._filters(r + 1)
            from_rgb.append(nn.Sequential(OrderedDict(
                conv=EqualizedConv2d(cfg.channels, width, 1),
                lrelu=nn.LeakyReLU(cfg.negative_slope))))
            layers: OrderedDict[str, nn.Module] = OrderedDict()
            if r == 0:
                layers["mbstd"] = MinibatchStdDev(cfg.mbstd_eps)
                layers["conv0"] = EqualizedConv2d(width + 1, width, cfg.kernel_size, pad)
                layers["lrelu0"] = nn.LeakyReLU(cfg.negative_slope)
                layers["conv1"] = EqualizedConv2d(width, self._filters(0), cfg.start_resolution)
                layers["lrelu1"] = nn.LeakyReLU(cfg.negative_slope)
                layers["flatten"] = nn.Flatten()
            else:
                layers["conv0"] = EqualizedConv2d(width, width, cfg.kernel_size, pad)
                layers["lrelu0"] = nn.LeakyReLU(cfg.negative_slope)
                layers["conv1"] = EqualizedConv2d(width, self._filters(r), cfg.kernel_size, pad)
                layers["lrelu1"] = nn.LeakyReLU(cfg.negative_slope)
                layers["downsample"] = Downscale2d(2)
            blocks.append(nn.Sequential(layers))
        self.from_rgb = nn.ModuleList(from_rgb)
        self.blocks = nn.ModuleList(blocks)
        self.downsample = Downscale2d(2)
        self.score = EqualizedLinear(self._filters(0), 1, gain=1.0)
        self.classifier = EqualizedLinear(self._filters(0), len(cfg.pitches), gain=1.0)
        if cfg.projection:  # zero at the start: the paper's critic until the pitch term learns
            self.embed = nn.Embedding(len(cfg.pitches), self._filters(0))
            nn.init.zeros_(self.embed.weight)

    @property
    def takes_labels(self) -> bool:
        """Whether ``forward`` needs the pitch labels (``projection``)."""
        return self.config.projection

    @property
    def n_pitches(self) -> int:
        """Number of pitch classes of the auxiliary classifier (61)."""
        return len(self.config.pitches)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """One input's shape at the current stage: ``(channels, frames, bins)``."""
        return (self.config.channels, *self.resolution())

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None,
                stage: int | None = None, alpha: float | torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        stage, alpha = self._resolve(stage, alpha)
        self.check_input(x, (self.config.channels, *self.resolution(stage)),
                         where=f"GANSynthDiscriminator at stage {stage}")
        if self.config.projection and labels is None:
            raise ValueError("GANSynthDiscriminator(projection=True) scores (x, labels): pass the "
                             "pitch indices of x as labels")
        used = stage_blocks(stage)
        h = self.from_rgb[used - 1](x)
        for r in range(used - 1, 0, -1):
            h = self.blocks[r](h)
            if r == used - 1 and is_fade_in(stage):
                h = _blend(alpha, h, self.from_rgb[r - 1](self.downsample(x)))
        features = self.blocks[0](h)
        scores = self.score(features).squeeze(1)
        if self.config.projection:
            scores = scores + projection_term(features, self.embed.weight, labels)
        return scores, self.classifier(features)



# ----------------------------------------------------------------------------- the course's entry

GANSYNTH = Recipe(
    # Engel et al. 2019: WGAN-GP with one critic step, drift 0.001, an auxiliary pitch classifier
    # of weight 10 trained on real notes, Adam(8e-4, 0, 0.99), EMA 0.999, normal latents, pitch
    # conditioning
    train=dict(n_critic=1, lr_g=8e-4, lr_d=8e-4, betas=(0.0, 0.99), drift=0.001, aux_weight=10.0,
               aux_fake_in_d=False, ema_decay=0.999, latent="normal", conditional=True),
)

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


def _sizes(scale) -> tuple[dict, dict]:
    """GANSynth at ``scale`` (a :class:`scales.GANSynthScale`): ``fmap_max = width`` and
    ``fmap_base = 16 * width`` (the paper's 256 and 4096), its resolutions and pitch range."""
    return both(pitches=tuple(range(scale.pitch_min, scale.pitch_max + 1)),
                num_resolutions=scale.num_resolutions,
                start_resolution=tuple(scale.start_resolution), fmap_max=scale.width,
                fmap_base=16 * scale.width)


def _mel_if(scale, options) -> MelIFImages:
    spec = IFSpecConfig(n_fft=scale.n_fft, hop=scale.hop, length=scale.slice_len,
                        sample_rate=scale.sample_rate)
    return MelIFImages(spec, **options)


SCALES = {
    # 3 resolutions (2x16 to 8x64, a 512-sample clip), 5 pitches, 2 steps per stage
    "smoke": GANSynthScale(width=8, batch_size=4, slice_len=512, steps=12, minutes=0.2, n_fft=128,
                           hop=64, num_resolutions=3, stable_steps=2, fade_steps=2, pitch_min=60,
                           pitch_max=64),
    # quarter-second notes at 8 kHz over two octaves (MIDI 48-72) as 8 x 256 images: a 512-point
    # STFT with hop 256 (4 of the 7 resolutions from 1 x 32, 7 stages of 400 steps), an eighth of
    # the width, batch 8 as the paper (the recipe for this budget: LAPTOP_GANSYNTH). Growing ends
    # at step 2400; the rest of the 15 minutes trains 8 x 256. At 16 x 128 (n_fft 256, hop 128:
    # 31 Hz bins) the harmonics of MIDI 48 lie 4 bins apart and a semitone moves its fundamental
    # a quarter of a bin, so the low octave's pitch sits in the IF channel: a real low note given
    # the IF of the note a semitone up is heard at the upper pitch 73% of the time, at its own 7%;
    # with 8 x 256 (16 Hz bins, the same number of pixels and cost) the magnitude mostly sets the
    # pitch (75% and 96% in the same test for the low and high octave). Over one octave (MIDI
    # 60-72) the course trained 16 x 128: with_scale("gansynth", pitch_min=60, n_fft=256,
    # hop=128, start_resolution=(2, 16)) (notebook 06's appendix)
    "laptop": GANSynthScale(width=32, batch_size=8, slice_len=2048, sample_rate=8000,
                            steps=1_000_000_000, minutes=15.0, n_fft=512, hop=256,
                            start_resolution=(1, 32), num_resolutions=4, stable_steps=400,
                            fade_steps=400, pitch_min=48, pitch_max=72),
    "gpu": GANSynthScale(minutes=12.0),
}

ENTRY = ModelEntry(
    "gansynth", GANSynthGenerator, GANSynthDiscriminator, sizes=_sizes, representation=_mel_if,
    recipe=GANSYNTH, notebook="06_gansynth_progressive", scales=SCALES, pitched=True,
    profile_recipes={("laptop", None): LAPTOP_GANSYNTH})
