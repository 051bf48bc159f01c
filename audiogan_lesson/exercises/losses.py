"""Checks for notebooks 02_dense_gan_baseline and 05_wgan_gp: GAN losses, diversity, gradient penalty."""

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
    """Check ``fn(real_logits, fake_logits) -> loss`` (notebook ``02_dense_gan_baseline``, exercise 2.1).

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
        (_bce(real, 1.0, "sum") + _bce(fake, 0.0, "sum"), "average over the batch (mean), not a sum"),
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
    noisy = collapsed + 1e-4 * torch.randn(collapsed.shape, generator=torch.Generator().manual_seed(1))
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
    cases = _logit_cases(2) + [(torch.tensor([300.0, 120.0, -50.0]), torch.tensor([-400.0, 80.0, 20.0]))]
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
                 "a critic's scores are not probabilities: no sigmoid, just the difference of means"),
                ((_bce(real, 1.0) + _bce(fake, 0.0)).item(),
                 "this is the BCE loss of notebook 02; the Wasserstein critic uses the difference "
                 "of mean scores"),
            ]
            hint = next((r for v, r in reasons if math.isclose(got, v, rel_tol=1e-4, abs_tol=1e-5)),
                        f"got {got:.6g}, expected mean(fake) - mean(real) = {expected:.6g}")
            failed(name, hint)
        if not value.requires_grad:
            failed(name, "the loss is not differentiable: build it from torch operations (no .item())")
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


def _gp_variants(critic: _RecordingCritic, x_hat: torch.Tensor, weight: float) -> dict[str, torch.Tensor]:
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
    """Check ``fn(critic, real, fake, weight=10.0) -> penalty`` (notebook ``05_wgan_gp``, exercise 5.2).

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
                                     "mean((||grad D(x_hat)||_2 - 1)^2) at the points the critic saw")
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


def _read_alphas(name: str, x_hat: torch.Tensor, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
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
