"""Checks of notebook 07 (audiogan_lesson.exercises): right answers pass, wrong ones fail."""

import numpy as np
import pytest
import scipy.linalg
from scipy.stats import norm

from audiogan_lesson import evaluation as ev
from audiogan_lesson.exercises import (ExerciseFailure, check_frechet_distance,
                                       check_inception_score, check_ndb_z_test)


def expect_fail(check, fn, reason, capsys):
    with pytest.raises(ExerciseFailure, match=reason) as err:
        check(fn)
    out = capsys.readouterr().out
    assert out.startswith("[FAIL]") and str(err.value) in out


# ----------------------------------------------------------------------------- inception score


def is_variant(log=np.log, outer=np.exp, reverse=False, global_py=False, exp_of_mean=False,
               total=False, groups=None):
    """An inception score written the way a student might, with one switchable mistake."""
    def fn(probs, splits=10):
        n = len(probs)
        k = groups or splits
        scores = []
        for i in range(k):
            part = probs[i * n // k:(i + 1) * n // k]
            py = (probs if global_py else part).mean(axis=0, keepdims=True)
            a, b = (py, part) if reverse else (part, py)
            with np.errstate(divide="ignore", invalid="ignore"):
                kl = np.where(a > 0, a * (log(a) - log(b)), 0.0).sum(axis=1)
            scores.append(kl.sum() if total else kl.mean())
        if exp_of_mean:
            return outer(np.mean(scores))
        return np.mean(outer(np.array(scores)))
    return fn


@pytest.mark.parametrize("right", [
    is_variant(),
    lambda p, splits=10: ev.inception_score(p, splits, seed=None),  # (mean, std) accepted
    lambda p, splits=10: np.mean([np.exp(np.mean([scipy_kl(row, part.mean(0)) for row in part]))
                                  for part in np.array_split(p, splits)]),
    is_variant(log=np.log2, outer=lambda x: 2.0 ** x),  # bits with base-2 power: the same
])
def test_inception_score_right_answers_pass(right, capsys):
    check_inception_score(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 7.1")


def scipy_kl(p, q):
    from scipy.stats import entropy

    return entropy(p, q)


@pytest.mark.parametrize("wrong, reason", [
    (is_variant(log=np.log2), "natural log"),
    (is_variant(log=np.log10), "natural log"),
    (is_variant(outer=lambda x: x), "exp is missing"),
    (is_variant(reverse=True), "wrong way round"),
    (is_variant(global_py=True), "mean prediction of each group"),
    (is_variant(groups=1), "cut into splits"),
    (is_variant(exp_of_mean=True), "mean of exp"),
    (is_variant(total=True), "not a sum"),
    (lambda p, splits=10: float(np.exp(np.mean(np.sum(p * np.log(p + 1e-3), 1)))), "got"),
    (lambda p, splits=10: np.ones(3), "one number"),
])
def test_inception_score_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_inception_score, wrong, reason, capsys)


# ----------------------------------------------------------------------------- Fréchet distance


def fd_right(mu1, s1, mu2, s2):
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean.real))


@pytest.mark.parametrize("right", [
    fd_right,
    ev.frechet_distance_from_stats,
    lambda m1, s1, m2, s2: ((m1 - m2) @ (m1 - m2)) + np.trace(s1) + np.trace(s2)
    - 2 * np.trace(scipy.linalg.sqrtm(s1 @ s2)),  # complex with a tiny imaginary part: accepted
])
def test_frechet_distance_right_answers_pass(right, capsys):
    check_frechet_distance(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 7.2")


@pytest.mark.parametrize("wrong, reason", [
    (lambda m1, s1, m2, s2: ((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2 * s1 @ s2),
     "square root is missing"),
    (lambda m1, s1, m2, s2: ((m1 - m2) ** 2).sum()
     + np.trace(s1 + s2 + 2 * scipy.linalg.sqrtm(s1 @ s2).real),
     "sign of the cross term"),
    (lambda m1, s1, m2, s2: ((m1 - m2) ** 2).sum()
     + np.trace(s1 + s2 - 2 * np.sqrt(np.abs(s1 @ s2))),
     "got"),
    (lambda m1, s1, m2, s2: ((m1 - m2) ** 2).sum()
     + np.trace(s1 + s2 - 2 * np.sqrt(s1 @ s2)),  # NaN
     "np.sqrt"),
    (lambda m1, s1, m2, s2: ((m1 - m2) ** 2).sum()
     + ((np.sqrt(np.diag(s1)) - np.sqrt(np.diag(s2))) ** 2).sum(), "not a vector of standard"),
    (lambda m1, s1, m2, s2: ((m1 - m2) ** 2).sum() + np.trace(s1 + s2)
     - 2 * np.sqrt(np.trace(s1 @ s2)),
     "square root of the trace"),
    (lambda m1, s1, m2, s2: np.linalg.norm(m1 - m2)
     + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real),
     "squared distance"),
    (lambda m1, s1, m2, s2: np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real), "mean term"),
])
@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")
def test_frechet_distance_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_frechet_distance, wrong, reason, capsys)


# ----------------------------------------------------------------------------- NDB z-test


def z_right(p1, n1, p2, n2):
    return ev.two_proportion_z_test(p1, n1, p2, n2)[1]


def z_plain(p1, n1, p2, n2):
    p = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p2) / se, 0.0)
    return 2 * norm.sf(np.abs(z))


def z_unpooled(p1, n1, p2, n2):
    se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p2) / se, 0.0)
    return 2 * norm.sf(np.abs(z))


def z_one_tail(p1, n1, p2, n2):
    return z_plain(p1, n1, p2, n2) / 2


def z_directional(p1, n1, p2, n2):
    p = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p2) / se, 0.0)
    return norm.sf(z)


def z_nan_for_empty(p1, n1, p2, n2):
    p = (p1 * n1 + p2 * n2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return 2 * norm.sf(np.abs(z))


@pytest.mark.parametrize("right", [z_right, z_plain])
def test_ndb_z_test_right_answers_pass(right, capsys):
    check_ndb_z_test(right)
    assert capsys.readouterr().out.startswith("[PASS] Exercise 7.3")


@pytest.mark.parametrize("wrong, reason", [
    (z_unpooled, "pooled proportion"),
    (z_one_tail, "two-sided"),
    (z_directional, "two-sided"),
    (z_nan_for_empty, "p-value 1"),
    (lambda p1, n1, p2, n2: z_plain(p1, n1, p2, n2).sum(), "one p-value per bin"),
])
def test_ndb_z_test_wrong_answers_fail(wrong, reason, capsys):
    expect_fail(check_ndb_z_test, wrong, reason, capsys)
