"""Check of notebook 05's n-critic loop (exercise 5.3): right rounds pass, plausible wrong ones
fail."""

import pytest
import torch

from audiogan_lesson import losses
from audiogan_lesson.exercises import ExerciseFailure, check_critic_steps


def make_round(critic_steps="n", zero_d="inside", zero_g=True, fresh_real=True, fresh_z=True,
               g_inside=False, g_first=False, gp=True, d_sign=1.0, g_sign=1.0, detach="no_grad",
               returns="pair", own_latents=False):
    """A configurable WGAN-GP round: the defaults give the right answer."""

    def round_(generator, critic, opt_g, opt_d, next_real, sample_z, n_critic=5):
        def g_update():
            z = torch.rand(8, 3) * 2 - 1 if own_latents else sample_z()
            g_loss = -g_sign * critic(generator(z)).mean()
            if zero_g:
                opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
            return g_loss

        steps = {"n": n_critic, "one": 1, "five": 5}[critic_steps]
        if g_first:
            g_loss = g_update()
        if zero_d == "outside":
            opt_d.zero_grad()
        real = next_real() if not fresh_real else None
        z = sample_z() if not fresh_z else None
        for _ in range(steps):
            r = next_real() if fresh_real else real
            latent = (torch.rand(8, 3) * 2 - 1 if own_latents else sample_z()) if fresh_z else z
            if detach == "no_grad":
                with torch.no_grad():
                    fake = generator(latent)
            elif detach == "detach":
                fake = generator(latent).detach()
            else:
                fake = generator(latent)
            d_loss = d_sign * losses.critic_loss(critic(r), critic(fake))
            if gp:
                d_loss = d_loss + losses.gradient_penalty(critic, r, fake, 10.0)
            if zero_d == "inside":
                opt_d.zero_grad()
            elif zero_d == "module":
                critic.zero_grad(set_to_none=False)
            d_loss.backward()
            opt_d.step()
            if g_inside:
                g_loss = g_update()
        if not g_first and not g_inside:
            g_loss = g_update()
        if returns == "pair":
            return d_loss.detach(), g_loss.detach()
        if returns == "floats":
            return d_loss.item(), g_loss.item()
        return None

    return round_


@pytest.mark.parametrize("right", [
    make_round(),
    make_round(detach="detach"),
    make_round(zero_d="module"),
    make_round(returns="floats"),
    make_round(detach="none"),  # fakes with gradients: wasteful, harmless when opt_g is zeroed
])
def test_right_rounds_pass(right, capsys):
    check_critic_steps(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 5.3")


def test_the_trainer_recipe_passes(capsys):
    """The same round as training.round.train_round, written out with the package's losses."""

    def round_(generator, critic, opt_g, opt_d, next_real, sample_z, n_critic=5):
        for _ in range(n_critic):
            real = next_real()
            with torch.no_grad():
                fake = generator(sample_z())
            d_loss = -losses.critic_loss(critic(real), critic(fake)) * -1 \
                + losses.gradient_penalty(critic, real, fake, 10.0)
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
        critic.requires_grad_(False)
        g_loss = losses.generator_wasserstein_loss(critic(generator(sample_z())))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        critic.requires_grad_(True)
        return d_loss, g_loss

    check_critic_steps(round_)
    assert "[PASS]" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [
    (make_round(critic_steps="one"), "updated 1 time"),
    (make_round(critic_steps="five"), "use the n_critic argument"),
    (make_round(g_inside=True), "generator was updated during the critic steps"),
    (make_round(g_first=True), "updated before the critic"),
    (make_round(fresh_real=False), "no new real batch"),
    (make_round(fresh_z=False), "no new latents"),
    (make_round(zero_d="never"), "call opt_d.zero_grad\\(\\) before every"),
    (make_round(zero_d="outside"), "call opt_d.zero_grad\\(\\) before every"),
    (make_round(zero_g=False), "opt_g.zero_grad\\(\\)"),
    (make_round(zero_g=False, detach="none"), "opt_g.zero_grad\\(\\)"),
    (make_round(gp=False), "no gradient penalty"),
    (make_round(d_sign=-1.0), "critic loss has the wrong sign"),
    (make_round(g_sign=-1.0), "generator's loss has the wrong sign"),
    (make_round(own_latents=True), "no new latents"),
    (make_round(returns="none"), "return \\(d_loss, g_loss\\)"),
])
def test_wrong_rounds_fail(wrong, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason) as err:
        check_critic_steps(wrong)
    out = capsys.readouterr().out
    assert out.startswith("[FAIL] Exercise 5.3") and str(err.value) in out


def test_a_crash_is_reported_as_fail(capsys):
    def crashes(generator, critic, opt_g, opt_d, next_real, sample_z, n_critic=5):
        return critic(next_real()[:, :2])

    with pytest.raises(ExerciseFailure, match="raised RuntimeError"):
        check_critic_steps(crashes)


def test_an_unfinished_stub_is_not_reported_as_fail(capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise 5.3: ...")

    with pytest.raises(NotImplementedError):
        check_critic_steps(stub)
    assert "[FAIL]" not in capsys.readouterr().out


def test_the_check_leaves_the_global_rng_alone():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    check_critic_steps(make_round())
    assert torch.equal(torch.rand(3), expected)
