"""``train --show-config``: every setting of a run and the layer that set it, and those are the
settings the run trains with."""

import dataclasses

import pytest

from audiogan_lesson.checkpoint import config_dict
from audiogan_lesson.cli import main
from audiogan_lesson.experiments import experiment_settings, format_settings, make_experiment
from audiogan_lesson.profiles import get_profile


def _values(table):
    return {k: v for k, (v, _) in table.items()}


@pytest.mark.parametrize("model, options", [
    ("wavegan", dict(conditional="projection", lr_d=2e-4)),
    ("gansynth", dict()),
    ("pianogan", dict(loss="bce")),
])
def test_the_settings_are_what_the_experiment_trains_with(model, options):
    laptop = get_profile("laptop").replace(device="cpu")
    data = {"wavegan": "toy-drums", "gansynth": "toy-notes", "pianogan": "toy-piano"}[model]
    settings = experiment_settings(model, laptop, **options)
    exp = make_experiment(model, data, laptop, n_train=16, **options)
    assert _values(settings["train"]) == config_dict(exp.config)
    for part, net in (("generator", exp.generator), ("discriminator", exp.discriminator)):
        built = config_dict(net.config)
        shown = _values(exp.settings[part])
        assert shown == {k: built[k] for k in shown} and set(shown) == set(built)
        # without the data, everything but the data's class count is known
        assert {k: v for k, v in _values(settings[part]).items() if k != "n_classes"} == \
            {k: v for k, v in shown.items() if k != "n_classes"}
    assert _values(settings["scale"]) == dataclasses.asdict(exp.scale)


def test_each_layer_is_named():
    laptop = get_profile("laptop").replace(device="cpu")
    s = experiment_settings("wavegan", laptop, conditional="projection", lr_d=2e-4)
    assert s["train"]["gp_weight"] == (10.0, "paper (default)")
    assert s["train"]["batch_size"] == (32, "profile laptop")
    assert s["train"]["lr_g"] == (3e-4, "profile laptop")  # recipes.LAPTOP_WAVEGAN_WGAN
    assert s["train"]["lr_d"] == (2e-4, "option")
    assert s["train"]["select_every"] == (500, "conditioning projection")
    assert s["train"]["n_critic"] == (1, "profile laptop")
    assert s["representation"]["preemphasis"] == (0.5, "profile laptop, conditional")
    assert s["discriminator"]["conditioning"] == ("projection", "conditioning projection")
    assert s["generator"]["n_classes"][1] == "the data"
    g = experiment_settings("gansynth", laptop)
    assert g["train"]["lr_g"] == (8e-4, "paper")  # GANSynth's paper recipe, not a default
    text = format_settings(s)
    assert "train.lr_d = 0.0002" in text and "option" in text.splitlines()[0] + text


def test_show_config_prints_and_trains_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "wavegan", "--data", "no-such-folder-is-read", "--out", str(out),
                 "--profile", "laptop", "--minutes", "3", "--show-config"]) == 0
    printed = capsys.readouterr().out
    assert "train.max_seconds = 180.0" in printed and "option" in printed
    assert "train.n_critic = 1" in printed and "profile laptop" in printed
    assert not out.exists()


def test_show_config_needs_no_out_folder_and_training_does(capsys):
    assert main(["train", "specgan", "--data", "toy-drums", "--profile", "laptop",
                 "--show-config"]) == 0
    assert "generator.d = " in capsys.readouterr().out
    assert main(["train", "specgan", "--data", "toy-drums", "--profile", "smoke"]) == 2
    assert "train needs --out FOLDER" in capsys.readouterr().err
