"""Metrics on waves and features: inception score, Fréchet distance, NDB, diversity, neighbours.

Notebook ``07_evaluation`` uses all of them; ``02_dense_gan_baseline`` and ``05_wgan_gp`` the
inception score and :func:`diversity`. The scores take class probabilities or features (from
:mod:`.classifier`), so they do not depend on which classifier made them.

- :func:`inception_score` as in the WaveGAN code, :func:`chance_normalised` for reading it
  against the real data's; :func:`frechet_distance` over every row given.
- :func:`ndb` / :class:`NDBBins`: k-means bins and a two-proportion z-test per bin.
- :func:`diversity`, :func:`entropy`.
- :func:`nearest_neighbours`: the memorisation check (generated -> closest training example),
  in the feature space of :func:`log_mel_features`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm
from sklearn.cluster import KMeans

from ..env import import_torchaudio

torchaudio = import_torchaudio()

__all__ = ["inception_score", "chance_normalised", "frechet_distance",
           "frechet_distance_from_stats", "feature_stats", "diversity", "quiet_floor_db", "entropy",
           "two_proportion_z_test", "NDBResult", "NDBBins", "ndb", "Neighbours",
           "nearest_neighbours", "log_mel_features"]


def _as_waves(waves) -> torch.Tensor:
    """Any waves ``(N, L)``/``(N, 1, L)`` (tensor or array) as a CPU float32 tensor ``(N, L)``."""
    x = torch.as_tensor(np.asarray(waves) if not isinstance(waves, torch.Tensor) else waves)
    x = x.detach().float().cpu()
    if x.dim() == 3 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() != 2:
        raise ValueError(f"expected waves of shape (N, L) or (N, 1, L); got {tuple(x.shape)}")
    return x



# ----------------------------------------------------------------------------- inception score


def inception_score(probs, splits: int = 10, seed: int | None = 0) -> tuple[float, float]:
    """Inception score ``(mean, std)`` of class probabilities ``(N, classes)``.

    As in the WaveGAN paper's code (``eval/inception/score.py``, after Salimans et al. 2016):
    the rows are cut, in order, into ``splits`` groups; each group scores
    ``exp(mean_i KL(p(y|x_i) || p(y)))`` with ``p(y)`` the group's mean prediction; the result is
    the mean and (population) standard deviation over groups. Groups are ``N // splits`` rows
    when ``N`` divides evenly, as the original requires; otherwise their sizes differ by one.
    ``0 * log 0`` counts as 0.

    The original script shuffles its files (seed 0) before cutting them into groups; here the
    rows are permuted with ``numpy.random.default_rng(seed)`` for the same reason: a set sorted
    by class would otherwise give groups of one class each and a score near 1. ``seed=None``
    keeps the order given. It ranges from 1 (every sample alike, or every prediction
    uniform) to the number of classes (confident predictions spread evenly over all classes).
    """
    p = np.asarray(probs.detach().cpu() if isinstance(probs, torch.Tensor) else probs,
                   dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"probs must have shape (N, classes); got {p.shape}")
    n = p.shape[0]
    if splits < 1 or n < splits:
        raise ValueError(f"need at least splits={splits} rows of probabilities; got {n}")
    if not np.isfinite(p).all() or p.min() < 0 or np.abs(p.sum(1) - 1).max() > 1e-3:
        raise ValueError("probs must be probabilities (non-negative rows summing to 1); "
                         "apply softmax to logits first (classifier_probs does)")
    if seed is not None:
        p = p[np.random.default_rng(seed).permutation(n)]
    scores = []
    for i in range(splits):
        part = p[i * n // splits:(i + 1) * n // splits]
        py = part.mean(axis=0, keepdims=True)
        kl = _xlogy(part, part) - _xlogy(part, np.broadcast_to(py, part.shape))
        scores.append(np.exp(kl.sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def chance_normalised(score: float, real_score: float) -> float:
    """An inception score read against the real data's: ``(IS - 1) / (IS_real - 1)``.

    0 when every sample lands in one class (or the classifier is unsure of all of them), the
    least any set can score; 1 at the real data's score. The plain ratio ``IS / IS_real``
    starts at ``1 / IS_real`` instead (21% of real for an IS of 1.0 with five drum classes whose
    real IS is 4.75), which reads as progress where there is none. Notebooks 05 and 07.
    """
    if not real_score > 1.0:
        raise ValueError(f"real_score {real_score}: the real data's inception score must be above "
                         "1 (a classifier that tells the real classes apart) to normalise by it")
    return (float(score) - 1.0) / (float(real_score) - 1.0)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    nz = x > 0
    out[nz] = x[nz] * np.log(y[nz])
    return out


# ----------------------------------------------------------------------------- Fréchet distance


def _all_rows(features) -> np.ndarray:
    """One ``(N, D)`` float64 array from an array, a tensor, or an iterable of batches of them."""
    if isinstance(features, torch.Tensor):
        return features.detach().cpu().double().numpy()
    if isinstance(features, np.ndarray):
        return features.astype(np.float64)
    items = list(features)
    if not items:
        raise ValueError("no features given")
    if all(isinstance(b, (torch.Tensor, np.ndarray)) for b in items):
        return np.concatenate([_all_rows(b) for b in items], axis=0)
    return np.asarray(items, dtype=np.float64)


def feature_stats(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(D,)`` and covariance ``(D, D)`` (unbiased) of every row of ``features``."""
    x = _all_rows(features)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"features must have shape (N, D) with N >= 2; got {x.shape}")
    return x.mean(axis=0), np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


def frechet_distance_from_stats(mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray,
                                cov2: np.ndarray) -> float:
    """``|mu1 - mu2|^2 + tr(C1 + C2 - 2 (C1 C2)^(1/2))`` for two Gaussians.

    ``tr((C1 C2)^(1/2))`` is computed as the sum of square roots of the eigenvalues of the
    symmetric matrix ``C1^(1/2) C2 C1^(1/2)``, which has the same eigenvalues as ``C1 C2``: real
    and non-negative, so there is no complex part to discard (the usual ``scipy.linalg.sqrtm``
    route returns one from round-off, which the FID code of the GAN literature drops).
    """
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    cov1, cov2 = np.atleast_2d(cov1), np.atleast_2d(cov2)
    if mu1.shape != mu2.shape or cov1.shape != cov2.shape or cov1.shape != (len(mu1), len(mu1)):
        raise ValueError(f"feature sizes differ: means {mu1.shape} {mu2.shape}, "
                         f"covariances {cov1.shape} {cov2.shape}")
    w, v = np.linalg.eigh((cov1 + cov1.T) / 2)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    middle = root1 @ cov2 @ root1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2)
    tr_covmean = np.sqrt(np.clip(eig, 0, None)).sum()
    diff = mu1 - mu2
    fd = diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * tr_covmean
    return float(max(fd, 0.0))


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between two feature sets, each ``(N, D)`` or an iterable of batches.

    Every row of every batch counts (one public FID helper kept only its first batch). Uses the
    unbiased covariance, as the reference FID code does.
    """
    mu1, cov1 = feature_stats(features_a)
    mu2, cov2 = feature_stats(features_b)
    return frechet_distance_from_stats(mu1, cov1, mu2, cov2)


# ---------------------------------------------------------------------------- diversity and entropy


def diversity(waves) -> float:
    """Mean L2 distance between distinct examples ``(N, ...)``, each scaled to unit RMS.

    0 for a collapsed batch (every example the same sound); about ``sqrt(2 * samples)`` for
    unrelated sounds. Notebook ``02_dense_gan_baseline`` (exercise 2.3 asks for it).
    """
    x = _as_waves(waves).flatten(1).double()
    if x.shape[0] < 2:
        raise ValueError(f"diversity needs at least 2 examples; got {x.shape[0]}")
    x = x / x.pow(2).mean(dim=1, keepdim=True).sqrt().clamp_min(1e-12)
    n = x.shape[0]
    return float(torch.cdist(x, x).sum() / (n * (n - 1)))


def quiet_floor_db(waves, fraction: float = 0.25, frame: int = 256,
                   floor_db: float = -120.0) -> np.ndarray:
    """The level of each clip's quietest part in dB below its peak, ``(N,)``: the hiss a clip
    carries from start to end.

    Each clip is cut into frames of ``frame`` samples; the quietest ``fraction`` of them (by
    RMS) give the level ``sqrt(mean power)``, compared with the clip's peak ``max |x|``. A real
    drum decays towards silence (its quietest quarter lies far below its peak); a generated
    clip with a broadband noise floor stays near it. A silent frame set gives ``floor_db``, and
    so does a silent clip. Notebook ``09_conditional_wavegan``.
    """
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction={fraction}: the share of frames must lie in (0, 1]")
    x = _as_waves(waves).double()
    if x.shape[1] < frame:
        raise ValueError(f"clips of {x.shape[1]} samples are shorter than one frame ({frame}); "
                         "pass a smaller frame")
    power = x[:, : x.shape[1] // frame * frame].reshape(x.shape[0], -1, frame).square().mean(dim=2)
    k = max(1, int(round(fraction * power.shape[1])))
    quiet = power.sort(dim=1).values[:, :k].mean(dim=1).sqrt()
    peak = x.abs().amax(dim=1)
    ratio = torch.where(peak > 0, quiet / peak.clamp_min(1e-300), torch.zeros_like(peak))
    return (20.0 * torch.log10(ratio.clamp_min(10.0 ** (floor_db / 20.0)))).numpy()


def entropy(probs, axis: int = -1) -> np.ndarray:
    """Entropy in nats of each distribution along ``axis`` (``0 log 0 = 0``)."""
    p = np.asarray(probs, dtype=np.float64)
    return -_xlogy(p, p).sum(axis=axis)



# ----------------------------------------------------------------------------- NDB


def two_proportion_z_test(p1, n1: int, p2, n2: int) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided z-test that proportions ``p1`` (of ``n1`` draws) and ``p2`` (of ``n2``) are equal.

    Uses the pooled proportion ``p = (p1 n1 + p2 n2) / (n1 + n2)`` for the standard error
    ``sqrt(p (1 - p) (1/n1 + 1/n2))``, as the NDB code of Richardson & Weiss (2018) does.
    Works elementwise on arrays. Returns ``(z, p_value)``; where both proportions are 0 (or
    both 1) there is nothing to test and ``z = 0``, ``p_value = 1``.
    """
    p1, p2 = np.asarray(p1, dtype=np.float64), np.asarray(p2, dtype=np.float64)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p2) / np.where(se > 0, se, 1.0), 0.0)
    return z, 2.0 * norm.sf(np.abs(z))


@dataclass(frozen=True)
class NDBResult:
    """What :func:`ndb` found, bin by bin (``k`` bins).

    ``n_different``: the number of statistically different bins (NDB); ``different`` ``(k,)``
    bool; ``train_proportions``/``generated_proportions`` ``(k,)``: the share of each set that
    falls in each bin; ``z``/``p_values`` ``(k,)``: the test per bin; ``alpha``: the level.
    """

    n_different: int
    different: np.ndarray
    train_proportions: np.ndarray
    generated_proportions: np.ndarray
    z: np.ndarray
    p_values: np.ndarray
    alpha: float

    @property
    def k(self) -> int:
        """The number of bins."""
        return len(self.different)

    @property
    def fraction(self) -> float:
        """NDB / k: 0 for a generator that fills every bin like the data, up to 1."""
        return self.n_different / self.k


class NDBBins:
    """K-means bins fitted on training features, to test any number of generated sets.

    ``NDBBins(train_features, k=50, seed=0)`` clusters ``(N, D)`` features into ``k`` bins
    (scikit-learn's k-means); :meth:`test` compares another set's bin proportions with the
    training set's. ``whiten`` standardises every dimension with the training mean and
    standard deviation first (an option of the original NDB code, off there by default).
    Notebook ``07_evaluation``.
    """

    def __init__(self, train_features, k: int = 50, seed: int = 0, whiten: bool = False,
                 n_init: int = 3):
        x = _all_rows(train_features)
        if x.ndim != 2:
            raise ValueError(f"train_features must have shape (N, D); got {x.shape}")
        if len(x) < 2 * k:
            raise ValueError(f"NDB with k={k} bins needs at least {2 * k} training examples; got "
                             f"{len(x)}. Use fewer bins (k) or more examples")
        self.k, self.whiten = int(k), bool(whiten)
        self.mean = x.mean(axis=0) if whiten else np.zeros(x.shape[1])
        self.std = x.std(axis=0) + 1e-8 if whiten else np.ones(x.shape[1])
        self.kmeans = KMeans(n_clusters=self.k, n_init=n_init, random_state=seed)
        labels = self.kmeans.fit_predict(self._prep(x))
        self.n_train = len(x)
        self.train_proportions = np.bincount(labels, minlength=self.k) / len(x)

    def _prep(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std

    def assign(self, features) -> np.ndarray:
        """The bin ``(N,)`` of each row of ``features`` (its nearest k-means centre)."""
        x = _all_rows(features)
        if x.ndim != 2 or x.shape[1] != len(self.mean):
            raise ValueError(f"features must have shape (N, {len(self.mean)}) like the training "
                             f"features; got {x.shape}")
        return self.kmeans.predict(self._prep(x))

    def proportions(self, features) -> np.ndarray:
        """The share ``(k,)`` of ``features`` that falls in each bin."""
        labels = self.assign(features)
        return np.bincount(labels, minlength=self.k) / len(labels)

    def test(self, generated_features, alpha: float = 0.05) -> NDBResult:
        """Two-proportion z-test per bin at level ``alpha``: an :class:`NDBResult`."""
        n_gen = len(_all_rows(generated_features))
        gen = self.proportions(generated_features)
        z, p = two_proportion_z_test(self.train_proportions, self.n_train, gen, n_gen)
        different = p < alpha
        return NDBResult(int(different.sum()), different, self.train_proportions.copy(), gen,
                         z, p, float(alpha))


def ndb(train_features, generated_features, k: int = 50, alpha: float = 0.05, seed: int = 0,
        whiten: bool = False) -> NDBResult:
    """Number of statistically different bins (Richardson & Weiss 2018, used by GANSynth).

    K-means with ``k`` bins (50 in GANSynth) is fitted on ``train_features`` ``(N, D)``; every
    generated example ``(M, D)`` goes to its nearest centre; each bin's share of the training
    set and of the generated set are compared with a two-sided two-proportion z-test
    (:func:`two_proportion_z_test`), and bins with ``p < alpha`` count. A generator that covers
    the data evenly scores near ``alpha * k`` (chance differences); mode collapse piles samples
    into a few bins and leaves others empty, so many bins differ. To score several generators
    against one training set, fit :class:`NDBBins` once and call its ``test``.
    Notebook ``07_evaluation``.
    """
    return NDBBins(train_features, k=k, seed=seed, whiten=whiten).test(generated_features, alpha)


# ----------------------------------------------------------------------------- nearest neighbours


@dataclass(frozen=True)
class Neighbours:
    """For each query, its nearest reference: ``distances`` ``(N,)`` and ``indices`` ``(N,)``."""

    distances: np.ndarray
    indices: np.ndarray

    def closest(self, n: int = 5) -> list[tuple[int, int, float]]:
        """The ``n`` closest pairs, nearest first: ``(query index, reference index, distance)``."""
        order = np.argsort(self.distances, kind="stable")[:n]
        return [(int(i), int(self.indices[i]), float(self.distances[i])) for i in order]


def nearest_neighbours(queries, references, batch_size: int = 512) -> Neighbours:
    """Euclidean nearest neighbour in ``references`` ``(M, D)`` of each row of
    ``queries`` ``(N, D)``.

    The memorisation check of notebook ``07_evaluation``: with generated examples as queries
    and the training set as references, a generator that copies its data has distances near 0,
    far below those of held-out real examples to the training set (the baseline to compare
    with). Inputs may be tensors or arrays of any shape ``(N, ...)``; rows are flattened.
    """
    q = torch.as_tensor(_all_rows_flat(queries))
    r = torch.as_tensor(_all_rows_flat(references))
    if q.shape[1] != r.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} values per row, references {r.shape[1]}; "
                         "compare examples of the same size and feature space")
    if len(r) == 0 or len(q) == 0:
        raise ValueError("nearest_neighbours needs at least one query and one reference")
    dists, idxs = [], []
    for i in range(0, len(q), batch_size):
        d = torch.cdist(q[i:i + batch_size], r)
        best = d.min(dim=1)
        dists.append(best.values)
        idxs.append(best.indices)
    return Neighbours(torch.cat(dists).numpy(), torch.cat(idxs).numpy())


def _all_rows_flat(x) -> np.ndarray:
    """Rows of a tensor or array ``(N, ...)`` as a float64 array ``(N, D)``."""
    a = (x.detach().cpu().double().numpy() if isinstance(x, torch.Tensor)
         else np.asarray(x, np.float64))
    return a.reshape(len(a), -1)


def log_mel_features(waves, sample_rate: int, n_fft: int = 1024, hop_length: int = 256,
                     n_mels: int = 64) -> torch.Tensor:
    """Flattened log-mel spectrograms ``(N, n_mels * frames)`` of waves ``(N, L)``.

    ``log(mel + 1e-5)`` of the power spectrogram: a feature space in which nearby clips sound
    alike (time-aligned one-shots in particular), for :func:`nearest_neighbours`.
    """
    x = _as_waves(waves)
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=sample_rate, n_fft=n_fft,
                                               hop_length=hop_length, n_mels=n_mels, power=2.0)
    return torch.log(mel(x) + 1e-5).flatten(1)


# --------------------------------------------------------------------- distance to the training set


def _pairwise_sq(queries: torch.Tensor, references: torch.Tensor, batch_size: int):
    """Squared Euclidean distances ``(N, M)``, computed in batches of queries, float64."""
    rows = [torch.cdist(queries[i:i + batch_size], references).square()
            for i in range(0, len(queries), batch_size)]
    return torch.cat(rows)


def _nearest_inputs(generated, training, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    if len(generated) == 0 or len(training) == 0:
        raise ValueError(f"{name} needs at least one generated and one training clip; got "
                         f"{len(generated)} and {len(training)}")
    g = torch.as_tensor(_all_rows_flat(generated))
    t = torch.as_tensor(_all_rows_flat(training))
    if g.shape[1] != t.shape[1]:
        raise ValueError(f"{name}: generated clips have {g.shape[1]} values each, training clips "
                         f"{t.shape[1]}; bring them to one length and rate first "
                         "(evaluation.to_format)")
    return g, t


def rmse_to_nearest(generated, training, batch_size: int = 256) -> np.ndarray:
    """Root-mean-square error of each generated clip to its nearest training clip, ``(N,)``.

    ``generated`` ``(N, ...)`` and ``training`` ``(M, ...)`` of the same shape per clip
    (waveforms, or images such as the mel-image GAN's, as the street-music report measured it
    on a tanh scale). The nearest clip is the one with the smallest error. Lower is closer; a
    generator that copies its training clips scores 0, the best possible value, which is why
    this rewards memorisation rather than quality (notebook ``07_evaluation``).
    """
    g, t = _nearest_inputs(generated, training, "rmse_to_nearest")
    best = _pairwise_sq(g, t, batch_size).min(dim=1).values
    return (best / g.shape[1]).sqrt().numpy()


def snr_to_nearest(generated, training, batch_size: int = 256, floor_db: float = -100.0,
                   ceiling_db: float = 200.0) -> np.ndarray:
    """Signal-to-noise ratio in dB of each generated clip against its nearest training
    clip, ``(N,)``.

    The training clip ``x`` is the signal and ``generated - x`` the noise:
    ``10 log10(sum x^2 / sum (generated - x)^2)``, maximised over the training clips. The
    dense 64,000-sample GAN of the source reports judged its clips so. Higher is closer; an
    exact copy of a training clip has no noise at all and gets ``ceiling_db`` (infinite SNR),
    so, like :func:`rmse_to_nearest`, it rewards copying (notebook ``07_evaluation``). A silent
    training clip is never a nearest one (its SNR is at most 0 dB against anything).
    """
    g, t = _nearest_inputs(generated, training, "snr_to_nearest")
    noise = _pairwise_sq(g, t, batch_size)
    signal = t.square().sum(dim=1)[None, :]
    ratio = torch.nan_to_num(signal / noise, nan=0.0)  # inf: an exact copy; nan: 0 / 0
    snr = 10.0 * torch.log10(ratio.max(dim=1).values)
    return snr.clamp(floor_db, ceiling_db).numpy()
