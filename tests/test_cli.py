"""Experiments and the command line: train, resume, generate, errors (audiogan_lesson.cli)."""

import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from audiogan_lesson.cli import main
from audiogan_lesson.experiments import UnknownNameError, load_audio_set, make_experiment
from audiogan_lesson.profiles import get_profile


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def _ckpts(folder):
    return sorted(folder.glob("ckpt_*.pt"))


def test_train_generate_and_resume(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "dense", "--data", "toy-drums", "--loss", "bce", "--steps", "3",
                 "--out", str(out), "--profile", "smoke", "--n-train", "32"]) == 0
    assert [p.name for p in _ckpts(out)] == ["ckpt_00000003.pt"]
    assert "done: step 3" in capsys.readouterr().out

    # a second run into the same folder without --resume is refused, with the fix named
    assert main(["train", "dense", "--data", "toy-drums", "--loss", "bce", "--steps", "5",
                 "--out", str(out), "--profile", "smoke", "--n-train", "32"]) == 1
    assert "resume" in capsys.readouterr().err
    # --resume continues from step 3
    assert main(["train", "dense", "--data", "toy-drums", "--loss", "bce", "--steps", "5",
                 "--out", str(out), "--profile", "smoke", "--n-train", "32", "--resume"]) == 0
    assert "done: step 5" in capsys.readouterr().out
    # resuming with another loss is refused, naming the field
    assert main(["train", "dense", "--data", "toy-drums", "--loss", "wgan-gp", "--steps", "6",
                 "--out", str(out), "--profile", "smoke", "--n-train", "32", "--resume"]) == 1
    assert "loss" in capsys.readouterr().err

    wavs = tmp_path / "wavs"
    assert main(["generate", str(_ckpts(out)[-1]), "--n", "3", "--out", str(wavs),
                 "--seed", "1"]) == 0
    files = sorted(wavs.glob("*.wav"))
    assert len(files) == 3
    audio, rate = sf.read(files[0])
    scale = get_profile("smoke").scale("dense")
    assert rate == scale.sample_rate and audio.shape == (scale.slice_len,)
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0
    # the same seed gives the same files (the same n: a batch of another size may round a
    # sample differently in the last bit)
    again = tmp_path / "again"
    main(["generate", str(_ckpts(out)[-1]), "--n", "3", "--out", str(again), "--seed", "1"])
    np.testing.assert_array_equal(sf.read(sorted(again.glob("*.wav"))[0])[0], audio)


def test_steps_and_minutes_combine_and_steps_alone_is_not_cut_by_the_profiles_clock(tmp_path,
                                                                                  capsys):
    common = ["train", "dense", "--data", "toy-drums", "--loss", "bce", "--profile", "smoke",
              "--n-train", "32"]
    # the smoke profile's own budget is 12 s; --steps alone runs all its steps
    assert get_profile("smoke").scale("dense").minutes * 60 < 60
    assert main(common + ["--steps", "40", "--out", str(tmp_path / "a")]) == 0
    assert "done: step 40" in capsys.readouterr().out
    # both: whichever comes first (here the steps)
    assert main(common + ["--steps", "3", "--minutes", "5", "--out", str(tmp_path / "b")]) == 0
    assert "done: step 3" in capsys.readouterr().out
    assert main(common + ["--minutes", "0", "--out", str(tmp_path / "c")]) == 2
    assert "--minutes 0" in capsys.readouterr().err


def test_specgan_checkpoint_generates_audio_through_griffin_lim(tmp_path):
    out = tmp_path / "spec"
    assert main(["train", "specgan", "--data", "toy-drums", "--loss", "wgan-gp", "--steps", "1",
                 "--out", str(out), "--profile", "smoke", "--n-train", "16"]) == 0
    wavs = tmp_path / "wavs"
    assert main(["generate", str(_ckpts(out)[-1]), "--n", "2", "--out", str(wavs)]) == 0
    audio, rate = sf.read(sorted(wavs.glob("*.wav"))[0])
    assert rate == 16000 and audio.shape == (16384,)


def test_unknown_names_list_what_exists(tmp_path, capsys):
    assert main(["train", "stylegan", "--data", "toy-drums", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'stylegan'" in err and "wavegan" in err and "dense" in err
    assert main(["train", "dense", "--data", "no-such-set", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown dataset 'no-such-set'" in err and "toy-drums" in err and "sc09" in err


def test_generate_errors(tmp_path, capsys):
    assert main(["generate", str(tmp_path / "missing.pt"), "--out", str(tmp_path)]) == 2
    assert "no such checkpoint" in capsys.readouterr().err


def test_pitch_refused_for_unconditioned_model(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "dense", "--data", "toy-drums", "--loss", "bce", "--steps", "1",
          "--out", str(out), "--profile", "smoke", "--n-train", "16"])
    assert main(["generate", str(_ckpts(out)[-1]), "--out", str(tmp_path / "w"),
                 "--pitch", "60"]) == 2
    assert "not pitch-conditioned" in capsys.readouterr().err


def test_folder_dataset_with_labels(tmp_path):
    rate = 8000
    for label in ("low", "high"):
        (tmp_path / label).mkdir()
        for i in range(3):
            t = np.arange(rate // 2) / rate
            f = 200 if label == "low" else 2000
            sf.write(tmp_path / label / f"{i}.wav", 0.5 * np.sin(2 * np.pi * f * t), rate)
    audio = load_audio_set(tmp_path, n=100, sample_rate=8000, length=4096)
    assert audio.waves.shape == (6, 4096) and audio.classes == ["high", "low"]
    assert sorted(audio.labels.tolist()) == [0, 0, 0, 1, 1, 1]
    small = load_audio_set(tmp_path, n=4, sample_rate=8000, length=4096)
    assert small.waves.shape[0] == 4


def test_unknown_dataset_error_type(tmp_path):
    with pytest.raises(UnknownNameError):
        make_experiment("dense", tmp_path / "nope", get_profile("smoke"))


def test_help_everywhere(capsys):
    # the entry point itself, as a user runs it
    result = subprocess.run([sys.executable, "-m", "audiogan_lesson", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "usage:" in result.stdout
    for command in ("train", "generate", "export", "bench"):  # every subcommand's own help
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0 and "usage:" in capsys.readouterr().out
