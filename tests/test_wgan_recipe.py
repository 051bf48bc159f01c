"""The profile's WGAN-GP recipe fields (notebook 05): applied to WGAN-GP runs only, paper values by default."""

import pytest
import soundfile as sf
import torch

from audiogan_lesson.audio import preemphasis
from audiogan_lesson.experiments import (Waveform, generate_from_checkpoint, make_experiment,
                                         representation_from_state, wgan_recipe)
from audiogan_lesson.profiles import TrainScale, get_profile
from audiogan_lesson.training import uniform_latents


def test_paper_values_by_default():
    assert wgan_recipe(TrainScale(), "wgan-gp") == {}
    exp = make_experiment("wavegan", "toy-drums", get_profile("gpu", device="cpu").with_scale(
        "wavegan", width=2, batch_size=4, slice_len=4096, sample_rate=8000), n_train=8)
    assert (exp.config.n_critic, exp.config.lr_g, exp.config.lr_d) == (5, 1e-4, 1e-4)


def test_profile_scales_the_wgan_recipe_only():
    profile = get_profile("smoke").with_scale("wavegan", wgan_n_critic=2, wgan_lr=3e-4)
    wgan = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8)
    assert (wgan.config.n_critic, wgan.config.lr_g, wgan.config.lr_d) == (2, 3e-4, 3e-4)
    bce = make_experiment("wavegan", "toy-drums", profile, loss="bce", n_train=8)
    assert (bce.config.n_critic, bce.config.lr_g, bce.config.lr_d) == (1, 1e-4, 1e-4)


def test_explicit_options_win_over_the_profile():
    profile = get_profile("smoke").with_scale("wavegan", wgan_n_critic=2, wgan_lr=3e-4)
    exp = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                          n_critic=5, lr_g=1e-4)
    assert (exp.config.n_critic, exp.config.lr_g, exp.config.lr_d) == (5, 1e-4, 3e-4)


def test_profile_recipe_sets_ema_batch_norm_and_phase_shuffle_for_wgan_gp_only():
    profile = get_profile("smoke").with_scale("wavegan", wgan_ema_decay=0.99, wgan_batch_norm=True,
                                              wgan_phase_shuffle=0)
    wgan = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8)
    assert wgan.config.ema_decay == 0.99
    assert wgan.generator.config.batch_norm is True
    assert wgan.discriminator.config.phase_shuffle == 0
    bce = make_experiment("wavegan", "toy-drums", profile, loss="bce", n_train=8)
    assert bce.config.ema_decay == 0.0
    assert bce.generator.config.batch_norm is False
    assert bce.discriminator.config.phase_shuffle == 2
    explicit = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                               model_options={"phase_shuffle": 1})
    assert explicit.discriminator.config.phase_shuffle == 1


def test_paper_model_options_by_default():
    from audiogan_lesson.experiments import wgan_model_options

    assert wgan_model_options("wavegan", TrainScale(), "wgan-gp") == {}
    spec = get_profile("smoke").with_scale("specgan", wgan_batch_norm=True, wgan_phase_shuffle=0)
    exp = make_experiment("specgan", "toy-drums", spec, loss="wgan-gp", n_train=8)
    assert exp.generator.config.batch_norm is True


def test_profile_preemphasis_applies_to_wgan_gp_waveform_runs_only():
    assert make_experiment("wavegan", "toy-drums", get_profile("smoke"), loss="wgan-gp",
                           n_train=8).representation.preemphasis == 0.0  # the paper: none
    profile = get_profile("smoke").with_scale("wavegan", wgan_preemphasis=0.8)
    wgan = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8)
    assert wgan.representation.preemphasis == 0.8
    torch.testing.assert_close(wgan.examples.squeeze(1), preemphasis(wgan.real.waves, 0.8))
    torch.testing.assert_close(wgan.to_audio(wgan.examples), wgan.real.waves, atol=2e-5, rtol=0)
    bce = make_experiment("wavegan", "toy-drums", profile, loss="bce", n_train=8)
    assert bce.representation.preemphasis == 0.0
    torch.testing.assert_close(bce.examples.squeeze(1), bce.real.waves)
    with pytest.raises(ValueError, match=r"pre-emphasis coefficient 1.0; use a value in \[0, 1\)"):
        make_experiment("wavegan", "toy-drums", profile.with_scale("wavegan", wgan_preemphasis=1.0),
                        loss="wgan-gp", n_train=8)


def test_generate_undoes_the_preemphasis_saved_in_the_checkpoint(tmp_path):
    profile = get_profile("smoke").with_scale("wavegan", wgan_preemphasis=0.9)
    exp = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8, steps=1)
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
