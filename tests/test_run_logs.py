"""A run leaves something to open: ``metrics.csv`` as it goes and preview wavs of fixed latents."""

import csv

import soundfile as sf

from audiogan_lesson.cli import main
from audiogan_lesson.training.metrics_file import MetricsFile, read_metrics

SMOKE = ["--profile", "smoke", "--n-train", "16"]


def _rows(folder):
    with open(folder / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_train_writes_metrics_and_previews_and_a_resume_keeps_one_history(tmp_path):
    out = tmp_path / "run"
    common = ["train", "wavegan", "--data", "toy-drums", "--loss", "wgan-gp", "--out", str(out),
              "--preview-every", "2", "--checkpoint-every", "2", *SMOKE]
    assert main(common + ["--steps", "4"]) == 0
    rows = _rows(out)
    assert [int(r["step"]) for r in rows] == [2, 4]  # a row at each checkpoint and the end
    assert set(rows[0]) >= {"step", "seconds", "d_loss", "g_loss", "gp", "select_score"}
    assert all(float(r["d_loss"]) == float(r["d_loss"]) for r in rows)  # numbers, not NaN
    previews = sorted(p.name for p in (out / "previews").glob("*.wav"))
    assert previews == ["step_00000002.wav", "step_00000004.wav"]
    audio, rate = sf.read(out / "previews" / previews[0])
    assert rate == 8000 and audio.shape == (8 * (4096 + 800),)  # 8 clips, a 0.1 s gap after each
    # a row written after the last checkpoint (a run killed there) goes when the run resumes
    (out / "ckpt_00000004.pt").unlink()
    MetricsFile(out, [c for c in rows[0] if c not in ("step", "seconds", "select_score")]
                ).append({"step": 5, "seconds": 1.0, "d_loss": 9.0})
    assert main(common + ["--steps", "6", "--resume"]) == 0
    assert [int(r["step"]) for r in _rows(out)] == [2, 4, 6]
    table = read_metrics(out)
    assert table["step"] == [2.0, 4.0, 6.0] and len(table["g_loss"]) == 3


def test_scorings_are_rows_of_their_own(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "pianogan", "--data", "toy-piano", "--steps", "4", "--select-every",
                 "2", "--preview-every", "0", "--out", str(out), *SMOKE]) == 0
    scored = [r for r in _rows(out) if r["select_score"]]
    assert [int(r["step"]) for r in scored] == [2, 4] and not scored[0]["d_loss"]
    assert not (out / "previews").exists()


def test_tensorboard_gets_the_losses_scores_and_previews(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "run"
    assert main(["train", "pianogan", "--data", "toy-piano", "--steps", "4", "--select-every",
                 "2", "--preview-every", "2", "--tensorboard", "--out", str(out), *SMOKE]) == 0
    board = EventAccumulator(str(out / "tensorboard"), size_guidance={"audio": 0})
    board.Reload()
    tags = board.Tags()
    assert {"train/d_loss", "train/g_loss", "select/score"} <= set(tags["scalars"])
    assert [e.step for e in board.Scalars("select/score")] == [2, 4]
    assert "preview/0" in tags["audio"] and [e.step for e in board.Audio("preview/0")] == [2, 4]
    assert (out / "metrics.csv").is_file() and not (out / "previews").exists()


def test_a_notebook_plots_a_runs_curves_from_its_metrics_file(tmp_path):
    """``display.plot_history`` reads ``metrics.csv`` (or the run folder); a scoring row, which
    has no losses, leaves no gap in the loss curve."""
    import matplotlib

    matplotlib.use("Agg")
    from audiogan_lesson.display import plot_history

    out = tmp_path / "run"
    assert main(["train", "pianogan", "--data", "toy-piano", "--steps", "4", "--select-every",
                 "2", "--checkpoint-every", "2", "--preview-every", "0", "--out", str(out),
                 *SMOKE]) == 0
    ax = plot_history(out, ["d_loss", "select_score"])
    (loss, score) = ax.get_lines()
    assert list(loss.get_xdata()) == [2.0, 4.0] and len(score.get_xdata()) == 2
    assert all(v == v for v in loss.get_ydata())  # no NaN: one unbroken line
    assert plot_history(out / "metrics.csv", ["g_loss"]).get_lines()
