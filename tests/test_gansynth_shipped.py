"""Notebook 06's shipped GANSynth run: the laptop profile's pitches, and the pitch scores it was
shipped with.

The inception score of every shipped run is checked in test_shipped_runs; this checks what
notebook 06 says of its run: the pitch accuracy and timbre consistency of
``evaluation.pitch.pitch_sweep`` (its latents and pitches recorded in ``run.json``), measured
again from the shipped weights. pYIN and the generator are deterministic on one machine; another
torch or CPU may round a note's pitch track differently, so the tolerance is 3 % of the notes
(of the notes swept) for the accuracy and 0.05 for the timbre consistency. A generator whose
weights no longer load as trained, or a changed sampler, misses by far more (an untrained one
scores 0 %).
"""

import pytest

from audiogan_lesson import runs
from audiogan_lesson.evaluation.pitch import pitch_sweep, sweep_scores
from audiogan_lesson.profiles import get_profile

NAME = "06_gansynth"
pytestmark = pytest.mark.skipif(NAME not in runs.shipped_runs(),
                                reason="notebook 06's GANSynth run is not shipped")


def test_shipped_gansynth_is_the_laptop_profiles_fifteen_minute_run():
    scale = get_profile("laptop", device="cpu").scale("gansynth")
    assert scale.pitch_max - scale.pitch_min >= 12  # an octave at least
    info = runs.shipped_info(NAME)
    assert "train gansynth --data toy-notes --minutes 15" in info["command"]
    assert info["profile"] == "laptop" and 890 < info["seconds"] < 920


def test_shipped_gansynth_reproduces_its_pitch_scores(tmp_path):
    info = runs.shipped_info(NAME)
    recorded = info["scores"]["pitch"]
    runs.install_shipped(NAME, tmp_path / NAME)
    loaded = runs.load_run(runs.run_info(tmp_path / NAME))
    scale = get_profile("laptop", device="cpu").scale("gansynth")
    assert loaded.pitches == tuple(range(scale.pitch_min, scale.pitch_max + 1))
    sweep = pitch_sweep(loaded.decode, loaded.latent_dim, list(loaded.pitches),
                        per_pitch=recorded["per_pitch"], seed=recorded["seed"])
    scores = sweep_scores(*sweep, loaded.meta["sample_rate"])
    assert scores["n"] == recorded["n"]
    assert abs(scores["accuracy"] - recorded["accuracy"]) <= 0.03, (scores, recorded)
    assert abs(scores["timbre"] - recorded["timbre"]) <= 0.05, (scores, recorded)
