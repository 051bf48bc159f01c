"""The GAN round: critic steps, then the generator step (notebook 05, exercise 5.3).

This is the code every model of the course trains with. Read :func:`train_round` beside your
answer to exercise 5.3: it is the same loop, with the options of :class:`TrainConfig` (BCE or
WGAN-GP, drift, an auxiliary classifier, autocast) and without reading any number back from the
device (each step returns its losses as tensors; the :class:`~.trainer.Trainer` reads them once
per log interval).

::

    for _ in range(n_critic):                       # critic_step
        real, fake = next_real(), G(sample_z()) without a gradient path into G
        loss = critic_loss(D(real), D(fake)) + gradient_penalty(D, real, fake)
        (conditional: G(z, y) with the real batch's labels y; D(x, y) for a projection D)
        update D
    loss = -D(G(sample_z())).mean()                 # generator_step
    update G (and its moving average)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Callable, ContextManager

import torch
import torch.nn as nn

from .. import losses
from .config import LatentFn, TrainConfig
from .distributed import Shard
from .ema import update_ema
from .tricks import (bce_gradient_penalty, clip_gradients, instance_noise_std,
                     weighted_discriminator_bce)


@dataclass
class Players:
    """The two networks, their optimisers and how to run them.

    ``generator`` and ``discriminator`` are what the round calls (``torch.compile`` wrappers when
    ``TrainConfig.compile``); ``critic`` is the plain discriminator, for the gradient penalty's
    double backward. ``scaler_g``/``scaler_d`` are fp16 gradient scalers (None otherwise);
    ``amp_dtype`` the autocast dtype (None: fp32); ``ema`` a moving-average copy of the generator.
    ``trained_generator``/``trained_discriminator`` are what each network's own update calls:
    under ``torchrun`` the ``DistributedDataParallel`` wrappers that average its gradients over
    the processes (:mod:`.distributed`); None means ``generator``/``discriminator``.
    """

    generator: Callable
    discriminator: Callable
    critic: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    scaler_g: torch.amp.GradScaler | None = None
    scaler_d: torch.amp.GradScaler | None = None
    amp_dtype: torch.dtype | None = None
    ema: nn.Module | None = None
    ema_source: nn.Module | None = None  # the generator whose weights the EMA follows
    trained_generator: Callable | None = None
    trained_discriminator: Callable | None = None

    def __post_init__(self):
        if self.trained_generator is None:
            self.trained_generator = self.generator
        if self.trained_discriminator is None:
            self.trained_discriminator = self.discriminator

    def autocast(self, device: torch.device) -> ContextManager:
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, dtype=self.amp_dtype)


@dataclass
class Batches:
    """Where a round's inputs come from, all drawn with one seeded ``rng`` on the data's device.

    ``data`` ``(N, ...)`` and ``labels`` ``(N,)`` or None; ``hook`` may change each real batch
    (progressive growing, notebook 06); ``latents`` is the latent distribution. ``batch_size``
    is the global batch: under ``torchrun`` every process draws all of it and keeps its
    ``shard``'s share, so the processes together see what one process would.
    """

    data: torch.Tensor
    labels: torch.Tensor | None
    rng: torch.Generator
    latents: LatentFn
    latent_dim: int
    batch_size: int
    conditional: bool = False
    hook: object | None = None
    trainer: object | None = field(default=None, repr=False)  # passed to the hook
    shard: Shard = Shard()

    def next_real(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """A fresh real batch ``(B, ...)`` and its labels."""
        idx = self._indices()
        real = self.data[idx]
        if self.hook is not None:
            real = self.hook.real_batch(self.trainer, real)
        return real, (self.labels[idx] if self.labels is not None else None)

    def sample_z(self) -> torch.Tensor:
        """Fresh latents ``(B, latent_dim)``."""
        z = self.latents(self.batch_size, self.latent_dim, self.rng, self.data.device)
        return self.shard.take(z)

    def fake_labels(self) -> torch.Tensor | None:
        """Labels for the generator step's fakes, drawn from the data's (conditional only)."""
        if not self.conditional:
            return None
        return self.labels[self._indices()]

    def interpolation_weights(self, real: torch.Tensor) -> torch.Tensor:
        """The gradient penalty's ``alpha ~ U[0, 1]``, one per example ``(B, 1, ...)``."""
        shape = (self.batch_size,) + (1,) * (real.dim() - 1)
        alpha = torch.rand(shape, generator=self.rng, device=real.device, dtype=torch.float32)
        return self.shard.take(alpha)

    def noise_like(self, x: torch.Tensor, std: float) -> torch.Tensor:
        """``x`` plus instance noise of standard deviation ``std`` (``x`` when 0), drawn for the
        global batch and sharded like the data."""
        if std <= 0:
            return x
        noise = torch.randn((self.batch_size, *x.shape[1:]), generator=self.rng,
                            device=x.device, dtype=torch.float32)
        return x + std * self.shard.take(noise).to(x.dtype)

    @property
    def step(self) -> int:
        """The trainer's step (0 without a trainer): the clock of decaying options."""
        return int(getattr(self.trainer, "step", 0) or 0)

    def _indices(self) -> torch.Tensor:
        idx = torch.randint(0, self.data.shape[0], (self.batch_size,), generator=self.rng,
                            device=self.data.device)
        return self.shard.take(idx)


def metric_names(config: TrainConfig) -> list[str]:
    """The values one round reports, in order: ``d_loss``, ``g_loss``, then the loss's own."""
    names = ["d_loss", "g_loss"]
    names += ["d_real", "d_fake", "d_acc"] if config.loss == "bce" else ["wdist", "gp"]
    if config.bce_gp_weight > 0:
        names.append("bce_gp")
    if config.drift > 0:
        names.append("drift")
    if config.aux_weight > 0:
        names += ["aux_d", "aux_g"]
    return names


def train_round(players: Players, batches: Batches, config: TrainConfig) -> torch.Tensor:
    """One round: ``config.n_critic`` critic updates, then ``config.g_steps_per_d`` generator
    updates. Returns the round's mean values, a tensor in the order of :func:`metric_names`."""
    players.critic.requires_grad_(True)
    d_rows = [critic_step(players, batches, config) for _ in range(config.n_critic)]
    players.critic.requires_grad_(False)  # the generator step must not train the critic
    g_rows = [generator_step(players, batches, config) for _ in range(config.g_steps_per_d)]
    players.critic.requires_grad_(True)
    d_mean, g_mean = _mean(d_rows), _mean(g_rows)
    return torch.cat([d_mean[:1], g_mean[:1], d_mean[1:], g_mean[1:]])


def critic_step(players: Players, batches: Batches, config: TrainConfig) -> torch.Tensor:
    """One discriminator update on a fresh real batch and fresh fakes -> its values
    ``[loss, (d_real, d_fake, d_acc) or (wdist, gp), drift?, aux_d?]``."""
    device = batches.data.device
    real, real_labels = batches.next_real()
    fake_labels = real_labels if config.conditional else None
    z = batches.sample_z()
    with torch.no_grad(), players.autocast(device):  # no gradient path into the generator
        fake = _generate(players.generator, z, fake_labels, config)
    noise = instance_noise_std(config.instance_noise, batches.step, config.steps)
    if noise > 0:  # instance noise (tricks): D sees both sides through the same noise
        real, fake = batches.noise_like(real, noise), batches.noise_like(fake, noise)
    # a projection discriminator scores (x, y): real, fake and interpolates with the real labels
    judge = _with_labels(players.trained_discriminator, players.critic, real_labels, config)
    critic = _with_labels(players.critic, players.critic, real_labels, config)
    with players.autocast(device):
        real_scores, real_aux = losses.split_output(judge(real))
        fake_scores, fake_aux = losses.split_output(judge(fake))
    if config.loss == "bce":
        bce = (weighted_discriminator_bce if config.dynamic_weighting
               else losses.discriminator_bce_loss)
        loss = bce(real_scores, fake_scores, real_target=1.0 - config.label_smoothing)
        values = [torch.sigmoid(real_scores.float()).mean(),
                  torch.sigmoid(fake_scores.float()).mean(),
                  losses.discriminator_accuracy(real_scores, fake_scores)]
        if config.bce_gp_weight > 0:
            alpha = batches.interpolation_weights(real) if config.bce_gp_kind != "r1" else None
            gp = bce_gradient_penalty(critic, real, fake, config.bce_gp_weight,
                                      config.bce_gp_kind, alpha=alpha)
            loss = loss + gp
            values.append(gp)
    else:
        wdist = -losses.critic_loss(real_scores, fake_scores)
        alpha = batches.interpolation_weights(real)
        with (players.autocast(device) if config.gp_precision == "autocast"
              else contextlib.nullcontext()):
            gp = losses.gradient_penalty(critic, real, fake, config.gp_weight,
                                         alpha=alpha, precision=config.gp_precision)
        loss = -wdist + gp
        values = [wdist, gp]
    if config.drift > 0:
        drift = losses.drift_penalty(real_scores, config.drift)
        loss = loss + drift
        values.append(drift)
    if config.aux_weight > 0:
        aux = _aux_loss(real_aux, real_labels, "real")
        if config.aux_fake_in_d and config.conditional:
            aux = aux + _aux_loss(fake_aux, fake_labels, "fake")
        loss = loss + config.aux_weight * aux
        values.append(aux)
    _update(loss, players.opt_d, players.scaler_d, clip=(players.critic, config.grad_clip_value,
                                                         config.grad_clip_norm))
    return torch.stack([v.detach().float() for v in [loss, *values]])


def generator_step(players: Players, batches: Batches, config: TrainConfig) -> torch.Tensor:
    """One generator update (and its moving average) -> ``[loss, aux_g?]``."""
    labels = batches.fake_labels()
    z = batches.sample_z()
    noise = instance_noise_std(config.instance_noise, batches.step, config.steps)
    with players.autocast(batches.data.device):  # the critic scores but is not trained here
        fake = _generate(players.trained_generator, z, labels, config)
        seen = batches.noise_like(fake, noise)  # as the critic saw fakes (instance noise)
        judge = _with_labels(players.discriminator, players.critic, labels, config)
        scores, aux_logits = losses.split_output(judge(seen))
    if config.loss == "bce":
        loss = losses.generator_bce_loss(scores)
    else:
        loss = losses.generator_wasserstein_loss(scores)
    values = [loss]
    if config.aux_weight > 0:
        aux = torch.zeros((), device=loss.device)
        if config.conditional:
            aux = _aux_loss(aux_logits, labels, "fake")
            loss = loss + config.aux_weight * aux
            values[0] = loss
        values.append(aux)
    _update(loss, players.opt_g, players.scaler_g)
    if players.ema is not None:
        update_ema(players.ema, players.ema_source, config.ema_decay)
    return torch.stack([v.detach().float() for v in values])


def _generate(generator: Callable, z: torch.Tensor, labels, config: TrainConfig) -> torch.Tensor:
    return generator(z, labels) if config.conditional else generator(z)


def _with_labels(discriminator: Callable, critic: nn.Module, labels, config: TrainConfig
                 ) -> Callable:
    """``discriminator`` itself, or ``x -> discriminator(x, labels)`` when the run is
    conditional and the critic asks for labels (``takes_labels``: a projection discriminator,
    :mod:`audiogan_lesson.models.conditional`)."""
    if not (config.conditional and getattr(critic, "takes_labels", False)):
        return discriminator
    return lambda x: discriminator(x, labels)


def _update(loss: torch.Tensor, opt: torch.optim.Optimizer,
            scaler: torch.amp.GradScaler | None, clip: tuple | None = None) -> None:
    """Backward and step; ``clip = (module, value, norm)`` clips the module's gradients first
    (:func:`tricks.clip_gradients`; unscaled first under an fp16 scaler)."""
    opt.zero_grad(set_to_none=True)
    clipping = clip is not None and (clip[1] > 0 or clip[2] > 0)
    if scaler is None:
        loss.backward()
        if clipping:
            clip_gradients(*clip)
        opt.step()
    else:
        scaler.scale(loss).backward()
        if clipping:
            scaler.unscale_(opt)
            clip_gradients(*clip)
        scaler.step(opt)
        scaler.update()


def _aux_loss(aux_logits, labels, which: str) -> torch.Tensor:
    if aux_logits is None:
        raise ValueError("TrainConfig.aux_weight > 0 needs a discriminator that returns "
                         "(scores, aux_logits)")
    if labels is None:
        raise ValueError(f"the auxiliary loss on {which} examples needs labels: pass data as "
                         "(waves, labels) and, for fakes, TrainConfig(conditional=True)")
    return losses.auxiliary_loss(aux_logits, labels)


def _mean(rows: list[torch.Tensor]) -> torch.Tensor:
    """The mean of per-update values, summed in update order (as the history always was)."""
    total = rows[0]
    for row in rows[1:]:
        total = total + row
    return total / len(rows)
