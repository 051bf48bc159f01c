"""Notebook 02's table of tricks: the dense GAN trained with one change at a time, same budget,
same scores.

Each row of :data:`ROWS` is one change from the dense baseline (``make_experiment("dense",
"toy-drums", loss="bce")`` in a profile): the stabilisation options of the street-music report
(:mod:`audiogan_lesson.training.tricks`) and the changes of the GTZAN classical report's table
(latent size, hidden units, batch norm, separate learning rates, clip length). Every row trains
for the same number of steps (the profile's, no time limit, so a loaded machine changes nothing)
with each of the same seeds, and is scored the same way: the inception score of ``n_eval``
samples under the course's classifier of the real drums, chance-normalised as
``(IS - 1) / (IS_real - 1)`` (0: no better than one class for everything, 1: the real drums),
and the diversity statistic of notebook 02. Clips of another length are cut to the baseline's
before scoring (the drum hits sit at the start).

The run is longer than notebook 02's time budget, so its result ships with the package
(``tricks_table.json``: the command, the profile, the settings and every score) and the
notebook prints it; ``python -m audiogan_lesson.tricks_table --out FILE`` measures it again
(``--workers`` rows at a time, one thread each).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from importlib import resources
from pathlib import Path

import torch

ROWS: dict[str, dict] = {
    "baseline": {},
    "label smoothing 0.1": {"train": {"label_smoothing": 0.1}},
    "2 G steps per D step": {"train": {"g_steps_per_d": 2}},
    "instance noise 0.1": {"train": {"instance_noise": 0.1}},
    "BCE GP two-sided, 10": {"train": {"bce_gp_weight": 10.0, "bce_gp_kind": "two-sided"}},
    "BCE GP one-sided, 25 (report)": {"train": {"bce_gp_weight": 25.0, "bce_gp_kind": "one-sided"}},
    "BCE GP R1 on real, 1": {"train": {"bce_gp_weight": 1.0, "bce_gp_kind": "r1"}},
    "grad clip value 0.5 (report)": {"train": {"grad_clip_value": 0.5}},
    "grad clip norm 1": {"train": {"grad_clip_norm": 1.0}},
    "dynamic weighting (report)": {"train": {"dynamic_weighting": True}},
    "latent 256 (GTZAN)": {"model": {"latent_dim": 256}},
    "hidden units x2 (GTZAN)": {"width": 2},
    "batch norm (GTZAN)": {"model": {"batch_norm": True}},
    "lr G 4e-4, D 1e-4 (GTZAN)": {"train": {"lr_g": 4e-4, "lr_d": 1e-4}},
    "clip length x2 (GTZAN)": {"length": 2},
}
RESULT_FILE = "tricks_table.json"


def _experiment(change: dict, profile, seed: int, n_train: int | None):
    from .experiments import make_experiment

    scale = profile.scale("dense")
    if "width" in change:
        profile = profile.with_scale("dense", width=scale.width * change["width"])
    slice_len = scale.slice_len * change.get("length", 1)
    return make_experiment("dense", "toy-drums", profile, loss="bce", seed=seed, n_train=n_train,
                           slice_len=slice_len, model_options=dict(change.get("model", {})),
                           max_seconds=None, preview_every=0, checkpoint_every=0,
                           **change.get("train", {}))


def _train_row(args) -> dict:
    """Train one row with one seed (in a worker process); return its samples and last logs."""
    name, seed, profile_name, n_eval, n_train = args
    from .profiles import get_profile

    torch.set_num_threads(1)
    profile = get_profile(profile_name, device="cpu")
    exp = _experiment(ROWS[name], profile, seed, n_train)
    trainer = exp.trainer()
    start = time.perf_counter()
    trainer.train(progress=False)
    seconds = time.perf_counter() - start
    audio = exp.to_audio(trainer.sample(n_eval))
    last = trainer.history[-1] if trainer.history else {}
    return {"name": name, "seed": seed, "audio": audio, "steps": trainer.step,
            "seconds": seconds, "d_acc": float(last.get("d_acc", float("nan")))}


def measure(profile_name: str = "laptop", seeds=(0, 1), workers: int = 1,
            names=None, n_train: int | None = None) -> dict:
    """Train every row of :data:`ROWS` (or ``names``) with each seed and score it; returns the
    result dict that :func:`load` reads (rows in :data:`ROWS` order)."""
    from .evaluation import (chance_normalised, classifier_probs, diversity, inception_score,
                             reference_classifier)
    from .profiles import get_profile

    profile = get_profile(profile_name, device="cpu")
    names = list(names or ROWS)
    base = _experiment({}, profile, 0, n_train)
    real = base.real
    length = real.waves.shape[1]
    classifier = reference_classifier(real, profile)
    n_eval = min(profile.n_eval, real.waves.shape[0])
    is_real = inception_score(classifier_probs(classifier, real.waves[:n_eval]))[0]
    jobs = [(name, seed, profile_name, n_eval, n_train) for name in names for seed in seeds]
    if workers > 1:
        import multiprocessing as mp

        with mp.get_context("spawn").Pool(workers) as pool:
            outs = pool.map(_train_row, jobs, chunksize=1)
    else:
        outs = [_train_row(job) for job in jobs]
    rows = []
    for name in names:
        runs = []
        for out in (o for o in outs if o["name"] == name):
            audio = out["audio"][:, :length]
            score = inception_score(classifier_probs(classifier, audio))[0]
            runs.append({"seed": out["seed"], "is": score,
                         "is_norm": chance_normalised(score, is_real),
                         "diversity": diversity(audio[:64]), "d_acc": out["d_acc"],
                         "steps": out["steps"], "seconds": round(out["seconds"], 1)})
        rows.append({"name": name, "change": ROWS[name], "runs": runs})
    return {"profile": profile_name, "model": "dense", "data": "toy-drums", "loss": "bce",
            "steps": base.config.steps, "batch_size": base.config.batch_size,
            "n_eval": n_eval, "seeds": list(seeds), "is_real": is_real,
            "real_diversity": diversity(real.waves[:64]), "torch": torch.__version__,
            "command": "python -m audiogan_lesson.tricks_table " + " ".join(sys.argv[1:]),
            "rows": rows}


def load(path: str | os.PathLike | None = None) -> dict:
    """The measured table: ``path``, else the one shipped with the package."""
    if path is not None:
        return json.loads(Path(path).read_text())
    return json.loads(resources.files("audiogan_lesson").joinpath(RESULT_FILE).read_text())


def format_table(result: dict) -> str:
    """The table as text: per row the mean over seeds of IS, chance-normalised IS, diversity and
    the final discriminator accuracy, and each seed's normalised IS."""
    lines = [f"{'change':<32} {'IS':>5} {'(IS-1)/(IS_real-1)':>19} {'per seed':>13} "
             f"{'diversity':>9} {'D acc':>6}"]
    for row in result["rows"]:
        runs = row["runs"]
        mean = {k: sum(r[k] for r in runs) / len(runs)
                for k in ("is", "is_norm", "diversity", "d_acc")}
        seeds = " ".join(f"{r['is_norm']:.2f}" for r in runs)
        lines.append(f"{row['name']:<32} {mean['is']:>5.2f} {mean['is_norm']:>19.2f} {seeds:>13} "
                     f"{mean['diversity']:>9.2f} {mean['d_acc']:>6.2f}")
    lines.append(f"{'real drums':<32} {result['is_real']:>5.2f} {1.0:>19.2f} {'':>13} "
                 f"{result['real_diversity']:>9.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audiogan_lesson.tricks_table",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="laptop")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rows", nargs="+", default=None, help="row names (default: all)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = measure(args.profile, tuple(args.seeds), args.workers, args.rows)
    args.out.write_text(json.dumps(result, indent=1))
    print(format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
