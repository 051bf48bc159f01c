"""Keeping a run's best checkpoint by a score (training/selection.py, evaluation/selection.py)."""

import math
import warnings

import pytest
import torch
import torch.nn as nn

from audiogan_lesson import checkpoint as ckpt_io
from audiogan_lesson.cli import main
from audiogan_lesson.data import toy_piano
from audiogan_lesson.evaluation.selection import (class_score, note_selection, pitch_selection,
                                                  selection_for)
from audiogan_lesson.runs import run_info
from audiogan_lesson.training import TrainConfig

from test_training import Z, make

BASE = dict(latent_dim=Z, batch_size=8, log_every=2, autocast=False, ema_decay=0.9)


def by_step(scores):
    """A select function that scores step s with ``scores[s]`` and counts its calls."""
    def select(trainer):
        select.calls.append(trainer.step)
        return scores[trainer.step]
    select.calls = []
    return select


def test_best_checkpoint_is_the_best_scoring_step_and_the_run_goes_on(tmp_path):
    scores = {2: 1.0, 4: 3.0, 6: 2.0, 8: 5.0, 10: 4.0}
    config = TrainConfig(**BASE, select_every=2, checkpoint_every=2, keep_last=0)
    trainer = make(config, out_dir=tmp_path, select=by_step(scores))
    trainer.train(steps=10, progress=False)
    assert trainer.select.calls == [2, 4, 6, 8, 10]
    assert [row["step"] for row in trainer.selections] == [2, 4, 6, 8, 10]
    assert trainer.best == {"step": 8, "score": 5.0}
    assert trainer.last_checkpoint.name == "ckpt_00000010.pt"  # best.pt is not the newest
    best = ckpt_io.load_checkpoint(tmp_path / "best.pt")
    at_8 = ckpt_io.load_checkpoint(tmp_path / "ckpt_00000008.pt")
    assert best["step"] == 8
    for name, tensor in at_8["ema"].items():
        torch.testing.assert_close(best["ema"][name], tensor, rtol=0, atol=0)
    assert ckpt_io.result_checkpoint(tmp_path) == tmp_path / "best.pt"
    assert [p.name for p in ckpt_io.list_checkpoints(tmp_path)][-1] == "ckpt_00000010.pt"


def test_scoring_does_not_change_training(tmp_path):
    plain = make(TrainConfig(**BASE))
    plain.train(steps=8, progress=False)

    def sampled(trainer):  # samples as a real score does, with the trainer's own sampler
        return float(trainer.sample(16, seed=3).abs().mean())
    scored = make(TrainConfig(**BASE, select_every=2), out_dir=tmp_path, select=sampled)
    scored.train(steps=8, progress=False)
    for (name, a), b in zip(plain.generator.state_dict().items(),
                            scored.generator.state_dict().values()):
        torch.testing.assert_close(b, a, rtol=0, atol=0, msg=name)
    assert len(scored.selections) == 4 and (tmp_path / "best.pt").is_file()


def test_a_resumed_run_compares_with_the_scores_before_it(tmp_path):
    scores = {2: 1.0, 4: 9.0, 6: 2.0, 8: 5.0, 10: 4.0}
    config = TrainConfig(**BASE, select_every=2, checkpoint_every=2, keep_last=0)
    first = make(config, out_dir=tmp_path, select=by_step(scores))
    first.train(steps=6, progress=False)
    again = make(config, out_dir=tmp_path, select=by_step(scores))
    again.train(steps=10, resume=True, progress=False)
    assert again.select.calls == [8, 10]
    assert [row["step"] for row in again.selections] == [2, 4, 6, 8, 10]
    assert again.best["step"] == 4  # step 8's 5.0 does not replace the earlier 9.0
    assert ckpt_io.load_checkpoint(tmp_path / "best.pt")["step"] == 4


def test_non_finite_scores_are_recorded_and_never_best(tmp_path):
    scores = {2: float("nan"), 4: 1.0, 6: float("inf")}
    trainer = make(TrainConfig(**BASE, select_every=2), out_dir=tmp_path,
                   select=by_step(scores))
    trainer.train(steps=6, progress=False)
    assert trainer.best == {"step": 4, "score": 1.0}
    assert ckpt_io.load_checkpoint(tmp_path / "best.pt")["step"] == 4


def test_select_every_without_a_select_function_trains_with_a_warning(tmp_path):
    trainer = make(TrainConfig(**BASE, select_every=2), out_dir=tmp_path)
    with pytest.warns(UserWarning, match="no best checkpoint is kept.*Experiment.trainer"):
        trainer.train(steps=4, progress=False)
    assert trainer.selections == [] and not (tmp_path / "best.pt").exists()
    with pytest.raises(ValueError, match="select_every"):
        TrainConfig(select_every=-1)


class FakeTrainer:
    """What a select function reads of a Trainer: ``sample(n, labels=, seed=)`` and a device."""

    def __init__(self, make_samples):
        self.make_samples, self.device = make_samples, torch.device("cpu")

    def sample(self, n, labels=None, seed=None):
        return self.make_samples(n, labels)


class SignClassifier(nn.Module):
    """Calls a wave class 0 when its mean is below 0, else class 1 (confidently)."""

    sample_rate = 16000

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(()))

    def forward(self, waves):
        m = waves.reshape(len(waves), -1).mean(1)
        return torch.stack([-m, m], 1) * 50 * self.weight


def test_class_score_is_near_zero_for_the_requested_class_and_falls_for_a_missed_one():
    score = class_score(SignClassifier(), lambda x: x, n_classes=2, per_class=10)
    right = FakeTrainer(lambda n, labels: (labels.float() * 2 - 1)[:, None].repeat(1, 64))
    one_class = FakeTrainer(lambda n, labels: torch.ones(n, 64))  # always class 1
    assert score(right) == pytest.approx(0.0, abs=1e-6)
    assert score(one_class) < -10  # half the clips get log p ~ -100 for their class


def test_note_selection_scores_real_notes_near_zero_and_noise_near_minus_one():
    real = toy_piano(64, seed=0).notes
    held_out = torch.as_tensor(toy_piano(64, seed=1).notes)
    score = note_selection(real, to_notes=lambda x: x, n=64)
    from audiogan_lesson.evaluation.notes import uniform_notes
    noise = torch.as_tensor(uniform_notes(real, 64, seed=5))
    good = score(FakeTrainer(lambda n, labels: held_out[:n]))
    bad = score(FakeTrainer(lambda n, labels: noise[:n]))
    assert -0.35 < good <= 0.0
    assert bad < -0.8
    assert good > bad


def tone(midi: torch.Tensor, sample_rate: int = 8000, length: int = 2048) -> torch.Tensor:
    """Sawtooth-like tones (three harmonics) at MIDI ``midi`` ``(n,)``: ``(n, length)``."""
    f0 = 440.0 * 2.0 ** ((midi.double()[:, None] - 69) / 12)
    t = torch.arange(length, dtype=torch.float64)[None] / sample_rate
    return sum(torch.sin(2 * torch.pi * k * f0 * t) / k for k in (1, 2, 3)).float()


def test_pitch_selection_is_the_pitch_accuracy_of_the_requested_pitches():
    midi = torch.tensor([48, 55, 60, 67, 72])
    score = pitch_selection(lambda x: x, len(midi), midi.tolist(), 8000, per_pitch=2)
    right = FakeTrainer(lambda n, labels: tone(midi[labels]))
    sharp = FakeTrainer(lambda n, labels: tone(midi[labels] + 1))
    half = FakeTrainer(lambda n, labels: tone(midi[labels] + (torch.arange(n) % 2)))
    assert score(right) == 1.0
    assert score(sharp) == 0.0
    assert score(half) == 0.5


def test_a_gansynth_experiment_is_selected_by_pitch_accuracy():
    from audiogan_lesson.experiments import make_experiment
    from audiogan_lesson.profiles import get_profile

    exp = make_experiment("gansynth", "toy-notes", get_profile("smoke"), n_train=8)
    trainer = exp.trainer(None)
    score = selection_for(exp)(trainer)
    assert 0.0 <= score <= 1.0


def test_an_experiments_trainer_keeps_its_best_without_being_given_a_score(tmp_path):
    from audiogan_lesson.experiments import make_experiment
    from audiogan_lesson.profiles import get_profile
    from audiogan_lesson.runs import train_or_load

    exp = make_experiment("pianogan", "toy-piano", get_profile("smoke"), n_train=16, steps=4,
                          select_every=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "select_every but no select" warning
        trainer = train_or_load(exp, tmp_path / "run")
    assert [row["step"] for row in trainer.selections] == [2, 4]
    assert all(math.isfinite(row["score"]) and row["score"] <= 0.0  # note_selection: minus a ratio
               for row in trainer.selections)
    assert (tmp_path / "run" / "best.pt").is_file()
    plain = make_experiment("pianogan", "toy-piano", get_profile("smoke"), n_train=16, steps=4)
    assert plain.config.select_every == 0 and plain.trainer(None).select is None


def test_train_keeps_best_and_generate_reads_a_run_folder(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "pianogan", "--data", "toy-piano", "--steps", "4", "--select-every",
                 "2", "--out", str(out), "--profile", "smoke", "--n-train", "16"]) == 0
    printed = capsys.readouterr().out
    assert "best: step" in printed and str(out / "best.pt") in printed
    state = ckpt_io.load_checkpoint(out / "best.pt")
    assert [row["step"] for row in state["selections"]][:1] == [2]
    assert run_info(out).checkpoint == out / "best.pt"
    assert main(["generate", str(out), "--n", "2", "--out", str(tmp_path / "gen")]) == 0
    assert len(list((tmp_path / "gen").glob("*.mid"))) == 2
    assert main(["train", "pianogan", "--data", "toy-piano", "--steps", "4", "--select-every",
                 "-1", "--out", str(tmp_path / "x"), "--profile", "smoke"]) != 0
    assert "--select-every -1" in capsys.readouterr().err


def test_empty_run_folder_for_generate_names_the_files_train_writes(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    assert main(["generate", str(tmp_path / "run"), "--n", "1", "--out", str(tmp_path / "g")]) != 0
    assert "no checkpoint in this folder yet; train --out" in capsys.readouterr().err


def test_sample_best_uses_the_best_steps_weights(tmp_path):
    scores = {2: 1.0, 4: 7.0, 6: 2.0}
    config = TrainConfig(**BASE, select_every=2, checkpoint_every=2, keep_last=0)
    trainer = make(config, out_dir=tmp_path, select=by_step(scores))
    trainer.train(steps=4, progress=False)
    at_best = trainer.sample(5, seed=1)
    trainer.train(steps=6, progress=False)
    torch.testing.assert_close(trainer.sample(5, seed=1, best=True), at_best, rtol=0, atol=0)
    assert not torch.equal(trainer.sample(5, seed=1), at_best)
    plain = make(TrainConfig(**BASE))  # no best kept: the current weights
    torch.testing.assert_close(plain.sample(3, seed=1, best=True), plain.sample(3, seed=1))


def test_no_notebook_or_command_passes_a_score_to_keep_the_best():
    """Keeping the best needs no argument: the experiment builds its score from the model's
    entry, so a notebook or the command line that passes ``select=`` has a second home for it."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    callers = [*root.glob("solutions/*.py"), *root.glob("notebooks/*.py"),
               *(root / "audiogan_lesson" / "cli").glob("*.py")]
    assert len(callers) > 20
    passing = [p.name for p in callers if "select=" in p.read_text(encoding="utf-8")]
    assert passing == []


def test_the_unconditional_score_falls_to_zero_when_a_class_is_missed():
    from audiogan_lesson.evaluation.selection import covered_inception_score

    from audiogan_lesson.evaluation.metrics import inception_score

    every = torch.eye(5).repeat(20, 1).numpy()  # 100 certain clips, 20 of each class
    assert covered_inception_score(every) == inception_score(every)[0] > 4
    four = torch.eye(5)[torch.arange(100) % 4].numpy()  # certain, but no clip of class 4
    assert covered_inception_score(four) == 0.0
    rare = torch.eye(5)[torch.tensor([4] * 2 + [i % 4 for i in range(98)])].numpy()
    # class 4 is 2% of the clips, under the 5% floor: the score is cut to 2/5 of its value
    assert covered_inception_score(rare) == pytest.approx(inception_score(rare)[0] * 0.4)
    with pytest.raises(ValueError, match="min_share"):
        covered_inception_score(every, min_share=0)
