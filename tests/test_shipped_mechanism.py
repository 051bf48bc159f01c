"""Shipped runs (notebooks 05 and 06): ship, install, train-or-load, refusals and clear errors."""

import json
from pathlib import Path

import pytest
import torch

from audiogan_lesson import runs
from audiogan_lesson.checkpoint import ConfigMismatchError, latest_checkpoint
from audiogan_lesson.experiments import make_experiment
from audiogan_lesson.profiles import get_profile

SMOKE = get_profile("smoke")


def tiny(**options):
    """A smoke-profile WaveGAN small enough to train in a second."""
    return make_experiment("wavegan", "toy-drums", SMOKE, n_train=16, preview_every=0,
                           **{"steps": 3, **options})


@pytest.fixture()
def shipped(tmp_path, monkeypatch):
    """A tiny run shipped into a shipped-runs folder of its own (not the package's)."""
    exp = tiny()
    exp.trainer(tmp_path / "made").train(progress=False)
    root = tmp_path / "shipped"
    folder = runs.ship_run(tmp_path / "made", "05_tiny", "python -m audiogan_lesson train tiny",
                           {"IS": 1.5}, "smoke", notes="one thread", root=root)
    monkeypatch.setattr(runs.shipped, "_shipped_root",
                        lambda r=None: Path(r) if r is not None else root)
    return folder


def test_ship_writes_weights_and_metadata(shipped):
    info = runs.shipped_info("05_tiny")
    assert runs.shipped_runs() == ["05_tiny"]
    assert (info["command"], info["profile"], info["step"], info["scores"], info["notes"]) == \
        ("python -m audiogan_lesson train tiny", "smoke", 3, {"IS": 1.5}, "one thread")
    assert info["model"] == "wavegan" and info["loss"] == "wgan-gp" and info["history"]
    state = torch.load(shipped / "generator.pt", weights_only=True)
    assert "discriminator" not in state and "opt_d" not in state  # weights of G only


def test_train_or_load_installs_a_shipped_run_once(shipped, tmp_path, capsys):
    folder = tmp_path / "runs" / "05_tiny"
    trainer = runs.train_or_load(tiny(), folder, shipped="05_tiny")
    said = capsys.readouterr().out
    assert "shipped run 05_tiny" in said and "python -m audiogan_lesson train tiny" in said
    assert trainer.step == 3 and runs.is_shipped(folder)
    found, _ = runs.find_runs(root=folder.parent)
    assert [(r.name, r.step) for r in found] == [("05_tiny", 3)]
    z = torch.rand(2, 100) * 2 - 1
    generate, _, _ = runs.run_generator(found[0])
    with torch.no_grad():
        expected = tiny().to_audio(trainer.sampler.eval()(z))
    assert torch.allclose(generate(z), expected, atol=1e-6)
    again = runs.train_or_load(tiny(), folder, shipped="05_tiny")  # loads, installs nothing new
    assert again.step == 3 and len(list(folder.glob("ckpt_*.pt"))) == 1


def test_a_shipped_run_cannot_be_continued(shipped, tmp_path):
    folder = tmp_path / "runs" / "05_tiny"
    runs.train_or_load(tiny(), folder, shipped="05_tiny")
    with pytest.raises(runs.ShippedRunError, match="cannot be continued.*train_from_scratch"):
        runs.train_or_load(tiny(steps=50, max_seconds=None), folder, shipped="05_tiny")
    with pytest.raises(ConfigMismatchError, match="cannot be resumed.*train tiny"):
        tiny().trainer(folder).train(resume=True, progress=False)
    with pytest.raises(ConfigMismatchError, match="shipped run 05_tiny was made with other"):
        runs.train_or_load(tiny(loss="bce"), folder, shipped="05_tiny")


def test_train_from_scratch_replaces_the_shipped_run(shipped, tmp_path):
    folder = tmp_path / "runs" / "05_tiny"
    runs.train_or_load(tiny(), folder, shipped="05_tiny")
    trainer = runs.train_or_load(tiny(steps=5), folder, shipped="05_tiny", train_from_scratch=True)
    assert trainer.step == 5 and not runs.is_shipped(folder)
    assert runs.train_or_load(tiny(steps=5), folder, shipped="05_tiny").step == 5  # its own run


def test_missing_or_corrupt_shipped_runs_say_so(shipped, tmp_path):
    with pytest.raises(FileNotFoundError, match="no shipped run 'nope'.*05_tiny"):
        runs.shipped_info("nope")
    (shipped / "generator.pt").write_bytes(b"truncated")
    with pytest.raises(ValueError, match="generator.pt: not a checkpoint of this course"):
        runs.install_shipped("05_tiny", tmp_path / "a")
    (shipped / "generator.pt").unlink()
    with pytest.raises(FileNotFoundError, match="weights of shipped run '05_tiny' are missing"):
        runs.install_shipped("05_tiny", tmp_path / "b")
    (shipped / "run.json").write_text("{not json")
    with pytest.raises(ValueError, match="run.json: cannot be read as JSON.*reinstall"):
        runs.shipped_info("05_tiny")
    (shipped / "run.json").write_text(json.dumps({"command": "x"}))
    with pytest.raises(ValueError, match="lacks profile, step"):
        runs.shipped_info("05_tiny")


def test_install_refuses_a_folder_with_a_run(shipped, tmp_path):
    tiny().trainer(tmp_path / "own").train(progress=False)
    with pytest.raises(FileExistsError, match="already holds a run"):
        runs.install_shipped("05_tiny", tmp_path / "own")


def test_a_gansynth_run_ships_and_samples_the_same(tmp_path):
    """GANSynth's generator state holds its growing stage as a plain value beside the tensors."""
    exp = make_experiment("gansynth", "toy-notes", SMOKE, n_train=16, preview_every=0, steps=3)
    exp.trainer(tmp_path / "made").train(progress=False)
    folder = runs.ship_run(tmp_path / "made", "06_tiny", "python -m audiogan_lesson train gansynth",
                           {}, "smoke", root=tmp_path / "shipped")
    made, _ = runs.sample_run(latest_checkpoint(tmp_path / "made"), 2)
    shipped, _ = runs.sample_run(folder / "generator.pt", 2)
    assert torch.allclose(made, shipped)


def test_ship_takes_the_kept_best_weights_and_the_whole_runs_step(tmp_path, monkeypatch):
    exp = tiny(select_every=1)
    exp.trainer(tmp_path / "made", select=lambda t: -abs(t.step - 2)).train(progress=False)
    folder = runs.ship_run(tmp_path / "made", "06_tiny", "python -m audiogan_lesson train tiny",
                           {}, "smoke", root=tmp_path / "shipped")
    info = json.loads((folder / "run.json").read_text())
    assert (info["step"], info["kept_step"]) == (3, 2)
    assert [row["step"] for row in info["selections"]] == [1, 2, 3]
    shipped = torch.load(folder / "generator.pt", weights_only=True)["generator"]
    best = torch.load(tmp_path / "made" / "best.pt", weights_only=True)["generator"]
    last = torch.load(tmp_path / "made" / "ckpt_00000003.pt", weights_only=True)["generator"]
    assert all(torch.equal(shipped[k], best[k]) for k in best)
    assert not all(torch.equal(shipped[k], last[k]) for k in last)
    monkeypatch.setattr(runs.shipped, "_shipped_root", lambda r=None: tmp_path / "shipped")
    trainer = runs.train_or_load(exp, tmp_path / "runs" / "06_tiny", shipped="06_tiny")
    assert trainer.step == 3 and trainer.best == {"step": 2, "score": 0.0}
    assert all(torch.equal(trainer.sampler.state_dict()[k], best[k]) for k in best)


def test_a_run_installed_by_an_earlier_version_is_replaced_by_the_one_shipped_now(
        shipped, tmp_path):
    folder = tmp_path / "runs" / "05_tiny"
    runs.train_or_load(tiny(), folder, shipped="05_tiny")
    # the package now ships another run under the same name: one of 4 steps
    tiny(steps=4).trainer(tmp_path / "made4").train(progress=False)
    runs.ship_run(tmp_path / "made4", "05_tiny", "python -m audiogan_lesson train tiny",
                  {"IS": 1.6}, "smoke", root=tmp_path / "shipped")
    trainer = runs.train_or_load(tiny(steps=4), folder, shipped="05_tiny")
    assert trainer.step == 4 and [p.name for p in folder.glob("ckpt_*.pt")] == \
        ["ckpt_00000004.pt"]
