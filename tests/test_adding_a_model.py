"""A model is one module and one entry: every entry of the registry is complete, and a model
defined here, in this file alone, trains, generates and is benchmarked through the command line
once it is registered (the README's "Adding a model")."""

from collections import OrderedDict
from dataclasses import dataclass

import pytest
import soundfile as sf
from torch import nn

from audiogan_lesson.cli import main
from audiogan_lesson.models.entry import PROFILES, ModelEntry, Recipe, both
from audiogan_lesson.models.layers import LatentGenerator, LogitDiscriminator
from audiogan_lesson.profiles import get_profile
from audiogan_lesson.recipes import recipe_for
from audiogan_lesson.registry import MODEL_CLASSES, MODELS, register_model, unregister_model
from audiogan_lesson.representations import Waveform
from audiogan_lesson.scales import TrainScale


def test_every_entry_is_complete():
    for name, entry in MODELS.items():
        assert entry.name == name
        assert entry.missing() == [], (name, entry.missing())
        assert set(entry.scales) == set(PROFILES), name
        for (profile, _loss), recipe in {**entry.profile_recipes,
                                         **entry.conditional_recipes}.items():
            assert profile in PROFILES and isinstance(recipe, Recipe), name
        for profile in PROFILES:  # every model builds at every profile's scale
            assert get_profile(profile, device="cpu").scale(name) == entry.scales[profile]
        assert entry.generator.__qualname__ in MODEL_CLASSES


# ----------------------------------------------------------------------------- a model of our own


@dataclass(frozen=True)
class TinyWaveConfig:
    """The tiny model's settings: a clip of ``slice_len`` samples, ``c`` channels, ``hidden``."""

    slice_len: int = 1024
    c: int = 1
    hidden: int = 32
    latent_dim: int = 16


class TinyWaveGenerator(LatentGenerator, nn.Module):
    """``(N, latent_dim)`` -> ``(N, c, slice_len)`` through one hidden layer."""

    config_class = TinyWaveConfig

    def __init__(self, config=None, **options):
        super().__init__(config, **options)
        cfg = self.config
        self.net = nn.Sequential(OrderedDict(
            hidden=nn.Linear(cfg.latent_dim, cfg.hidden), relu=nn.ReLU(),
            out=nn.Linear(cfg.hidden, cfg.c * cfg.slice_len), tanh=nn.Tanh(),
            shape=nn.Unflatten(1, (cfg.c, cfg.slice_len))))


class TinyWaveDiscriminator(LogitDiscriminator, nn.Module):
    """``(N, c, slice_len)`` -> logits ``(N,)``."""

    config_class = TinyWaveConfig

    def __init__(self, config=None, **options):
        super().__init__(config, **options)
        cfg = self.config
        self.net = nn.Sequential(OrderedDict(
            flat=nn.Flatten(), hidden=nn.Linear(cfg.c * cfg.slice_len, cfg.hidden),
            lrelu=nn.LeakyReLU(0.2), out=nn.Linear(cfg.hidden, 1)))


def _scale(**changes):
    return TrainScale(width=32, batch_size=8, slice_len=1024, sample_rate=8000, steps=3,
                      minutes=0.2).replace(**changes)


TINY = ModelEntry(
    "tinywave", TinyWaveGenerator, TinyWaveDiscriminator,
    sizes=lambda s: both(slice_len=s.slice_len, hidden=s.width),
    representation=lambda s, options: Waveform(**options),
    recipe=Recipe(train=dict(n_critic=1)), notebook="(a test)",
    scales={"smoke": _scale(), "laptop": _scale(width=64), "gpu": _scale(width=128)},
    profile_recipes={("smoke", "wgan-gp"): Recipe(train=dict(lr_g=2e-4))})


@pytest.fixture
def tiny():
    register_model(TINY)
    try:
        yield TINY
    finally:
        unregister_model(TINY.name)


def test_a_model_defined_in_one_file_trains_generates_and_benchmarks(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "tinywave", "--data", "toy-drums", "--steps", "3", "--out", str(out),
                 "--profile", "smoke", "--n-train", "16"]) == 0
    assert "done: step 3" in capsys.readouterr().out
    assert recipe_for("tinywave", "wgan-gp", "smoke").train == {"n_critic": 1, "lr_g": 2e-4}
    wavs = tmp_path / "wavs"
    assert main(["generate", str(out), "--n", "2", "--out", str(wavs)]) == 0
    audio, rate = sf.read(sorted(wavs.glob("*.wav"))[0])
    assert rate == 8000 and audio.shape == (1024,)
    assert main(["train", "tinywave", "--data", "toy-drums", "--out", str(tmp_path / "x"),
                 "--profile", "smoke", "--show-config"]) == 0
    shown = capsys.readouterr().out
    assert "generator.hidden = 32" in shown and "train.lr_g = 0.0002" in shown
    assert main(["bench", "--models", "tinywave", "--quick", "--repeats", "1"]) == 0
    assert "tinywave" in capsys.readouterr().out


def test_registering_checks_the_entry(tiny):
    with pytest.raises(ValueError, match="'tinywave' is registered already"):
        register_model(TINY)
    from dataclasses import replace
    with pytest.raises(ValueError, match="no scale for profile 'gpu'"):
        register_model(replace(TINY, name="tiny2", scales={"smoke": _scale(), "laptop": _scale()}))
    with pytest.raises(ValueError, match="one of the course's own models"):
        unregister_model("wavegan")
