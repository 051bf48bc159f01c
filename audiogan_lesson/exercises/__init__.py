"""Exercise checks for every notebook (the ``check_*`` functions).

A check runs the student's function on a few cases and tests properties, not one literal
answer. When the answer is right it prints ``[PASS] ...``; when it is wrong it prints
``[FAIL] ...`` that says what is wrong and raises ``AssertionError`` with the same message, so a
broken solution notebook fails under nbval. A stub that still raises ``NotImplementedError``
lets that error through: the exercise has not been done yet.

Each check's docstring names the notebook that uses it.
"""

from .audio import check_instantaneous_frequency, check_moments, check_slice_examples
from .conditional import check_projection_term
from .core import ExerciseFailure, failed, passed
from .evaluation import check_frechet_distance, check_inception_score, check_ndb_z_test
from .gansynth import check_fade_in, check_minibatch_std, check_pixel_norm
from .losses import (
    check_critic_loss,
    check_critic_steps,
    check_discriminator_bce,
    check_diversity,
    check_generator_bce,
    check_gradient_penalty,
)
from .models import check_phase_shuffle, check_transposed_conv_output, check_upsample_block
from .notes import check_in_key_rate, check_piano_roll
from .welcome import check_seconds_to_samples

__all__ = [
    "ExerciseFailure",
    "check_critic_loss",
    "check_critic_steps",
    "check_discriminator_bce",
    "check_diversity",
    "check_fade_in",
    "check_frechet_distance",
    "check_generator_bce",
    "check_gradient_penalty",
    "check_in_key_rate",
    "check_inception_score",
    "check_instantaneous_frequency",
    "check_minibatch_std",
    "check_moments",
    "check_ndb_z_test",
    "check_phase_shuffle",
    "check_piano_roll",
    "check_pixel_norm",
    "check_projection_term",
    "check_seconds_to_samples",
    "check_slice_examples",
    "check_transposed_conv_output",
    "check_upsample_block",
    "failed",
    "passed",
]
