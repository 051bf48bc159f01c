"""The independent listener and ``python -m audiogan_lesson listen``."""

import dataclasses

import pytest
import torch

from audiogan_lesson.cli import main
from audiogan_lesson.data import toy_drums
from audiogan_lesson.evaluation.classifier import (FrameListener, ListenerConfig, MelClassifier,
                                                   _augment, classifier_probs, train_classifier)

QUICK = ListenerConfig(steps=30, channels=(16, 16), n_mels=32)


@pytest.fixture(scope="module")
def drums():
    return toy_drums(120, seed=0, sample_rate=8000, length=2048)


def test_the_listener_is_another_architecture_and_seed_than_the_course_classifier(drums):
    listener = FrameListener(5, 8000)
    assert not isinstance(listener, MelClassifier)
    assert ListenerConfig().seed != 0 and ListenerConfig().seed != 1  # evaluation, selection
    assert ListenerConfig().n_fft != 512 and ListenerConfig().hop_length != 256
    assert listener(drums.waves[:3]).shape == (3, 5)
    assert listener.features(drums.waves[:3]).shape == (3, 2 * ListenerConfig().channels[-1])


def test_a_trained_listener_is_cached_as_its_own_kind_and_reloads_as_it(tmp_path, drums,
                                                                          one_thread):
    first = train_classifier(drums.waves, drums.labels, 8000, config=QUICK, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.pt"))
    assert [f.name.split("-")[0] for f in files] == ["listener"]
    again = train_classifier(drums.waves, drums.labels, 8000, config=QUICK, cache_dir=tmp_path)
    assert isinstance(again, FrameListener) and again.config == QUICK
    assert again.val_accuracy == first.val_accuracy
    torch.testing.assert_close(torch.as_tensor(classifier_probs(again, drums.waves[:8])),
                               torch.as_tensor(classifier_probs(first, drums.waves[:8])))


def test_a_cached_file_of_an_unknown_kind_is_refused_by_name(tmp_path, drums, one_thread):
    train_classifier(drums.waves, drums.labels, 8000, config=QUICK, cache_dir=tmp_path)
    path = next(tmp_path.glob("*.pt"))
    state = torch.load(path, weights_only=True)
    state["kind"] = "os.system"
    torch.save(state, path)
    with pytest.raises(ValueError, match="unknown kind 'os.system'.*delete the file"):
        train_classifier(drums.waves, drums.labels, 8000, config=QUICK, cache_dir=tmp_path)


def test_the_listener_hears_a_noise_floor_on_only_part_of_its_training_clips():
    waves = torch.zeros(400, 256)
    config = dataclasses.replace(ListenerConfig(), gain_db=0.0, noise_db=-20.0)
    out = _augment(waves, config, torch.Generator().manual_seed(0))
    clean = int((out.abs().amax(1) == 0).sum())
    assert 140 < clean < 260  # noise_fraction 0.5
    everywhere = _augment(waves, dataclasses.replace(config, noise_fraction=1.0),
                          torch.Generator().manual_seed(0))
    assert int((everywhere.abs().amax(1) == 0).sum()) == 0


def test_listen_prints_both_listeners_the_classes_heard_and_the_floor(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "wavegan", "--data", "toy-drums", "--loss", "wgan-gp", "--steps", "2",
                 "--out", str(out), "--profile", "smoke", "--n-train", "32"]) == 0
    capsys.readouterr()
    assert main(["listen", str(out), "--n", "20", "--profile", "smoke"]) == 0
    printed = capsys.readouterr().out
    for words in ("independent listener: FrameListener", "course classifier", "heard as",
                  "floor and click", "out_of_band", "kick"):
        assert words in printed
    assert "asked for" not in printed  # an unconditional run is asked for nothing


def test_listen_reports_how_often_a_conditional_run_is_heard_as_asked(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "wavegan", "--data", "toy-drums", "--loss", "wgan-gp", "--steps", "2",
                 "--conditional", "--out", str(out), "--profile", "smoke",
                 "--n-train", "32"]) == 0
    capsys.readouterr()
    assert main(["listen", str(out), "--n", "20", "--profile", "smoke"]) == 0
    line = next(s for s in capsys.readouterr().out.splitlines() if s.startswith("asked for"))
    assert all(name in line for name in ("kick", "snare", "hihat", "clap", "tom"))


def test_listen_refuses_too_few_clips_and_an_empty_folder_in_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["listen", str(tmp_path / "empty"), "--n", "5"]) == 2
    assert "--n 5" in capsys.readouterr().err
    assert main(["listen", str(tmp_path / "empty"), "--profile", "smoke"]) == 2
    assert "no checkpoint" in capsys.readouterr().err
