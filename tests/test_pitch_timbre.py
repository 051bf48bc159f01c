"""Pitch accuracy per pitch and timbre kept across pitch (evaluation.pitch, notebook 06)."""

import math

import numpy as np
import pytest
import torch

from audiogan_lesson.data import toy_notes
from audiogan_lesson.evaluation.pitch import (UNVOICED, PitchTrack, harmonic_profile,
                                              pitch_accuracy, pitch_accuracy_by_pitch,
                                              timbre_consistency, timbre_spread)

SR = 8000
LENGTH = 2048


def tone(midi: float, amplitudes, length: int = LENGTH, sr: int = SR) -> torch.Tensor:
    """A steady note: harmonic k of MIDI ``midi`` with amplitude ``amplitudes[k - 1]``."""
    f0 = 440.0 * 2 ** ((midi - 69) / 12)
    t = torch.arange(length, dtype=torch.float64) / sr
    wave = sum(a * torch.sin(2 * math.pi * k * f0 * t + 0.3 * k)
               for k, a in enumerate(amplitudes, start=1))
    return wave.float()


def track_of(midi) -> PitchTrack:
    midi = np.asarray(midi, dtype=np.int64)
    frames = np.where(midi[:, None] == UNVOICED, np.nan, midi[:, None].astype(float))
    return PitchTrack(frames, np.ones_like(frames), midi, (24, 84))


def test_accuracy_by_pitch_scores_each_requested_pitch():
    # requested 48 three times (two right), 60 twice (one a semitone off), 72 once (unvoiced)
    track = track_of([48, 48, 49, 60, 61, UNVOICED])
    target = [48, 48, 48, 60, 60, 72]
    by_pitch = pitch_accuracy_by_pitch(track, target)
    assert list(by_pitch) == [48, 60, 72]
    assert by_pitch[48] == pytest.approx(2 / 3)
    assert by_pitch[60] == pytest.approx(1 / 2)
    assert by_pitch[72] == 0.0
    assert pitch_accuracy(track, target) == pytest.approx(3 / 6)
    with pytest.raises(ValueError, match="one pitch per clip"):
        pitch_accuracy_by_pitch(track, target[:3])


def test_harmonic_profile_reads_each_harmonic_in_db():
    amps = [1.0, 0.5, 0.25, 0.0, 0.1, 0.05]
    expected = 20 * np.log10(np.maximum(amps, 1e-3))  # relative to the first, the strongest
    for midi in (48, 60, 72):
        profile = harmonic_profile(tone(midi, amps)[None], [midi], SR)
        assert profile.shape == (1, 6)
        assert np.allclose(profile[0, [0, 1, 2, 4, 5]], expected[[0, 1, 2, 4, 5]], atol=0.5)
        assert profile[0, 3] < -40  # an absent harmonic is far down (Hann side lobes only)
    # the strongest harmonic need not be the first
    profile = harmonic_profile(tone(55, [0.25, 1.0])[None], [55], SR, n_harmonics=2)
    assert np.allclose(profile[0], [-12.04, 0.0], atol=0.5)
    # silence has no harmonics: all at the floor
    assert (harmonic_profile(torch.zeros(1, LENGTH), [60], SR) == -60.0).all()


def test_harmonic_profile_errors():
    with pytest.raises(ValueError, match="Nyquist.*lower n_harmonics"):
        harmonic_profile(torch.zeros(1, LENGTH), [72], SR, n_harmonics=8)
    with pytest.raises(ValueError, match="one pitch per clip"):
        harmonic_profile(torch.zeros(2, LENGTH), [60], SR)
    with pytest.raises(ValueError, match="below 2.67, the distance between harmonics 6 and 7"):
        harmonic_profile(torch.zeros(1, LENGTH), [60], SR, tolerance=3.0)


def test_a_note_a_semitone_off_is_measured_on_its_own_harmonics():
    amps = [1.0, 0.3, 0.6, 0.1, 0.2, 0.05]
    asked = harmonic_profile(tone(61, amps)[None], [60], SR)  # asked for 60, played 61
    exact = harmonic_profile(tone(61, amps)[None], [61], SR)
    assert np.allclose(asked, exact, atol=0.5)
    # half a semitone of tolerance misses them: the bands sit between the harmonics
    assert np.abs(harmonic_profile(tone(61, amps)[None], [60], SR, tolerance=0.4) - exact).max() > 3


def test_same_envelope_at_every_pitch_is_consistent_and_redrawn_is_not():
    rng = np.random.default_rng(0)
    pitches = [48, 54, 60, 66, 72]
    instruments = rng.uniform(0.02, 1.0, size=(4, 6))
    kept, redrawn, groups = [], [], []
    for i, amps in enumerate(instruments):
        for p in pitches:
            kept.append(tone(p, amps))
            redrawn.append(tone(p, instruments[rng.integers(4)] * rng.uniform(0.5, 1.5, 6)))
            groups.append(i)
    midi = pitches * len(instruments)
    kept_profiles = harmonic_profile(torch.stack(kept), midi, SR)
    redrawn_profiles = harmonic_profile(torch.stack(redrawn), midi, SR)
    assert timbre_spread(kept_profiles, groups) < 0.5
    assert timbre_consistency(kept_profiles, groups) > 0.9
    assert timbre_consistency(redrawn_profiles, groups) < 0.4
    # grouping by the pitch instead mixes the instruments: no consistency
    assert timbre_consistency(kept_profiles, midi) < 0.2


def test_real_families_keep_their_envelope():
    notes = toy_notes(200, seed=3, sample_rate=SR, length=LENGTH, pitches=range(48, 73))
    profiles = harmonic_profile(notes.waves, notes.pitches, SR)
    by_family = timbre_consistency(profiles, notes.families)
    assert 0.5 < by_family < 0.9  # a family varies (roll-off, pluck position), but far less
    shuffled = np.random.default_rng(1).permutation(notes.families.numpy())
    assert timbre_consistency(profiles, shuffled) < 0.1


def test_spread_errors():
    with pytest.raises(ValueError, match="two or more"):
        timbre_spread(np.zeros((3, 6)), [0, 1, 2])
    with pytest.raises(ValueError, match="one group per profile"):
        timbre_spread(np.zeros((3, 6)), [0, 1])
    with pytest.raises(ValueError, match="all profiles are equal"):
        timbre_consistency(np.zeros((3, 6)), [0, 0, 1])


def test_pitch_sweep_plays_every_latent_at_every_pitch_and_scores_it():
    from audiogan_lesson.evaluation.pitch import pitch_sweep, sweep_scores

    pitches = [50, 57, 64, 71]
    seen = []

    def decode(z, labels, shift=0):
        seen.append((z.clone(), labels.clone()))
        amps = 0.1 + z[:, :6].abs() / (z[:, :6].abs().amax(1, keepdim=True) + 1e-9)
        return torch.stack([tone(pitches[int(k)] + shift, a.tolist())
                            for k, a in zip(labels, amps)])

    waves, target, latents = pitch_sweep(decode, 16, pitches, per_pitch=3, seed=5, batch_size=5)
    assert waves.shape == (12, LENGTH) and target.tolist() == pitches * 3
    assert latents.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    z = torch.cat([s[0] for s in seen])
    assert torch.equal(z[0], z[3]) and not torch.equal(z[0], z[4])  # one latent per row
    again, _, _ = pitch_sweep(decode, 16, pitches, per_pitch=3, seed=5)
    assert torch.equal(again, waves)  # seeded
    scores = sweep_scores(waves, target, latents, SR)
    assert scores["accuracy"] == 1.0 and scores["n"] == 12 and scores["unvoiced"] == 0
    assert set(scores["by_pitch"]) == set(pitches)
    assert scores["timbre"] > 0.8  # each latent keeps its harmonic amplitudes
    sharp, _, _ = pitch_sweep(lambda z, y: decode(z, y, shift=1), 16, pitches, per_pitch=3, seed=5)
    wrong = sweep_scores(sharp, target, latents, SR)
    assert wrong["accuracy"] == 0.0 and wrong["semitone_off"] >= 10  # pYIN: a few may miss
