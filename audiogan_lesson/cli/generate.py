"""``python -m audiogan_lesson generate CHECKPOINT --out FOLDER``: wav files from a checkpoint
(and a .mid file beside each .wav for a note model such as PianoGAN).

A class-conditional checkpoint (``train --conditional``) makes its classes in turn, evenly;
``--label NAME_OR_INDEX`` asks for one class (:func:`runs.generate_from_checkpoint`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..runs import generate_from_checkpoint


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``generate`` subcommand to ``sub`` (an argparse subparsers object)."""
    gen = sub.add_parser("generate", help="write generated audio from a checkpoint as wav files "
                                            "(note models: .mid and .wav)")
    gen.add_argument("checkpoint", type=Path,
                     help="a .pt file written by train, or train's --out folder (its best.pt "
                          "when the run kept one, else its newest checkpoint)")
    gen.add_argument("--n", type=int, default=16, help="number of examples")
    gen.add_argument("--out", required=True, type=Path, help="folder for the files")
    gen.add_argument("--pitch", type=int, default=None,
                     help="MIDI pitch (pitch-conditioned models)")
    gen.add_argument("--label", default=None,
                     help="class name or index (class-conditional models, train --conditional); "
                          "without it the checkpoint's classes in turn")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--device", default=None,
                     help="cpu, cuda, cuda:N or mps (default: $AUDIOGAN_DEVICE, else CUDA, "
                          "then mps, then cpu)")
    gen.set_defaults(run=run)
    return gen


def run(args: argparse.Namespace) -> int:
    """Write ``args.n`` examples into ``args.out`` (wav files; .mid and .wav for notes); 0 when
    done."""
    paths = generate_from_checkpoint(args.checkpoint, args.n, args.out, seed=args.seed,
                                     pitch=args.pitch, label=args.label, device=args.device)
    print(f"wrote {len(paths)} file{'' if len(paths) == 1 else 's'} to {args.out}")
    return 0

