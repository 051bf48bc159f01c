"""``python -m audiogan_lesson generate CHECKPOINT --out FOLDER``: wav files from a checkpoint
(and a .mid file beside each .wav for a note model such as PianoGAN).

A class-conditional checkpoint (``train --conditional``) makes its classes in turn, evenly;
``--label NAME_OR_INDEX`` asks for one class (:func:`write_label_files`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..audio import save_audio
from ..models.conditional import label_batches, resolve_label
from ..profiles import pick_device
from ..runs import generate_from_checkpoint, load_run


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``generate`` subcommand to ``sub`` (an argparse subparsers object)."""
    gen = sub.add_parser("generate", help="write generated audio from a checkpoint as wav files "
                                            "(note models: .mid and .wav)")
    gen.add_argument("checkpoint", type=Path, help="a .pt file written by train")
    gen.add_argument("--n", type=int, default=16, help="number of examples")
    gen.add_argument("--out", required=True, type=Path, help="folder for the files")
    gen.add_argument("--pitch", type=int, default=None, help="MIDI pitch (pitch-conditioned models)")
    gen.add_argument("--label", default=None,
                     help="class name or index (class-conditional models, train --conditional); "
                          "without it the checkpoint's classes in turn")
    gen.add_argument("--seed", type=int, default=0)
    gen.set_defaults(run=run)
    return gen


def run(args: argparse.Namespace) -> int:
    """Write ``args.n`` examples into ``args.out`` (wav files; .mid and .wav for notes); 0 when
    done."""
    if args.label is not None:
        paths = write_label_files(args.checkpoint, args.n, args.out, args.label, seed=args.seed)
    else:
        paths = generate_from_checkpoint(args.checkpoint, args.n, args.out, seed=args.seed,
                                         pitch=args.pitch)
    print(f"wrote {len(paths)} file{'' if len(paths) == 1 else 's'} to {args.out}")
    return 0


def write_label_files(checkpoint: str | Path, n: int, out_dir: str | Path, label: str | int,
                      seed: int = 0, device: str | None = None) -> list[Path]:
    """Write ``n`` wav files of class ``label`` (a name or an index among the checkpoint's
    ``meta["classes"]``) from a class-conditional checkpoint, named ``<model>_<class>_<i>.wav``.
    An unconditional checkpoint, an unknown name or an index out of range is a ValueError that
    lists the checkpoint's classes."""
    path = Path(checkpoint)
    if n < 1:
        raise ValueError(f"--n {n}: ask for at least one file")
    loaded = load_run(path, device or pick_device())
    classes = list(loaded.meta.get("classes") or [])
    conditional = loaded.conditional and not loaded.pitches
    if loaded.pitches:
        raise ValueError(f"--label {label}: {path} is pitch-conditioned (MIDI "
                         f"{min(loaded.pitches)}-{max(loaded.pitches)}); use --pitch")
    index = resolve_label(label, classes, conditional, where=str(path))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for waves in label_batches(loaded.decode, loaded.latent_fn, loaded.latent_dim, n, index,
                               seed=seed, device=loaded.device):
        for wave in waves:
            target = out / f"{loaded.meta['model']}_{classes[index]}_{len(written):04d}.wav"
            save_audio(target, wave, loaded.meta["sample_rate"])
            written.append(target)
    return written
