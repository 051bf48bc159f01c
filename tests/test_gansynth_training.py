"""GANSynth training: the progressive schedule as a trainer hook (stages from the step count,
fade-in alpha, real images blended alike, fresh Adam per stage, exact resume across a stage
boundary), the gansynth experiment (mel-IF images, the paper's recipe, pitches in the
checkpoint) and generating notes of one pitch (audiogan_lesson.models.gansynth,
audiogan_lesson.experiments)."""

import pytest
import torch

from audiogan_lesson.experiments import MelIFImages, make_experiment
from audiogan_lesson.models.gansynth import (
    GANSynthDiscriminator,
    GANSynthGenerator,
    ProgressiveSchedule,
    real_at_stage,
)
from audiogan_lesson.profiles import GANSynthScale, get_profile
from audiogan_lesson.recipes import Recipe, recipe_for
from audiogan_lesson.runs import generate_from_checkpoint
from audiogan_lesson.spectral import IFSpecConfig
from audiogan_lesson.training import TrainConfig, Trainer

SMALL = dict(num_resolutions=3, fmap_base=64, fmap_max=8, pitches=(60, 62, 64))
RECIPE = dict(loss="wgan-gp", n_critic=1, lr_g=8e-4, lr_d=8e-4, betas=(0.0, 0.99), drift=0.001,
              aux_weight=10.0, aux_fake_in_d=False, ema_decay=0.999, latent="normal",
              conditional=True, batch_size=4, autocast=False, log_every=1)


def small_trainer(out_dir=None, stable=2, fade=3, seed=0):
    torch.manual_seed(seed)
    g, d = GANSynthGenerator(**SMALL), GANSynthDiscriminator(**SMALL)
    data = torch.rand(16, 2, 8, 64, generator=torch.Generator().manual_seed(1)) * 2 - 1
    labels = torch.arange(16) % 3
    schedule = ProgressiveSchedule(3, stable, fade)
    trainer = Trainer(g, d, (data, labels), TrainConfig(**RECIPE), out_dir=out_dir, device="cpu",
                      hook=schedule)
    return trainer, schedule


# ----------------------------------------------------------------------------- the schedule


def test_stage_and_alpha_follow_the_step_count():
    s = ProgressiveSchedule(num_resolutions=3, stable_steps=4, fade_steps=2)
    assert [s.start(k) for k in range(5)] == [0, 4, 6, 10, 12]
    assert s.growth_steps == 12
    assert s.at(0) == (0, 1.0) and s.at(3) == (0, 1.0)
    assert s.at(4) == (1, 0.0) and s.at(5) == (1, 0.5)  # fade-in: alpha from 0, linear
    assert s.at(6) == (2, 1.0) and s.at(10) == (3, 0.0) and s.at(11) == (3, 0.5)
    assert s.at(12) == (4, 1.0) and s.at(10**6) == (4, 1.0)  # the last stage runs on
    assert "8 x 64" in s.table() and "fade-in" in s.table()


def test_paper_schedule_defaults():
    s = ProgressiveSchedule()
    assert s.num_stages == 13 and s.start(1) == 100_000 and s.growth_steps == 1_200_000
    scale = GANSynthScale()
    assert (scale.width, scale.batch_size, scale.n_fft, scale.hop, scale.num_resolutions,
            scale.pitch_min, scale.pitch_max) == (256, 8, 2048, 512, 7, 24, 84)
    with pytest.raises(ValueError, match="stable_steps"):
        ProgressiveSchedule(stable_steps=0)


def test_trainer_grows_the_models_and_resets_adam_per_stage():
    trainer, schedule = small_trainer(stable=2, fade=3)
    seen = []
    original = schedule.before_step

    def spy(t):
        original(t)
        n_state = len(t.players.opt_g.state)
        seen.append((t.step, t.generator.stage, float(t.generator.alpha), t.ema.stage,
                     t.discriminator.stage, n_state))

    object.__setattr__(schedule, "before_step", spy)
    trainer.train(steps=10, progress=False)
    stages = [row[1] for row in seen]
    assert stages == [0, 0, 1, 1, 1, 2, 2, 3, 3, 3]
    assert all(r[1] == r[3] == r[4] for r in seen)  # G, EMA and D always agree
    assert [round(r[2], 3) for r in seen if r[1] == 1] == [0.0, 0.333, 0.667]
    # Adam's state is empty at the first step of every stage, and filled within a stage
    for step, stage, _, _, _, n_state in seen:
        assert (n_state == 0) == (step in (0, 2, 5, 7))


def test_real_batches_are_brought_to_the_stage():
    trainer, schedule = small_trainer(stable=2, fade=2)
    trainer.train(steps=3, progress=False)  # stage 1 (fade-in to 4 x 32), alpha 0.5 next
    schedule.before_step(trainer)
    x = trainer.data[:4]
    got = schedule.real_batch(trainer, x)
    assert got.shape == (4, 2, 4, 32)
    torch.testing.assert_close(got, real_at_stage(x, 1, 0.5))


def test_resume_across_a_stage_boundary_is_exact(tmp_path):
    straight, _ = small_trainer(stable=2, fade=3)
    straight.train(steps=8, progress=False)
    first, _ = small_trainer(tmp_path / "run", stable=2, fade=3)
    first.train(steps=4, progress=False)  # stops inside the fade-in stage 1
    second, _ = small_trainer(tmp_path / "run", stable=2, fade=3, seed=5)
    second.train(steps=8, resume=True, progress=False)
    assert second.generator.stage == straight.generator.stage == 3
    for a, b in zip(straight.generator.state_dict().values(),
                    second.generator.state_dict().values()):
        if isinstance(a, torch.Tensor):
            assert torch.equal(a, b)
    for a, b in zip(straight.ema.parameters(), second.ema.parameters()):
        assert torch.equal(a, b)


# ----------------------------------------------------------------------------- the experiment


def test_mel_if_images_scale_clip_and_upsample():
    rep = MelIFImages(IFSpecConfig(n_fft=128, hop=64, length=512))
    waves = torch.sin(torch.arange(512) * 2 * torch.pi * 440 / 16000)[None].repeat(2, 1) * 0.5
    img = rep.encode(waves)
    assert img.shape == (2, 2, 8, 64) and img.abs().max() <= 1
    back = rep.decode(img)
    assert back.shape == (2, 512)
    assert (back - waves).norm() / waves.norm() < 0.2
    small = real_at_stage(img, 2, start=(2, 16))[:, :, ::2, ::2]  # a 4 x 32 image
    assert rep.decode(small).shape == (2, 512)
    with pytest.raises(ValueError, match="power of two"):
        rep.decode(img[:, :, :3, :24])


def test_gansynth_experiment_uses_the_paper_recipe_and_records_pitches(tmp_path):
    profile = get_profile("smoke")
    exp = make_experiment("gansynth", "toy-notes", profile, n_train=16, steps=3)
    cfg = exp.config
    assert (cfg.n_critic, cfg.lr_g, cfg.lr_d, cfg.betas, cfg.drift, cfg.aux_weight,
            cfg.aux_fake_in_d, cfg.ema_decay, cfg.latent, cfg.conditional) == \
        (1, 8e-4, 8e-4, (0.0, 0.99), 0.001, 10.0, False, 0.999, "normal", True)
    scale = profile.scale("gansynth")
    assert exp.examples.shape == (16, 2, 8, 64)
    assert exp.pitches == tuple(range(scale.pitch_min, scale.pitch_max + 1))
    assert int(exp.real.labels.max()) < len(exp.pitches)
    trainer = exp.trainer(tmp_path / "run")
    trainer.train(progress=False)
    state = torch.load(trainer.last_checkpoint, weights_only=True)
    assert state["meta"]["pitches"] == list(exp.pitches)
    assert state["meta"]["representation"]["kind"] == "mel-if"

    paths = generate_from_checkpoint(trainer.last_checkpoint, 3, tmp_path / "gen", pitch=62,
                                     device="cpu")
    assert [p.name for p in paths] == [f"gansynth_midi62_000{i}.wav" for i in range(3)]
    with pytest.raises(ValueError, match="trained on MIDI pitches 60-64"):
        generate_from_checkpoint(trainer.last_checkpoint, 1, tmp_path / "gen", pitch=70)
    assert len(generate_from_checkpoint(trainer.last_checkpoint, 2, tmp_path / "all")) == 2


def test_the_recipe_sets_pitch_scale_and_model_options_override_it():
    profile = get_profile("smoke")
    assert make_experiment("gansynth", "toy-notes", profile,
                           n_train=8).generator.config.pitch_scale == 1.0  # the paper
    scaled = Recipe(generator=dict(pitch_scale=16.0))
    assert make_experiment("gansynth", "toy-notes", profile, recipe=scaled,
                           n_train=8).generator.config.pitch_scale == 16.0
    assert make_experiment("gansynth", "toy-notes", profile, recipe=scaled, n_train=8,
                           model_options={"pitch_scale": 2.0}).generator.config.pitch_scale == 2.0
    assert recipe_for("gansynth", "wgan-gp", "laptop").generator["pitch_scale"] == 16.0
    assert recipe_for("gansynth", "wgan-gp").generator.get("pitch_scale", 1.0) == 1.0


def test_scale_that_does_not_fit_the_image_is_refused():
    profile = get_profile("smoke").with_scale("gansynth", num_resolutions=4)
    with pytest.raises(ValueError, match="num_resolutions"):
        make_experiment("gansynth", "toy-notes", profile, n_train=8)


def test_command_line_train_gansynth_then_generate_a_pitch(tmp_path, capsys):
    from audiogan_lesson.__main__ import main

    out = tmp_path / "run"
    assert main(["train", "gansynth", "--data", "toy-notes", "--steps", "3", "--n-train", "16",
                 "--profile", "smoke", "--out", str(out)]) == 0
    ckpt = sorted(out.glob("ckpt_*.pt"))[-1]
    assert main(["generate", str(ckpt), "--pitch", "64", "--n", "2", "--out",
                 str(tmp_path / "gen")]) == 0
    assert sorted(p.name for p in (tmp_path / "gen").iterdir()) == [
        "gansynth_midi64_0000.wav", "gansynth_midi64_0001.wav"]
    assert main(["generate", str(ckpt), "--pitch", "30", "--out", str(tmp_path / "x")]) == 2
    assert "trained on MIDI pitches 60-64" in capsys.readouterr().err


def test_laptop_gansynth_plays_two_octaves_as_eight_by_256_images_with_a_projection_critic():
    exp = make_experiment("gansynth", "toy-notes", get_profile("laptop", device="cpu"), n_train=8)
    assert exp.pitches == tuple(range(48, 73))
    assert tuple(exp.examples.shape[1:]) == (2, 8, 256)
    assert exp.hook.resolution(0) == (1, 32) and exp.hook.resolution(6) == (8, 256)
    assert exp.representation.transform.config.n_fft == 512
    assert exp.generator(torch.randn(2, 256), torch.tensor([0, 24])).shape == (2, 2, 8, 256)
    assert exp.discriminator.takes_labels and exp.config.select_every == 500
