"""Runs (notebooks 05 and 07, the command line): train or load, finding runs, sampling a
checkpoint."""

import os
from pathlib import Path

import pytest
import soundfile as sf
import torch

from audiogan_lesson import runs
from audiogan_lesson.checkpoint import list_checkpoints, load_generator
from audiogan_lesson.evaluation import to_format
from audiogan_lesson.experiments import make_experiment
from audiogan_lesson.profiles import get_profile
from audiogan_lesson.representations import representation_from_state
from audiogan_lesson.training import Trainer, uniform_latents

SMOKE = get_profile("smoke")


def tiny(model="dense", **options):
    """A smoke-profile experiment small enough to train in a second."""
    return make_experiment(model, "toy-drums", SMOKE, n_train=16, preview_every=0, **options)


# ------------------------------------------------------------------------ finding and sampling runs


@pytest.fixture(scope="module")
def runs_root(tmp_path_factory):
    """A runs folder with one tiny trained WaveGAN, a broken run, an empty one and a foreign one."""
    root = tmp_path_factory.mktemp("runs")
    exp = make_experiment("wavegan", "toy-drums", get_profile("smoke"), n_train=16, steps=2,
                          preview_every=0)
    exp.trainer(root / "04_wavegan_tiny").train(progress=False)
    (root / "03_specgan_broken").mkdir()
    (root / "03_specgan_broken" / "ckpt_00000005.pt").write_bytes(b"not a checkpoint")
    (root / "05_wgan_gp_empty").mkdir()
    (root / "07_evaluation").mkdir()
    return root


def test_find_runs_reads_metadata_and_says_what_it_skipped(runs_root):
    found, notes = runs.find_runs(root=runs_root)
    assert [r.name for r in found] == ["04_wavegan_tiny"]
    run = found[0]
    assert (run.model, run.dataset, run.sample_rate, run.slice_len, run.step) == \
        ("wavegan", "toy-drums", 8000, 4096, 2)
    assert run.pitches is None and run.loss == "wgan-gp"
    assert any(n.startswith("03_specgan_broken:") and "checkpoint" in n for n in notes)
    assert "05_wgan_gp_empty: no checkpoint yet" in notes
    assert not any("07_evaluation" in n for n in notes)


def test_sample_run_and_common_format(runs_root):
    found, _ = runs.find_runs(root=runs_root)
    waves, pitches = runs.sample_run(found[0], 5, seed=1)
    assert waves.shape == (5, 4096) and pitches is None and waves.abs().max() <= 1
    again, _ = runs.sample_run(found[0].checkpoint, 5, seed=1)
    assert torch.equal(waves, again)
    up = to_format(waves, 8000, 16000, 10000)
    assert up.shape == (5, 10000) and up[:, 8192:].abs().max() == 0  # padded after 8192
    assert to_format(waves, 8000, 8000, 100).shape == (5, 100)


def test_run_generator_matches_sample_run(runs_root):
    found, _ = runs.find_runs(root=runs_root)
    generate, latent_dim, latent = runs.run_generator(found[0])
    assert latent == "uniform" and latent_dim == 100
    z = torch.rand(3, latent_dim) * 2 - 1
    assert generate(z).shape == (3, 4096)


def _old_sample_run(path, n, seed, batch_size=64):
    """How ``evaluation.sample_run`` sampled an unconditional run before the sampler was shared."""
    generator, ckpt = load_generator(path)
    representation = representation_from_state(ckpt["meta"]["representation"])
    g = torch.Generator()
    g.manual_seed(seed)
    waves = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            z = uniform_latents(min(batch_size, n - start), ckpt["latent_dim"], g,
                                torch.device("cpu"))
            waves.append(representation.decode(generator(z).float()).cpu())
    return torch.cat(waves)


def test_the_one_sampler_gives_the_waves_of_before(runs_root, tmp_path):
    path = runs.find_runs(root=runs_root)[0][0].checkpoint
    before = _old_sample_run(path, 70, seed=4)  # two batches of 64 and 6
    waves, _ = runs.sample_run(path, 70, seed=4)
    assert torch.equal(waves, before)
    files = runs.generate_from_checkpoint(path, 70, tmp_path / "wavs", seed=4, device="cpu")
    assert ([p.name for p in files[:2]] == ["wavegan_0000.wav", "wavegan_0001.wav"]
            and len(files) == 70)
    written = torch.stack([torch.from_numpy(sf.read(p, dtype="float32")[0]) for p in files])
    torch.testing.assert_close(written, before, atol=1e-4, rtol=0)  # PCM-16 files
    generate, latent_dim, _ = runs.run_generator(path)
    z = uniform_latents(64, latent_dim, torch.Generator().manual_seed(4), "cpu")  # the first batch
    assert torch.equal(generate(z), before[:64])


def test_load_run_refuses_what_it_cannot_sample(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such checkpoint"):
        runs.load_run(tmp_path / "ckpt_00000001.pt")
    empty = tmp_path / "ckpt_00000002.pt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="ask for at least one file"):
        runs.generate_from_checkpoint(empty, 0, tmp_path / "wavs")


# ----------------------------------------------------------------------------- train or load


def test_train_or_load_trains_once_then_loads(tmp_path, monkeypatch):
    first = runs.train_or_load(tiny(steps=2), tmp_path / "run")
    assert first.step == 2 and len(list_checkpoints(tmp_path / "run")) == 1

    def no_training(self, *args, **kwargs):
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(Trainer, "train", no_training)
    again = runs.train_or_load(tiny(steps=2), tmp_path / "run")
    assert again.step == 2 and again.seconds == first.seconds
    assert list_checkpoints(tmp_path / "run") == [first.last_checkpoint]
    for a, b in zip(first.generator.parameters(), again.generator.parameters()):
        assert torch.equal(a, b)


def test_train_or_load_counts_its_time_budget_across_calls(tmp_path, monkeypatch):
    first = runs.train_or_load(tiny(steps=2), tmp_path / "run")
    budgets, train = [], Trainer.train

    def one_more_step(self, steps=None, seconds=None, **kwargs):
        budgets.append(seconds)
        return train(self, steps=self.step + 1, seconds=seconds, **kwargs)

    monkeypatch.setattr(Trainer, "train", one_more_step)
    # stopped on its clock: 10 s of budget in all, so only what the first call left
    later = runs.train_or_load(tiny(steps=10**9, max_seconds=first.seconds + 10.0),
                               tmp_path / "run")
    assert budgets == [pytest.approx(10.0)] and later.step == 3
    # a second or less left: loaded, not trained, and finished for finished_run
    used = runs.train_or_load(tiny(steps=10**9, max_seconds=later.seconds + 0.5), tmp_path / "run")
    assert len(budgets) == 1 and used.step == 3
    done = runs.finished_run(tiny(steps=10**9, max_seconds=later.seconds + 0.5), tmp_path / "run")
    assert done is not None and done.step == 3


def test_finished_run_is_none_for_other_settings_and_unfinished_runs(tmp_path):
    runs.train_or_load(tiny(steps=2, loss="bce"), tmp_path / "run")
    assert runs.finished_run(tiny(steps=2, loss="wgan-gp"), tmp_path / "run") is None
    assert runs.finished_run(tiny(steps=5, loss="bce"), tmp_path / "run") is None  # 2 of 5 steps
    assert runs.finished_run(tiny(steps=2, loss="bce"), tmp_path / "empty") is None
    assert runs.finished_run(tiny(steps=2, loss="bce"), tmp_path / "run").step == 2


def test_runs_dir_is_a_fresh_folder_in_the_smoke_profile():
    a, b = runs.runs_dir("x", SMOKE), runs.runs_dir("x", SMOKE)
    assert a != b and a.is_dir() and not any(a.iterdir())


# ---------------------------------------------------------------------------- notebook 07's sources


def test_source_from_run_samples_the_checkpoint(runs_root):
    run = runs.find_runs(root=runs_root)[0][0]
    source = runs.source_from_run(run)
    waves, midi = source.sample(3, 1)
    assert torch.equal(waves, runs.sample_run(run, 3, seed=1)[0]) and midi is None
    assert (source.name, source.model, source.steps) == ("04_wavegan_tiny", "wavegan", 2)
    assert source.generate(torch.zeros(2, 100)).shape == (2, 4096)


def test_stand_in_keeps_a_run_of_other_settings_and_trains_beside_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runs.sources, "runs_dir", lambda name, profile=None: tmp_path / name)
    other = tmp_path / "07_fallback_dense"
    runs.train_or_load(tiny(steps=1, loss="wgan-gp"), other)
    kept = list_checkpoints(other)
    source = runs.stand_in_source("dense", SMOKE, steps=1)
    assert "07_fallback_dense_2" in capsys.readouterr().out
    assert list_checkpoints(other) == kept and list_checkpoints(tmp_path / "07_fallback_dense_2")
    assert source.steps == 1 and source.name == "dense (stand-in, BCE, 1 steps)"
    waves, midi = source.sample(4, 0)
    assert waves.shape == (4, source.slice_len) and midi is None


def test_use_google_drive_points_runs_and_data_at_drive(tmp_path, monkeypatch):
    import sys
    import types

    for name in ("AUDIOGAN_RUNS", "AUDIOGAN_DATA"):  # restored after the test
        monkeypatch.setenv(name, "unset")
        monkeypatch.delenv(name)
    with pytest.raises(RuntimeError, match="Colab only; elsewhere set AUDIOGAN_RUNS"):
        runs.use_google_drive()
    mounted = []
    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=mounted.append)
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    root = runs.use_google_drive("course", mount_point=str(tmp_path / "drive"))
    assert mounted == [str(tmp_path / "drive")]
    assert root == tmp_path / "drive" / "MyDrive" / "course" and (root / "runs").is_dir()
    assert os.environ["AUDIOGAN_RUNS"] == str(root / "runs")
    assert os.environ["AUDIOGAN_DATA"] == str(root)
    assert runs.runs_dir("05_x", get_profile("laptop")) == root / "runs" / "laptop" / "05_x"


# -------------------------------------------------------------------- one score per run, everywhere


def _executed(path, *printed):
    """Write a solution notebook whose one code cell printed ``printed`` (one stream each)."""
    import nbformat

    cell = nbformat.v4.new_code_cell("print(score.line())")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t + "\n") for t in printed]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)


def test_course_check_finds_runs_scored_apart(tmp_path):
    from audiogan_lesson import course
    from audiogan_lesson.evaluation.run_scores import RunScore

    ten = RunScore("05_wavegan_10min", 3714, 600.1, 1.95, 0.05, 4.70, 500)
    bce = RunScore("05_wavegan_bce", 600, 40.0, 1.01, 0.01, 4.70, 500)
    _executed(tmp_path / "solutions" / "05_wgan_gp.ipynb", ten.line(), bce.line())
    _executed(tmp_path / "solutions" / "07_evaluation.ipynb", "header", ten.line(), bce.line())
    assert course.score_problems(tmp_path) == []
    other = RunScore("05_wavegan_10min", 8713, 600.1, 2.11, 0.05, 4.70, 500)  # another runs folder
    _executed(tmp_path / "solutions" / "07_evaluation.ipynb", other.line())
    problems = course.score_problems(tmp_path)
    assert any("run 05_wavegan_10min" in p and "8,713 steps" in p and "3,714 steps" in p
               for p in problems)
    assert any("run 05_wavegan_bce: solutions/05_wgan_gp.ipynb scores it but "
               "solutions/07_evaluation.ipynb does not" in p for p in problems)


def test_score_line_reads_back_and_normalises_by_chance():
    from audiogan_lesson.evaluation.metrics import chance_normalised
    from audiogan_lesson.evaluation.run_scores import RunScore, score_lines

    score = RunScore("05_wavegan_10min", 3714, 600.0, 1.95, 0.05, 4.75, 500)
    assert "41% of real IS" in score.line() and "chance-normalised 0.25" in score.line()
    assert list(score_lines("noise\n" + score.line() + "\nmore")) == ["05_wavegan_10min"]
    assert chance_normalised(1.0, 4.75) == 0.0 and chance_normalised(4.75, 4.75) == 1.0
    with pytest.raises(ValueError, match="real_score 1.0"):
        chance_normalised(1.5, 1.0)


def test_score_run_is_cached_in_the_run_folder(runs_root, monkeypatch):
    from audiogan_lesson.evaluation import run_scores

    run = runs.find_runs(root=runs_root)[0][0]
    first = run_scores.score_run(run, SMOKE)
    assert (runs_root / "04_wavegan_tiny" / "scores.json").is_file()
    assert (first.name, first.step, first.n) == ("04_wavegan_tiny", 2, SMOKE.n_eval)
    monkeypatch.setattr(run_scores, "_score", lambda *a: pytest.fail("measured again"))
    assert run_scores.score_run(runs_root / "04_wavegan_tiny", SMOKE) == first
    monkeypatch.undo()
    rows = run_scores.checkpoint_scores(run, SMOKE)
    assert [r["step"] for r in rows] == [2] and abs(rows[0]["IS"] - first.IS) < 1e-3
    assert sum(rows[0]["classes"].values()) == SMOKE.n_eval


@pytest.mark.parametrize("model, data, conditional", [("wavegan", "toy-drums", "projection"),
                                                      ("gansynth", "toy-notes", None)])
def test_one_sampler_for_the_trainer_and_generate(tmp_path, model, data, conditional):
    """The same run, sampled by its trainer (notebooks, kept-best scores) and from its checkpoint
    (``generate``, notebook 07), gives the same examples for the same seed: one rule for the
    latents and the labels (training.sampling.latent_batches)."""
    exp = make_experiment(model, data, get_profile("smoke"), n_train=16, steps=2,
                          conditional=conditional)
    trainer = exp.trainer(tmp_path / "run")
    trainer.train(progress=False)
    for seed in (0, 5):
        ours = exp.to_audio(trainer.sample(70, seed=seed))  # more than one batch of 64
        theirs = torch.cat([w for w, _ in runs.sample_batches(runs.load_run(tmp_path / "run"),
                                                              70, seed=seed)])
        torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-5)


def test_the_setup_cell_keeps_runs_on_drive_on_colab_by_choice_or_with_a_gpu(monkeypatch, capsys):
    import sys
    import types

    from audiogan_lesson import paths

    mounted = []
    monkeypatch.setattr(paths, "use_google_drive", lambda: mounted.append(1) or Path("/drive"))
    assert paths.colab_setup(True) is None and mounted == []  # not on Colab: nothing happens
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert paths.colab_setup(False) is None and mounted == []
    assert "KEEP_ON_DRIVE = True" in capsys.readouterr().out
    assert paths.colab_setup(True) == Path("/drive") and mounted == [1]
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    assert paths.colab_setup(None) is None and mounted == [1]
    monkeypatch.setattr("torch.cuda.is_available", lambda: True)
    assert paths.colab_setup(None) == Path("/drive") and mounted == [1, 1]
