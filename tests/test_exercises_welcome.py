"""The check convention and the warm-up check of 00_welcome (audiogan_lesson.exercises)."""

import pytest

from audiogan_lesson.exercises import ExerciseFailure, check_seconds_to_samples


def test_right_answer_passes(capsys):
    check_seconds_to_samples(lambda s, r: int(round(s * r)))
    assert capsys.readouterr().out.startswith("[PASS] Exercise 0.1")


@pytest.mark.parametrize(
    "wrong, reason",
    [
        (lambda s, r: int(s * r), "round to the nearest sample"),
        (lambda s, r: s * r, "return an int"),
        (lambda s, r: int(round(s / r)), "expected"),
        (lambda s, r: int(round(s * r)) + 1, "expected"),
        (lambda s, r: 16384, "expected"),
        (lambda s, r: 1 / 0, "ZeroDivisionError"),
        (lambda s, r: True, "return an int"),
    ],
)
def test_wrong_answers_fail_loudly(wrong, reason, capsys):
    with pytest.raises(AssertionError, match=reason) as err:
        check_seconds_to_samples(wrong)
    assert isinstance(err.value, ExerciseFailure)
    out = capsys.readouterr().out
    assert out.startswith("[FAIL] Exercise 0.1") and str(err.value) in out


def test_unfinished_stub_is_not_reported_as_fail(capsys):
    def stub(s, r):
        raise NotImplementedError("Exercise 0.1: ...")

    with pytest.raises(NotImplementedError):
        check_seconds_to_samples(stub)
    assert "[FAIL]" not in capsys.readouterr().out
