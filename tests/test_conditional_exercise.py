"""Exercise 9.1 (notebook 09_conditional_wavegan): the projection term's check passes the answer
and fails each plausible mistake with a message that says which."""

import pytest
import torch

from audiogan_lesson.exercises import ExerciseFailure, check_projection_term
from audiogan_lesson.models.conditional import projection_term


def test_the_answer_passes(capsys):
    check_projection_term(projection_term)
    assert "[PASS] Exercise 9.1" in capsys.readouterr().out


def test_an_indexed_sum_written_with_einsum_passes():
    check_projection_term(lambda f, e, y: torch.einsum("nf,nf->n", e[y], f))


@pytest.mark.parametrize("wrong, says", [
    (lambda f, e, y: e[y] * f, "sum them over the features"),                  # no sum
    (lambda f, e, y: f.sum(1), "inner product multiplies"),                    # no inner product
    (lambda f, e, y: e[y].sum(1), "inner product multiplies"),
    (lambda f, e, y: f.sum(1) + e[y].sum(1), "differ"),
    (lambda f, e, y: (e[(y + 1) % e.shape[0]] * f).sum(1), "shifted by one"),  # wrong label index
    (lambda f, e, y: (e[y - 1] * f).sum(1), "shifted by one"),
    (lambda f, e, y: (e[: f.shape[0]] * f).sum(1), "position in the batch"),
    (lambda f, e, y: (e[y] * f).sum(0), "wrong|dim=0|shape"),                  # wrong axis
    (lambda f, e, y: (e[y] * f).sum(), "shape"),
    (lambda f, e, y: (e[y] * f).sum(1).detach(), "not differentiable"),
])
def test_each_mistake_fails(wrong, says, capsys):
    with pytest.raises(ExerciseFailure, match=says):
        check_projection_term(wrong)
    assert "[FAIL] Exercise 9.1" in capsys.readouterr().out


def test_a_stub_lets_not_implemented_through():
    def stub(f, e, y):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_projection_term(stub)
