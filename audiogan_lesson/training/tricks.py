"""Stabilisation tricks for a BCE discriminator, each off by default (notebook 02's table of
tricks).

The street-music mel-image GAN of the course's source reports (Brooks and Sallah 2024) reached
for these when its BCE game would not settle; :class:`~audiogan_lesson.training.TrainConfig`
turns each on by name and :func:`~audiogan_lesson.training.round.critic_step` applies them:

- ``instance_noise``: Gaussian noise of this standard deviation added to every input of the
  discriminator, real and fake, decaying linearly to 0 over the run (Sønderby et al. 2017,
  "Amortised MAP inference for image super-resolution"; Arjovsky and Bottou 2017). The report
  added 0.02 to the real images only; here both sides get it, as the papers do.
- ``bce_gp_weight`` with ``bce_gp_kind``: a gradient penalty on the BCE discriminator's logits.
  ``"two-sided"``: ``(||grad D(x_hat)|| - 1)^2`` at random interpolates (Gulrajani et al. 2017);
  ``"one-sided"``: ``max(0, ||grad D(x_hat)|| - 1)^2`` at the same points (the report's, with
  weight 25); ``"r1"``: ``||grad D(x)||^2`` on real data (Mescheder et al. 2018; their ``gamma``
  is twice this weight).
- ``grad_clip_value`` and ``grad_clip_norm``: the discriminator's gradients clipped element-wise
  to ``[-v, v]`` (the report's ``tf.clip_by_value(grad, -0.5, 0.5)``) or rescaled to a total norm
  of at most ``n`` (``torch.nn.utils.clip_grad_norm_``). The report computed clipped gradients
  but applied the unclipped ones; here the clipped ones are applied.
- ``dynamic_weighting``: the report's rule, ``loss_D = (1 - mean D(real)) * BCE_real +
  mean D(fake) * BCE_fake`` with ``D`` the discriminator's probabilities: each half of the loss
  counts as much as the discriminator is currently wrong on it. The weights are treated as
  constants here (detached); the report computed them inside its gradient tape.
"""

from __future__ import annotations

import torch
from torch import nn

from .. import losses

BCE_GP_KINDS = ("two-sided", "one-sided", "r1")


def instance_noise_std(initial: float, step: int, total_steps: int) -> float:
    """The noise level at ``step`` of ``total_steps``: ``initial`` falling linearly to 0 at the
    end of the run (0 after it; ``initial`` throughout when ``total_steps`` is 0)."""
    if initial <= 0:
        return 0.0
    if total_steps <= 0:
        return float(initial)
    return float(initial) * max(0.0, 1.0 - step / total_steps)


def bce_gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor, weight: float,
                         kind: str = "two-sided", alpha: torch.Tensor | None = None,
                         generator: torch.Generator | None = None) -> torch.Tensor:
    """``weight`` times the mean gradient penalty of ``kind`` on ``critic``'s logits (a scalar).

    ``"two-sided"`` and ``"one-sided"`` at random interpolates ``alpha * real + (1 - alpha) *
    fake`` (``alpha`` ``(B, 1, ...)``, else one weight per example drawn with ``generator``);
    ``"r1"`` at ``real``. Computed in float32 with a graph for the discriminator's update.
    """
    if kind not in BCE_GP_KINDS:
        raise ValueError(f"bce_gp_kind={kind!r}; choose one of {', '.join(BCE_GP_KINDS)}")
    real = real.detach().float()
    if kind == "r1":
        points = real.requires_grad_(True)
    else:
        if alpha is None:
            alpha = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), generator=generator,
                               device=real.device)
        points = (alpha * real + (1 - alpha) * fake.detach().float()).requires_grad_(True)
    scores, _ = losses.split_output(critic(points))
    (grads,) = torch.autograd.grad(scores.float().sum(), points, create_graph=True)
    norms = grads.flatten(1).norm(dim=1)
    if kind == "two-sided":
        penalty = (norms - 1.0).square()
    elif kind == "one-sided":
        penalty = torch.relu(norms - 1.0).square()
    else:
        penalty = norms.square()
    return weight * penalty.mean()


def dynamic_weights(real_scores: torch.Tensor,
                    fake_scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The report's weights of the real and fake halves of the BCE loss, as constants:
    ``(1 - mean sigmoid(real_scores), mean sigmoid(fake_scores))``."""
    real_w = 1.0 - torch.sigmoid(real_scores.detach().float()).mean()
    fake_w = torch.sigmoid(fake_scores.detach().float()).mean()
    return real_w, fake_w


def weighted_discriminator_bce(real_scores: torch.Tensor, fake_scores: torch.Tensor,
                               real_target: float = 1.0) -> torch.Tensor:
    """BCE of the discriminator with :func:`dynamic_weights`: ``w_r * BCE(real, target) +
    w_f * BCE(fake, 0)`` (each BCE a batch mean, as in the report)."""
    real_w, fake_w = dynamic_weights(real_scores, fake_scores)
    real_loss = nn.functional.binary_cross_entropy_with_logits(
        real_scores.float(), torch.full_like(real_scores.float(), real_target))
    fake_loss = nn.functional.binary_cross_entropy_with_logits(
        fake_scores.float(), torch.zeros_like(fake_scores.float()))
    return real_w * real_loss + fake_w * fake_loss


def clip_gradients(module: nn.Module, value: float = 0.0, norm: float = 0.0) -> None:
    """Clip ``module``'s gradients in place: element-wise to ``[-value, value]``, then to a total
    norm of at most ``norm`` (each skipped when 0)."""
    params = [p for p in module.parameters() if p.grad is not None]
    if value > 0:
        torch.nn.utils.clip_grad_value_(params, value)
    if norm > 0:
        torch.nn.utils.clip_grad_norm_(params, norm)
