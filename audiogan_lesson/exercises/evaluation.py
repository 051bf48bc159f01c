"""Checks for notebook 07_evaluation: inception score, Fréchet distance, the NDB z-test."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.stats import norm

from .core import _call, failed, passed


def _number(name: str, out, what: str) -> float:
    """The student's result as one float (the first of a ``(mean, std)`` pair), or a FAIL."""
    if isinstance(out, (tuple, list)) and len(out) == 2:
        out = out[0]
    try:
        arr = np.asarray(out.detach().cpu() if hasattr(out, "detach") else out)
    except Exception:  # an object numpy cannot hold
        failed(name, f"{what} returned {type(out).__name__}; return a number")
    if arr.size != 1:
        failed(name, f"{what} returned shape {arr.shape}; return one number")
    value = arr.reshape(())[()]
    if np.iscomplexobj(value):
        if abs(np.imag(value)) > 1e-6 * max(1.0, abs(np.real(value))):
            failed(name, f"{what} returned a complex number {value}; the result is real")
        value = np.real(value)
    return float(value)


# ----------------------------------------------------------------------------- inception score


def _is_parts(p: np.ndarray, splits: int) -> list[np.ndarray]:
    n = len(p)
    return [p[i * n // splits:(i + 1) * n // splits] for i in range(splits)]


def _is_reference(p: np.ndarray, splits: int, log=np.log, outer=np.exp, reverse=False,
                  global_py=False, combine="mean_of_exp", reduce="mean") -> float:
    """The inception score, and (by its switches) the usual wrong variants of it."""
    scores = []
    for part in _is_parts(p, splits):
        py = (p if global_py else part).mean(axis=0, keepdims=True)
        py = np.broadcast_to(py, part.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            if reverse:
                kl = np.where(py > 0, py * (log(py) - log(part)), 0.0).sum(axis=1)
            else:
                kl = np.where(part > 0, part * (log(part) - log(py)), 0.0).sum(axis=1)
        kl = kl.sum() if reduce == "sum" else kl.mean()
        scores.append(kl)
    scores = np.array(scores)
    if combine == "exp_of_mean":
        return float(outer(scores.mean()))
    return float(np.mean(outer(scores)))


def _is_cases() -> list[tuple[np.ndarray, int]]:
    """Probabilities whose groups differ (sorted blocks), so every mistake shows."""
    rng = np.random.default_rng(7)
    cases = []
    for n, k, splits in ((100, 5, 10), (60, 4, 3), (90, 6, 5)):
        # the first rows favour the low classes, the last the high ones
        centre = np.linspace(0, k - 1, n)
        logits = -((np.arange(k)[None, :] - centre[:, None]) ** 2) / 1.5 + rng.normal(size=(n, k))
        p = np.exp(logits)
        cases.append((p / p.sum(axis=1, keepdims=True), splits))
    return cases


def check_inception_score(fn: Callable) -> None:
    """Check ``fn(probs, splits) -> score`` (notebook ``07_evaluation``, exercise 7.1).

    ``probs`` ``(N, classes)`` numpy array of class probabilities; the rows are cut in order
    into ``splits`` groups; each group scores ``exp(mean_i KL(p(y|x_i) || p(y)))`` with ``p(y)``
    the group's mean prediction (natural log); the result is the mean over groups. A
    ``(mean, std)`` pair is accepted too. Catches: another log base, a missing exp, the KL the
    wrong way round, one global ``p(y)`` or no groups at all, exp of the mean KL over groups,
    a sum where a mean belongs.
    """
    name = "Exercise 7.1 inception_score"
    for p, splits in _is_cases():
        got = _number(name, _call(name, fn, p.copy(), splits), "fn(probs, splits)")
        expected = _is_reference(p, splits)
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            failed(name, _diagnose_is(p, splits, got, expected))
    k = 4
    confident = np.eye(k)[np.arange(40) % k]
    got = _number(name, _call(name, fn, confident, 10), "fn(probs, splits)")
    if not math.isclose(got, k, rel_tol=1e-6):
        failed(name, f"confident predictions spread evenly over {k} classes must score {k} (the "
                     f"maximum); got {got:.6g}. Treat 0 * log 0 as 0")
    collapsed = np.tile([0.0, 1.0, 0.0, 0.0], (40, 1))
    got = _number(name, _call(name, fn, collapsed, 10), "fn(probs, splits)")
    if not math.isclose(got, 1.0, rel_tol=1e-6):
        failed(name, f"every sample in the same class must score 1 (the minimum); got {got:.6g}")
    passed(name, "exp of the mean KL(p(y|x) || p(y)) per group, averaged over groups; "
                 "1 to #classes")


def _diagnose_is(p, splits, got, expected) -> str:
    candidates = [
        (dict(log=np.log2), "use the natural log (np.log) with exp; log2 or log10 needs the "
                            "matching power (2**, 10**)"),
        (dict(log=np.log10), "use the natural log (np.log) with exp; log2 or log10 needs the "
                             "matching power (2**, 10**)"),
        (dict(outer=lambda x: x), "the exp is missing: the score is exp(mean KL), not the mean KL"),
        (dict(reverse=True), "the KL is the wrong way round: it is KL(p(y|x) || p(y)), each "
                             "sample's prediction against the group's mean prediction"),
        (dict(global_py=True), "p(y) must be the mean prediction of each group, not of the "
                               "whole set"),
        (dict(combine="exp_of_mean"), "average the groups' scores (mean of exp), not exp of the "
                                      "averaged KL"),
        (dict(reduce="sum"), "average the KL over the samples of a group (mean), not a sum"),
    ]
    for kwargs, reason in candidates:
        if math.isclose(got, _is_reference(p, splits, **kwargs), rel_tol=1e-6, abs_tol=1e-9):
            return reason
    if math.isclose(got, _is_reference(p, 1), rel_tol=1e-6, abs_tol=1e-9):
        return (f"the rows must be cut into splits={splits} groups (in order), each scored on its "
                "own, and the scores averaged; this is the score of the whole set at once")
    return f"got {got:.6g}, expected {expected:.6g} for {len(p)} rows in {splits} groups"


# ----------------------------------------------------------------------------- Fréchet distance


def _sqrtm_psd(c: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((c + c.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def _tr_sqrt_product(c1: np.ndarray, c2: np.ndarray) -> float:
    r = _sqrtm_psd(c1)
    return float(np.sqrt(np.clip(np.linalg.eigvalsh(r @ c2 @ r), 0, None)).sum())


def _fd_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    cases = [(np.array([0.5]), np.array([[2.0]]), np.array([-1.0]), np.array([[0.32]]))]
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    cases.append((mu1, np.diag([1.0, 4.0, 0.25]), mu2, np.diag([9.0, 0.01, 0.25])))
    for d in (4, 6):
        a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
        c1 = a @ a.T + 0.1 * np.eye(d)
        c2 = b @ b.T + 0.1 * np.eye(d)
        cases.append((rng.normal(size=d), c1, rng.normal(size=d), c2))
    return cases


def check_frechet_distance(fn: Callable) -> None:
    """Check ``fn(mu1, sigma1, mu2, sigma2) -> distance`` (notebook ``07_evaluation``,
    exercise 7.2).

    The Fréchet distance between Gaussians with means ``mu`` ``(D,)`` and *covariance matrices*
    ``sigma`` ``(D, D)`` (numpy arrays, named as in the FID code):
    ``|mu1 - mu2|^2 + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))`` with the matrix square
    root. Catches: no square root, the wrong sign on the trace term, an elementwise square
    root, sigma taken as standard deviations, the norm instead of its square.
    """
    name = "Exercise 7.2 frechet_distance"
    for mu1, c1, mu2, c2 in _fd_cases():
        out = _call(name, fn, mu1.copy(), c1.copy(), mu2.copy(), c2.copy())
        got = _number(name, out, "fn(mu1, sigma1, mu2, sigma2)")
        expected = float(((mu1 - mu2) ** 2).sum() + np.trace(c1 + c2)
                         - 2 * _tr_sqrt_product(c1, c2))
        if not math.isclose(got, expected, rel_tol=1e-5, abs_tol=1e-7):
            failed(name, _diagnose_fd(mu1, c1, mu2, c2, got, expected))
    for mu1, c1, _, _ in _fd_cases():
        same = _number(name, _call(name, fn, mu1.copy(), c1.copy(), mu1.copy(), c1.copy()),
                       "fn(mu, sigma, mu, sigma)")
        if abs(same) > 1e-5 * max(1.0, np.trace(c1)):
            failed(name, f"the distance of a Gaussian to itself must be 0; got {same:.6g}")
    passed(name, "|mu1 - mu2|^2 + tr(S1 + S2 - 2 sqrtm(S1 S2)), 0 for identical Gaussians")


def _diagnose_fd(mu1, c1, mu2, c2, got, expected) -> str:
    diff2 = float(((mu1 - mu2) ** 2).sum())
    tr = float(np.trace(c1 + c2))
    sq = _tr_sqrt_product(c1, c2)
    with np.errstate(invalid="ignore"):
        elementwise = float(np.nansum(np.sqrt(c1 @ c2).diagonal()))
        std_form = float((np.sqrt(np.diag(c1)) - np.sqrt(np.diag(c2))) ** 2 @ np.ones(len(mu1)))
    candidates = [
        (diff2 + tr - 2 * float(np.trace(c1 @ c2)), "the matrix square root is missing: the "
         "trace term is tr(sigma1 + sigma2 - 2 sqrtm(sigma1 @ sigma2)) (scipy.linalg.sqrtm)"),
        (diff2 + tr + 2 * sq, "the sign of the cross term is wrong: it is minus 2 tr(sqrtm(...))"),
        (diff2 - tr + 2 * sq, "the trace terms have the wrong signs: + tr(sigma1) + tr(sigma2) "
                              "- 2 tr(sqrtm(sigma1 sigma2))"),
        (diff2 + tr - 2 * elementwise, "np.sqrt is elementwise; the distance needs the matrix "
                                       "square root scipy.linalg.sqrtm(sigma1 @ sigma2)"),
        (diff2 + tr - 2 * float(np.sqrt(np.trace(c1 @ c2))), "take the trace of the matrix "
         "square root, not the square root of the trace"),
        (diff2 + std_form, "sigma is a covariance matrix, not a vector of standard deviations; "
                           "use the whole matrix in the trace term"),
        (math.sqrt(diff2) + tr - 2 * sq, "the mean term is the squared distance |mu1 - mu2|^2, "
                                         "not the distance"),
        (tr - 2 * sq, "the mean term |mu1 - mu2|^2 is missing"),
    ]
    for value, reason in candidates:
        if math.isfinite(value) and math.isclose(got, value, rel_tol=1e-5, abs_tol=1e-7):
            return reason
    if not math.isfinite(got):
        return (f"got {got}: np.sqrt of a matrix with negative entries gives NaN; use the matrix "
                "square root scipy.linalg.sqrtm and keep its real part")
    return f"got {got:.6g}, expected {expected:.6g} for D = {len(mu1)}"


# ----------------------------------------------------------------------------- NDB z-test


def _z_reference(p1, n1, p2, n2, pooled=True, tails=2, absolute=True):
    if pooled:
        p = (p1 * n1 + p2 * n2) / (n1 + n2)
        se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    else:
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p2) / np.where(se > 0, se, 1), 0.0)
    tail = norm.sf(np.abs(z)) if absolute else norm.sf(z)
    return np.minimum(tails * tail, 1.0) if tails == 2 else tail


def check_ndb_z_test(fn: Callable) -> None:
    """Check ``fn(p1, n1, p2, n2) -> p_values`` (notebook ``07_evaluation``, exercise 7.3).

    The two-sided two-proportion z-test of NDB, elementwise over bins: ``p1``, ``p2`` ``(k,)``
    numpy arrays of proportions from ``n1`` and ``n2`` examples. The standard error uses the
    pooled proportion ``p = (p1 n1 + p2 n2) / (n1 + n2)``; the p-value counts both tails,
    ``2 * (1 - Phi(|z|))``. A bin that is empty in both sets has p-value 1 (no NaN). Catches:
    the unpooled standard error, one tail, a directional test, NaN for empty bins.
    """
    name = "Exercise 7.3 ndb_z_test"
    cases = [
        (np.array([0.10, 0.30, 0.05, 0.50, 0.02]), 2000,
         np.array([0.14, 0.20, 0.05, 0.45, 0.06]), 300),
        (np.array([0.25, 0.25, 0.25, 0.25]), 500, np.array([0.10, 0.40, 0.20, 0.30]), 1500),
    ]
    for p1, n1, p2, n2 in cases:
        out = _call(name, fn, p1.copy(), n1, p2.copy(), n2)
        got = np.asarray(out, dtype=np.float64)
        if got.shape != p1.shape:
            failed(name, f"fn(p1, n1, p2, n2) returned shape {got.shape}; return one p-value per "
                         f"bin, shape {p1.shape} (work elementwise on the arrays)")
        expected = _z_reference(p1, n1, p2, n2)
        if not np.allclose(got, expected, rtol=1e-5, atol=1e-9):
            failed(name, _diagnose_z(p1, n1, p2, n2, got, expected))
    empty = _call(name, fn, np.array([0.0, 0.5]), 100, np.array([0.0, 0.5]), 80)
    empty = np.asarray(empty, dtype=np.float64)
    if not np.isfinite(empty).all() or not np.allclose(empty, 1.0):
        failed(name, f"bins with equal proportions (and a bin empty in both sets) must have "
                     f"p-value 1; got {empty.tolist()}. Where the standard error is 0, set z = 0")
    passed(name, "pooled two-proportion z-test, two-sided, per bin")


def _diagnose_z(p1, n1, p2, n2, got, expected) -> str:
    candidates = [
        (dict(pooled=False), "use the pooled proportion p = (p1 n1 + p2 n2) / (n1 + n2) in the "
                             "standard error sqrt(p (1 - p) (1/n1 + 1/n2)), as NDB does"),
        (dict(tails=1), "the test is two-sided: double the tail probability, 2 * (1 - Phi(|z|))"),
        (dict(tails=1, absolute=False), "the test is two-sided: a bin differs whether it holds "
                                        "more or fewer generated examples; use 2 * (1 - Phi(|z|))"),
        (dict(tails=2, absolute=False), "use |z|: 2 * (1 - Phi(z)) exceeds 1 when z < 0"),
        (dict(pooled=False, tails=1), "use the pooled standard error and both tails"),
    ]
    for kwargs, reason in candidates:
        if np.allclose(got, _z_reference(p1, n1, p2, n2, **kwargs), rtol=1e-5, atol=1e-9):
            return reason
    if np.isnan(got).any():
        return "the p-values contain NaN; where the standard error is 0, set z = 0"
    return f"got {np.round(got, 6).tolist()}, expected {np.round(expected, 6).tolist()}"
