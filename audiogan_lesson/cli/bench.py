"""``python -m audiogan_lesson bench``: the throughput table of :mod:`audiogan_lesson.bench`."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .. import bench
from ..registry import MODELS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``bench``: ``--models``, ``--device``, ``--repeats``, ``--quick``,
    ``--compile``."""
    parser.add_argument("--models", default="wavegan,specgan",
                        help="comma-separated model names of the registry")
    parser.add_argument("--device", default=None,
                        help="cpu, cuda, cuda:N or mps (default: $AUDIOGAN_DEVICE, else CUDA, "
                             "then mps, then cpu)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="skip paper-size training steps and the reference comparison")
    parser.add_argument("--compile", action="store_true",
                        help="on CUDA, also time the compiled step (torch.compile) against the "
                             "reference loop")


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``bench`` subcommand to ``sub`` (an argparse subparsers object)."""
    parser = sub.add_parser("bench", help="measure generator and training throughput")
    add_arguments(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Check the options, then print :func:`bench.report`; 0 when done, 2 for a bad option."""
    models = [m.strip() for m in str(args.models).split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]  # any model of the registry
    if unknown or not models:
        print(f"error: --models {args.models!r}: choose from {', '.join(MODELS)}",
              file=sys.stderr)
        return 2
    if args.repeats < 1:
        print(f"error: --repeats {args.repeats}: need at least 1", file=sys.stderr)
        return 2
    bench.report(models, args.device, args.repeats, bool(args.quick),
                 getattr(args, "profile", None), bool(getattr(args, "compile", False)))
    return 0


def main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """``run`` on parsed options, or on a list of ``bench``'s options (None: the defaults)."""
    if args is None or isinstance(args, (list, tuple)):
        parser = argparse.ArgumentParser(prog="python -m audiogan_lesson bench")
        add_arguments(parser)
        args = parser.parse_args(list(args or []))
    return run(args)
