"""Command line: ``python -m audiogan_lesson train|generate|listen|export|bench`` (the notebooks'
"Run at full scale").

  python -m audiogan_lesson train wavegan --data toy-drums --loss wgan-gp --minutes 10 --out runs/wg
  python -m audiogan_lesson train wavegan --data toy-drums --out runs/wg --resume   # after a stop
  python -m audiogan_lesson generate runs/wg/ckpt_00001000.pt --n 16 --out samples/
  python -m audiogan_lesson listen runs/wg          # an independent listener's score, the floor
  python -m audiogan_lesson export runs/wg --out wavegan.ts   # TorchScript, no package needed
  python -m audiogan_lesson bench

The profile (``--profile``, else ``AUDIOGAN_PROFILE``, else the hardware) sets model width, batch
size, slice length and the default budget. Ctrl-C writes a checkpoint before exiting.
"""

from __future__ import annotations

import argparse
import errno
import sys

from . import bench, export, generate, listen, train

PROG = "python -m audiogan_lesson"


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m audiogan_lesson``: one subcommand per module of this package."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{train,generate,listen,export,bench}")
    for command in (train, generate, listen, export, bench):
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code: 0 done, 1 a refused run, 2 a bad name, path, value, file or
    device (one line on stderr that names it and the fix, never a traceback), 130 interrupted."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError, ConnectionError, ImportError) as exc:
        # bad names, paths, values, checkpoints and downloads (ChecksumError, UnsafeArchiveError
        # are ValueErrors); ImportError: a torch/torchaudio mismatch, whose message names the fix
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be written: no permission, no space
        print(f"error: {_os_message(exc)}", file=sys.stderr)
        return 2


def _os_message(exc: OSError) -> str:
    """One line for an ``OSError`` that names the file and the fix."""
    where = exc.filename or "the output folder"
    if exc.errno == errno.ENOSPC:
        return f"{where}: no space left on the disk; free some space or choose another --out"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}: not allowed to write here; choose a folder you can write to (--out)"
    if exc.strerror:
        return f"{where}: {exc.strerror}; choose another --out"
    return str(exc)
