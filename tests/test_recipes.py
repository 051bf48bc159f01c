"""Recipes and the registry (notebooks 02-06): the papers' values by default; a profile's named
changes apply to the loss they are for; explicit options win."""

import pytest
import soundfile as sf
import torch

from audiogan_lesson.audio import preemphasis
from audiogan_lesson.experiments import make_experiment
from audiogan_lesson.representations import Waveform, representation_from_state
from audiogan_lesson.profiles import get_profile
from audiogan_lesson.recipes import GPU_WAVEGAN_WGAN, LAPTOP_WAVEGAN_WGAN, PAPER, Recipe, recipe_for
from audiogan_lesson.registry import MODELS, UnknownNameError, build_models, split_options
from audiogan_lesson.runs import generate_from_checkpoint
from audiogan_lesson.training import TrainConfig, uniform_latents


def small_laptop():
    """The laptop profile (its recipe changes) at a size that trains in a blink."""
    return get_profile("laptop", device="cpu").with_scale(
        "wavegan", width=2, batch_size=4, slice_len=4096, sample_rate=8000)


def test_paper_values_by_default():
    assert recipe_for("wavegan", "wgan-gp") == Recipe()
    assert PAPER["wavegan"] == Recipe()
    # on a GPU only the gradient penalty's precision changes (measured in recipes.py)
    assert recipe_for("wavegan", "wgan-gp", "gpu") == GPU_WAVEGAN_WGAN
    assert GPU_WAVEGAN_WGAN == Recipe(train={"gp_precision": "autocast"})
    gpu = get_profile("gpu", device="cpu").with_scale(
        "wavegan", width=2, batch_size=4, slice_len=4096, sample_rate=8000)
    exp = make_experiment("wavegan", "toy-drums", gpu, n_train=8)
    assert (exp.config.n_critic, exp.config.lr_g, exp.config.lr_d) == (5, 1e-4, 1e-4)
    assert exp.config.gp_precision == "autocast"
    assert make_experiment("wavegan", "toy-drums", gpu, n_train=8,
                           gp_precision="fp32").config.gp_precision == "fp32"
    assert TrainConfig().gp_precision == "fp32"


def test_profile_changes_the_wgan_recipe_only():
    profile = small_laptop()
    assert recipe_for("wavegan", "wgan-gp", "laptop") == LAPTOP_WAVEGAN_WGAN
    assert recipe_for("wavegan", "bce", "laptop") == Recipe()
    wgan = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8)
    assert (wgan.config.n_critic, wgan.config.lr_g, wgan.config.lr_d,
            wgan.config.select_every) == (1, 3e-4, 3e-4, 500)
    bce = make_experiment("wavegan", "toy-drums", profile, loss="bce", n_train=8)
    assert (bce.config.n_critic, bce.config.lr_g, bce.config.lr_d,
            bce.config.select_every) == (1, 1e-4, 1e-4, 0)


def test_explicit_options_win_over_the_profile():
    profile = small_laptop()
    exp = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                          n_critic=5, lr_g=1e-4)
    assert (exp.config.n_critic, exp.config.lr_g, exp.config.lr_d) == (5, 1e-4, 3e-4)


def test_a_recipe_sets_ema_batch_norm_and_phase_shuffle():
    profile = get_profile("smoke")
    changes = Recipe(train=dict(ema_decay=0.99), generator=dict(batch_norm=True),
                     discriminator=dict(phase_shuffle=0))
    wgan = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                           recipe=changes)
    assert wgan.config.ema_decay == 0.99
    assert wgan.generator.config.batch_norm is True
    assert wgan.discriminator.config.phase_shuffle == 0
    bce = make_experiment("wavegan", "toy-drums", profile, loss="bce", n_train=8)
    assert bce.config.ema_decay == 0.0
    assert bce.generator.config.batch_norm is False
    assert bce.discriminator.config.phase_shuffle == 2
    explicit = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                               recipe=changes, model_options={"phase_shuffle": 1})
    assert explicit.discriminator.config.phase_shuffle == 1


def test_paper_model_options_by_default():
    assert recipe_for("wavegan", "wgan-gp").generator == {}
    assert not make_experiment("specgan", "toy-drums", get_profile("smoke"), loss="wgan-gp",
                               n_train=8).generator.config.batch_norm
    exp = make_experiment("specgan", "toy-drums", get_profile("smoke"), loss="wgan-gp", n_train=8,
                          recipe=Recipe(generator=dict(batch_norm=True)))
    assert exp.generator.config.batch_norm is True
    assert exp.discriminator.config.batch_norm is False  # the recipe names the network


def test_profile_preemphasis_applies_to_wgan_gp_waveform_runs_only():
    assert make_experiment("wavegan", "toy-drums", get_profile("smoke"), loss="wgan-gp",
                           n_train=8).representation.preemphasis == 0.0  # the paper: none
    profile = small_laptop()
    assert make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp",
                           n_train=8).representation.preemphasis == 0.0  # the paper's, too
    assert make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                           conditional=True).representation.preemphasis == 0.5
    emphasis = Recipe(representation=dict(preemphasis=0.8))
    wgan = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                           recipe=emphasis)
    assert wgan.representation.preemphasis == 0.8
    torch.testing.assert_close(wgan.examples.squeeze(1), preemphasis(wgan.real.waves, 0.8))
    torch.testing.assert_close(wgan.to_audio(wgan.examples), wgan.real.waves, atol=2e-5, rtol=0)
    bce = make_experiment("wavegan", "toy-drums", profile, loss="bce", n_train=8)
    assert bce.representation.preemphasis == 0.0
    torch.testing.assert_close(bce.examples.squeeze(1), bce.real.waves)
    with pytest.raises(ValueError, match=r"pre-emphasis coefficient 1.0; use a value in \[0, 1\)"):
        make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                        recipe=Recipe(representation=dict(preemphasis=1.0)))


def test_generate_undoes_the_preemphasis_saved_in_the_checkpoint(tmp_path):
    exp = make_experiment("wavegan", "toy-drums", get_profile("smoke"), loss="wgan-gp", n_train=8,
                          steps=1, recipe=Recipe(representation=dict(preemphasis=0.9)))
    trainer = exp.trainer(tmp_path / "run")
    trainer.train(progress=False)
    assert representation_from_state(exp.meta()["representation"]).preemphasis == 0.9
    paths = generate_from_checkpoint(trainer.last_checkpoint, 2, tmp_path / "wavs", seed=3,
                                     device="cpu")
    written = torch.stack([torch.from_numpy(sf.read(p, dtype="float32")[0]) for p in paths])
    z = uniform_latents(2, trainer.latent_dim, torch.Generator().manual_seed(3), "cpu")
    with torch.no_grad():
        emphasised = trainer.sampler.eval()(z)
    # PCM-16 files: the de-emphasised output to 16-bit precision, far from the raw output
    torch.testing.assert_close(written, Waveform(0.9).decode(emphasised), atol=1e-4, rtol=0)
    assert (written - emphasised.squeeze(1).clamp(-1, 1)).abs().max() > 1e-2


def test_every_registered_model_builds_at_its_smoke_scale_and_routes_options_by_config_field():
    profile = get_profile("smoke")
    for name, entry in MODELS.items():
        generator, discriminator = build_models(name, profile.scale(name))
        assert isinstance(generator, entry.generator)
        assert isinstance(discriminator, entry.discriminator)
    g_opts, d_opts = split_options("wavegan", {"upsample": "nn", "phase_shuffle": 0,
                                               "kernel_len": 9})
    assert g_opts == {"upsample": "nn", "kernel_len": 9}
    assert d_opts == {"phase_shuffle": 0, "kernel_len": 9}
    with pytest.raises(ValueError, match=r"wavegan: unknown model option\(s\) dropout; the "
                                         r"generator takes .*upsample"):
        split_options("wavegan", {"dropout": 0.1})
    with pytest.raises(UnknownNameError, match="choose one of dense, specgan, ") as error:
        build_models("melgan", profile.scale("wavegan"))
    assert all(name in str(error.value) for name in MODELS)


def test_recipe_then_merges_each_part_and_the_later_wins():
    merged = PAPER["gansynth"].then(Recipe(train=dict(ema_decay=0.99),
                                           generator=dict(pitch_scale=4.0)))
    assert merged.train["ema_decay"] == 0.99 and merged.train["lr_g"] == 8e-4
    assert merged.generator == {"pitch_scale": 4.0}
    assert PAPER["gansynth"].train["ema_decay"] == 0.999  # the paper's recipe is unchanged
    with pytest.raises(TypeError):
        PAPER["gansynth"].train["ema_decay"] = 0.5
