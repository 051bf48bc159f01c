"""The "Run at full scale" cells (notebooks 02, 03, 04, 08): the command, and its run loaded when
there."""

import shlex

from audiogan_lesson import runs
from audiogan_lesson.cli import build_parser
from audiogan_lesson.experiments import make_experiment
from audiogan_lesson.profiles import get_profile


def _command(capsys) -> list[str]:
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("python -m audiogan_lesson train ")
    return shlex.split(line)[3:]


def test_prints_a_command_the_cli_accepts_and_returns_none_without_a_run(tmp_path, monkeypatch,
                                                                          capsys):
    monkeypatch.setenv("AUDIOGAN_RUNS", str(tmp_path))
    assert runs.full_scale_run("04_wavegan_sc09", "wavegan --data sc09 --loss bce") is None
    args = build_parser().parse_args(_command(capsys))
    assert (args.model, args.data, args.loss, args.profile) == ("wavegan", "sc09", "bce", "gpu")
    assert args.steps == get_profile("gpu").scale("wavegan").steps
    assert str(args.out) == str(tmp_path / "gpu" / "04_wavegan_sc09")

    assert runs.full_scale_run("03_street_music", "specgan --representation mel-image --data "
                               "urbansound8k_street_music --loss bce", model="specgan-mel") is None
    args = build_parser().parse_args(_command(capsys))
    assert args.representation == "mel-image"
    assert args.steps == get_profile("gpu").scale("specgan-mel").steps


def test_loads_the_newest_checkpoint_once_the_run_is_there(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUDIOGAN_RUNS", str(tmp_path))
    exp = make_experiment("wavegan", "toy-drums", get_profile("smoke"), n_train=16, preview_every=0)
    folder = runs.runs_dir("04_wavegan_sc09", get_profile("gpu", device="cpu"))
    exp.trainer(folder).train(steps=2, progress=False)
    loaded = runs.full_scale_run("04_wavegan_sc09", "wavegan --data sc09 --loss bce")
    assert loaded is not None and loaded.path.parent == folder
    assert "loaded ckpt_" in capsys.readouterr().out
    waves, _ = runs.sample_run(loaded.path, 2)
    assert waves.shape == (2, exp.real.waves.shape[1])
