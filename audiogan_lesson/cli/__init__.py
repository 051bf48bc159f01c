"""Command line: ``python -m audiogan_lesson train|generate|bench`` (the notebooks' "Run at full scale").

    python -m audiogan_lesson train wavegan --data toy-drums --loss wgan-gp --minutes 10 --out runs/wg
    python -m audiogan_lesson train wavegan --data toy-drums --out runs/wg --resume   # after a stop
    python -m audiogan_lesson generate runs/wg/ckpt_00001000.pt --n 16 --out samples/
    python -m audiogan_lesson bench

The profile (``--profile``, else ``AUDIOGAN_PROFILE``, else the hardware) sets model width, batch
size, slice length and the default budget. Ctrl-C writes a checkpoint before exiting.
"""

from __future__ import annotations

import argparse
import sys

from . import bench, generate, train

PROG = "python -m audiogan_lesson"


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m audiogan_lesson``: one subcommand per module of this package."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,generate,bench}")
    for command in (train, generate, bench):
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code: 0 done, 1 a refused run, 2 a bad name, path or value,
    130 interrupted."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as exc:  # bad names, paths and values: say which
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # e.g. a torch/torchaudio mismatch: the message names the fix
        print(f"error: {exc}", file=sys.stderr)
        return 2
