"""Reference sets: the real data every generated set is scored against, and SC09's classifier.

Notebook ``07_evaluation``. Models trained at different sample rates and lengths are compared
in one format (:func:`to_format`); :class:`ReferenceSet` prepares the real data once (classifier
features, NDB bins, log-mel features) and scores any generated set against it.
:func:`sc09_classifier` trains the classifier of the real SC09 digits, as the WaveGAN paper
scores its SC09 models.
"""

from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn.functional as F

from ..data import load_dataset
from ..env import import_torchaudio
from ..profiles import get_profile
from ..paths import runs_dir
from .classifier import (ClassifierConfig, MelClassifier, classifier_features, classifier_probs,
                         train_classifier)
from .metrics import (NDBBins, _as_waves, diversity, frechet_distance, inception_score,
                      log_mel_features, nearest_neighbours)

torchaudio = import_torchaudio()

__all__ = ["SC09_CLASSIFIER", "sc09_classifier", "to_format", "ReferenceSet"]


SC09_CLASSIFIER = ClassifierConfig(n_fft=1024, hop_length=128, n_mels=128,
                                   channels=(32, 64, 128, 256), steps=4000, batch_size=64,
                                   lr=2e-3)
"""The SC09 classifier in the style of the WaveGAN paper's: a mel spectrogram with n_fft 1024,
hop 128 and 128 bins, then four conv blocks. Its channel widths and step count are the
course's choice (the paper's code used its own TensorFlow model); at the paper's 16 kHz and
16384 samples it trains in minutes on a GPU."""


def sc09_classifier(profile=None, root: str | os.PathLike | None = None,
                    config: ClassifierConfig = SC09_CLASSIFIER, split: str = "train",
                    verbose: bool = True) -> MelClassifier | None:
    """Train (once, then load from the cache) the SC09 classifier, or None when SC09 is absent.

    Reads SC09 through the dataset registry (``data.load_dataset("sc09")``: the first 16384
    samples of each clip, label = the digit) from ``root`` (default: the data cache). When the
    dataset is not there, says so and returns None: notebook ``07_evaluation`` then scores the
    synthetic sets only. Cached in ``runs.runs_dir("classifiers")`` like
    :func:`reference_classifier`. The held-out accuracy is ``model.val_accuracy``.
    """
    profile = profile or get_profile()
    try:
        folder = load_dataset("sc09", split=split, root=root, verbose=False)
    except FileNotFoundError as err:
        if verbose:
            print(f"SC09 is not here ({err}); skipping its classifier. "
                  "Fetch it with data.fetch('sc09', allow_unverified=True) on a machine with "
                  "room for ~1 GB.")
        return None
    waves, labels = folder.tensors()
    if len(waves) == 0 or labels is None:
        if verbose:
            print(f"SC09 at {folder.root} gave no labelled examples; skipping its classifier")
        return None
    return train_classifier(waves, labels, folder.sample_rate, config=config,
                            cache_dir=runs_dir("classifiers", profile),
                            n_classes=len(folder.classes) or None, device=profile.device,
                            progress=verbose)



def to_format(waves, sample_rate: int, target_rate: int, length: int) -> torch.Tensor:
    """Waves ``(N, L)`` at ``sample_rate`` -> ``(N, length)`` at ``target_rate``.

    Resampled, then cut or zero-padded at the end: the common format in which notebook 07
    compares models trained at different rates and lengths.
    """
    x = _as_waves(waves)
    if int(sample_rate) != int(target_rate):
        x = torchaudio.functional.resample(x, int(sample_rate), int(target_rate))
    if x.shape[1] >= length:
        return x[:, :length].contiguous()
    return F.pad(x, (0, length - x.shape[1]))


class ReferenceSet:
    """The real training data, prepared once, that every generated set is scored against.

    ``waves`` ``(N, L)`` at ``sample_rate`` and a trained ``classifier`` for that format. Holds
    the classifier features of the data (for the Fréchet distance), NDB bins fitted on them
    (``k`` bins, fewer when the set is small) and log-mel features (for nearest neighbours).
    :meth:`score` gives one row of notebook 07's table. Notebook ``07_evaluation``.
    """

    def __init__(self, waves, sample_rate: int, classifier: MelClassifier, k: int = 50,
                 seed: int = 0):
        self.waves = _as_waves(waves)
        self.sample_rate = int(sample_rate)
        self.classifier = classifier
        self.features = classifier_features(classifier, self.waves, sample_rate)
        self.k = int(min(k, len(self.waves) // 4))
        self.bins = NDBBins(self.features, k=self.k, seed=seed)
        self.log_mel = log_mel_features(self.waves, self.sample_rate)

    def score(self, waves, splits: int = 10) -> dict:
        """Metrics of ``waves`` ``(M, L)`` (same format): a dict for one table row.

        ``IS``/``IS_std`` (``splits`` groups), ``FD`` (classifier features), ``NDB`` (of
        ``k`` bins, p < 0.05), ``NN`` (median log-mel distance to the nearest training
        example), ``diversity`` (:func:`diversity` of the first 64).
        """
        x = _as_waves(waves)
        probs = classifier_probs(self.classifier, x, self.sample_rate)
        feats = classifier_features(self.classifier, x, self.sample_rate)
        is_mean, is_std = inception_score(probs, splits=min(splits, len(x)))
        nn_found = nearest_neighbours(log_mel_features(x, self.sample_rate), self.log_mel)
        return {"IS": is_mean, "IS_std": is_std, "FD": frechet_distance(self.features, feats),
                "NDB": self.bins.test(feats).n_different, "k": self.k,
                "NN": float(np.median(nn_found.distances)), "diversity": diversity(x[:64])}
