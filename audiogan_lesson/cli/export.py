"""``python -m audiogan_lesson export RUN_OR_CHECKPOINT --out gen.ts``: the trained generator as
one TorchScript file that runs without this package (``torch.jit.load``).

``forward(z)`` (``forward(z, labels)`` for a conditional or pitch-conditioned run) returns audio
``(N, samples)`` in [-1, 1], or, for note models (PianoGAN), the raw note features; the file's
``audiogan.json`` (``torch.jit.load(path, _extra_files={"audiogan.json": ""})``) says which, with
the sample rate, the latents, the classes or MIDI pitches and the checkpoint's step
(:func:`export.export_checkpoint`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..export import export_checkpoint


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``export`` subcommand to ``sub`` (an argparse subparsers object)."""
    exp = sub.add_parser("export", help="write a run's generator as a TorchScript file that runs "
                                        "without the package",
                         description="Trace the generator of a checkpoint (EMA weights when "
                                     "present) and its way back to audio into one TorchScript "
                                     "file, with its metadata as audiogan.json inside.")
    exp.add_argument("checkpoint", type=Path,
                     help="a .pt file written by train, or train's --out folder (its best.pt "
                          "when the run kept one, else its newest checkpoint)")
    exp.add_argument("--out", required=True, type=Path,
                     help="the file to write, e.g. gen.ts (replaced when it exists)")
    exp.set_defaults(run=run)
    return exp


def run(args: argparse.Namespace) -> int:
    """Write the TorchScript file ``args.out``; one line says what it holds; 0 when done."""
    print(export_checkpoint(args.checkpoint, args.out).describe())
    return 0
