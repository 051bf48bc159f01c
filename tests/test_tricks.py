"""Stabilisation tricks of a BCE discriminator (training.tricks) and their TrainConfig options."""

import pytest
import torch
from torch import nn

from audiogan_lesson.training import TrainConfig
from audiogan_lesson.training import tricks


class Linear(nn.Module):
    """D(x) = sum(w * x): its gradient with respect to x is w everywhere."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.as_tensor(w, dtype=torch.float32))

    def forward(self, x):
        return (x * self.w).flatten(1).sum(1)


def test_options_are_off_by_default_and_checked():
    config = TrainConfig()
    assert (config.instance_noise, config.bce_gp_weight, config.grad_clip_value,
            config.grad_clip_norm, config.dynamic_weighting) == (0.0, 0.0, 0.0, 0.0, False)
    assert config.bce_gp_kind == "two-sided"
    for name in ("instance_noise", "bce_gp_weight", "grad_clip_value", "grad_clip_norm"):
        with pytest.raises(ValueError, match=name):
            TrainConfig(loss="bce", **{name: -1.0})
    with pytest.raises(ValueError, match="one-sided"):
        TrainConfig(loss="bce", bce_gp_kind="both")
    with pytest.raises(ValueError, match="loss='bce' only"):
        TrainConfig(loss="wgan-gp", bce_gp_weight=1.0)
    with pytest.raises(ValueError, match="loss='bce' only"):
        TrainConfig(loss="wgan-gp", dynamic_weighting=True)
    TrainConfig(loss="wgan-gp", instance_noise=0.1, grad_clip_norm=1.0)  # these apply to both


def test_instance_noise_decays_linearly_to_zero():
    assert tricks.instance_noise_std(0.2, 0, 100) == pytest.approx(0.2)
    assert tricks.instance_noise_std(0.2, 50, 100) == pytest.approx(0.1)
    assert tricks.instance_noise_std(0.2, 100, 100) == 0.0
    assert tricks.instance_noise_std(0.2, 150, 100) == 0.0
    assert tricks.instance_noise_std(0.0, 10, 100) == 0.0


def test_gradient_penalties_of_each_kind():
    real, fake = torch.ones(3, 2), torch.zeros(3, 2)
    # |grad| = |w| = 0.5 everywhere: two-sided (0.5 - 1)^2, one-sided 0, r1 0.25
    small = Linear([0.3, 0.4])
    assert (float(tricks.bce_gradient_penalty(small, real, fake, 2.0, "two-sided").detach())
            == pytest.approx(0.5))
    assert (float(tricks.bce_gradient_penalty(small, real, fake, 2.0, "one-sided").detach())
            == pytest.approx(0.0))
    assert (float(tricks.bce_gradient_penalty(small, real, fake, 2.0, "r1").detach())
            == pytest.approx(0.5))
    # |grad| = 5: one-sided and two-sided agree, (5 - 1)^2 = 16
    big = Linear([3.0, 4.0])
    assert (float(tricks.bce_gradient_penalty(big, real, fake, 1.0, "one-sided").detach())
            == pytest.approx(16.0))
    assert (float(tricks.bce_gradient_penalty(big, real, fake, 1.0, "two-sided").detach())
            == pytest.approx(16.0))
    # the penalty trains D: its gradient pulls |w| towards 1
    penalty = tricks.bce_gradient_penalty(big, real, fake, 1.0, "one-sided")
    penalty.backward()
    assert (big.w.grad * big.w.detach() > 0).all()  # descent shrinks the weights
    with pytest.raises(ValueError, match="r1"):
        tricks.bce_gradient_penalty(big, real, fake, 1.0, "zero-centred")


def test_r1_penalty_looks_at_real_data_only():
    class Square(nn.Module):  # D(x) = sum(x^2): gradient 2x, zero at x = 0
        def forward(self, x):
            return x.square().sum(1)

    real, fake = torch.zeros(2, 3), torch.full((2, 3), 5.0)
    assert float(tricks.bce_gradient_penalty(Square(), real, fake, 1.0, "r1").detach()) == 0.0
    assert (float(tricks.bce_gradient_penalty(Square(), fake, real, 1.0, "r1").detach())
            == pytest.approx(300.0))


def test_dynamic_weighting_is_the_reports_rule():
    real, fake = torch.tensor([2.0, 0.0]), torch.tensor([-1.0, 1.0])
    w_real, w_fake = tricks.dynamic_weights(real, fake)
    assert float(w_real) == pytest.approx(1 - float(torch.sigmoid(real).mean()))
    assert float(w_fake) == pytest.approx(float(torch.sigmoid(fake).mean()))
    bce = nn.functional.binary_cross_entropy_with_logits
    expected = w_real * bce(real, torch.full_like(real, 0.9)) + w_fake * bce(fake, torch.zeros(2))
    loss = tricks.weighted_discriminator_bce(real, fake, real_target=0.9)
    assert float(loss) == pytest.approx(float(expected))
    # a discriminator that is right on the real side puts its weight on the fake side
    w_real, w_fake = tricks.dynamic_weights(torch.full((4,), 8.0), torch.full((4,), 3.0))
    assert float(w_real) < 0.01 < 0.9 < float(w_fake)


def test_gradient_clipping_by_value_and_norm():
    net = nn.Linear(4, 1)
    net.weight.grad = torch.tensor([[3.0, -0.2, 0.1, -4.0]])
    net.bias.grad = torch.tensor([0.3])
    tricks.clip_gradients(net, value=0.5)
    assert net.weight.grad.tolist() == [[0.5, pytest.approx(-0.2), pytest.approx(0.1), -0.5]]
    net.weight.grad = torch.tensor([[3.0, 0.0, 0.0, 4.0]])
    net.bias.grad = torch.tensor([0.0])
    tricks.clip_gradients(net, norm=1.0)
    total = torch.cat([net.weight.grad.flatten(), net.bias.grad]).norm()
    assert float(total) == pytest.approx(1.0, rel=1e-4)
    before = net.weight.grad.clone()
    tricks.clip_gradients(net)  # both off: unchanged
    assert torch.equal(net.weight.grad, before)


# ---------------------------------------------------------------------------- in the training round


def _trainer(**options):
    from audiogan_lesson.training import Trainer

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    data = torch.rand(64, 32, generator=g) * 2 - 1
    G = nn.Sequential(nn.Linear(8, 32), nn.Tanh())
    G.latent_dim = 8
    D = nn.Sequential(nn.Linear(32, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    config = TrainConfig(loss="bce", latent_dim=8, batch_size=8, log_every=1, autocast=False,
                         steps=4, **options)
    return Trainer(G, D, data, config, device="cpu"), D, data


def _seen_real_rows(options):
    trainer, D, data = _trainer(**options)
    seen = []
    D.register_forward_hook(lambda module, args, out: seen.append(args[0].detach().clone()))
    trainer.train(steps=1, progress=False)
    real = seen[0]  # the critic step scores the real batch first
    distance = torch.cdist(real, data).min(dim=1).values
    return distance


def test_instance_noise_reaches_the_discriminators_inputs():
    assert float(_seen_real_rows({}).max()) < 0.01  # without it D sees data rows (cdist rounds)
    distance = _seen_real_rows({"instance_noise": 0.5})
    assert float(distance.min()) > 0.5  # 32 values of noise 0.5: about 2.8 away


def test_gradient_clipping_limits_the_discriminators_update():
    trainer, D, _ = _trainer(grad_clip_value=1e-4)
    trainer.train(steps=1, progress=False)
    assert max(float(p.grad.abs().max()) for p in D.parameters()) <= 1e-4 + 1e-12
    trainer, D, _ = _trainer(grad_clip_norm=1e-3)
    trainer.train(steps=1, progress=False)
    total = torch.cat([p.grad.flatten() for p in D.parameters()]).norm()
    assert float(total) <= 1e-3 * 1.0001
    trainer, D, _ = _trainer()
    trainer.train(steps=1, progress=False)
    assert float(torch.cat([p.grad.flatten() for p in D.parameters()]).norm()) > 1e-3


def test_bce_gradient_penalty_and_dynamic_weighting_are_used(monkeypatch):
    from audiogan_lesson.training import round as round_module

    calls = []
    real_gp, real_weighted = (round_module.bce_gradient_penalty,
                              round_module.weighted_discriminator_bce)

    def spy_gp(*args, **kwargs):
        calls.append(("gp", args[3], args[4]))
        return real_gp(*args, **kwargs)

    def spy_weighted(*args, **kwargs):
        calls.append(("weighted",))
        return real_weighted(*args, **kwargs)

    monkeypatch.setattr(round_module, "bce_gradient_penalty", spy_gp)
    monkeypatch.setattr(round_module, "weighted_discriminator_bce", spy_weighted)
    trainer, _, _ = _trainer()
    trainer.train(steps=2, progress=False)
    assert calls == [] and "bce_gp" not in trainer.history[-1]
    trainer, _, _ = _trainer(bce_gp_weight=25.0, bce_gp_kind="one-sided", dynamic_weighting=True)
    trainer.train(steps=2, progress=False)
    assert ("gp", 25.0, "one-sided") in calls and ("weighted",) in calls
    assert trainer.history[-1]["bce_gp"] >= 0.0
    trainer, _, _ = _trainer(bce_gp_weight=1.0, bce_gp_kind="r1")
    trainer.train(steps=1, progress=False)
    assert trainer.history[-1]["bce_gp"] > 0.0  # R1 is zero only where D is flat


def test_street_music_recipe_trains_the_mel_image_gan():
    from audiogan_lesson.experiments import make_experiment
    from audiogan_lesson.profiles import get_profile
    from audiogan_lesson.recipes import STREET_MUSIC

    exp = make_experiment("specgan", "toy-drums", get_profile("smoke"), loss="bce", n_train=8,
                          representation="mel-image", recipe=STREET_MUSIC, steps=2)
    assert exp.model == "specgan-mel"
    assert (exp.config.bce_gp_kind, exp.config.bce_gp_weight, exp.config.g_steps_per_d) == \
        ("one-sided", 25.0, 2)
    trainer = exp.trainer()
    trainer.train(progress=False)
    assert trainer.step == 2 and "bce_gp" in trainer.history[-1]
