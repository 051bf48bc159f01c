"""Notebook 02's table of tricks (audiogan_lesson.tricks_table): rows, measurement, shipped
result."""

import json

import torch

from audiogan_lesson import tricks_table as tt
from audiogan_lesson.profiles import get_profile


def test_every_row_changes_what_it_names():
    smoke = get_profile("smoke")
    base = tt._experiment({}, smoke, 0, 8)
    for name, change in tt.ROWS.items():
        exp = tt._experiment(change, smoke, 0, 8)
        assert exp.config.steps == base.config.steps and exp.config.max_seconds is None
        for key, value in change.get("train", {}).items():
            assert getattr(exp.config, key) == value, name
        for key, value in change.get("model", {}).items():
            assert getattr(exp.generator.config, key) == value, name
        if "width" in change:
            assert exp.generator.config.width == 2 * base.generator.config.width
        if "length" in change:
            assert exp.real.waves.shape[1] == 2 * base.real.waves.shape[1]


def test_measure_scores_rows_the_same_way(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOGAN_RUNS", str(tmp_path / "runs"))
    torch.set_num_threads(1)
    result = tt.measure("smoke", seeds=(0,), names=["baseline", "clip length x2 (GTZAN)"],
                        n_train=16)
    assert [row["name"] for row in result["rows"]] == ["baseline", "clip length x2 (GTZAN)"]
    for row in result["rows"]:
        (run,) = row["runs"]
        assert run["steps"] == result["steps"]
        assert abs(run["is_norm"] - (run["is"] - 1) / (result["is_real"] - 1)) < 1e-9
    text = tt.format_table(result)
    assert "real drums" in text and "clip length x2" in text
    path = tmp_path / "t.json"
    path.write_text(json.dumps(result))
    assert tt.load(path)["rows"][0]["name"] == "baseline"


def test_the_shipped_table_has_every_row_measured_in_the_laptop_profile():
    shipped = tt.load()
    assert shipped["profile"] == "laptop" and shipped["model"] == "dense"
    assert [row["name"] for row in shipped["rows"]] == list(tt.ROWS)
    assert all(len(row["runs"]) == len(shipped["seeds"]) for row in shipped["rows"])
    assert all(run["steps"] == shipped["steps"] for row in shipped["rows"] for run in row["runs"])
