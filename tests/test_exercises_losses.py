"""Checks of notebooks 02 and 05 (audiogan_lesson.exercises): right answers pass, wrong ones
fail."""

import pytest
import torch
import torch.nn.functional as F

from audiogan_lesson import losses
from audiogan_lesson.exercises import (ExerciseFailure, check_critic_loss, check_discriminator_bce,
                                       check_diversity, check_generator_bce,
                                       check_gradient_penalty)


def bce(x, target, reduction="mean"):
    x = x.reshape(-1)
    return F.binary_cross_entropy_with_logits(x, torch.full_like(x, target), reduction=reduction)


def expect_fail(check, fn, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason) as err:
        check(fn)
    out = capsys.readouterr().out
    assert out.startswith("[FAIL]") and str(err.value) in out


# ----------------------------------------------------------------------------- discriminator BCE


@pytest.mark.parametrize("right", [
    losses.discriminator_bce_loss,
    lambda r, f: bce(r, 1.0) + bce(f, 0.0),
    lambda r, f: 0.5 * (bce(r, 1.0) + bce(f, 0.0)),
    lambda r, f: F.softplus(-r).mean() + F.softplus(f).mean(),
    lambda r, f: torch.nn.BCEWithLogitsLoss()(torch.cat([r.reshape(-1), f.reshape(-1)]),
                                              torch.cat([torch.ones(r.numel()),
                                                         torch.zeros(f.numel())])) * 2,
])
def test_discriminator_bce_right_answers_pass(right, capsys):
    # the last one averages over real and fake together: equal batch sizes make it the same
    check_discriminator_bce(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 2.1")


@pytest.mark.parametrize("wrong, reason", [
    (lambda r, f: bce(r, 0.0) + bce(f, 1.0), "labels are swapped"),
    (lambda r, f: bce(torch.sigmoid(r), 1.0) + bce(torch.sigmoid(f), 0.0), "without a sigmoid"),
    (lambda r, f: bce(r, 1.0), "only the real term"),
    (lambda r, f: bce(f, 0.0), "only the fake term"),
    (lambda r, f: bce(r, 1.0, "sum") + bce(f, 0.0, "sum"), "not a sum"),
    (lambda r, f: -(bce(r, 1.0) + bce(f, 0.0)), "sign is flipped"),
    (lambda r, f: -(torch.log(torch.sigmoid(r)) + torch.log(1 - torch.sigmoid(f))).mean(),
     "large logits"),
    (lambda r, f: F.binary_cross_entropy(torch.sigmoid(r).reshape(-1), torch.ones(r.numel()))
     + F.binary_cross_entropy(torch.sigmoid(f).reshape(-1), torch.zeros(f.numel())),
     "large logits"),
    (lambda r, f: torch.tensor((bce(r, 1.0) + bce(f, 0.0)).item()), "not differentiable"),
    (lambda r, f: F.binary_cross_entropy_with_logits(r, torch.ones_like(r), reduction="none"),
     "return one number"),
    (lambda r, f: 1.0, "return a tensor"),
])
def test_discriminator_bce_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_discriminator_bce, wrong, reason, capsys)


# ----------------------------------------------------------------------------- generator BCE


@pytest.mark.parametrize("right", [
    losses.generator_bce_loss,
    lambda f: bce(f, 1.0),
    lambda f: F.softplus(-f).mean(),
    lambda f: -F.logsigmoid(f).mean(),
])
def test_generator_bce_right_answers_pass(right, capsys):
    check_generator_bce(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 2.2")


@pytest.mark.parametrize("wrong, reason", [
    (losses.generator_saturating_loss, "saturating minimax loss"),
    (lambda f: torch.log(1 - torch.sigmoid(f)).mean(), "saturating|large logits"),
    (lambda f: -bce(f, 0.0), "saturating minimax loss"),
    (lambda f: bce(f, 0.0), "label is wrong"),
    (lambda f: bce(torch.sigmoid(f), 1.0), "no sigmoid"),
    (lambda f: bce(f, 1.0, "sum"), "not a sum"),
    (lambda f: -torch.log(torch.sigmoid(f)).mean(), "large logits"),
    (lambda f: F.binary_cross_entropy(torch.sigmoid(f).reshape(-1), torch.ones(f.numel())),
     "large logits"),
    (lambda f: bce(f, 1.0).detach(), "not differentiable"),
])
def test_generator_bce_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_generator_bce, wrong, reason, capsys)


def test_saturating_loss_names_the_problem(capsys):
    with pytest.raises(ExerciseFailure) as err:
        check_generator_bce(losses.generator_saturating_loss)
    assert "gradient vanishes" in str(err.value) and "label 1" in str(err.value)


# ----------------------------------------------------------------------------- diversity


def pairwise(x):
    x = x.flatten(1)
    n = x.shape[0]
    return torch.cdist(x, x).sum() / (n * (n - 1))


def cosine_gap(x):
    x = F.normalize(x.flatten(1), dim=1)
    n = x.shape[0]
    sim = (x @ x.T).sum() - n
    return 1 - sim / (n * (n - 1))


@pytest.mark.parametrize("right", [
    pairwise,
    lambda x: x.flatten(1).std(dim=0).mean(),
    lambda x: torch.pdist(x.flatten(1)).pow(2).mean(),
    lambda x: (x.flatten(1) - x.flatten(1).mean(0)).norm(dim=1).mean().item(),
    lambda x: x.flatten(1).var(dim=0).sum(),
    cosine_gap,
])
def test_diversity_right_answers_pass(right, capsys):
    check_diversity(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 2.3")


@pytest.mark.parametrize("wrong, reason", [
    (lambda x: x.std(), "inside each example"),
    (lambda x: x.flatten(1).std(dim=1).mean(), "inside each example"),
    (lambda x: x.abs().mean(), "inside each example"),
    (lambda x: (x.flatten(1)[0] - x.flatten(1)[1]).abs().mean(), "every example"),
    (lambda x: torch.pdist(x.flatten(1)).max(), "a mean, not a max"),
    (lambda x: (x.flatten(1)[1:] - x.flatten(1)[:-1]).abs().mean(), "order"),
    (lambda x: 1 - cosine_gap(x), "larger mean more diverse"),
    (lambda x: torch.cdist(x, x).mean() if x.dim() == 3 else pairwise(x), r"\(N, 1, L\)"),
    (lambda x: x.flatten(1).std(dim=0), "one number"),
    (lambda x: x.flatten(1).std(dim=0).mean() + 0.1, "not near 0"),
    (lambda x: x.sub_(x.mean(0)).flatten(1).std(dim=0).mean(), "in place"),
    (lambda x: "diverse", "return one number"),
])
def test_diversity_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_diversity, wrong, reason, capsys)


# ----------------------------------------------------------------------------- critic loss


@pytest.mark.parametrize("right", [
    losses.critic_loss,
    lambda r, f: f.mean() - r.mean(),
    lambda r, f: -(r.mean() - f.mean()),
])
def test_critic_loss_right_answers_pass(right, capsys):
    check_critic_loss(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 5.1")


@pytest.mark.parametrize("wrong, reason", [
    (lambda r, f: r.mean() - f.mean(), "sign is flipped"),
    (lambda r, f: f.sum() - r.sum(), "not a sum"),
    (lambda r, f: torch.sigmoid(f).mean() - torch.sigmoid(r).mean(), "not probabilities"),
    (losses.discriminator_bce_loss, "BCE loss of notebook 02"),
    (lambda r, f: torch.tensor((f.mean() - r.mean()).item()), "not differentiable"),
    (lambda r, f: f - r, "one number|return one"),
])
def test_critic_loss_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_critic_loss, wrong, reason, capsys)


# ----------------------------------------------------------------------------- gradient penalty


def make_gp(alpha="per example", norm="full", one_sided=False, create_graph=True, detach=False,
            weight_used=True, reduce="mean", square=True, extra_calls=False):
    """A configurable gradient penalty: the defaults give the right answer."""

    def gp(critic, real, fake, weight=10.0):
        b = real.shape[0]
        shape = (b,) + (1,) * (real.dim() - 1)
        if alpha == "per example":
            a = torch.rand(shape)
        elif alpha == "per element":
            a = torch.rand(real.shape)
        elif alpha == "one for the batch":
            a = torch.rand(1)
        elif alpha == "half":
            a = torch.full(shape, 0.5)
        elif alpha == "normal":
            a = torch.randn(shape)
        elif alpha == "low half":
            a = 0.5 * torch.rand(shape)
        elif alpha == "real":
            a = torch.zeros(shape)
        elif alpha == "fake":
            a = torch.ones(shape)
        x = (real + a * (fake - real)).requires_grad_(True)
        if extra_calls:
            critic(real)
        scores = critic(x)
        (grad,) = torch.autograd.grad(scores, x, grad_outputs=torch.ones_like(scores),
                                      create_graph=create_graph)
        if detach:
            grad = grad.detach()
        if norm == "full":
            n = grad.flatten(1).norm(2, dim=1)
        elif norm == "last":
            n = grad.norm(2, dim=-1)
        elif norm == "dim1":
            n = grad.norm(2, dim=1)
        elif norm == "batch":
            n = grad.norm(2)
        elif norm == "squared":
            n = grad.flatten(1).pow(2).sum(1)
        d = (torch.relu(n - 1) if one_sided else (n - 1))
        d = d ** 2 if square else d.abs()
        p = d.mean() if reduce == "mean" else d.sum()
        return weight * p if weight_used else p

    return gp


@pytest.mark.parametrize("right", [
    make_gp(),
    lambda critic, real, fake, weight=10.0: losses.gradient_penalty(critic, real, fake, weight),
])
def test_gradient_penalty_right_answers_pass(right, capsys):
    check_gradient_penalty(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 5.2")


@pytest.mark.parametrize("wrong, reason", [
    (make_gp(alpha="one for the batch"), "same alpha"),
    (make_gp(alpha="half"), "same alpha"),
    (make_gp(alpha="per element"), "one alpha per example"),
    (make_gp(alpha="normal"), "between real and fake"),
    (make_gp(alpha="low half"), "uniformly from \\[0, 1\\]"),
    (make_gp(alpha="real"), "real examples themselves"),
    (make_gp(alpha="fake"), "fake examples themselves"),
    (make_gp(create_graph=False), "create_graph=True"),
    (make_gp(detach=True), "create_graph=True"),
    (make_gp(norm="last"), "every dimension except the batch"),
    (make_gp(norm="dim1"), "every dimension except the batch"),
    (make_gp(norm="batch"), "whole batch"),
    (make_gp(norm="squared"), "not its square"),
    (make_gp(one_sided=True), "two-sided"),
    (make_gp(weight_used=False), "multiply the penalty by weight"),
    (make_gp(reduce="sum"), "not a sum"),
    (make_gp(square=False), "square the difference"),
    (make_gp(extra_calls=True), "called 2 times"),
])
def test_gradient_penalty_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_gradient_penalty, wrong, reason, capsys)


def test_gradient_penalty_check_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_gradient_penalty(make_gp())
    assert torch.equal(torch.rand(3), expected)


def test_unfinished_stubs_are_not_reported_as_fail(capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise 5.2: ...")

    for check in (check_discriminator_bce, check_generator_bce, check_diversity, check_critic_loss,
                  check_gradient_penalty):
        with pytest.raises(NotImplementedError):
            check(stub)
    assert "[FAIL]" not in capsys.readouterr().out
