"""Checks for notebooks 02_dense_gan_baseline and 05_wgan_gp: GAN losses, diversity, gradient
penalty, the n-critic loop."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from .core import _call, failed, passed

_F = torch.nn.functional


def _loss_value(name: str, out, what: str) -> torch.Tensor:
    """The student's loss as a 0-d tensor, or a FAIL that says what to return."""
    if not isinstance(out, torch.Tensor):
        failed(name, f"{what} returned {type(out).__name__}; return a tensor (the loss)")
    if out.numel() != 1:
        failed(name, f"{what} returned shape {tuple(out.shape)}; return one number, the mean over "
                     "the batch")
    return out.reshape(())


def _logit_cases(seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    cases = []
    for batch, column in ((8, False), (5, True), (16, False)):
        real = torch.randn(batch, generator=g) * 2 + 1.0
        fake = torch.randn(batch, generator=g) * 2 - 0.5
        if column:
            real, fake = real[:, None], fake[:, None]
        cases.append((real, fake))
    return cases


def _bce(x: torch.Tensor, target: float, reduction: str = "mean") -> torch.Tensor:
    x = x.reshape(-1).double()
    return _F.binary_cross_entropy_with_logits(x, torch.full_like(x, target), reduction=reduction)


def check_discriminator_bce(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(real_logits, fake_logits) -> loss`` (notebook ``02_dense_gan_baseline``,
    exercise 2.1).

    The discriminator's binary cross-entropy from logits ``(B,)`` or ``(B, 1)``: real examples
    have label 1, generated ones label 0, each term averaged over its batch
    (``BCE(real, 1) + BCE(fake, 0)``; half of that is accepted too). It must stay finite for
    large logits and be differentiable.
    """
    name = "Exercise 2.1 discriminator_bce"
    big = (torch.tensor([30.0, 50.0, -20.0, 3.0]), torch.tensor([-60.0, 25.0, 40.0, -3.0]))
    factors = set()
    for real, fake in _logit_cases() + [big]:
        r = real.clone().requires_grad_(True)
        f = fake.clone().requires_grad_(True)
        out = _call(name, fn, r, f)
        value = _loss_value(name, out, "fn(real_logits, fake_logits)")
        expected = (_bce(real, 1.0) + _bce(fake, 0.0)).item()
        got = value.item()
        if not math.isfinite(got):
            failed(name, f"the loss is {got} for large logits {real.tolist()} / {fake.tolist()}; "
                         "compute it from the logits with binary_cross_entropy_with_logits "
                         "(log(sigmoid(x)) overflows)")
        factor = next((c for c in (1.0, 0.5) if math.isclose(got, c * expected, rel_tol=1e-4,
                                                              abs_tol=1e-6)), None)
        if factor is None and real is big[0]:
            failed(name, f"for large logits the loss is {got:.6g}, expected {expected:.6g}: a "
                         "sigmoid followed by BCE loses precision (BCELoss clips log at -100); "
                         "use binary_cross_entropy_with_logits on the logits")
        if factor is None:
            failed(name, _diagnose_d_bce(real, fake, got, expected))
        factors.add(factor)
        if not value.requires_grad:
            failed(name, "the loss is not differentiable: build it from torch operations on the "
                         "logits (no .item(), .detach() or numpy)")
        gr, gf = torch.autograd.grad(value, (r, f), allow_unused=True)
        if gr is None or gf is None:
            failed(name, "the loss must depend on both the real and the fake logits")
    if len(factors) > 1:
        failed(name, "the loss is sometimes the sum of the two terms and sometimes half of it; "
                     "pick one")
    passed(name, "BCE from logits, real -> 1, fake -> 0, stable for large logits")


def _diagnose_d_bce(real, fake, got: float, expected: float) -> str:
    candidates = [
        (_bce(real, 0.0) + _bce(fake, 1.0), "the labels are swapped: real examples have label 1 "
                                            "and generated ones label 0"),
        (_bce(torch.sigmoid(real), 1.0) + _bce(torch.sigmoid(fake), 0.0),
         "the inputs are logits: pass them to binary_cross_entropy_with_logits directly, "
         "without a sigmoid first"),
        (_bce(real, 1.0), "only the real term is there: add BCE(fake logits, 0)"),
        (_bce(fake, 0.0), "only the fake term is there: add BCE(real logits, 1)"),
        (_bce(real, 1.0, "sum") + _bce(fake, 0.0, "sum"),
         "average over the batch (mean), not a sum"),
        (-(_bce(real, 1.0) + _bce(fake, 0.0)), "the sign is flipped: cross-entropy is positive, "
                                               "and the discriminator minimises it"),
    ]
    for value, reason in candidates:
        for c in (1.0, 0.5):
            if math.isclose(got, c * value.item(), rel_tol=1e-4, abs_tol=1e-6):
                return reason
    return f"got {got:.6g}, expected {expected:.6g} = BCE(real logits, 1) + BCE(fake logits, 0)"


def check_generator_bce(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(fake_logits) -> loss`` (notebook ``02_dense_gan_baseline``, exercise 2.2).

    The non-saturating generator loss ``-log D(G(z))``: the BCE of the fakes' logits against the
    *real* label 1, averaged over the batch. The saturating minimax form ``log(1 - D(G(z)))``
    fails: its gradient vanishes when the discriminator rejects the fakes.
    """
    name = "Exercise 2.2 generator_bce"
    big = torch.tensor([-120.0, -12.0, 35.0])
    for _, fake in _logit_cases(1) + [(None, big)]:
        f = fake.clone().requires_grad_(True)
        value = _loss_value(name, _call(name, fn, f), "fn(fake_logits)")
        got, expected = value.item(), _bce(fake, 1.0).item()
        if not math.isfinite(got):
            failed(name, f"the loss is {got} for large logits {fake.tolist()}; compute it from "
                         "the logits with binary_cross_entropy_with_logits")
        if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-6) and fake is big:
            failed(name, f"for large logits the loss is {got:.6g}, expected {expected:.6g}: a "
                         "sigmoid followed by BCE loses precision (BCELoss clips log at -100); "
                         "use binary_cross_entropy_with_logits on the logits")
        if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-6):
            failed(name, _diagnose_g_bce(fake, got, expected))
        if not value.requires_grad:
            failed(name, "the loss is not differentiable: build it from torch operations on the "
                         "logits (no .item(), .detach() or numpy)")
    # where D confidently rejects the fakes, the non-saturating gradient is about -1/B per logit
    rejected = torch.full((4,), -8.0, requires_grad=True)
    (grad,) = torch.autograd.grad(_call(name, fn, rejected).reshape(()), rejected)
    if not torch.allclose(grad, torch.full_like(grad, -0.25), atol=1e-3):
        failed(name, f"where D rejects the fakes (logit -8) the gradient is {grad.tolist()}; "
                     "the non-saturating loss keeps it near -1/B")
    passed(name, "non-saturating -log D(G(z)) from logits")


def _diagnose_g_bce(fake, got: float, expected: float) -> str:
    candidates = [
        (-_bce(fake, 0.0), "this is the saturating minimax loss log(1 - D(G(z))); its gradient "
                           "vanishes when D rejects the fakes. Use -log D(G(z)): BCE of the fake "
                           "logits against label 1"),
        (_bce(fake, 0.0), "the label is wrong: the generator wants D to call its fakes real, so "
                          "the target is 1, not 0"),
        (_bce(torch.sigmoid(fake), 1.0), "the inputs are logits: no sigmoid before "
                                         "binary_cross_entropy_with_logits"),
        (_bce(fake, 1.0, "sum"), "average over the batch (mean), not a sum"),
        (-_bce(fake, 1.0), "the sign is flipped: minimise BCE(fake logits, 1), a positive number"),
    ]
    for value, reason in candidates:
        if math.isclose(got, value.item(), rel_tol=1e-4, abs_tol=1e-6):
            return reason
    return f"got {got:.6g}, expected {expected:.6g} = BCE(fake logits, 1)"


def _drum_batch(n: int, length: int = 2048, seed: int = 0) -> torch.Tensor:
    """``(n, length)`` decaying tones and noise bursts, all different: a diverse batch."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(length) / 8000.0
    freq = 60 + 1500 * torch.rand(n, 1, generator=g)
    decay = 5 + 40 * torch.rand(n, 1, generator=g)
    noise = torch.rand(n, 1, generator=g)
    tone = torch.sin(2 * math.pi * freq * t + 6.28 * torch.rand(n, 1, generator=g))
    burst = torch.randn(n, length, generator=g) * 0.3
    return ((1 - noise) * tone + noise * burst) * torch.exp(-decay * t) * 0.8


def _statistic(name: str, fn, batch: torch.Tensor, what: str) -> float:
    out = _call(name, fn, batch.clone())
    if isinstance(out, torch.Tensor):
        if out.numel() != 1:
            failed(name, f"fn returned shape {tuple(out.shape)} on {what}; return one number for "
                         "the whole batch")
        out = out.detach().float().item()
    try:
        value = float(out)
    except (TypeError, ValueError):
        failed(name, f"fn returned {type(out).__name__} on {what}; return one number")
    if not math.isfinite(value):
        failed(name, f"fn returned {value} on {what}")
    return value


def check_diversity(fn: Callable[[torch.Tensor], float]) -> None:
    """Check ``fn(samples) -> float``, a diversity statistic (notebook ``02_dense_gan_baseline``,
    exercise 2.3).

    ``samples`` ``(N, L)`` (or ``(N, 1, L)``) is a batch of generated sounds. The statistic must
    be larger for more varied batches and near 0 for a collapsed batch (every example the same
    sound), so it compares examples with each other (for example the mean distance between
    pairs, or the standard deviation across the batch). It must not depend on the order of the
    examples, and must count every example.
    """
    name = "Exercise 2.3 diversity"
    diverse = _drum_batch(16)
    v_div = _statistic(name, fn, diverse, "a diverse batch")
    collapsed = diverse[:1].repeat(16, 1)
    v_col = _statistic(name, fn, collapsed, "a collapsed batch")
    if v_col > v_div:
        failed(name, f"a collapsed batch scores higher ({v_col:.4g}) than a diverse one "
                     f"({v_div:.4g}); make larger mean more diverse")
    if v_div <= 0:
        failed(name, f"a batch of 16 different sounds scored {v_div:.4g}; a diverse batch must "
                     "score more than 0")
    if v_col > 0.5 * v_div:
        failed(name, f"a collapsed batch (one sound repeated 16 times) scores {v_col:.4g}, close "
                     f"to a diverse batch ({v_div:.4g}): the statistic measures something inside "
                     "each example (loudness, spread over time), not how examples differ from "
                     "each other")
    if v_col > 0.05 * v_div:
        failed(name, f"a collapsed batch scores {v_col:.4g}, not near 0 (diverse: {v_div:.4g}); "
                     "identical examples have no diversity")
    noisy = collapsed + 1e-4 * torch.randn(collapsed.shape,
                                           generator=torch.Generator().manual_seed(1))
    if _statistic(name, fn, noisy, "a nearly collapsed batch") > 0.05 * v_div:
        failed(name, "one sound repeated with a tiny bit of noise must still score near 0")
    twins = diverse.clone()
    twins[1] = twins[0]
    if _statistic(name, fn, twins, "a diverse batch whose first two examples match") < 0.5 * v_div:
        failed(name, "a batch that is diverse except that its first two examples are equal scores "
                     "near 0: use every example, not just the first ones")
    one_odd = collapsed.clone()
    one_odd[1] = -diverse[0]
    if _statistic(name, fn, one_odd, "a batch of 15 copies and one other sound") > 0.4 * v_div:
        failed(name, "15 copies of one sound plus a single other sound score as high as a fully "
                     "diverse batch: the statistic must reflect the whole batch (a mean, not a "
                     "max or the first pair)")
    perm = torch.randperm(16, generator=torch.Generator().manual_seed(2))
    if not math.isclose(_statistic(name, fn, diverse[perm], "a reordered batch"), v_div,
                        rel_tol=1e-3, abs_tol=1e-6):
        failed(name, "shuffling the batch changes the value: the statistic must not depend on the "
                     "order of the examples")
    original = diverse.clone()
    _call(name, fn, diverse)
    if not torch.equal(diverse, original):
        failed(name, "fn changed the samples in place; compute on a copy")
    if not math.isclose(_statistic(name, fn, diverse[:, None, :], "the same batch as (N, 1, L)"),
                        v_div, rel_tol=1e-3, abs_tol=1e-6):
        failed(name, "samples of shape (N, 1, L) give a different value than the same samples as "
                     "(N, L): flatten each example first (samples.flatten(1))")
    passed(name, f"collapsed {v_col:.3g} vs diverse {v_div:.3g}, order-free, uses every example")


def check_critic_loss(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """Check ``fn(real_scores, fake_scores) -> loss`` (notebook ``05_wgan_gp``, exercise 5.1).

    The Wasserstein critic minimises ``mean D(fake) - mean D(real)``: raw scores (no sigmoid, no
    log), real scores pushed up, fake scores down.
    """
    name = "Exercise 5.1 critic_loss"
    cases = _logit_cases(2) + [(torch.tensor([300.0, 120.0, -50.0]),
                                torch.tensor([-400.0, 80.0, 20.0]))]
    for real, fake in cases:
        r = real.clone().requires_grad_(True)
        f = fake.clone().requires_grad_(True)
        value = _loss_value(name, _call(name, fn, r, f), "fn(real_scores, fake_scores)")
        got = value.item()
        expected = (fake.double().mean() - real.double().mean()).item()
        if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-5):
            reasons = [
                ((real.double().mean() - fake.double().mean()).item(),
                 "the sign is flipped: the critic scores real examples high, so it minimises "
                 "mean D(fake) - mean D(real)"),
                ((fake.double().sum() - real.double().sum()).item(),
                 "average over the batch (mean), not a sum"),
                ((torch.sigmoid(fake.double()).mean() - torch.sigmoid(real.double()).mean()).item(),
                 "a critic's scores are not probabilities: no sigmoid, "
                 "just the difference of means"),
                ((_bce(real, 1.0) + _bce(fake, 0.0)).item(),
                 "this is the BCE loss of notebook 02; the Wasserstein critic uses the difference "
                 "of mean scores"),
            ]
            hint = next((r for v, r in reasons if math.isclose(got, v, rel_tol=1e-4, abs_tol=1e-5)),
                        f"got {got:.6g}, expected mean(fake) - mean(real) = {expected:.6g}")
            failed(name, hint)
        if not value.requires_grad:
            failed(name, "the loss is not differentiable: "
                         "build it from torch operations (no .item())")
    passed(name, "mean D(fake) - mean D(real) on raw scores")


class _RecordingCritic(torch.nn.Module):
    """``D(x) = <w, x> + k/2 |x|^2 + b`` per example; remembers the inputs it was called with."""

    def __init__(self, shape: tuple[int, ...], seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        size = math.prod(shape)
        w = torch.randn(size, generator=g)
        self.w = torch.nn.Parameter(0.6 * w / w.norm())
        self.k = torch.nn.Parameter(torch.tensor(1.0))
        self.b = torch.nn.Parameter(torch.tensor(0.1))
        self.inputs: list[torch.Tensor] = []

    def score(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(1)
        return (flat @ self.w + 0.5 * self.k * (flat ** 2).sum(1) + self.b)[:, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.inputs.append(x.detach().clone())
        return self.score(x)


def _gp_pair(shape: tuple[int, ...], batch: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Real and fake examples that differ in every sample (so alpha can be read back)."""
    g = torch.Generator().manual_seed(seed)
    scale = (0.02 + 0.2 * torch.rand(batch, generator=g)).reshape((batch,) + (1,) * len(shape))
    real = scale * torch.randn((batch,) + shape, generator=g)
    sign = torch.where(torch.rand((batch,) + shape, generator=g) < 0.5, -1.0, 1.0)
    fake = real + sign * scale * (0.2 + torch.rand((batch,) + shape, generator=g))
    return real, fake


def _gp_variants(critic: _RecordingCritic, x_hat: torch.Tensor,
                 weight: float) -> dict[str, torch.Tensor]:
    x = x_hat.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic.score(x).sum(), x, create_graph=True)
    norms = grad.flatten(1).norm(2, dim=1)
    return {
        "right": weight * ((norms - 1) ** 2).mean(),
        "one-sided": weight * (torch.relu(norms - 1) ** 2).mean(),
        "last dim": weight * ((grad.norm(2, dim=-1) - 1) ** 2).mean(),
        "dim 1": weight * ((grad.norm(2, dim=1) - 1) ** 2).mean(),
        "whole batch": weight * (grad.norm(2) - 1) ** 2,
        "no square": weight * (norms - 1).abs().mean(),
        "squared norm": weight * ((norms ** 2 - 1) ** 2).mean(),
        "no weight": ((norms - 1) ** 2).mean(),
        "sum": weight * ((norms - 1) ** 2).sum(),
    }


_GP_HINTS = {
    "one-sided": "the penalty is two-sided: (||grad|| - 1)^2 pulls norms below 1 up as well; do "
                 "not clamp it with relu/max",
    "last dim": "take the norm over every dimension except the batch (grad.flatten(1).norm(2, "
                "dim=1)); a norm over the last dimension covers only part of each example",
    "dim 1": "take the norm over every dimension except the batch (grad.flatten(1).norm(2, "
             "dim=1)); norm(dim=1) of a (B, C, L) gradient covers only the channels",
    "whole batch": "one gradient norm per example, not one for the whole batch",
    "no square": "square the difference: (||grad|| - 1)^2",
    "squared norm": "use the norm ||grad||_2, not its square",
    "no weight": "multiply the penalty by weight (lambda = 10)",
    "sum": "average the penalty over the batch (mean), not a sum",
}


def check_gradient_penalty(fn: Callable[..., torch.Tensor]) -> None:
    """Check ``fn(critic, real, fake, weight=10.0) -> penalty`` (notebook ``05_wgan_gp``,
    exercise 5.2).

    WGAN-GP: ``x_hat = real + alpha * (fake - real)`` with one ``alpha ~ U[0, 1]`` per example,
    the critic's gradient at ``x_hat`` with ``create_graph=True``, its 2-norm over all non-batch
    dimensions, and ``weight * mean((norm - 1)^2)``. The check calls ``fn`` with a critic that
    records where it is evaluated, so it can tell an interpolation at the wrong points, a
    missing ``create_graph``, a norm over the wrong dimensions and a one-sided penalty apart.
    """
    name = "Exercise 5.2 gradient_penalty"
    alphas = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for trial, (shape, weight) in enumerate([((2, 24), 10.0), ((2, 24), 10.0), ((3, 16), 1.0),
                                                 ((1, 6, 5), 10.0)]):
            critic = _RecordingCritic(shape, seed=trial)
            real, fake = _gp_pair(shape, 32, seed=10 + trial)
            real_copy, fake_copy = real.clone(), fake.clone()
            out = _call(name, fn, critic, real, fake, weight=weight)
            value = _loss_value(name, out, "fn(critic, real, fake)")
            if not (torch.equal(real, real_copy) and torch.equal(fake, fake_copy)):
                failed(name, "fn changed real or fake in place; build x_hat as a new tensor")
            if len(critic.inputs) != 1:
                failed(name, f"the critic was called {len(critic.inputs)} times; call it once, on "
                             "the interpolated examples x_hat")
            x_hat = critic.inputs[0]
            alphas.append(_read_alphas(name, x_hat, real, fake))
            variants = _gp_variants(critic, x_hat, weight)
            got, expected = value.item(), variants["right"].item()
            if not math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-6):
                hint = next((_GP_HINTS[k] for k, v in variants.items()
                             if k != "right" and math.isclose(got, v.item(), rel_tol=1e-4,
                                                              abs_tol=1e-6)), None)
                failed(name, hint or f"got {got:.6g}, expected {expected:.6g} = weight * "
                                     "mean((||grad D(x_hat)||_2 - 1)^2) "
                                     "at the points the critic saw")
            if value.grad_fn is None or not value.requires_grad:
                failed(name, "the penalty must be differentiable with respect to the critic's "
                             "parameters, or it cannot train the critic: pass create_graph=True to "
                             "torch.autograd.grad")
            params = list(critic.parameters())
            got_grads = torch.autograd.grad(value, params, allow_unused=True)
            want_grads = torch.autograd.grad(variants["right"], params, allow_unused=True)
            for p_name, p, a, b in zip(("w", "k", "b"), params, got_grads, want_grads):
                a = torch.zeros_like(p) if a is None else a
                b = torch.zeros_like(p) if b is None else b
                if not torch.allclose(a, b, rtol=1e-3, atol=1e-5):
                    failed(name, f"the penalty's gradient with respect to the critic parameter "
                                 f"{p_name} is wrong: keep the graph of the input gradient "
                                 "(create_graph=True) and do not detach it")
    alpha = torch.cat(alphas)
    if not (0.3 < alpha.mean().item() < 0.7 and alpha.min().item() < 0.15
            and alpha.max().item() > 0.85):
        failed(name, f"alpha ranged over [{alpha.min().item():.2f}, {alpha.max().item():.2f}] with "
                     f"mean {alpha.mean().item():.2f}; draw it uniformly from [0, 1] (torch.rand)")
    passed(name, "per-example interpolation, two-sided penalty on the full gradient norm, "
                 "differentiable (create_graph=True)")


def _read_alphas(name: str, x_hat: torch.Tensor, real: torch.Tensor,
                 fake: torch.Tensor) -> torch.Tensor:
    """The interpolation coefficient of each example, or a FAIL naming what is wrong."""
    if tuple(x_hat.shape) != tuple(real.shape):
        failed(name, f"the critic got shape {tuple(x_hat.shape)}; interpolate the batch "
                     f"{tuple(real.shape)} example by example")
    a = ((x_hat.double() - real.double()) / (fake.double() - real.double())).flatten(1)
    if torch.allclose(x_hat, real):
        failed(name, "the critic saw the real examples themselves; evaluate it between real and "
                     "fake: x_hat = real + alpha * (fake - real)")
    if torch.allclose(x_hat, fake):
        failed(name, "the critic saw the fake examples themselves; evaluate it between real and "
                     "fake: x_hat = real + alpha * (fake - real)")
    if a.min() < -1e-4 or a.max() > 1 + 1e-4:
        failed(name, "x_hat does not lie between real and fake: use alpha in [0, 1] and "
                     "x_hat = real + alpha * (fake - real)")
    if (a.max(dim=1).values - a.min(dim=1).values).max() > 1e-4:
        failed(name, "alpha differs within an example: draw one alpha per example, of shape "
                     "(B, 1, ..., 1), so that x_hat lies on the segment between a real example and "
                     "a fake one (an alpha shaped like real mixes them sample by sample)")
    alpha = a.mean(dim=1)
    if alpha.std() < 1e-6:
        failed(name, f"every example has the same alpha ({alpha[0].item():.3f}); draw one per "
                     "example: torch.rand(B, 1, ..., 1)")
    return alpha.float()


# ----------------------------------------------------------------------------- the n-critic loop


class _CriticRound:
    """Watches one call of a student's WGAN-GP round on tiny linear models (exercise 5.3).

    The critic is ``D(x) = <w, x> + b`` with ``|w| = 2``: its input gradient is ``w`` at every
    point, so the gradient penalty is ``10 (|w| - 1)^2`` whatever the interpolation, and the
    critic's parameter gradient of one step is known exactly from that step's real batch and
    latents. The generator is one linear layer. Both optimisers are plain SGD with a pre-step
    hook that records every update; both models start with stale gradients, as after an earlier
    round of a real training loop.
    """

    DIM, LATENT, BATCH = 6, 3, 8

    def __init__(self, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.generator = torch.nn.Linear(self.LATENT, self.DIM)
        self.critic = torch.nn.Linear(self.DIM, 1)
        with torch.no_grad():
            for model in (self.generator, self.critic):
                for p in model.parameters():
                    p.copy_(torch.randn(p.shape, generator=g))
            w = self.critic.weight
            w.mul_(2.0 / w.norm())
            for model in (self.generator, self.critic):
                for p in model.parameters():
                    p.grad = 3.0 * torch.randn(p.shape, generator=g)
        self.stale_g = [p.grad.clone() for p in self.generator.parameters()]
        self.stale_d = [p.grad.clone() for p in self.critic.parameters()]
        self.g_start = [p.detach().clone() for p in self.generator.parameters()]
        self.opt_g = torch.optim.SGD(self.generator.parameters(), lr=0.01)
        self.opt_d = torch.optim.SGD(self.critic.parameters(), lr=0.01)
        self.opt_g.register_step_pre_hook(lambda opt, args, kwargs: self._g_hook())
        self.opt_d.register_step_pre_hook(lambda opt, args, kwargs: self._d_hook())
        self.data_rng = torch.Generator().manual_seed(seed + 100)
        self.reals: list[torch.Tensor] = []
        self.latents: list[torch.Tensor] = []
        self.events: list[str] = []
        self.d_grads: list[list[torch.Tensor]] = []  # what the critic stepped with, per step
        self.d_expected: list[list[torch.Tensor]] = []
        self.d_no_gp: list[list[torch.Tensor]] = []
        self.d_flipped: list[list[torch.Tensor]] = []
        self.g_through_d: list[torch.Tensor] | None = None  # sum of critic-step paths into G
        self.g_grads: list[torch.Tensor] | None = None
        self.g_expected: list[torch.Tensor] | None = None
        self.g_flipped: list[torch.Tensor] | None = None
        self.g_changed_during_critic = False
        self.reals_at_d: list[int] = []
        self.latents_at_d: list[int] = []

    # what the student's loop is given
    def next_real(self) -> torch.Tensor:
        batch = torch.randn(self.BATCH, self.DIM, generator=self.data_rng) + 1.5
        self.reals.append(batch.clone())
        return batch

    def sample_z(self) -> torch.Tensor:
        z = torch.rand(self.BATCH, self.LATENT, generator=self.data_rng) * 2 - 1
        self.latents.append(z.clone())
        return z

    # what the hooks record
    @staticmethod
    def _grads(model: torch.nn.Module) -> list[torch.Tensor]:
        return [torch.zeros_like(p) if p.grad is None else p.grad.detach().clone()
                for p in model.parameters()]

    def _critic_grads(self, real: torch.Tensor, z: torch.Tensor) -> tuple[list, list, list]:
        """The critic's parameter gradients for one step: right, without the penalty, sign
        flipped."""
        params = list(self.critic.parameters())
        with torch.enable_grad():
            fake = self.generator(z).detach()
            wdist = self.critic(real).mean() - self.critic(fake).mean()
            gp = 10.0 * (self.critic.weight.norm() - 1) ** 2
            right = torch.autograd.grad(-wdist + gp, params, retain_graph=True)
            no_gp = torch.autograd.grad(-wdist, params, retain_graph=True)
            flipped = torch.autograd.grad(wdist + gp, params)
        return list(right), list(no_gp), list(flipped)

    def _d_hook(self) -> None:
        self.events.append("d")
        if any(not torch.equal(p.detach(), q)
               for p, q in zip(self.generator.parameters(), self.g_start)):
            self.g_changed_during_critic = True
        self.reals_at_d.append(len(self.reals))
        self.latents_at_d.append(len(self.latents))
        self.d_grads.append(self._grads(self.critic))
        if self.reals and self.latents:
            right, no_gp, flipped = self._critic_grads(self.reals[-1], self.latents[-1])
        else:
            right = no_gp = flipped = [torch.full_like(p, float("nan"))
                                       for p in self.critic.parameters()]
        self.d_expected.append(right)
        self.d_no_gp.append(no_gp)
        self.d_flipped.append(flipped)
        if self.latents:
            with torch.enable_grad():
                path = torch.autograd.grad(self.critic(self.generator(self.latents[-1])).mean(),
                                           list(self.generator.parameters()))
            if self.g_through_d is None:
                self.g_through_d = [t.clone() for t in path]
            else:
                self.g_through_d = [a + t for a, t in zip(self.g_through_d, path)]

    def _g_hook(self) -> None:
        self.events.append("g")
        if self.g_grads is not None:
            return
        self.g_grads = self._grads(self.generator)
        params = list(self.generator.parameters())
        if self.latents:
            with torch.enable_grad():
                score = self.critic(self.generator(self.latents[-1])).mean()
                self.g_expected = list(torch.autograd.grad(-score, params))
                self.g_flipped = [-t for t in self.g_expected]


def _close(a: list[torch.Tensor], b: list[torch.Tensor] | None) -> bool:
    return b is not None and all(torch.allclose(x, y, rtol=1e-4, atol=1e-5) for x, y in zip(a, b))


def _plus(a: list[torch.Tensor], *others: list[torch.Tensor] | None) -> list[torch.Tensor]:
    out = [x.clone() for x in a]
    for other in others:
        if other is not None:
            out = [x + y for x, y in zip(out, other)]
    return out


def _is_number(value) -> bool:
    if isinstance(value, torch.Tensor):
        return value.numel() == 1 and bool(torch.isfinite(value.detach()).all())
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def check_critic_steps(fn: Callable[..., tuple]) -> None:
    """Check ``fn(generator, critic, opt_g, opt_d, next_real, sample_z, n_critic=5)``, one round
    of WGAN-GP training (notebook ``05_wgan_gp``, exercise 5.3).

    A round is ``n_critic`` critic updates, each on a fresh real batch (``next_real()``) and fresh
    fakes (``generator(sample_z())``, no gradient into the generator), with the loss
    ``critic_loss(D(real), D(fake)) + gradient_penalty(D, real, fake, 10)`` and the critic's
    gradients zeroed before each backward pass; then one generator update with
    ``-mean D(G(z))``, its gradients zeroed first. ``fn`` returns ``(d_loss, g_loss)``.

    The check runs ``fn`` on tiny linear models whose optimisers record every update, so it can
    tell one critic step, a generator updated during the critic steps, a real batch reused
    across critic steps, gradients that were not zeroed, a missing penalty and flipped signs
    apart.
    """
    name = "Exercise 5.3 critic_steps"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for seed, n_critic in ((0, 5), (1, 3), (2, 1)):
            _check_one_round(name, fn, seed, n_critic)
    passed(name, "n_critic critic updates on fresh batches with zeroed gradients, then one "
                 "generator update; n_critic is honoured (tried 5, 3 and 1)")


def _check_one_round(name: str, fn: Callable[..., tuple], seed: int, n_critic: int) -> None:
    watch = _CriticRound(seed)
    try:
        out = fn(watch.generator, watch.critic, watch.opt_g, watch.opt_d, watch.next_real,
                 watch.sample_z, n_critic=n_critic)
    except NotImplementedError:
        raise
    except Exception as exc:  # the student's round crashed: say on what
        failed(name, f"calling {getattr(fn, '__name__', 'fn')}(generator, critic, opt_g, opt_d, "
                     f"next_real, sample_z, n_critic={n_critic}) on linear models "
                     f"(latents (8, 3), examples (8, 6)) raised {type(exc).__name__}: {exc}")
    _judge_round(name, watch, n_critic, out)


def _judge_round(name: str, watch: _CriticRound, n_critic: int, out) -> None:
    d_steps = watch.events.count("d")
    g_steps = watch.events.count("g")
    first_g = watch.events.index("g") if g_steps else None
    if first_g is not None and "d" in watch.events[first_g:]:
        if first_g == 0:
            failed(name, "the generator was updated before the critic: a round first trains the "
                         "critic n_critic times, then the generator once")
        failed(name, f"the generator was updated during the critic steps (updates in order: "
                     f"{' '.join(watch.events)}); call opt_g.step() once, after the loop over "
                     "critic steps")
    if d_steps != n_critic:
        hint = (" (5 is the paper's value, but use the n_critic argument)" if d_steps == 5 else "")
        failed(name, f"with n_critic={n_critic} the critic was updated {d_steps} time(s){hint}; "
                     "call opt_d.step() once per critic step, n_critic times")
    if g_steps != 1:
        failed(name, f"the generator was updated {g_steps} times; a round ends with exactly one "
                     "generator update (opt_g.step())")
    if watch.g_changed_during_critic:
        failed(name, "the generator's weights changed during the critic steps; only the critic "
                     "learns in the loop (opt_d.step()), the generator after it")
    for k in range(n_critic):
        if watch.reals_at_d[k] < k + 1 or (k and watch.reals_at_d[k] == watch.reals_at_d[k - 1]):
            failed(name, f"critic step {k + 1} used no new real batch; call next_real() inside the "
                         "loop so every critic step sees fresh real examples")
        if (watch.latents_at_d[k] < k + 1
                or (k and watch.latents_at_d[k] == watch.latents_at_d[k - 1])):
            failed(name, f"critic step {k + 1} used no new latents; call sample_z() inside the "
                         "loop so every critic step sees fresh fakes")
        got, right = watch.d_grads[k], watch.d_expected[k]
        if _close(got, right):
            continue
        before = watch.stale_d if k == 0 else watch.d_grads[k - 1]
        if _close(got, _plus(right, before)):
            failed(name, f"at critic step {k + 1} the critic's gradients still held those of an "
                         "earlier backward pass; call opt_d.zero_grad() before every "
                         "d_loss.backward(), inside the loop")
        if _close(got, watch.d_no_gp[k]):
            failed(name, "the critic's loss has no gradient penalty; add "
                         "gradient_penalty(critic, real, fake, 10.0) to the critic loss")
        if _close(got, watch.d_flipped[k]):
            failed(name, "the critic loss has the wrong sign: the critic minimises "
                         "mean D(fake) - mean D(real) (+ the penalty)")
        failed(name, f"at critic step {k + 1} the critic's gradient does not match "
                     "critic_loss(D(real), D(fake)) + gradient_penalty(D, real, fake) on the real "
                     "batch and latents drawn for that step (fakes = generator(sample_z()))")
    got = watch.g_grads
    if _close(got, watch.g_expected):
        pass
    elif _close(got, watch.g_flipped):
        failed(name, "the generator's loss has the wrong sign: it maximises the critic's score of "
                     "its fakes, so it minimises -mean D(G(z))")
    elif any(_close(got, _plus(watch.g_expected, *extra)) for extra in
             ([watch.stale_g], [watch.stale_g, watch.g_through_d], [watch.g_through_d])):
        failed(name, "the generator's gradients held more than its own loss's gradient; call "
                     "opt_g.zero_grad() right before g_loss.backward() (and make the critic's "
                     "fakes without gradients: torch.no_grad() or .detach())")
    else:
        failed(name, "the generator's gradient does not match that of -mean D(G(z)) for the "
                     "latents drawn last (sample_z()) with the trained critic")
    if not (isinstance(out, (tuple, list)) and len(out) == 2 and all(_is_number(v) for v in out)):
        failed(name, "return (d_loss, g_loss): the last critic loss and the generator loss, "
                     "two numbers")
