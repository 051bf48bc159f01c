"""``python -m audiogan_lesson listen RUN_FOLDER``: what two listeners hear in a run's clips.

The independent listener (:func:`evaluation.independent_listener`: another architecture, front
end and seed than the course's classifier, trained on the real data alone, never used to train
or choose a run) and the course's classifier score ``--n`` clips of the run's kept best (as
``generate`` makes them) beside as many held-out real clips; the classes the independent
listener hears, for a class-conditional run how often it hears the class asked for, and the
floor and click measures against the real data (:func:`evaluation.listen_run`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..evaluation.run_scores import listen_run
from ..profiles import get_profile


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``listen`` subcommand to ``sub`` (an argparse subparsers object)."""
    cmd = sub.add_parser("listen", help="score a run by an independent listener and the course's "
                                        "classifier, with its noise floor against the real data")
    cmd.add_argument("folder", metavar="RUN", type=Path,
                     help="a .pt file written by train, or train's --out folder")
    cmd.add_argument("--n", type=int, default=1000, help="generated and real clips (default 1000)")
    cmd.add_argument("--seed", type=int, default=0, help="the latents' seed")
    cmd.add_argument("--profile", default=None, choices=("smoke", "laptop", "gpu"),
                     help="the profile whose real-data size and runs folder (for the listeners' "
                          "cache) apply (default: $AUDIOGAN_PROFILE, else by the hardware)")
    cmd.set_defaults(run=run)
    return cmd


def run(args: argparse.Namespace) -> int:
    """Print the run's :class:`~audiogan_lesson.evaluation.run_scores.Hearing`; 0 when done."""
    if args.n < 10:
        raise ValueError(f"--n {args.n}: the inception score needs at least 10 clips")
    print(listen_run(args.folder, get_profile(args.profile), n=args.n, seed=args.seed).text())
    return 0
