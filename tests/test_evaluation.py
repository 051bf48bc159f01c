"""Evaluation core (audiogan_lesson.evaluation): classifier, inception score, Fréchet distance."""

import dataclasses
import math

import numpy as np
import pytest
import scipy.linalg
import torch

from audiogan_lesson import evaluation as ev
from audiogan_lesson.evaluation import classifier as classifier_module
from audiogan_lesson.evaluation.classifier import _augment

SR = 8000
LEN = 4096


def synthetic_set(n_per_class=60, seed=0):
    """Three easy classes: a low tone, a high tone, and a noise burst, random level and pitch."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(LEN) / SR
    env = torch.exp(-t * 8)
    waves, labels = [], []
    for label, kind in enumerate(["low", "high", "noise"]):
        for _ in range(n_per_class):
            level = 0.2 + 0.8 * torch.rand((), generator=g)
            if kind == "noise":
                w = torch.randn(LEN, generator=g)
            else:
                f = (200 if kind == "low" else 2000) * (1 + 0.1 * torch.rand((), generator=g))
                w = torch.sin(2 * math.pi * f * t)
            waves.append(level * env * w)
            labels.append(label)
    return torch.stack(waves), torch.tensor(labels)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny convolutions gain nothing from a second thread, and lose a lot on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


FAST = ev.ClassifierConfig(steps=120, n_fft=256, hop_length=128, n_mels=32, channels=(8, 16, 16))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    waves, labels = synthetic_set()
    cache = tmp_path_factory.mktemp("cache")
    model = ev.train_classifier(waves, labels, SR, FAST, cache_dir=cache)
    return model, waves, labels, cache


def test_classifier_learns_the_classes(trained):
    model, waves, labels, _ = trained
    test_waves, test_labels = synthetic_set(20, seed=1)
    assert ev.classifier_accuracy(model, test_waves, test_labels) > 0.9
    assert model.val_accuracy is not None and model.val_accuracy > 0.8
    probs = ev.classifier_probs(model, test_waves[:, None, :])  # (N, 1, L) works too
    assert probs.shape == (60, 3) and np.allclose(probs.sum(1), 1)
    feats = ev.classifier_features(model, test_waves)
    assert feats.shape == (60, 16)


def test_real_data_scores_near_the_number_of_classes(trained):
    model, _, _, _ = trained
    waves, labels = synthetic_set(40, seed=2)
    mean, std = ev.inception_score(ev.classifier_probs(model, waves), splits=4)
    assert mean > 2.0 and std < 0.5
    one_class = waves[labels == 0]
    assert ev.inception_score(ev.classifier_probs(model, one_class), splits=4)[0] < 1.3


def test_classifier_takes_other_sample_rates(trained):
    import torchaudio.functional as AF

    model, _, _, _ = trained
    waves, labels = synthetic_set(10, seed=3)
    up = AF.resample(waves, SR, 16000)
    assert ev.classifier_accuracy(model, up, labels, sample_rate=16000) > 0.9


def test_classifier_is_cached_by_fingerprint(trained, monkeypatch):
    model, waves, labels, cache = trained
    files = list(cache.glob("classifier-*.pt"))
    assert len(files) == 1

    def no_training(*args, **kwargs):
        raise AssertionError("the cached classifier should have been loaded")

    monkeypatch.setattr(classifier_module, "_fit", no_training)
    again = ev.train_classifier(waves, labels, SR, FAST, cache_dir=cache)
    for (k, a), b in zip(model.state_dict().items(), again.state_dict().values()):
        assert torch.equal(a, b), k
    assert again.val_accuracy == model.val_accuracy and not again.training
    # another config or other data is another key
    assert ev.data_fingerprint(waves, labels, SR, FAST) != \
        ev.data_fingerprint(waves, labels, SR, FAST.__class__(steps=7))
    assert ev.data_fingerprint(waves, labels, SR, FAST) != \
        ev.data_fingerprint(waves * 0.5, labels, SR, FAST)


def test_classifier_input_errors():
    waves, labels = synthetic_set(4)
    with pytest.raises(ValueError, match="one per wave"):
        ev.train_classifier(waves, labels[:5], SR, FAST)
    bad = waves.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        ev.train_classifier(bad, labels, SR, FAST)
    with pytest.raises(ValueError, match=r"\(N, L\)"):
        ev.train_classifier(waves[:, None, None, :], labels, SR, FAST)


# ----------------------------------------------------------------------------- inception score


def reference_is(p, k):
    """The WaveGAN code's loop, for N divisible by k."""
    g = len(p) // k
    scores = []
    for i in range(k):
        part = p[i * g:(i + 1) * g]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return np.mean(scores), np.std(scores)


def test_inception_score_matches_the_original_code():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 7)) * 3
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    got = ev.inception_score(p, splits=10, seed=None)
    assert got == pytest.approx(reference_is(p, 10), rel=1e-12)
    assert (ev.inception_score(torch.tensor(p), splits=5, seed=None)
            == pytest.approx(reference_is(p, 5)))
    # by default the rows are shuffled first, as the original script shuffles its files
    shuffled = p[np.random.default_rng(0).permutation(len(p))]
    assert ev.inception_score(p) == pytest.approx(reference_is(shuffled, 10), rel=1e-12)


def test_inception_score_of_a_set_sorted_by_class():
    sorted_probs = np.eye(3)[np.repeat(np.arange(3), 30)] * 0.98 + 0.02 / 3
    assert ev.inception_score(sorted_probs, splits=3)[0] > 2.5
    assert ev.inception_score(sorted_probs, splits=3, seed=None)[0] == pytest.approx(1.0)


def test_inception_score_bounds():
    confident = np.eye(4)[np.arange(400) % 4]  # one-hot, evenly spread: the maximum, 4
    assert ev.inception_score(confident, seed=None)[0] == pytest.approx(4.0)
    assert 3.5 < ev.inception_score(confident)[0] <= 4.0  # shuffled groups are not exactly even
    collapsed = np.tile([0.0, 1.0, 0.0, 0.0], (400, 1))  # all the same class: the minimum, 1
    assert ev.inception_score(collapsed) == (pytest.approx(1.0), pytest.approx(0.0))
    uniform = np.full((400, 4), 0.25)
    assert ev.inception_score(uniform)[0] == pytest.approx(1.0)


def test_inception_score_rejects_logits_and_tiny_sets():
    with pytest.raises(ValueError, match="softmax"):
        ev.inception_score(np.random.default_rng(0).normal(size=(20, 3)), splits=2)
    with pytest.raises(ValueError, match="splits=10"):
        ev.inception_score(np.full((5, 2), 0.5))


# ----------------------------------------------------------------------------- Fréchet distance


def test_frechet_distance_closed_form_for_diagonal_gaussians():
    # columns of a Hadamard matrix are orthogonal and zero-mean: the sample covariance is exactly
    # diagonal, so FD = |mu1 - mu2|^2 + sum(s1^2 + s2^2 - 2 s1 s2) with s the sample std
    h = scipy.linalg.hadamard(16)[:, 1:4].astype(float)
    s1, s2 = np.array([1.0, 2.0, 0.5]), np.array([3.0, 0.1, 0.5])
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    a, b = h * s1 + mu1, h * s2 + mu2
    c = 16 / 15  # unbiased covariance
    expected = ((mu1 - mu2) ** 2).sum() + (c * (s1 - s2) ** 2).sum()
    assert ev.frechet_distance(a, b) == pytest.approx(expected, rel=1e-10)
    assert ev.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-10)


def test_frechet_distance_matches_sqrtm_for_general_covariances():
    rng = np.random.default_rng(1)
    m1, m2 = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    c1, c2 = m1 @ m1.T, m2 @ m2.T + np.eye(6) * 0.1  # do not commute
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    covmean = scipy.linalg.sqrtm(c1 @ c2).real
    expected = ((mu1 - mu2) ** 2).sum() + np.trace(c1 + c2 - 2 * covmean)
    assert ev.frechet_distance_from_stats(mu1, c1, mu2, c2) == pytest.approx(expected, rel=1e-8)
    # large Gaussian samples approach the distance of their distributions
    a = rng.multivariate_normal(mu1, c1, size=40_000)
    b = rng.multivariate_normal(mu2, c2, size=40_000)
    assert ev.frechet_distance(a, b) == pytest.approx(expected, rel=0.05)


def test_frechet_distance_uses_every_batch():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(300, 4))
    b_batches = [rng.normal(size=(100, 4)) + shift for shift in (0.0, 2.0, 4.0)]
    whole = ev.frechet_distance(a, np.concatenate(b_batches))
    assert ev.frechet_distance(a, b_batches) == pytest.approx(whole)
    assert (ev.frechet_distance([a[:150], torch.tensor(a[150:])], iter(b_batches))
            == pytest.approx(whole))
    first_batch_only = ev.frechet_distance(a, b_batches[0])
    assert abs(first_batch_only - whole) > 1.0  # the trap gives a very different number


def test_frechet_distance_singular_covariances_stay_real():
    a = np.zeros((50, 3))
    a[:, 0] = np.random.default_rng(3).normal(size=50)  # rank 1
    b = a + np.array([1.0, 0.0, 0.0])
    assert ev.frechet_distance(a, b) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="sizes differ"):
        ev.frechet_distance(a, b[:, :2])
    with pytest.raises(ValueError, match="N >= 2"):
        ev.frechet_distance(a[:1], b)


def test_toy_drums_classifier_and_real_inception_score():
    from audiogan_lesson.data import toy_drums

    drums = toy_drums(300, seed=0, sample_rate=SR, length=LEN)
    model = ev.train_classifier(drums.waves[:250], drums.labels[:250], SR,
                                ev.ClassifierConfig(steps=160, n_fft=256, hop_length=128))
    assert ev.classifier_accuracy(model, drums.waves[250:], drums.labels[250:]) > 0.9
    mean, _ = ev.inception_score(ev.classifier_probs(model, drums.waves), splits=5)
    assert mean > 0.8 * len(drums.classes)


def test_noise_floor_augmentation_keeps_tones_apart_from_noise_under_hiss():
    """A faint hiss (-40 dBFS) must not turn a decaying tone into the noise class; without the
    augmentation it does, which is why the course's classifier trains with a noise floor."""
    waves, labels = synthetic_set(40)
    test_waves, test_labels = synthetic_set(20, seed=4)
    hiss = 10 ** (-40 / 20) * torch.randn(test_waves.shape,
                                          generator=torch.Generator().manual_seed(0))
    robust = ev.train_classifier(waves, labels, SR, FAST)
    brittle = ev.train_classifier(waves, labels, SR, dataclasses.replace(FAST, noise_db=None))
    assert ev.classifier_accuracy(robust, test_waves, test_labels) > 0.9
    assert ev.classifier_accuracy(robust, test_waves + hiss, test_labels) > 0.9
    assert ev.classifier_accuracy(brittle, test_waves + hiss, test_labels) < 0.8


def test_noise_floor_augmentation_draws_levels_up_to_noise_db():
    config = ev.ClassifierConfig(gain_db=0.0, noise_db=-20.0)
    silence = torch.zeros(400, 2048)
    noisy = _augment(silence, config, torch.Generator().manual_seed(0))
    rms_db = 20 * torch.log10(noisy.pow(2).mean(-1).sqrt())
    assert rms_db.max() <= -20.0 + 1e-3 and rms_db.min() >= -100.0 - 1e-3
    assert rms_db.max() > -25.0 and rms_db.min() < -90.0  # the whole range is drawn
    assert torch.equal(_augment(silence, ev.ClassifierConfig(gain_db=0.0, noise_db=None),
                                   torch.Generator()), silence)
