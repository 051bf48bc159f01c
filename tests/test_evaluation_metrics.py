"""Evaluation metrics of notebook 07: pitch (pYIN), NDB, nearest neighbours, SC09 classifier
config."""

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
    # one octave at the default hop is narrower than pYIN's transition window: a clear error
    # that names the range, not librosa's "Target size (56) must be at least input size (57)"
    with pytest.raises(ValueError, match="MIDI 60-72 is too narrow.*widen the range"):
        ev.pitch_track(torch.zeros(1, 4096), SR, fmin_midi=60, fmax_midi=72)


# ----------------------------------------------------------------------------- NDB


def reference_z_test(p1, n1, p2, n2):
    """The NDB code's test (Richardson & Weiss 2018): pooled proportion, two tails."""
    from scipy.stats import norm

    p = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se
    return z, 2.0 * norm.cdf(-np.abs(z))


def test_z_test_matches_the_ndb_code_and_handles_empty_bins():
    p1, p2 = np.array([0.1, 0.3, 0.02, 0.5]), np.array([0.12, 0.2, 0.0, 0.5])
    z, p = ev.two_proportion_z_test(p1, 1000, p2, 300)
    rz, rp = reference_z_test(p1, 1000, p2, 300)
    assert np.allclose(z, rz) and np.allclose(p, rp)
    z, p = ev.two_proportion_z_test(np.array([0.0]), 100, np.array([0.0]), 50)
    assert z[0] == 0.0 and p[0] == 1.0  # an empty bin in both sets is not a difference


def blobs(n, centres, weights, rng):
    """``n`` points around ``centres`` ``(C, D)`` drawn with probabilities ``weights``."""
    which = rng.choice(len(centres), size=n, p=weights)
    return centres[which] + 0.3 * rng.normal(size=(n, centres.shape[1]))


def test_ndb_small_for_the_same_distribution_large_for_collapse():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(10, 4)) * 5
    even = np.full(10, 0.1)
    train = blobs(2000, centres, even, rng)
    bins = ev.NDBBins(train, k=10, seed=0)
    same = bins.test(blobs(1000, centres, even, rng))
    assert same.n_different <= 2 and same.k == 10
    assert (np.isclose(same.train_proportions.sum(), 1)
            and np.isclose(same.generated_proportions.sum(), 1))
    collapsed = bins.test(blobs(1000, centres, np.eye(10)[3], rng))  # every sample in one mode
    assert collapsed.n_different == 10 and collapsed.fraction == 1.0
    assert collapsed.generated_proportions.max() == pytest.approx(1.0)
    # the one-call form gives the same as fitting bins once
    again = ev.ndb(train, blobs(1000, centres, np.eye(10)[3], rng), k=10, seed=0)
    assert again.n_different == 10
    assert (again.p_values < 0.05).sum() == again.n_different


def test_ndb_input_errors():
    with pytest.raises(ValueError, match="at least 100 training examples"):
        ev.ndb(np.zeros((20, 3)), np.zeros((20, 3)), k=50)
    bins = ev.NDBBins(np.random.default_rng(0).normal(size=(40, 3)), k=4)
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        bins.test(np.zeros((10, 5)))


# ----------------------------------------------------------------------------- nearest neighbours


def test_nearest_neighbours_find_copies():
    g = torch.Generator().manual_seed(0)
    train = torch.randn(50, 1, 256, generator=g)
    fresh = torch.randn(6, 1, 256, generator=g)
    copies = train[[7, 21]] + 1e-3 * torch.randn(2, 1, 256, generator=g)
    found = ev.nearest_neighbours(torch.cat([fresh, copies]), train, batch_size=3)
    assert found.distances.shape == (8,) and found.indices.shape == (8,)
    assert found.indices[6:].tolist() == [7, 21]
    pairs = found.closest(2)
    assert {p[0] for p in pairs} == {6, 7} and {p[1] for p in pairs} == {7, 21}
    assert pairs[0][2] <= pairs[1][2] < 0.1 < found.distances[:6].min()
    with pytest.raises(ValueError, match="same size"):
        ev.nearest_neighbours(torch.zeros(2, 10), torch.zeros(3, 11))


def test_log_mel_features_shape():
    feats = ev.log_mel_features(torch.zeros(3, 4096), 16000, n_fft=512, hop_length=256, n_mels=32)
    assert feats.shape == (3, 32 * 17) and torch.isfinite(feats).all()


# ----------------------------------------------------------------------------- SC09 classifier


def test_sc09_config_is_the_papers_front_end():
    c = ev.SC09_CLASSIFIER
    assert (c.n_fft, c.hop_length, c.n_mels, len(c.channels)) == (1024, 128, 128, 4)


def test_sc09_classifier_absent_says_so(tmp_path, capsys):
    from audiogan_lesson.profiles import get_profile

    assert ev.sc09_classifier(get_profile("smoke"), root=tmp_path) is None
    assert "SC09 is not here" in capsys.readouterr().out


def test_sc09_classifier_trains_from_the_registry_folder(tmp_path, monkeypatch):
    import soundfile as sf

    from audiogan_lesson.profiles import get_profile

    monkeypatch.setenv("AUDIOGAN_DATA", str(tmp_path / "cache"))
    train = tmp_path / "sc09" / "sc09" / "train"
    train.mkdir(parents=True)
    t = np.arange(16000) / 16000
    rng = np.random.default_rng(0)
    for digit, f in (("Zero", 300.0), ("One", 1200.0)):
        for i in range(6):
            wave = 0.5 * np.sin(2 * np.pi * f * (1 + 0.05 * rng.random()) * t) * np.exp(-3 * t)
            sf.write(train / f"{digit}_{i:08x}_nohash_0.wav", wave.astype(np.float32), 16000)
    tiny = ev.ClassifierConfig(n_fft=1024, hop_length=128, n_mels=128, channels=(4, 4, 4, 4),
                               steps=3, batch_size=4)
    model = ev.sc09_classifier(get_profile("smoke"), root=tmp_path, config=tiny, verbose=False)
    assert model is not None and model.n_classes == 2 and model.sample_rate == 16000
    assert ev.classifier_probs(model, torch.zeros(2, 16384)).shape == (2, 2)


# ----------------------------------------------------------------------------- scoring


def test_reference_set_scores_real_above_noise():
    waves, labels = [], []
    g = torch.Generator().manual_seed(0)
    t = torch.arange(2048) / 8000
    for label, f in enumerate((200.0, 900.0, 2500.0)):
        for _ in range(40):
            waves.append(torch.sin(2 * math.pi * f * (1 + 0.05 * torch.rand((), generator=g)) * t)
                         * torch.exp(-t * 10))
            labels.append(label)
    waves, labels = torch.stack(waves), torch.tensor(labels)
    config = ev.ClassifierConfig(n_fft=256, hop_length=128, n_mels=32, channels=(8, 16), steps=60)
    model = ev.train_classifier(waves, labels, 8000, config)
    ref = ev.ReferenceSet(waves, 8000, model, k=50)
    assert ref.k == 30  # at most a quarter of the set
    real = ref.score(waves[torch.randperm(120, generator=g)], splits=4)
    noise = ref.score(0.3 * torch.randn(120, 2048, generator=g), splits=4)
    assert set(real) == {"IS", "IS_std", "FD", "NDB", "k", "NN", "diversity"}
    assert real["IS"] > noise["IS"] and real["FD"] < noise["FD"]
    assert real["NDB"] < noise["NDB"] and real["NN"] < noise["NN"]
    assert real["NN"] == pytest.approx(0.0, abs=1e-3)  # the training set itself: exact copies


# ---------------------------------------------------------------- RMSE and SNR to the nearest clip


def test_rmse_and_snr_to_nearest_reward_copies():
    from audiogan_lesson.evaluation import rmse_to_nearest, snr_to_nearest

    gen = torch.Generator().manual_seed(0)
    training = torch.randn(20, 1, 256, generator=gen)
    copies = training[[3, 7]]
    noisy = training[[3, 7]] + 0.1 * torch.randn(2, 1, 256, generator=gen)
    novel = torch.randn(2, 1, 256, generator=gen)
    generated = torch.cat([copies, noisy, novel])
    rmse = rmse_to_nearest(generated, training)
    snr = snr_to_nearest(generated, training)
    assert rmse.shape == snr.shape == (6,)
    np.testing.assert_allclose(rmse[:2], 0.0, atol=1e-6)
    np.testing.assert_allclose(rmse[2:4], 0.1, rtol=0.15)  # the noise's RMS
    assert (rmse[4:] > 1.0).all()  # two independent unit-variance clips: about sqrt(2)
    assert (snr[:2] == 200.0).all()  # an exact copy: no noise at all (the ceiling)
    np.testing.assert_allclose(snr[2:4], 20.0, atol=2.0)  # signal 1, noise 0.01: 20 dB
    assert (snr[4:] < 1.0).all()
    # brute force: the smallest RMSE over every training clip, the largest SNR
    for i in range(6):
        errs = (generated[i] - training).flatten(1).square().mean(1).sqrt()
        assert rmse[i] == pytest.approx(float(errs.min()), rel=1e-6)
    # silence against silence is 0 dB / no NaN; different lengths name the fix
    assert np.isfinite(snr_to_nearest(torch.zeros(1, 8), torch.zeros(2, 8))).all()
    with pytest.raises(ValueError, match="to_format"):
        rmse_to_nearest(torch.zeros(1, 8), torch.zeros(2, 9))
    with pytest.raises(ValueError, match="at least one"):
        snr_to_nearest(torch.zeros(0, 8), torch.zeros(2, 8))


def test_quiet_floor_db_is_the_quietest_quarter_below_the_peak():
    from audiogan_lesson.evaluation import quiet_floor_db
    length = 4096
    t = torch.arange(length, dtype=torch.float64)
    decay = torch.exp(-t / 200.0)  # a hit that decays to silence
    hiss = 0.01 * torch.randn(length, generator=torch.Generator().manual_seed(0),
                              dtype=torch.float64)
    waves = torch.stack([decay, decay + hiss, torch.zeros(length)])
    floor = quiet_floor_db(waves, frame=256)
    assert floor[0] < -100 and floor[2] == -120.0  # decays to nothing; silent clip: the floor
    # the hiss clip: quietest quarter (4 of 16 frames) is the hiss alone, RMS 0.01 below a peak
    # near 1
    assert floor[1] == pytest.approx(-40.0, abs=1.0)
    # a quarter of frames: a clip loud in 12 frames and quiet (0.1) in 4 gives exactly -20 dB
    steps = torch.ones(length)
    steps[:1024] = 0.1
    assert quiet_floor_db(steps[None], frame=256)[0] == pytest.approx(-20.0, abs=1e-4)
    assert quiet_floor_db(steps[None], fraction=1.0, frame=256)[0] == pytest.approx(
        20 * np.log10(np.sqrt((4 * 0.01 + 12) / 16)), abs=1e-4)
    with pytest.raises(ValueError, match="fraction=0"):
        quiet_floor_db(waves, fraction=0)
    with pytest.raises(ValueError, match="shorter than one frame"):
        quiet_floor_db(waves[:, :100])
