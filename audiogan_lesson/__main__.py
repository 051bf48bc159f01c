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
from pathlib import Path

PROG = "python -m audiogan_lesson"


def _train(args) -> int:
    from .experiments import make_experiment
    from .profiles import get_profile
    from .training import ConfigMismatchError, NonFiniteLossError

    profile = get_profile(args.profile)
    print(profile.summary(), flush=True)
    options = {}
    if args.steps is not None:
        options["steps"] = args.steps
    if args.minutes is not None:
        options["max_seconds"] = args.minutes * 60
        if args.steps is None:
            options["steps"] = 10**9  # the time budget decides
    exp = make_experiment(args.model, args.data, profile, loss=args.loss, n_train=args.n_train,
                          seed=args.seed, checkpoint_every=args.checkpoint_every,
                          allow_unverified=args.allow_unverified, **options)
    print(f"{args.model} on {args.data}: {exp.examples.shape[0]} examples of "
          f"{exp.real.waves.shape[-1]} samples at {exp.sample_rate} Hz; loss={args.loss}, "
          f"batch={exp.config.batch_size}, width={exp.scale.width}", flush=True)
    trainer = exp.trainer(args.out)
    try:
        trainer.train(resume=args.resume)
    except KeyboardInterrupt:
        print(f"\ninterrupted at step {trainer.step}; checkpoint: {trainer.last_checkpoint}\n"
              f"continue with the same command and --resume", file=sys.stderr)
        return 130
    except (ConfigMismatchError, NonFiniteLossError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    last = trainer.history[-1] if trainer.history else {}
    shown = ", ".join(f"{k}={v:.4g}" for k, v in last.items() if isinstance(v, float))
    rate = trainer.step / trainer.seconds if trainer.seconds else float("nan")
    print(f"done: step {trainer.step} in {trainer.seconds:.0f} s ({rate:.2f} steps/s); {shown}")
    for row in getattr(exp.hook, "stage_speeds", lambda history: [])(trainer.history):
        h, w = row["resolution"]
        print(f"  stage {row['stage']:>2} at {h} x {w}: {row['steps']} steps, "
              f"{row['steps_per_s']:.2f} steps/s")
    print(f"checkpoint: {trainer.last_checkpoint}")
    return 0


def _generate(args) -> int:
    from .experiments import generate_from_checkpoint

    paths = generate_from_checkpoint(args.checkpoint, args.n, args.out, seed=args.seed,
                                     pitch=args.pitch)
    print(f"wrote {len(paths)} file{'' if len(paths) == 1 else 's'} to {args.out}")
    return 0


def _bench(args) -> int:
    from .bench import main as bench_main

    return bench_main(args)


def build_parser() -> argparse.ArgumentParser:
    from .experiments import MODEL_NAMES

    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,generate,bench}")

    train = sub.add_parser("train", help="train a model on a dataset, with checkpoints",
                           description="Train MODEL on DATASET in the current profile, writing "
                                       "checkpoints (.pt) into --out. Ctrl-C saves one first.")
    train.add_argument("model", help=f"one of {', '.join(MODEL_NAMES)}")
    train.add_argument("--data", required=True,
                       help="toy-drums, toy-notes, a registry dataset name, or a folder of audio")
    train.add_argument("--loss", choices=["bce", "wgan-gp"], default="wgan-gp",
                       help="bce (notebook 02-04) or wgan-gp (the paper, notebook 05)")
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="stop after this many minutes")
    budget.add_argument("--steps", type=int, help="stop at this many generator steps")
    train.add_argument("--out", required=True, type=Path, help="folder for checkpoints")
    train.add_argument("--resume", action="store_true", help="continue from the newest checkpoint")
    train.add_argument("--profile", choices=["smoke", "laptop", "gpu"], default=None,
                       help="default: $AUDIOGAN_PROFILE, else gpu with CUDA, else laptop")
    train.add_argument("--n-train", type=int, default=None, help="training examples (default: profile)")
    train.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--allow-unverified", action="store_true",
                       help="accept a dataset download whose sha256 the registry does not list yet "
                            "(its hash is printed and recorded for later runs)")
    train.set_defaults(run=_train)

    gen = sub.add_parser("generate", help="write generated audio from a checkpoint as wav files")
    gen.add_argument("checkpoint", type=Path, help="a .pt file written by train")
    gen.add_argument("--n", type=int, default=16, help="number of files")
    gen.add_argument("--out", required=True, type=Path, help="folder for the wav files")
    gen.add_argument("--pitch", type=int, default=None, help="MIDI pitch (pitch-conditioned models)")
    gen.add_argument("--seed", type=int, default=0)
    gen.set_defaults(run=_generate)

    bench = sub.add_parser("bench", help="measure generator and training throughput")
    bench.add_argument("--models", default="wavegan,specgan", help="comma-separated model names")
    bench.add_argument("--device", default=None, help="cpu or cuda (default: the profile's)")
    bench.add_argument("--repeats", type=int, default=3)
    bench.add_argument("--quick", action="store_true", help="skip paper-size training steps")
    bench.set_defaults(run=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as exc:  # bad names, paths and values: say which
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # e.g. a torch/torchaudio mismatch: the message names the fix
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
