"""Evaluation metrics of notebook 07: pitch (pYIN), NDB, nearest neighbours, SC09 classifier config."""

import math

import numpy as np
import pytest
import torch

from audiogan_lesson import evaluation as ev
from audiogan_lesson.data import toy_notes

SR = 16000


# ----------------------------------------------------------------------------- pitch


@pytest.fixture(scope="module")
def pitched():
    """Six toy notes, white noise, silence, and a clip that jumps from MIDI 60 to 67 halfway.

    One pYIN pass serves every pitch test.

    librosa compiles its code on the first call (about 12 s): this is the only pYIN run here.
    """
    notes = toy_notes(6, seed=3, sample_rate=SR, length=8192)
    noise = 0.3 * torch.randn(1, 8192, generator=torch.Generator().manual_seed(0))
    t = torch.arange(8192) / SR
    f = torch.where(t < t[4096], 261.63, 392.0)
    jump = 0.5 * torch.sin(2 * math.pi * torch.cumsum(f, 0) / SR)[None]
    waves = torch.cat([notes.waves, noise, torch.zeros(1, 8192), jump])
    return ev.pitch_track(waves, SR), notes.pitches


def test_pitch_of_clean_notes_is_exact(pitched):
    track, pitches = pitched
    assert track.midi.dtype == np.int64 and track.midi.shape == (9,)
    assert track.midi[:6].tolist() == pitches.tolist()
    assert track.frames.shape[0] == 9 and track.voiced_prob.shape == track.frames.shape


def test_noise_and_silence_are_unvoiced_and_counted(pitched):
    track, pitches = pitched
    assert track.midi[6:8].tolist() == [ev.UNVOICED, ev.UNVOICED]
    assert track.n_unvoiced == 2
    # an unvoiced clip counts as wrong
    target = torch.cat([pitches, torch.tensor([60, 60]), torch.tensor([int(track.midi[8])])])
    assert ev.pitch_accuracy(track, target) == pytest.approx(7 / 9)
    shifted = target.clone()
    shifted[:3] += 1  # a semitone off is wrong
    assert ev.pitch_accuracy(track, shifted) == pytest.approx(4 / 9)
    with pytest.raises(ValueError, match="one pitch per clip"):
        ev.pitch_accuracy(track, pitches)


def test_pitch_entropy_low_for_notes_high_for_noise(pitched):
    track, _ = pitched
    dist = ev.pitch_distributions(track)
    assert dist.shape == (9, 61) and np.allclose(dist.sum(1), 1)
    per_clip = ev.entropy(dist)
    assert per_clip[:6].max() < 0.2  # steady notes, silent tails do not count
    assert per_clip[7] == pytest.approx(math.log(61))  # silence: nothing known about pitch
    assert per_clip[6] > 3.0  # noise
    assert 0.5 < per_clip[8] < 0.9  # two pitches, half the time each: about log 2
    assert dist[8, 60 - 24] > 0.3 and dist[8, 67 - 24] > 0.3
    assert ev.pitch_entropy(track) == pytest.approx(per_clip.mean())
    assert ev.entropy([0.5, 0.5]) == pytest.approx(math.log(2))
    assert ev.entropy([1.0, 0.0]) == 0.0


def test_pitch_input_errors():
    with pytest.raises(ValueError, match="Nyquist"):
        ev.pitch_track(torch.zeros(1, 4096), 2000)
    with pytest.raises(ValueError, match="NaN"):
        ev.pitch_track(torch.full((1, 4096), float("nan")), SR)
    with pytest.raises(ValueError, match="sample_rate"):
        ev.pitch_accuracy(torch.zeros(1, 4096), [60])
