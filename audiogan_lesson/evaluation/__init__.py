"""Evaluation: a log-mel CNN classifier, inception score, Fréchet distance, NDB, pitch, neighbours.

Notebook ``07_evaluation`` uses all of it; ``02_dense_gan_baseline`` and ``05_wgan_gp`` the
classifier, the inception score and :func:`diversity`; ``06_gansynth_progressive`` the pitch
metrics. The WaveGAN paper judges generators with a classifier trained on the real data: the
inception score (IS) says whether samples are recognisable (confident class predictions) and
varied (all classes used); the IS of the real data is the ceiling a generator is compared
with. The Fréchet distance compares the classifier's penultimate features of real and
generated sets. GANSynth adds the number of statistically different bins (NDB) and pitch
accuracy and entropy. One module per job:

- :mod:`.classifier`: :class:`MelClassifier`, :func:`train_classifier` (cached on disk),
  :func:`reference_classifier`, :func:`classifier_probs`, :func:`classifier_features`; the
  independent listener (:class:`FrameListener`, :func:`independent_listener`), another
  architecture and seed that neither trains nor chooses a run.
- :mod:`.metrics`: :func:`inception_score`, :func:`frechet_distance`, :func:`ndb` /
  :class:`NDBBins`, :func:`diversity`, :func:`entropy`, :func:`nearest_neighbours`,
  :func:`rmse_to_nearest` and :func:`snr_to_nearest` (RMSE and SNR, both measured against the
  nearest training clip), :func:`chance_normalised` ((IS - 1) / (IS_real - 1)),
  :func:`quiet_floor_db` (the level of a clip's quietest quarter below its peak: a generated
  clip's hiss).
- :mod:`.floor`: the hiss floor and the click of generated sounds against the real data's
  (:func:`floor_report`: energy outside the real band, the quietest quarter, the last 5 ms).
- :mod:`.pitch`: :func:`pitch_track`, :func:`estimate_pitch`, :func:`pitch_accuracy`,
  :func:`pitch_entropy`, and per pitch and across pitches :func:`pitch_accuracy_by_pitch`,
  :func:`pitch_sweep`, :func:`sweep_scores`, :func:`timbre_consistency` (notebooks 06 and 07).
- :mod:`.run_scores`: one score per training run, the same in every notebook:
  :func:`score_run` / :class:`RunScore`, :func:`run_classifier`, :func:`checkpoint_scores`,
  :func:`listen_run` (both listeners and the floor; ``python -m audiogan_lesson listen``)
  (imported from there: it samples runs through :mod:`audiogan_lesson.runs`).
- :mod:`.reference`: :class:`ReferenceSet` and :func:`to_format` (notebook 07's table),
  :func:`sc09_classifier`.
- :mod:`.selection`: the scores a run keeps its best checkpoint by (``select_every``):
  :func:`~.selection.selection_for` an experiment.
- :mod:`.notes`: scores of note sequences (notebook 08): :func:`feature_w1`,
  :func:`pitch_class_distance`, :func:`estimate_key` and :func:`in_key_rate` (Krumhansl-
  Schmuckler), :func:`note_scores`, :func:`score_table`, :func:`uniform_notes`.

The runs notebook 07 judges (``find_runs``, ``sample_run``, ``run_generator``) live in
:mod:`audiogan_lesson.runs`; this package never imports it, so that the code that trains can
build a run's selection score (:mod:`.selection`) from here.
"""

from .classifier import (ClassifierConfig, FrameListener, ListenerConfig, MelClassifier,
                         classifier_accuracy, classifier_features, classifier_probs,
                         data_fingerprint, independent_listener, reference_classifier,
                         train_classifier)
from .floor import FLOOR_MEASURES, FloorReport, floor_measures, floor_report, real_band
from .metrics import (NDBBins, NDBResult, Neighbours, diversity, entropy, feature_stats,
                      chance_normalised, frechet_distance, frechet_distance_from_stats,
                      inception_score, quiet_floor_db,
                      log_mel_features, ndb, nearest_neighbours, rmse_to_nearest, snr_to_nearest,
                      two_proportion_z_test)
from .notes import (KRUMHANSL_MAJOR, KRUMHANSL_MINOR, estimate_key, feature_w1,
                    format_score_table, in_key_rate, key_profiles, note_scores,
                    pitch_class_distance, pitch_class_histogram, score_table, uniform_notes)
from .pitch import (PYIN_MAX_TRANSITION_RATE, UNVOICED, PitchTrack, estimate_pitch, pitch_accuracy,
                    pitch_accuracy_by_pitch, pitch_distributions, pitch_entropy, pitch_sweep,
                    pitch_track, sweep_scores, timbre_consistency)
from .reference import SC09_CLASSIFIER, ReferenceSet, sc09_classifier, to_format

__all__ = ["ClassifierConfig", "MelClassifier", "ListenerConfig", "FrameListener",
           "independent_listener", "train_classifier", "classifier_probs",
           "classifier_features", "classifier_accuracy", "reference_classifier", "inception_score",
           "frechet_distance", "frechet_distance_from_stats", "feature_stats", "data_fingerprint",
           "UNVOICED", "PYIN_MAX_TRANSITION_RATE", "PitchTrack", "pitch_track", "estimate_pitch",
           "pitch_accuracy", "pitch_distributions", "entropy", "pitch_entropy", "diversity",
           "two_proportion_z_test", "NDBResult", "NDBBins", "ndb", "Neighbours",
           "nearest_neighbours", "rmse_to_nearest", "snr_to_nearest", "log_mel_features",
           "SC09_CLASSIFIER", "sc09_classifier",
           "to_format", "ReferenceSet", "run_generator",
           "KRUMHANSL_MAJOR", "KRUMHANSL_MINOR", "key_profiles", "pitch_class_histogram",
           "estimate_key", "in_key_rate", "feature_w1", "pitch_class_distance", "uniform_notes",
           "note_scores", "score_table", "format_score_table", "chance_normalised",
           "quiet_floor_db", "pitch_accuracy_by_pitch", "pitch_sweep", "sweep_scores",
           "timbre_consistency", "FLOOR_MEASURES", "FloorReport", "floor_measures",
           "floor_report", "real_band"]
