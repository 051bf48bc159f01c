"""GAN losses (audiogan_lesson.losses): BCE, Wasserstein, gradient penalty, drift, auxiliary."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from audiogan_lesson import losses


def test_discriminator_bce_matches_definition():
    real = torch.tensor([2.0, -1.0, 0.5])
    fake = torch.tensor([[-3.0], [0.0], [1.0]])
    got = losses.discriminator_bce_loss(real, fake)
    sig = torch.sigmoid
    expected = -(torch.log(sig(real)).mean() + torch.log(1 - sig(fake[:, 0])).mean())
    assert torch.allclose(got, expected, atol=1e-6)
    assert got.shape == () and got.dtype == torch.float32


def test_one_sided_label_smoothing_only_softens_real_label():
    real = torch.tensor([4.0, 5.0])
    fake = torch.tensor([-4.0, -5.0])
    smooth = losses.discriminator_bce_loss(real, fake, real_target=0.9)
    expected = (F.binary_cross_entropy_with_logits(real, torch.full_like(real, 0.9))
                + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))
    assert torch.allclose(smooth, expected)
    # an over-confident real score is now penalised
    assert smooth > losses.discriminator_bce_loss(real, fake)
    with pytest.raises(ValueError, match="real_target"):
        losses.discriminator_bce_loss(real, fake, real_target=0.0)


def test_bce_is_stable_for_large_logits():
    big = torch.tensor([80.0, -80.0])
    assert torch.isfinite(losses.discriminator_bce_loss(big, -big))
    assert torch.isfinite(losses.generator_bce_loss(big))


def test_generator_loss_is_non_saturating():
    # D confidently rejects the fakes: the non-saturating gradient stays ~1/B, the minimax one
    # vanishes
    fake = torch.full((4,), -10.0, requires_grad=True)
    (g_ns,) = torch.autograd.grad(losses.generator_bce_loss(fake), fake)
    fake2 = fake.detach().clone().requires_grad_(True)
    (g_sat,) = torch.autograd.grad(losses.generator_saturating_loss(fake2), fake2)
    assert torch.allclose(g_ns, torch.full((4,), -0.25), atol=1e-3)
    assert g_sat.abs().max() < 1e-4
    assert torch.allclose(losses.generator_bce_loss(torch.zeros(3)), torch.tensor(math.log(2)))


def test_discriminator_accuracy():
    acc = losses.discriminator_accuracy(torch.tensor([1.0, -1.0]), torch.tensor([-1.0, -2.0]))
    assert acc.item() == pytest.approx(0.75)


def test_wasserstein_losses():
    real = torch.tensor([3.0, 1.0])
    fake = torch.tensor([[0.0], [-2.0]])
    assert losses.critic_loss(real, fake).item() == pytest.approx(-1.0 - 2.0)
    assert losses.generator_wasserstein_loss(fake).item() == pytest.approx(1.0)


def test_scores_shape_errors_are_clear():
    with pytest.raises(ValueError, match=r"\(B,\) or \(B, 1\)"):
        losses.critic_loss(torch.zeros(4, 2), torch.zeros(4))


class Linear3d(nn.Module):
    """D(x) = sum(w * x): its input gradient is w everywhere."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x):
        return (x * self.w).flatten(1).sum(1, keepdim=True)


def test_gradient_penalty_of_linear_critic_is_closed_form():
    torch.manual_seed(0)
    w = torch.randn(2, 8)
    w = 0.5 * w / w.norm()  # gradient norm 0.5 over all non-batch dims
    critic = Linear3d(w)
    real, fake = torch.randn(5, 2, 8), torch.randn(5, 2, 8)
    gp = losses.gradient_penalty(critic, real, fake, weight=10.0)
    assert gp.item() == pytest.approx(10 * 0.25, rel=1e-5)  # two-sided: (0.5 - 1)^2 counts
    # the penalty trains the critic (create_graph=True): d gp / d w = 10 * 2 (|w| - 1) w/|w|
    (gw,) = torch.autograd.grad(gp, critic.w)
    assert torch.allclose(gw, 10 * 2 * (0.5 - 1) * w / 0.5, atol=1e-5)


def test_gradient_penalty_interpolates_per_example():
    seen = []

    def critic(x):
        seen.append(x.detach().clone())
        return (x ** 2).flatten(1).sum(1)

    real = torch.zeros(64, 1, 10)
    fake = torch.ones(64, 1, 10)
    g = torch.Generator().manual_seed(3)
    losses.gradient_penalty(critic, real, fake, generator=g)
    x_hat = seen[0]
    alpha = x_hat[:, 0, 0]
    assert torch.allclose(x_hat, alpha[:, None, None].expand_as(x_hat))  # one alpha per example
    assert alpha.min() >= 0 and alpha.max() <= 1 and alpha.std() > 0.2
    # the same generator state gives the same alphas
    losses.gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(3))
    assert torch.equal(seen[1], x_hat)


def test_gradient_penalty_runs_in_fp32_inside_autocast():
    dtypes = []

    class Critic(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(16, 1)

        def forward(self, x):
            out = self.lin(x.flatten(1))
            dtypes.append(out.dtype)
            return out, torch.zeros(x.shape[0], 3)  # (scores, aux_logits) is accepted

    critic = Critic()
    real = torch.randn(4, 1, 16).bfloat16()
    fake = torch.randn(4, 1, 16).bfloat16()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        gp = losses.gradient_penalty(critic, real, fake)
        assert critic(real.float())[0].dtype == torch.bfloat16  # autocast is really on outside
    assert dtypes[0] == torch.float32 and gp.dtype == torch.float32
    gp.backward()
    assert critic.lin.weight.grad is not None


def test_gradient_penalty_shape_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        losses.gradient_penalty(lambda x: x.sum(1), torch.zeros(2, 3), torch.zeros(2, 4))


def test_drift_and_auxiliary():
    real = torch.tensor([10.0, -10.0])
    assert losses.drift_penalty(real).item() == pytest.approx(0.001 * 100)
    assert losses.drift_penalty(real, eps=0.01).item() == pytest.approx(1.0)
    logits = torch.tensor([[5.0, 0.0], [0.0, 5.0]])
    labels = torch.tensor([0, 1])
    assert losses.auxiliary_loss(logits, labels).item() < 0.01
    assert losses.auxiliary_loss(logits, 1 - labels).item() > 4
    with pytest.raises(ValueError, match="labels"):
        losses.auxiliary_loss(logits, torch.tensor([0]))


def test_split_output():
    s = torch.zeros(2)
    assert losses.split_output(s) == (s, None)
    a = torch.zeros(2, 3)
    assert losses.split_output((s, a))[1] is a
