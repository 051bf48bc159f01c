"""The throughput benchmark (audiogan_lesson.bench, and its command audiogan_lesson.cli.bench), run
at tiny sizes."""

import math

import pytest
import torch

from audiogan_lesson import bench
from audiogan_lesson.cli import main as cli_main
from audiogan_lesson.cli.bench import main as bench_main
from audiogan_lesson.models.layers import phase_shuffle
from audiogan_lesson.profiles import TrainScale, get_profile

TINY = TrainScale(width=2, batch_size=4, slice_len=4096, sample_rate=8000)


def test_loop_phase_shuffle_matches_the_vectorised_one():
    x = torch.randn(6, 3, 20)
    for n in (1, 2, 3):
        fast = phase_shuffle(x, n, generator=torch.Generator().manual_seed(n), per_example=True)
        slow = bench.phase_shuffle_loop(x, n, generator=torch.Generator().manual_seed(n))
        assert torch.equal(fast, slow)


@pytest.mark.parametrize("model", ["wavegan", "specgan"])
def test_generator_and_training_rows(model):
    row = bench.bench_generator(model, TINY, "tiny", torch.device("cpu"), None, batch=3, repeats=2)
    assert row.measure == "generate" and row.batch == 3 and row.precision == "fp32"
    assert row.ms > 0 and row.examples_per_s == pytest.approx(3000 / row.ms)
    assert row.slice_len == (16384 if model == "specgan" else 4096)
    for loss in ("bce", "wgan-gp"):
        row = bench.bench_training(model, TINY, "tiny", torch.device("cpu"), None, loss, batch=2,
                                   steps=1)
        assert row.measure == f"train {loss}" and row.ms > 0
        assert row.ms_per_example == pytest.approx(row.ms / 2)


def test_time_calls_stops_at_the_budget():
    calls = []
    times = bench.time_calls(lambda: calls.append(1), "cpu", repeats=50, warmup=2, budget_s=0.0)
    assert len(times) == 1 and len(calls) == 3


def test_command_line_prints_the_table(monkeypatch, capsys):
    monkeypatch.setattr(bench, "PAPER", TINY)
    tiny_profile = get_profile("smoke").with_scale("wavegan", width=2, batch_size=2)
    monkeypatch.setattr(bench, "get_profile", lambda name=None, device=None: tiny_profile)
    monkeypatch.setattr(bench, "bench_phase_shuffle",
                        lambda device, b, c, length, n, repeats, budget_s=None:
                        [("one shift per batch (original)", 1.0),
                         ("per example, vectorised (gather)", 2.0),
                         ("per example, Python loop", 8.0)])
    monkeypatch.setattr(bench, "bench_reference",
                        lambda device, width, batch, gen_batch, dtype, steps, compile=False:
                        [bench.Versus("reference loop, fp32", 100.0, 2.0),
                         bench.Versus("course, fp32", 40.0, 1.0)])
    assert cli_main(["bench", "--models", "wavegan", "--device", "cpu", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for text in ("profile=smoke", "wavegan  paper", "wavegan  smoke profile", "train wgan-gp",
                 "train bce", "generate", "per example, Python loop", "4.0x",
                 "public ports", "course, fp32", "2.50"):
        assert text in out


def test_bad_model_name_is_refused(capsys):
    assert bench_main(["--models", "wavegan,nope"]) == 2
    assert "nope" in capsys.readouterr().err



def test_reference_loop_trains_and_the_comparison_names_every_variant():
    data = torch.rand(8, 1, 16384) * 2 - 1
    loop = bench.ReferenceLoop(2, 2, data)
    before = [p.clone() for p in loop.D.parameters()]
    loop.step()
    assert len(loop.losses) == 6 and all(map(math.isfinite, loop.losses))
    assert any(not torch.equal(a, b) for a, b in zip(before, loop.D.parameters()))
    assert loop.G(torch.zeros(3, 100)).shape == (3, 1, 16384)
    rows = bench.bench_reference(torch.device("cpu"), 2, 2, 2, torch.bfloat16, steps=1,
                                 out=lambda *a: None)
    assert [r.name for r in rows] == ["reference loop, fp32", "course, fp32",
                                      "course, bfloat16, penalty fp32",
                                      "course, bfloat16, penalty bfloat16"]
    assert all(r.step_ms > 0 and r.gen_ms_per_example > 0 for r in rows)
    table = bench.format_versus(rows)
    assert "1.00" in table.splitlines()[2]  # the reference against itself
