"""GANSynth: progressive generator and discriminator, their layers, stages, fade-in, configs, and
one Trainer round (audiogan_lesson.models.gansynth, the progressive GAN part of .layers)."""

import copy
import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

from audiogan_lesson.models.gansynth import (
    PAPER_PITCHES,
    GANSynthDiscriminator,
    GANSynthDiscriminatorConfig,
    GANSynthGenerator,
    GANSynthGeneratorConfig,
    downsample_to,
    is_fade_in,
    num_filters,
    num_stages,
    pitch_to_label,
    real_at_stage,
    stage_alpha,
    stage_blocks,
    stage_resolution,
)
from audiogan_lesson.models.layers import (
    EqualizedConv2d,
    EqualizedLinear,
    LatentToMap,
    MinibatchStdDev,
    PixelNorm,
    minibatch_stddev,
    pixel_norm,
)
from audiogan_lesson.models.summary import count_parameters, layer_table
from audiogan_lesson.training import TrainConfig, Trainer

# A small profile: 3 resolutions (2x16, 4x32, 8x64), 8 channels everywhere, 5 pitches.
SMALL = dict(num_resolutions=3, fmap_base=64, fmap_max=8, pitches=(60, 62, 64, 65, 67))
LATENT = 256


def small_pair(seed: int = 0):
    torch.manual_seed(seed)
    return GANSynthGenerator(**SMALL), GANSynthDiscriminator(**SMALL)


def inputs(n: int = 4, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, LATENT, generator=g)
    labels = torch.randint(0, len(SMALL["pitches"]), (n,), generator=g)
    return z, labels


# ----------------------------------------------------------------------------- schedule


def test_channel_schedule_is_the_papers_table():
    # Engel et al. 2019, Table 4 (appendix): 256 channels from 2x16 to 16x128, then 128, 64, 32.
    assert [num_filters(b) for b in range(1, 8)] == [256, 256, 256, 256, 128, 64, 32]
    assert num_filters(0) == 256  # the discriminator's last convolution
    assert num_filters(5, fmap_base=512, fmap_max=32) == 16  # a narrower profile: base/8, max/8


def test_thirteen_stages_alternate_stable_and_fade_in():
    assert num_stages(7) == 13
    resolutions = [stage_resolution(s) for s in range(13)]
    assert resolutions[0] == (2, 16) and resolutions[-1] == (128, 1024)
    for s in range(1, 13, 2):  # a fade-in stage works at the new resolution, kept by the next stage
        assert is_fade_in(s) and not is_fade_in(s + 1)
        assert resolutions[s] == resolutions[s + 1]
        assert resolutions[s] == (2 * resolutions[s - 1][0], 2 * resolutions[s - 1][1])
    assert [stage_blocks(s) for s in range(13)] == [1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]


def test_stage_alpha():
    assert stage_alpha(0, 0.3) == 1.0 and stage_alpha(2, 0.0) == 1.0  # stable: the new block alone
    assert stage_alpha(1, 0.0) == 0.0 and stage_alpha(1, 0.25) == 0.25
    assert stage_alpha(3, 1.0) == 1.0
    assert stage_alpha(1, 1.7) == 1.0 and stage_alpha(1, -0.1) == 0.0


# ----------------------------------------------------------------------------- full size


def test_full_size_parameter_counts():
    """The counts the code's channel schedule gives at 128 x 1024 (the paper gives none).

    Channels per resolution c = 256, 256, 256, 256, 128, 64, 32 (num_filters(1..7)); C0 = 256.
    Generator, 7,311,246:
      latent -> 2x16 conv: (256 + 61) * 2*16 * 256 + 256 = 2,597,120
      3x3 conv at 2x16: 256*256*9 + 256 = 590,080
      two 3x3 convs at each later resolution (c_prev -> c, c -> c): 4,121,536
        (1,180,160 at each of 4x32, 8x64, 16x128; 442,624 at 32x256; 110,720; 27,712)
      seven to_rgb 1x1 convs (c -> 2): 2 * (4*256 + 128 + 64 + 32) + 7 * 2 = 2,510
    Discriminator, 6,831,230:
      seven from_rgb 1x1 convs (2 -> c): 3 * (4*256 + 128 + 64 + 32) = 3,744
      two 3x3 convs at each resolution above 2x16 (c -> c, c -> next lower c): 4,121,760
        (27,744 at 128x1024; 110,784; 442,752; 1,180,160 at each of 16x128, 8x64, 4x32)
      minibatch std + 3x3 conv (257 -> 256): 592,384; 2x16 conv (256 -> 256): 2,097,408
      score (256 -> 1): 257; pitch classifier (256 -> 61): 15,677
    """
    with torch.device("meta"):  # sizes only, no memory
        g, d = GANSynthGenerator(), GANSynthDiscriminator()
    assert count_parameters(g) == 7_311_246
    assert count_parameters(d) == 6_831_230
    assert count_parameters(g) == 2_597_120 + 590_080 + 4_121_536 + 2_510
    assert count_parameters(d) == 3_744 + 4_121_760 + 592_384 + 2_097_408 + 257 + 15_677


def test_full_size_models_at_stage_zero():
    torch.manual_seed(0)
    g, d = GANSynthGenerator(), GANSynthDiscriminator()
    assert g.stage == 12 and g.output_shape == (2, 128, 1024) and g.input_shape == (317,)
    g.set_stage(0)
    d.set_stage(0)
    z = torch.randn(3, 256)
    with torch.no_grad():
        out = g(z, torch.tensor([0, 30, 60]))
        scores, logits = d(out)
    assert out.shape == (3, 2, 2, 16) and scores.shape == (3,) and logits.shape == (3, 61)
    assert g.config.pitches == PAPER_PITCHES and len(PAPER_PITCHES) == 61


# ----------------------------------------------------------------------------- layers


def test_pixel_norm_unit_mean_square_over_channels():
    x = torch.randn(3, 7, 4, 5) * torch.rand(3, 1, 4, 5) * 10
    y = pixel_norm(x)
    assert torch.allclose(y.square().mean(dim=1), torch.ones(3, 4, 5), atol=1e-5)
    # direction kept: each position is only rescaled
    assert torch.allclose(y * x.square().mean(dim=1, keepdim=True).sqrt(), x, atol=1e-4)
    v = torch.randn(6, 317) * 3  # also for vectors (N, C), as on the generator input
    assert torch.allclose(PixelNorm()(v).square().mean(dim=1), torch.ones(6), atol=1e-5)


def test_minibatch_stddev_adds_one_channel_of_mean_std():
    x = torch.randn(5, 3, 2, 4)
    y = minibatch_stddev(x, eps=0.0)
    assert y.shape == (5, 4, 2, 4)
    assert torch.equal(y[:, :3], x)
    expected = x.std(dim=0, unbiased=False).mean()  # std over the batch, mean over features
    assert torch.allclose(y[:, 3], expected.expand(5, 2, 4))
    same = torch.randn(1, 3, 2, 4).expand(5, -1, -1, -1)  # a collapsed batch: std ~ sqrt(eps)
    assert torch.allclose(MinibatchStdDev()(same)[:, 3], torch.full((5, 2, 4), 1e-3), atol=1e-6)


def test_equalised_conv_scales_n01_weights_by_he_constant():
    torch.manual_seed(0)
    conv = EqualizedConv2d(64, 128, 3, padding=1)
    w = conv.weight.detach()
    assert abs(w.mean().item()) < 0.02 and abs(w.std().item() - 1.0) < 0.02  # stored as N(0, 1)
    assert torch.count_nonzero(conv.bias) == 0
    fan_in = 64 * 3 * 3
    assert conv.scale == pytest.approx(math.sqrt(2.0 / fan_in))
    x = torch.randn(2, 64, 5, 6)
    expected = F.conv2d(x, w * math.sqrt(2.0 / fan_in), conv.bias, padding=1)
    assert torch.allclose(conv(x), expected, atol=1e-5)
    # the effective weights have He's std, sqrt(2 / fan_in)
    effective_std = (w * conv.scale).std().item()
    assert effective_std == pytest.approx(math.sqrt(2.0 / fan_in), rel=0.03)
    dense = EqualizedLinear(256, 61, gain=1.0)
    v = torch.randn(3, 256)
    assert torch.allclose(dense(v), v @ (dense.weight / 16.0).T + dense.bias, atol=1e-5)


def test_latent_to_map_is_the_codes_padded_valid_conv():
    """The code pads the 1x1 latent to (2h-1) x (2w-1) and applies an h x w 'VALID' conv."""
    torch.manual_seed(0)
    layer = LatentToMap(20, 6, (2, 16))
    with torch.no_grad():
        layer.bias.normal_()
    v = torch.randn(3, 20)
    padded = F.pad(v[:, :, None, None], (15, 15, 1, 1))
    expected = F.conv2d(padded, layer.weight * math.sqrt(2.0 / (20 * 2 * 16)), layer.bias)
    out = layer(v)
    assert out.shape == expected.shape == (3, 6, 2, 16)
    assert torch.allclose(out, expected, atol=1e-5)


def test_he_gains_follow_the_code():
    g, d = small_pair()
    gains = {name: m.gain for name, m in [*g.named_modules(), *d.named_modules()]
             if isinstance(m, (EqualizedConv2d, EqualizedLinear, LatentToMap))}
    unit = {name for name, gain in gains.items() if gain == 1.0}
    assert unit == {f"to_rgb.{r}.conv" for r in range(3)} | {"score", "classifier"}
    assert all(gain == pytest.approx(math.sqrt(2)) for name, gain in gains.items()
               if name not in unit)


# ----------------------------------------------------------------------------- stages


def test_shapes_at_every_stage():
    g, d = small_pair()
    z, labels = inputs()
    sizes = [(2, 16), (4, 32), (4, 32), (8, 64), (8, 64)]
    assert g.num_stages == d.num_stages == 5
    with torch.no_grad():
        for stage, size in enumerate(sizes):
            for alpha in (0.0, 0.5, 1.0):
                g.set_stage(stage, alpha)
                d.set_stage(stage, alpha)
                out = g(z, labels)
                assert out.shape == (4, 2, *size) and g.resolution() == size
                assert out.abs().max() <= 1  # tanh
                scores, logits = d(out)
                assert scores.shape == (4,) and logits.shape == (4, 5)
                assert d.input_shape == (2, *size)


def test_generator_fade_in_blends_exactly():
    g, _ = small_pair()
    z, labels = inputs()
    with torch.no_grad():
        for stage in (1, 3):
            lower = g(z, labels, stage=stage - 1)
            at0 = g(z, labels, stage=stage, alpha=0.0)
            at1 = g(z, labels, stage=stage, alpha=1.0)
            stable = g(z, labels, stage=stage + 1)
            mid = g(z, labels, stage=stage, alpha=0.25)
            assert torch.equal(at0, lower.repeat_interleave(2, 2).repeat_interleave(2, 3))
            assert torch.equal(at1, stable)
            assert torch.allclose(mid, 0.25 * at1 + 0.75 * at0, atol=1e-6)
            assert not torch.allclose(at0, at1)


def test_discriminator_fade_in_blends_exactly():
    _, d = small_pair()
    x = torch.randn(4, 2, 8, 64)
    with torch.no_grad():
        for stage in (1, 3):
            size = stage_resolution(stage)
            xs = downsample_to(x, size)
            low = d(F.avg_pool2d(xs, 2), stage=stage - 1)
            at0 = d(xs, stage=stage, alpha=0.0)
            at1 = d(xs, stage=stage, alpha=1.0)
            stable = d(xs, stage=stage + 1)
            for a, b in zip(at0, low):
                assert torch.equal(a, b)
            for a, b in zip(at1, stable):
                assert torch.equal(a, b)


def test_stage_and_alpha_live_in_the_model_and_its_state():
    g, d = small_pair()
    assert g.stage == 4 and g.output_shape == (2, 8, 64)  # built at the last stage
    g.set_stage(1, 0.3)
    assert g.stage == 1 and g.alpha.item() == pytest.approx(0.3)
    state = g.state_dict()
    fresh = GANSynthGenerator(**SMALL)
    fresh.load_state_dict(state)
    assert fresh.stage == 1 and fresh.alpha.item() == pytest.approx(0.3)
    ema = copy.deepcopy(g)  # the trainer's EMA copies buffers every step: alpha follows
    g.set_stage(1, 0.9)
    for e, b in zip(ema.buffers(), g.buffers()):
        e.copy_(b)
    assert ema.alpha.item() == pytest.approx(0.9)
    with pytest.raises(ValueError, match="stages are 0 to 4"):
        g.set_stage(5)
    with pytest.raises(ValueError, match="alpha"):
        d.set_stage(1, 1.5)


def test_discriminator_names_the_expected_shape():
    _, d = small_pair()
    d.set_stage(2)
    with pytest.raises(ValueError, match=r"\(batch, 2, 4, 32\).*real_at_stage"):
        d(torch.zeros(2, 2, 8, 64))


# ----------------------------------------------------------------------------- real data


def test_downsample_to_and_real_at_stage():
    x = torch.randn(3, 2, 8, 64)
    assert torch.equal(downsample_to(x, (8, 64)), x)
    small = downsample_to(x, (2, 16))
    assert small.shape == (3, 2, 2, 16)
    assert torch.allclose(small[..., 0, 0], x[..., :4, :4].mean(dim=(-2, -1)), atol=1e-6)
    assert torch.equal(real_at_stage(x, 2), downsample_to(x, (4, 32)))
    faded0 = real_at_stage(x, 3, alpha=0.0)
    up = downsample_to(x, (4, 32)).repeat_interleave(2, 2).repeat_interleave(2, 3)
    assert faded0.shape == (3, 2, 8, 64) and torch.equal(faded0, up)
    assert torch.equal(real_at_stage(x, 3, alpha=1.0), x)
    with pytest.raises(ValueError, match="same integer factor"):
        downsample_to(x, (4, 16))


def test_pitch_to_label():
    assert pitch_to_label([24, 60, 84]).tolist() == [0, 36, 60]
    assert pitch_to_label(torch.tensor([64, 60]), SMALL["pitches"]).tolist() == [2, 0]
    with pytest.raises(ValueError, match=r"\[61\]"):
        pitch_to_label([60, 61], SMALL["pitches"])


# ----------------------------------------------------------------------------- conditioning


def test_pitch_conditioning_changes_the_output():
    g, _ = small_pair()
    g.set_stage(2)
    z, _ = inputs(2)
    with torch.no_grad():
        a = g(z, torch.tensor([0, 0]))
        b = g(z, torch.tensor([3, 3]))
        assert (a - b).abs().mean() > 1e-3
        one_hot = F.one_hot(torch.tensor([3, 3]), 5).float()
        assert torch.allclose(g(z, one_hot), b)  # float weights: the same as indices
        assert torch.allclose(g(torch.cat([z, one_hot], 1)), b)  # an already conditioned input
    with pytest.raises(ValueError, match="pitch_labels"):
        g(z)
    with pytest.raises(ValueError, match=r"\(batch, 256\)"):
        g(torch.zeros(2, 100), torch.tensor([0, 1]))


def test_pitch_scale_weights_the_one_hot_before_the_input_pixel_norm():
    torch.manual_seed(0)
    scaled = GANSynthGenerator(**SMALL, pitch_scale=16.0)
    plain = GANSynthGenerator(**SMALL)
    plain.load_state_dict(scaled.state_dict())
    assert GANSynthGeneratorConfig().pitch_scale == 1.0  # the paper: the one-hot as is
    z, labels = inputs(3)
    one_hot = F.one_hot(labels, 5).float()
    assert torch.equal(scaled.condition(z, labels), torch.cat([z, 16.0 * one_hot], 1))
    assert torch.equal(scaled.condition(z, one_hot), torch.cat([z, 16.0 * one_hot], 1))
    with torch.no_grad():
        # the same weights fed a 16x one-hot by hand give the same image
        assert torch.allclose(scaled(z, labels), plain(torch.cat([z, 16.0 * one_hot], 1)))
        # after the input pixel norm the pitch carries as much energy as all 256 latents together
        normed = scaled.blocks[0].pixel_norm_in(scaled.condition(z, labels))
        pitch_part = normed[:, LATENT:].square().sum(1)
        latent_part = normed[:, :LATENT].square().sum(1)
        assert torch.allclose(pitch_part / latent_part, torch.full((3,), 1.0), rtol=0.25)
    with pytest.raises(ValueError, match="pitch_scale"):
        GANSynthGeneratorConfig(pitch_scale=0.0)


def test_layer_tables_run():
    g, d = small_pair()
    g.set_stage(3, 0.5)
    d.set_stage(3, 0.5)
    tg, td = layer_table(g), layer_table(d)
    assert "(n, 317)" not in tg and "(n, 261)" in tg  # 256 + 5 pitches
    assert "on the 1x1 latent" in tg and "PixelNorm" in tg and "(n, 2, 8, 64)" in tg
    assert "MinibatchStdDev" in td and "(n, 9, 2, 16)" in td and "(n, 5)" in td


# ----------------------------------------------------------------------------- configs


def test_config_round_trip_rebuilds_the_model():
    g, d = small_pair()
    for model in (g, d):
        again = type(model)(**dataclasses.asdict(model.config))
        assert again.config == model.config
        assert {k: v.shape for k, v in again.state_dict().items() if k != "_extra_state"} == \
               {k: v.shape for k, v in model.state_dict().items() if k != "_extra_state"}
        assert type(model).from_config(model.config).config == model.config
    as_json = dict(dataclasses.asdict(g.config), pitches=[60, 62, 64, 65, 67],
                   start_resolution=[2, 16])  # lists, as a checkpoint written as JSON gives them
    assert GANSynthGenerator(**as_json).config == g.config
    assert GANSynthGeneratorConfig().pitches == PAPER_PITCHES
    assert GANSynthDiscriminatorConfig().num_resolutions == 7


@pytest.mark.parametrize("cls, changes, match", [
    (GANSynthGeneratorConfig, {"pitches": ()}, "pitches is empty"),
    (GANSynthGeneratorConfig, {"pitches": (60, 60)}, "repeat"),
    (GANSynthGeneratorConfig, {"to_rgb_activation": "relu"}, "tanh"),
    (GANSynthGeneratorConfig, {"kernel_size": 4}, "odd"),
    (GANSynthDiscriminatorConfig, {"num_resolutions": 0}, "num_resolutions"),
    (GANSynthDiscriminatorConfig, {"fmap_base": 64}, "raise fmap_base"),
])
def test_bad_configs_are_refused(cls, changes, match):
    with pytest.raises(ValueError, match=match):
        cls(**changes)


def test_linear_output_option():
    torch.manual_seed(0)
    g = GANSynthGenerator(**SMALL, to_rgb_activation="linear")
    assert not any(isinstance(m, torch.nn.Tanh) for m in g.modules())
    z, labels = inputs()
    assert g(z, labels).shape == (4, 2, 8, 64)


# ----------------------------------------------------------------------------- training


def stage_zero_data(g, d):
    """Put ``g`` and ``d`` at stage 0 and return 32 random 2 x 16 images with pitch labels."""
    g.set_stage(0)
    d.set_stage(0)
    gen = torch.Generator().manual_seed(0)
    data = torch.rand(32, 2, 2, 16, generator=gen) * 2 - 1
    return data, torch.randint(0, 5, (32,), generator=gen)


def test_two_trainer_steps_with_the_gansynth_recipe():
    g, d = small_pair()
    data, labels = stage_zero_data(g, d)
    config = TrainConfig(loss="wgan-gp", n_critic=1, conditional=True, latent="normal",
                         aux_weight=10.0, aux_fake_in_d=False, drift=0.001, lr_g=8e-4, lr_d=8e-4,
                         betas=(0.0, 0.99), ema_decay=0.999, batch_size=8, steps=2, log_every=1)
    trainer = Trainer(g, d, (data, labels), config, device="cpu")
    assert trainer.latent_dim == 256
    before = [p.detach().clone() for p in g.parameters()]
    history = trainer.train(progress=False)
    assert trainer.step == 2 and len(history) == 2
    for row in history:
        for key in ("d_loss", "g_loss", "wdist", "gp", "drift", "aux_d", "aux_g"):
            assert math.isfinite(row[key]), key
    assert any(not torch.equal(a, b) for a, b in zip(before, g.parameters()))
    samples = trainer.sample(3, labels=torch.tensor([0, 1, 4]))
    assert samples.shape == (3, 2, 2, 16)


def test_projection_discriminator_scores_the_pitch_it_is_told():
    torch.manual_seed(0)
    paper = GANSynthDiscriminator(**SMALL)
    torch.manual_seed(0)
    proj = GANSynthDiscriminator(**SMALL, projection=True)
    assert proj.takes_labels and not paper.takes_labels
    x = torch.randn(4, *proj.input_shape)
    _, labels = inputs(4)
    # the embedding starts at zero: the paper's critic until it learns
    assert torch.allclose(proj(x, labels)[0], paper(x)[0])
    with torch.no_grad():
        proj.embed.weight.normal_()
    scores, logits = proj(x, labels)
    other, _ = proj(x, (labels + 1) % len(SMALL["pitches"]))
    assert not torch.allclose(scores, other)  # the pitch changes the score
    assert torch.allclose(logits, paper(x)[1])  # the classifier is the paper's
    with pytest.raises(ValueError, match="pass the pitch indices"):
        proj(x)


def test_two_trainer_steps_with_a_projection_discriminator():
    g = GANSynthGenerator(**SMALL)
    d = GANSynthDiscriminator(**SMALL, projection=True)
    data, labels = stage_zero_data(g, d)
    config = TrainConfig(loss="wgan-gp", n_critic=1, conditional=True, latent="normal",
                         aux_weight=10.0, batch_size=8, steps=2, log_every=1)
    trainer = Trainer(g, d, (data, labels), config, device="cpu")
    trainer.train(progress=False)
    assert d.embed.weight.abs().sum() > 0  # the critic's pitch term was trained
