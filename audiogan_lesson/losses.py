"""GAN losses (notebooks ``02_dense_gan_baseline``, ``05_wgan_gp`` and ``06_gansynth_progressive``).

Every function takes the raw scores of a discriminator (logits, never sigmoids) and returns a
0-d float32 tensor that can be back-propagated.

- The original GAN game with binary cross-entropy: :func:`discriminator_bce_loss` (optionally
  with one-sided label smoothing, Salimans et al. 2016) and the non-saturating generator loss
  :func:`generator_bce_loss` (Goodfellow et al. 2014, section 3).
- WGAN-GP (Gulrajani et al. 2017), the recipe of WaveGAN/SpecGAN (Donahue et al. 2019):
  :func:`critic_loss`, :func:`generator_wasserstein_loss` and :func:`gradient_penalty`.
- The extras of progressive GANs and GANSynth (Karras et al. 2018; Engel et al. 2019):
  :func:`drift_penalty` and the auxiliary classification loss :func:`auxiliary_loss`.

A discriminator may return ``(logits, aux_logits)`` (a conditioned model with an auxiliary
classifier); :func:`split_output` takes such an output apart.
"""

from __future__ import annotations

import contextlib

from typing import Callable

import torch
import torch.nn.functional as F

__all__ = [
    "split_output",
    "discriminator_bce_loss",
    "generator_bce_loss",
    "generator_saturating_loss",
    "discriminator_accuracy",
    "critic_loss",
    "generator_wasserstein_loss",
    "gradient_penalty",
    "drift_penalty",
    "auxiliary_loss",
]


def split_output(output) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``(scores, aux_logits)`` from a discriminator output.

    A plain tensor gives ``(output, None)``; a tuple or list ``(scores, aux_logits, ...)`` gives
    its first two items. ``scores`` has shape ``(B,)`` or ``(B, 1)``; ``aux_logits``
    ``(B, classes)``.
    """
    if isinstance(output, (tuple, list)):
        if not output:
            raise ValueError("the discriminator returned an empty tuple; return scores or "
                             "(scores, aux_logits)")
        return output[0], (output[1] if len(output) > 1 else None)
    return output, None


def _scores(x: torch.Tensor, what: str) -> torch.Tensor:
    """Flatten scores of shape ``(B,)`` or ``(B, 1)`` to ``(B,)`` float32."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{what} must be a tensor of shape (B,) or (B, 1); got {type(x).__name__}")
    if x.dim() == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() != 1:
        raise ValueError(f"{what} must have shape (B,) or (B, 1), one score per example; "
                         f"got {tuple(x.shape)}")
    return x.float()


def discriminator_bce_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor,
                           real_target: float = 1.0) -> torch.Tensor:
    """Binary cross-entropy of the discriminator, from logits.

    ``real_logits`` ``(B,)`` or ``(B, 1)`` are the scores of real examples (label 1),
    ``fake_logits`` those of generated ones (label 0). The loss is
    ``BCE(real, real_target) + BCE(fake, 0)``, each term a mean over its batch.
    ``real_target=0.9`` is one-sided label smoothing (Salimans et al. 2016): only the real label
    is softened, the fake one stays 0. Notebook ``02_dense_gan_baseline``.
    """
    real = _scores(real_logits, "real_logits")
    fake = _scores(fake_logits, "fake_logits")
    if not 0.0 < real_target <= 1.0:
        raise ValueError(f"real_target={real_target} must be in (0, 1]; 1.0 is no smoothing, "
                         "0.9 the usual one-sided smoothing")
    loss_real = F.binary_cross_entropy_with_logits(real, torch.full_like(real, real_target))
    loss_fake = F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
    return loss_real + loss_fake


def generator_bce_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss ``-log D(G(z))`` from logits ``(B,)`` or ``(B, 1)``.

    It is the BCE of the fakes against the *real* label. Its gradient stays large when the
    discriminator confidently rejects the fakes, which is when the generator most needs it.
    Notebook ``02_dense_gan_baseline``.
    """
    fake = _scores(fake_logits, "fake_logits")
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))


def generator_saturating_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """The original minimax generator loss ``log(1 - D(G(z)))`` (for comparison plots only).

    Its gradient vanishes when the discriminator wins, which is why the course trains with
    :func:`generator_bce_loss`. Notebook ``02_dense_gan_baseline``.
    """
    fake = _scores(fake_logits, "fake_logits")
    return -F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))


def discriminator_accuracy(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Fraction of real (logit > 0) and fake (logit < 0) examples the discriminator gets right."""
    real = _scores(real_logits, "real_logits")
    fake = _scores(fake_logits, "fake_logits")
    right = (real > 0).float().sum() + (fake < 0).float().sum()
    return right / (real.numel() + fake.numel())


def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """The Wasserstein critic loss ``mean D(fake) - mean D(real)`` (WGAN, Arjovsky et al. 2017).

    Minimising it pushes real scores up and fake scores down; its negative is the critic's
    estimate of the Wasserstein-1 distance. Add :func:`gradient_penalty` to keep the critic
    1-Lipschitz. Notebook ``05_wgan_gp``.
    """
    return _scores(fake_scores, "fake_scores").mean() - _scores(real_scores, "real_scores").mean()


def generator_wasserstein_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """The WGAN generator loss ``-mean D(G(z))``. Notebook ``05_wgan_gp``."""
    return -_scores(fake_scores, "fake_scores").mean()


GP_PRECISIONS = ("fp32", "autocast")


def gradient_penalty(critic: Callable, real: torch.Tensor, fake: torch.Tensor, weight: float = 10.0,
                     generator: torch.Generator | None = None, alpha: torch.Tensor | None = None,
                     precision: str = "fp32") -> torch.Tensor:
    """The WGAN-GP penalty ``weight * E[(||grad_x D(x_hat)||_2 - 1)^2]`` (Gulrajani et al. 2017).

    ``real`` and ``fake`` have the same shape ``(B, ...)`` (``(B, 1, L)`` for WaveGAN,
    ``(B, 1, H, W)`` for SpecGAN). Each example gets its own ``alpha ~ U[0, 1]`` and
    ``x_hat = real + alpha * (fake - real)`` lies on the segment between its real and fake
    example. The gradient norm is taken over every non-batch dimension, and the penalty is
    two-sided: it pulls the norm toward 1 from both sides. ``create_graph=True`` keeps the
    gradient differentiable, so the penalty trains the critic's parameters.

    ``precision="fp32"`` (the default) computes the penalty in float32 with autocast disabled,
    even when called inside ``torch.autocast``: the safe choice for a second derivative.
    ``"autocast"`` runs the critic under whatever autocast is active (bf16/fp16 convolutions,
    the norm still in fp32): faster, measured by ``python -m audiogan_lesson bench``.
    ``critic`` may return ``(scores, aux_logits)``; only the scores are used. ``generator``
    draws ``alpha`` (on the device of ``real``) for reproducible training; ``alpha``
    ``(B, 1, ...)`` gives the weights instead (the trainer draws them for its whole batch).
    Returns a 0-d float32 tensor. Notebook ``05_wgan_gp`` (exercise 5.2 asks for this function).
    """
    if real.shape != fake.shape:
        raise ValueError(f"real {tuple(real.shape)} and fake {tuple(fake.shape)} must have the "
                         "same shape to interpolate between them")
    if precision not in GP_PRECISIONS:
        raise ValueError(f"gradient_penalty: precision={precision!r}; choose one of "
                         f"{', '.join(GP_PRECISIONS)}")
    batch = real.shape[0]
    alpha_shape = (batch,) + (1,) * (real.dim() - 1)
    if alpha is None:
        alpha = torch.rand(alpha_shape, generator=generator, device=real.device,
                           dtype=torch.float32)
    elif tuple(alpha.shape) != alpha_shape:
        raise ValueError(f"gradient_penalty: alpha has shape {tuple(alpha.shape)}; expected "
                         f"{alpha_shape}, one weight per example")
    keep = precision == "autocast"  # the caller's autocast (if any) stays as it is
    with contextlib.nullcontext() if keep else torch.autocast(real.device.type, enabled=False):
        real32 = real.detach().float()
        fake32 = fake.detach().float()
        x_hat = (real32 + alpha * (fake32 - real32)).requires_grad_(True)
        scores, _ = split_output(critic(x_hat))
        scores = scores.float()
        (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
        norms = grad.float().flatten(1).norm(2, dim=1)
        return weight * ((norms - 1.0) ** 2).mean()


def drift_penalty(real_scores: torch.Tensor, eps: float = 0.001) -> torch.Tensor:
    """``eps * mean(D(real)^2)``: keeps the critic's scores from drifting far from 0.

    Progressive GAN (Karras et al. 2018) and GANSynth use ``eps = 0.001``. Notebook
    ``06_gansynth_progressive``.
    """
    return eps * (_scores(real_scores, "real_scores") ** 2).mean()


def auxiliary_loss(aux_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of an auxiliary classifier (AC-GAN, Odena et al. 2017; GANSynth's pitch).

    ``aux_logits`` ``(B, classes)``, ``labels`` ``(B,)`` integer class indices.
    Notebook ``06_gansynth_progressive``.
    """
    if aux_logits.dim() != 2:
        raise ValueError(f"aux_logits must have shape (B, classes); got {tuple(aux_logits.shape)}")
    if labels.dim() != 1 or labels.shape[0] != aux_logits.shape[0]:
        raise ValueError(f"labels must have shape ({aux_logits.shape[0]},) of class indices; "
                         f"got {tuple(labels.shape)}")
    return F.cross_entropy(aux_logits.float(), labels.long())
