"""The training recipe: :class:`TrainConfig`, its losses and latent distributions (notebooks 02-06).

Defaults are the WaveGAN/SpecGAN paper's (Donahue et al. 2019, Table 3): WGAN-GP with 5 critic
steps per generator step, Adam(1e-4, 0.5, 0.9), gradient penalty weight 10, batch 64, latent
``z ~ U(-1, 1)^100``. A model's own changes to it live in :mod:`audiogan_lesson.recipes`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import torch

from ..losses import GP_PRECISIONS
from ..models.layers import sample_latent
from .tricks import BCE_GP_KINDS

LOSSES = ("bce", "wgan-gp")
LATENTS = ("uniform", "normal")

# Fields that may change when a run is resumed: they set how long and how verbosely it runs,
# not what it computes. Every other field must match the checkpoint.
RUN_FIELDS = ("steps", "max_seconds", "log_every", "checkpoint_every", "keep_last",
              "preview_every", "select_every", "compile")

LatentFn = Callable[[int, int, torch.Generator, torch.device], torch.Tensor]


@dataclass(frozen=True)
class TrainConfig:
    """The training recipe. Defaults are the WaveGAN/SpecGAN paper's (Donahue et al. 2019, Table 3).

    - ``loss``: ``"wgan-gp"`` (paper) or ``"bce"`` (the original GAN with the non-saturating
      generator loss, notebook 02).
    - ``n_critic``: discriminator updates per step; None means 5 for ``wgan-gp`` (paper) and 1
      for ``bce``. ``g_steps_per_d``: generator updates per step (1; notebook 02 tries 2).
    - ``lr_g``, ``lr_d``, ``betas``: Adam (1e-4, 1e-4, (0.5, 0.9)).
    - ``batch_size`` 64 (under ``torchrun`` the global batch, split over the processes);
      ``gp_weight`` 10 (the WGAN-GP lambda); ``gp_precision``: ``"fp32"`` computes the
      penalty's double backward in float32 even under autocast (the safe default), and
      ``"autocast"`` runs it under the step's autocast (faster; ``bench`` measures it);
      ``drift`` 0 (GANSynth uses 0.001); ``aux_weight`` 0 (weight of the auxiliary
      classification loss of a conditioned discriminator returning ``(scores, aux_logits)``;
      ``aux_fake_in_d`` also trains that classifier on fakes, as AC-GAN does).
    - ``label_smoothing``: one-sided, the real target becomes ``1 - label_smoothing`` (0 = off;
      0.1 gives the usual 0.9). BCE only.
    - Stabilisation tricks of the street-music GAN, all off by default (:mod:`.tricks`, notebook
      02's table): ``instance_noise`` (standard deviation of Gaussian noise added to the
      discriminator's real and fake inputs, falling linearly to 0 over ``steps``);
      ``bce_gp_weight`` (a gradient penalty on a BCE discriminator) of ``bce_gp_kind``
      ``"two-sided"``, ``"one-sided"`` or ``"r1"`` (on real data); ``grad_clip_value`` and
      ``grad_clip_norm`` (the discriminator's gradients clipped element-wise or by total norm);
      ``dynamic_weighting`` (the report's rule: the real and fake halves of the BCE loss weighted
      by ``1 - mean D(real)`` and ``mean D(fake)``). BCE only, except the noise and the clipping.
    - ``ema_decay``: exponential moving average of the generator's weights (0 = off; 0.999 is
      a common choice). Previews and samples use the EMA generator when present.
    - ``latent_dim``: None takes the generator's ``latent_dim`` (attribute or ``.config``),
      else 100. ``latent``: ``"uniform"`` in [-1, 1] (WaveGAN) or ``"normal"`` (GANSynth).
    - ``conditional``: the generator is called as ``G(z, labels)`` with labels drawn from the
      data's labels (the data must then be ``(waves, labels)``).
    - ``autocast``: None = on where :func:`profiles.autocast_dtype` says it is a win; True/False
      force it. ``compile``: wrap both models in ``torch.compile`` (the gradient penalty calls
      the plain critic: compiled graphs do not support its double backward).
    - ``steps`` (target step count), ``max_seconds`` (time budget of the run, None = none;
      counted over every ``train`` call and resume, so a finished run is never extended),
      ``log_every`` (history rows and NaN checks), ``checkpoint_every`` (0 = only at the
      end), ``keep_last`` (checkpoints kept, 0 = all), ``preview_every`` (0 = off),
      ``n_preview`` (fixed preview latents), ``seed``.
    - ``select_every``: steps between scorings of the sampling generator by the trainer's
      ``select`` function; the best scoring is kept as ``best.pt`` beside the checkpoints
      (:mod:`.selection`). 0 (the papers) is off: a run's result is its last checkpoint.
    """

    loss: str = "wgan-gp"
    n_critic: int | None = None
    g_steps_per_d: int = 1
    lr_g: float = 1e-4
    lr_d: float = 1e-4
    betas: tuple[float, float] = (0.5, 0.9)
    batch_size: int = 64
    gp_weight: float = 10.0
    gp_precision: str = "fp32"
    drift: float = 0.0
    aux_weight: float = 0.0
    aux_fake_in_d: bool = True
    label_smoothing: float = 0.0
    instance_noise: float = 0.0
    bce_gp_weight: float = 0.0
    bce_gp_kind: str = "two-sided"
    grad_clip_value: float = 0.0
    grad_clip_norm: float = 0.0
    dynamic_weighting: bool = False
    ema_decay: float = 0.0
    latent_dim: int | None = None
    latent: str = "uniform"
    conditional: bool = False
    autocast: bool | None = None
    compile: bool = False
    steps: int = 1000
    max_seconds: float | None = None
    log_every: int = 50
    checkpoint_every: int = 0
    keep_last: int = 3
    preview_every: int = 0
    n_preview: int = 8
    select_every: int = 0
    seed: int = 0

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"TrainConfig.loss={self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.latent not in LATENTS:
            raise ValueError(f"TrainConfig.latent={self.latent!r}; "
                             f"choose one of {', '.join(LATENTS)}")
        if self.gp_precision not in GP_PRECISIONS:
            raise ValueError(f"TrainConfig.gp_precision={self.gp_precision!r}; choose one of "
                             f"{', '.join(GP_PRECISIONS)}")
        if self.n_critic is None:
            object.__setattr__(self, "n_critic", 5 if self.loss == "wgan-gp" else 1)
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))
        positive = ("n_critic", "g_steps_per_d", "batch_size", "log_every", "n_preview")
        for name in positive:
            if int(getattr(self, name)) < 1:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be at least 1")
        for name in ("checkpoint_every", "keep_last", "preview_every", "select_every", "steps"):
            if getattr(self, name) < 0:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be >= 0")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"TrainConfig.label_smoothing={self.label_smoothing} "
                             "must be in [0, 1); 0.1 makes the real target 0.9")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"TrainConfig.ema_decay={self.ema_decay} "
                             "must be in [0, 1); 0 is off")
        for name in ("instance_noise", "bce_gp_weight", "grad_clip_value", "grad_clip_norm"):
            if not getattr(self, name) >= 0.0:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} "
                                 "must be >= 0 (0 is off)")
        if self.bce_gp_kind not in BCE_GP_KINDS:
            raise ValueError(f"TrainConfig.bce_gp_kind={self.bce_gp_kind!r}; choose one of "
                             f"{', '.join(BCE_GP_KINDS)}")
        for name in ("bce_gp_weight", "dynamic_weighting"):
            if getattr(self, name) and self.loss != "bce":
                raise ValueError(f"TrainConfig.{name} applies to loss='bce' only; WGAN-GP has its "
                                 "own gradient penalty (gp_weight)")
        if self.label_smoothing and self.loss != "bce":
            raise ValueError("TrainConfig.label_smoothing applies to loss='bce' only; "
                             "a Wasserstein critic has no labels to smooth")

    def replace(self, **changes) -> "TrainConfig":
        """A copy with some fields changed: ``config.replace(loss="bce")``."""
        if "loss" in changes and "n_critic" not in changes:
            changes["n_critic"] = None  # re-derive the default for the new loss
        return dataclasses.replace(self, **changes)


def uniform_latents(n: int, dim: int, generator: torch.Generator, device) -> torch.Tensor:
    """``(n, dim)`` latents uniform in [-1, 1] (WaveGAN/SpecGAN):
    :func:`models.layers.sample_latent`."""
    return sample_latent(n, dim, generator, device)


def normal_latents(n: int, dim: int, generator: torch.Generator, device) -> torch.Tensor:
    """``(n, dim)`` standard normal latents (GANSynth, progressive GANs)."""
    return torch.randn(n, dim, generator=generator, device=device)


def latent_fn(config: TrainConfig | dict) -> LatentFn:
    """The latent distribution of ``config`` (a :class:`TrainConfig`, or the dict a checkpoint
    stores): :func:`normal_latents` for ``latent="normal"``, else :func:`uniform_latents`."""
    latent = config.get("latent") if isinstance(config, dict) else config.latent
    return normal_latents if latent == "normal" else uniform_latents
