"""``python -m audiogan_lesson train MODEL --data DATASET --out FOLDER``: train with checkpoints.

Started by ``torchrun --nproc_per_node=N -m audiogan_lesson train ...`` it trains on ``N``
processes (one per GPU; gloo on CPUs) with the profile's batch as the global batch
(:mod:`audiogan_lesson.training.distributed`); only process 0 prints and writes checkpoints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from ..audio import save_audio
from ..checkpoint import OtherModelError, best_path
from ..experiments import experiment_settings, format_settings, make_experiment
from ..models.conditional import CONDITIONINGS, DEFAULT_CONDITIONING
from ..profiles import PROFILE_NAMES, get_profile
from ..registry import MODELS
from ..training import LOSSES, ConfigMismatchError, NonFiniteLossError, distributed


def add_parser(sub) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to ``sub`` (an argparse subparsers object)."""
    train = sub.add_parser("train", help="train a model on a dataset, with checkpoints",
                           description="Train MODEL on DATASET in the current profile, writing "
                                       "checkpoints (.pt) into --out. Ctrl-C saves one first.")
    train.add_argument("model", help=f"one of {', '.join(MODELS)}")
    train.add_argument("--data", required=True,
                       help="toy-drums, toy-notes, a registry dataset name, or a folder of audio")
    train.add_argument("--loss", choices=list(LOSSES), default="wgan-gp",
                       help="bce (notebook 02-04) or wgan-gp (the paper, notebook 05)")
    train.add_argument("--minutes", type=float,
                       help="stop after this many minutes of training (with --steps: whichever "
                            "comes first; a resumed run counts the minutes it already trained)")
    train.add_argument("--steps", type=int, help="stop at this many generator steps")
    train.add_argument("--representation", default=None,
                       help="how the model sees the data: for specgan 'linear' (default) or "
                            "'mel-image' (256 x 256 mel images, 4 s at 22,050 Hz)")
    train.add_argument("--slice-len", type=int, default=None,
                       help="samples per clip (default: profile), e.g. 64000 for dense, 65536 "
                            "for wavegan")
    train.add_argument("--sample-rate", type=int, default=None, help="Hz (default: profile)")
    train.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=None,
                       help="make each clip mean 0, std 1 (default: the dataset's recipe; on "
                            "for gtzan_classical)")
    train.add_argument("--gp-precision", choices=["fp32", "autocast"], default=None,
                       help="the gradient penalty's double backward in fp32 (default) or under "
                            "the step's autocast (faster on GPUs; see bench)")
    train.add_argument("--conditional", nargs="?", const=DEFAULT_CONDITIONING, default=None,
                       choices=list(CONDITIONINGS),
                       help="class-conditional wavegan or specgan on the dataset's labels: "
                            f"{' or '.join(CONDITIONINGS)} (alone: {DEFAULT_CONDITIONING}); "
                            "generate --label then asks for a class")
    train.add_argument("--select-every", type=int, default=None,
                       help="steps between scorings of the generator, the best kept as "
                            "OUT/best.pt (default: the recipe's; 0: off, the last checkpoint "
                            "is the result, as in the papers)")
    train.add_argument("--out", type=Path, default=None,
                       help="folder for checkpoints (required, except with --show-config)")
    train.add_argument("--resume", action="store_true", help="continue from the newest checkpoint")
    train.add_argument("--profile", choices=list(PROFILE_NAMES), default=None,
                       help="default: $AUDIOGAN_PROFILE, else gpu with CUDA, else laptop")
    train.add_argument("--device", default=None,
                       help="cpu, cuda, cuda:N or mps (default: $AUDIOGAN_DEVICE, else CUDA, "
                            "then mps, then cpu)")
    train.add_argument("--n-train", type=int, default=None,
                       help="training examples (default: profile)")
    train.add_argument("--checkpoint-every", type=int, default=500,
                       help="steps between checkpoints")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--preview-every", type=int, default=None,
                       help="steps between preview wavs of fixed latents in OUT/previews/ "
                            "(default: the profile's, 250 on a laptop, 1000 on a GPU; 0: none); "
                            "the losses go to OUT/metrics.csv as the run goes")
    train.add_argument("--tensorboard", action="store_true",
                       help="also log the losses, the kept-best scores and the previews' audio "
                            "for TensorBoard into OUT/tensorboard (pip install "
                            "'audiogan-lesson[tensorboard]'; then tensorboard --logdir OUT)")
    train.add_argument("--show-config", action="store_true",
                       help="print every setting of the run and the layer that set it (paper "
                            "default, profile, recipe, conditioning, option), then exit without "
                            "reading data or training")
    train.add_argument("--allow-unverified", action="store_true",
                       help="accept a dataset download whose sha256 the registry does not list yet "
                            "(its hash is printed and recorded for later runs)")
    train.set_defaults(run=run)
    return train


def run(args: argparse.Namespace) -> int:
    """Train as ``args`` say; 0 when done, 1 when the run is refused or diverges, 130 on Ctrl-C
    (after the trainer has written a checkpoint)."""
    profile = get_profile(args.profile, device=args.device)
    shard, device = distributed.init_from_env(profile.device)
    say = print if shard.main else (lambda *a, **k: None)
    ended = False
    try:
        code = _train(args, profile, shard, say)
        ended = True
        return code
    finally:
        distributed.shutdown(synchronise=ended)


def _train(args, profile, shard, say) -> int:
    if args.steps is not None and args.steps < 1:
        raise ValueError(f"--steps {args.steps}: need at least 1")
    if args.minutes is not None and args.minutes <= 0:
        raise ValueError(f"--minutes {args.minutes}: need a positive number")
    if shard.distributed:
        say(f"distributed: {shard.world_size} processes "
            f"({'nccl' if profile.device.startswith('cuda') else 'gloo'})", flush=True)
    say(profile.summary(), flush=True)
    options = {}
    if args.steps is not None or args.minutes is not None:  # else the profile's steps and minutes
        options["steps"] = args.steps if args.steps is not None else 10**9
        options["max_seconds"] = args.minutes * 60 if args.minutes is not None else None
    if args.gp_precision is not None:
        options["gp_precision"] = args.gp_precision
    if args.preview_every is not None:
        if args.preview_every < 0:
            raise ValueError(f"--preview-every {args.preview_every}: give a number of steps, or 0 "
                             "for no previews")
        options["preview_every"] = args.preview_every
    if args.select_every is not None:
        if args.select_every < 0:
            raise ValueError(f"--select-every {args.select_every}: give a number of steps, or 0 "
                             "to keep no best checkpoint")
        options["select_every"] = args.select_every
    common = dict(loss=args.loss, seed=args.seed, checkpoint_every=args.checkpoint_every,
                  representation=args.representation, slice_len=args.slice_len,
                  sample_rate=args.sample_rate, conditional=args.conditional, **options)
    if args.out is None and not args.show_config:
        raise ValueError("train needs --out FOLDER: the folder its checkpoints, metrics and "
                         "previews go to")
    if args.show_config:
        say(f"{args.model}: every setting and the layer that set it (option: a flag of train)")
        say(format_settings(experiment_settings(args.model, profile, **common)))
        return 0
    exp = make_experiment(args.model, args.data, profile, n_train=args.n_train,
                          allow_unverified=args.allow_unverified, standardize=args.standardize,
                          **common)
    batch = exp.config.batch_size
    say(f"{exp.model} on {args.data}: {exp.describe()}; loss={args.loss}, batch={batch}"
        + (f" ({shard.world_size} x {shard.local_batch(batch)})" if shard.distributed else "")
        + f", width={exp.scale.width}", flush=True)
    if args.conditional:
        say(f"conditional ({args.conditional}) on {len(exp.real.classes)} classes: "
            f"{', '.join(exp.real.classes)}", flush=True)
    # keeps its best by the model's score when select_every; previews of fixed latents as wavs
    board = _TensorBoard(exp, args.out) if args.tensorboard and shard.main else None
    trainer = exp.trainer(args.out, preview=board.preview if board is not None
                          else _wav_previews(exp, args.out))
    try:
        trainer.train(resume=args.resume)
    except KeyboardInterrupt:
        if shard.main:
            print(f"\ninterrupted at step {trainer.step}; checkpoint: {trainer.last_checkpoint}\n"
                  f"continue with the same command and --resume", file=sys.stderr)
        return 130
    except OtherModelError as exc:  # a wrong --out, not a refused run: a bad path
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ConfigMismatchError, NonFiniteLossError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if board is not None:
            board.close(trainer)
    if trainer.resumed_world_size not in (None, shard.world_size):
        say(f"resumed a checkpoint trained on {trainer.resumed_world_size} process(es) with "
            f"{shard.world_size}; the global batch stayed {batch}")
    last = trainer.history[-1] if trainer.history else {}
    shown = ", ".join(f"{k}={v:.4g}" for k, v in last.items() if isinstance(v, float))
    rate = trainer.step / trainer.seconds if trainer.seconds else float("nan")
    say(f"done: step {trainer.step} in {trainer.seconds:.0f} s ({rate:.2f} steps/s); {shown}")
    for row in getattr(exp.hook, "stage_speeds", lambda history: [])(trainer.history):
        h, w = row["resolution"]
        say(f"  stage {row['stage']:>2} at {h} x {w}: {row['steps']} steps, "
            f"{row['steps_per_s']:.2f} steps/s")
    say(f"checkpoint: {trainer.last_checkpoint}")
    if trainer.best is not None:
        scored = ", ".join(f"{row['score']:.3g}" for row in trainer.selections[-5:])
        say(f"best: step {trainer.best['step']} (score {trainer.best['score']:.4g}; the last "
            f"scores {scored}): {best_path(args.out)}")
    return 0


def _wav_previews(exp, out: Path):
    """``preview(trainer, step, samples)`` that writes the preview latents' sounds, one after
    another with a tenth of a second of silence between them, to ``out/previews/step_N.wav``."""
    def preview(trainer, step: int, samples) -> None:
        waves = exp.to_audio(samples).float()
        gap = torch.zeros(waves.shape[0], exp.sample_rate // 10)
        save_audio(out / "previews" / f"step_{step:08d}.wav",
                   torch.cat([waves.reshape(waves.shape[0], -1), gap], dim=1).reshape(-1),
                   exp.sample_rate)
    return preview


class _TensorBoard:
    """``train --tensorboard``: the history's values and the kept-best scores as scalars, and the
    previews as audio, in ``out/tensorboard`` (``tensorboard --logdir OUT``). Written at each
    preview and when the run ends, from :attr:`Trainer.history` and :attr:`Trainer.selections`."""

    def __init__(self, exp, out: Path):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:  # torch's writer needs the tensorboard package
            raise ImportError("--tensorboard needs the tensorboard package: pip install "
                              "'audiogan-lesson[tensorboard]' (or pip install "
                              "tensorboard)") from None
        self.exp, self.writer = exp, SummaryWriter(str(out / "tensorboard"))
        self.written = None  # the last step written (a resumed run wrote up to its start before)

    def _scalars(self, trainer) -> None:
        after = trainer.start_step if self.written is None else self.written
        for row in trainer.history:
            if row["step"] > after:
                for key, value in row.items():
                    if key not in ("step", "seconds") and isinstance(value, (int, float)):
                        self.writer.add_scalar(f"train/{key}", value, row["step"])
        for row in trainer.selections:
            if row["step"] > after:
                self.writer.add_scalar("select/score", row["score"], row["step"])
        self.written = trainer.step

    def preview(self, trainer, step: int, samples) -> None:
        self._scalars(trainer)
        for i, wave in enumerate(self.exp.to_audio(samples).float()):
            self.writer.add_audio(f"preview/{i}", wave.reshape(1, -1).clamp(-1, 1), step,
                                  sample_rate=self.exp.sample_rate)
        self.writer.flush()

    def close(self, trainer) -> None:
        self._scalars(trainer)
        self.writer.close()
