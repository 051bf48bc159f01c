"""The Trainer: one training loop for every GAN of the course (notebooks 02-06, ``train``).

It orchestrates; each idea has its own home in this package::

    trainer = Trainer(G, D, waves, TrainConfig(loss="bce", batch_size=32), out_dir="runs/dense")
    trainer.train(steps=2000, seconds=120, resume=True)
    plot_history(trainer.history)

- the round itself (critic steps, then the generator step): :mod:`.round`, ``train_round``;
- the recipe: :mod:`.config`; the moving average of G: :mod:`.ema`;
- the per-step values, the history and the NaN guard: :mod:`.log`;
- Ctrl-C: :mod:`.interrupt`; checkpoint files and resume checks: :mod:`audiogan_lesson.checkpoint`.

Design points a reader can check in the code: no host synchronisation inside a step (values are
read once per ``log_every`` steps); data on the device, batches drawn with the trainer's own
``torch.Generator``; autocast where :func:`profiles.autocast_dtype` says it is a win, the
gradient penalty in fp32; atomic checkpoints that continue exactly (on CPU, ``2N`` uninterrupted
steps give bit-identical weights to ``N`` steps, a kill, and ``N`` more after ``resume=True``);
Ctrl-C finishes the step, writes a checkpoint and raises ``KeyboardInterrupt``. Started by
``torchrun``, it trains data-parallel over the processes: :mod:`.distributed`.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn as nn
from tqdm.auto import tqdm

from .. import checkpoint as ckpt_io
from ..devices import autocast_dtype, native_autocast_dtype, pick_device, tune_backend
from . import distributed
from .config import LatentFn, TrainConfig, latent_fn as config_latent_fn
from .ema import make_ema
from .interrupt import StopRequest, deferred_sigint, save_on_interrupt
from .metrics_file import MetricsFile
from .log import History, MetricLog, NonFiniteLossError
from .round import Batches, Players, metric_names, train_round
from .sampling import SAMPLE_BATCH, class_count, eval_forward, sample_model
from .selection import SelectFn, best_row, best_sampler, select_if_due, warn_unscored
from .state import restore_newest, restore_trainer, save_trainer, trainer_state

PreviewFn = Callable[["Trainer", int, torch.Tensor], Any]


class StepHook:
    """What a :class:`Trainer` calls around each step; subclass it and override what you need.

    ``before_step(trainer)`` runs before every step, with ``trainer.step`` the number of steps
    done so far; it must depend only on that number and on the trainer's saved state, so that a
    resumed run makes the same calls. ``real_batch(trainer, real)`` gets every batch of real
    examples ``(B, ...)`` and returns what the discriminator sees. Both do nothing here.
    ``models.gansynth.ProgressiveSchedule`` is one (notebook 06).
    """

    def before_step(self, trainer: "Trainer") -> None:
        return None

    def real_batch(self, trainer: "Trainer", real: torch.Tensor) -> torch.Tensor:
        return real


class Trainer:
    """Train a generator/discriminator pair with a :class:`TrainConfig`, one
    :func:`~.round.train_round` per step.

    ``generator(z)`` (``generator(z, labels)`` when ``config.conditional``) maps latents
    ``(B, latent_dim)`` to examples shaped like the data's; ``discriminator(x)`` returns scores
    ``(B,)``/``(B, 1)`` or ``(scores, aux_logits)``. ``data``: a float tensor ``(N, ...)``, a pair
    ``(examples, labels (N,))`` or a record with ``.waves``/``.labels``, moved to ``device``
    once. ``out_dir`` (None = no checkpoints) receives ``ckpt_XXXXXXXX.pt`` files; ``meta`` is
    saved in each as it is (what turns samples back into audio). ``latent_fn(n, dim, generator,
    device)`` overrides the latent distribution. ``preview(trainer, step, samples)`` gets samples
    of fixed latents every ``config.preview_every`` steps. ``hook`` (a :class:`StepHook`) changes
    the models while they train (progressive growing, notebook 06). ``select`` keeps the best
    weights as ``best.pt`` (``config.select_every``, :mod:`.selection`).

    After training: ``trainer.history`` (a :class:`History`), ``trainer.step``,
    ``trainer.sample(n)``, ``trainer.selections``, ``trainer.best``. Under ``torchrun`` every
    process makes the same Trainer; process 0 (``trainer.shard.main``) alone writes.
    """

    def __init__(self, generator: nn.Module, discriminator: nn.Module, data,
                 config: TrainConfig | None = None, out_dir: str | os.PathLike | None = None,
                 device: str | torch.device | None = None, latent_fn: LatentFn | None = None,
                 preview: PreviewFn | None = None, meta: dict | None = None,
                 hook: "StepHook | None" = None, select: SelectFn | None = None):
        self.config = config = config if config is not None else TrainConfig()
        self.hook = hook
        self.meta = dict(meta or {})
        self.shard = distributed.current()
        self.shard.local_batch(config.batch_size)  # refuses a batch that does not split
        self.device = distributed.process_device(device if device is not None else pick_device(),
                                                 self.shard)
        tune_backend(self.device)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.generator = generator.to(self.device)
        self.discriminator = discriminator.to(self.device)
        self.data, self.labels = prepare_data(data, self.device)
        if config.conditional and self.labels is None:
            raise ValueError("TrainConfig.conditional=True needs labelled data: "
                             "pass (waves, labels)")
        self.latent_dim = resolve_latent_dim(generator, config)
        self.latent_fn = latent_fn or config_latent_fn(config)
        self.preview = preview
        self.select, self.selections = select, []  # scores: [{"step", "score"}] (.selection)

        self.rng = torch.Generator(device=self.device)
        self.rng.manual_seed(config.seed)
        self.preview_z, self.preview_labels = preview_inputs(config, self.latent_fn,
                                                             self.latent_dim, self.labels,
                                                             self.device)
        check_shapes(self.generator, self.preview_z[:2],
                     self.preview_labels[:2] if self.preview_labels is not None else None,
                     self.data.shape[1:], config.conditional)

        self.players = make_players(self.generator, self.discriminator, config, self.device,
                                    self.shard, find_unused=hook is not None)
        self.ema = self.players.ema
        self.batches = Batches(self.data, self.labels, self.rng, self.latent_fn, self.latent_dim,
                               config.batch_size, config.conditional, hook, self, self.shard)
        self.log = MetricLog(metric_names(config), config.log_every, self.device,
                             functools.partial(distributed.average, shard=self.shard)
                             if self.shard.distributed else None)
        self.step = 0
        self.seconds = 0.0
        self.history = History()
        self.last_checkpoint: Path | None = None
        self.resumed_world_size: int | None = None  # of the checkpoint a resume loaded
        self._started = False
        self._in_step = False
        self._stop = StopRequest()
        self._poisoned = False
        self._bar = None
        self.metrics_file: MetricsFile | None = None  # out_dir/metrics.csv once training starts
        self.start_step = 0

    @property
    def amp_dtype(self) -> torch.dtype | None:
        """The autocast dtype of the training step (None: fp32)."""
        return self.players.amp_dtype

    @property
    def metrics(self) -> list[str]:
        """The names of the values each step reports, as in :attr:`history`."""
        return self.log.names

    # ------------------------------------------------------------------ the loop

    def train(self, steps: int | None = None, seconds: float | None = None,
              resume: bool | str | os.PathLike = False, progress: bool = True) -> History:
        """Train until ``steps`` (total, default ``config.steps``) or the time budget ends.

        The budget is ``seconds`` for this call when given, else what is left of the run's
        ``config.max_seconds`` (all calls and resumes count: ``trainer.seconds``), so a run that
        stopped on its clock is not extended; a time-bounded call shows progress in seconds.
        ``resume=True`` first loads the newest checkpoint of ``out_dir`` (a path: that file); a
        run that reached ``steps`` returns at once. Without ``resume`` an ``out_dir`` holding
        checkpoints is refused rather than mixed with a new run. Returns the history.
        """
        cfg = self.config
        target = cfg.steps if steps is None else int(steps)
        warn_unscored(self)
        begin_run(self, resume)
        if self._poisoned:
            raise NonFiniteLossError(
                "this trainer's state is not finite since an earlier NaN/inf; make a new Trainer "
                f"and resume from the last good checkpoint ({self.last_checkpoint})",
                step=self.step, loss="unknown")
        self.start_step = self.step  # where this call began (after a resume: its checkpoint's)
        if self.writes:  # the run's log, from the step it (re)starts at
            self.metrics_file = MetricsFile(self.out_dir, self.metrics).start(self.step)
        budget = seconds
        if seconds is None and cfg.max_seconds is not None:
            budget = cfg.max_seconds - self.seconds
            if budget < 1.0:  # the run has used its time
                return self.history
        if self.step >= target:
            return self.history
        self._in_step = False
        self.generator.train()
        self.discriminator.train()
        bar = self._bar = progress_bar(f"{type(self.generator).__name__} {cfg.loss}", self.step,
                                       target, budget, progress and self.shard.main)
        start = clock = time.perf_counter()
        try:
            with deferred_sigint(self._stop):
                while self.step < target:
                    if distributed.agree_every(self._stop.requested, self.step, self.shard,
                                               self.device):
                        raise KeyboardInterrupt
                    self._in_step = True
                    if self.hook is not None:
                        self.hook.before_step(self)
                    self.log.add(train_round(self.players, self.batches, cfg))
                    self._in_step = False
                    self.step += 1
                    now = time.perf_counter()
                    self.seconds += now - clock
                    advance(bar, budget, now - clock, self.step)
                    clock = now
                    self._after_step()
                    if budget is not None and distributed.agree_every(
                            now - start >= budget, self.step, self.shard, self.device):
                        break
            self._flush()
            if self.writes and ckpt_io.checkpoint_step(self.last_checkpoint) != self.step:
                self.save()
            distributed.barrier(self.shard)
        except KeyboardInterrupt:
            if self.writes:
                save_on_interrupt(self, self._in_step)
            raise
        finally:
            self._stop.requested = False
            bar.close()
            self._bar = None
        return self.history

    @property
    def writes(self) -> bool:
        """True when this trainer writes checkpoints: it has an ``out_dir`` and is process 0."""
        return self.out_dir is not None and self.shard.main

    def _after_step(self) -> None:
        cfg = self.config
        if self.log.full:
            self._flush()
        select_if_due(self)  # before the checkpoint, which then records the score
        if (self.out_dir is not None and cfg.checkpoint_every
                and self.step % cfg.checkpoint_every == 0):
            self._flush()  # every process: the values are averaged over them
            if self.writes:
                self.save()
        if (self.preview is not None and cfg.preview_every and self.step % cfg.preview_every == 0
                and self.shard.main):
            self.preview(self, self.step, self.sample_preview())

    def _flush(self) -> None:
        """Read the pending per-step values (one host sync) into one history row."""
        last = (f"the last good checkpoint is {self.last_checkpoint} (step "
                f"{ckpt_io.checkpoint_step(self.last_checkpoint)})" if self.last_checkpoint
                else "no checkpoint was written")
        try:
            entry = self.log.flush(self.history, self.step, self.seconds, after=last)
        except NonFiniteLossError:
            self._poisoned = True
            raise
        if entry is not None and self.metrics_file is not None:
            self.metrics_file.append(entry)
        if entry is not None and self._bar is not None:
            self._bar.set_postfix({"step": self.step,
                                   **{k: f"{entry[k]:.3g}" for k in self.metrics[:3]}},
                                  refresh=False)

    best = property(lambda self: best_row(self.selections),
                    doc='The best scoring of :attr:`selections`, ``{"step", "score"}``, or None.')

    # ------------------------------------------------------------------ checkpoints

    def state_dict(self) -> dict:
        """Everything a checkpoint holds: :func:`.state.trainer_state`."""
        return trainer_state(self)

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write a checkpoint (default ``out_dir/ckpt_<step>.pt``) and keep the last k.

        Refuses (``NonFiniteLossError``) when a pending loss or any weight is not finite, so a
        checkpoint on disk is always a good one.
        """
        return save_trainer(self, path)

    def load(self, path: str | os.PathLike, state: dict | None = None) -> None:
        """Restore a checkpoint written with the same configuration (else ConfigMismatchError)."""
        restore_trainer(self, path, state)
        self._poisoned = False
        self._started = True

    def load_newest(self) -> Path | None:
        """Load the newest readable checkpoint of ``out_dir`` (a truncated newer file is skipped
        with a warning); its path, or None when there is none."""
        return restore_newest(self)

    # ------------------------------------------------------------------ sampling

    @property
    def sampler(self) -> nn.Module:
        """The generator used for samples: the EMA copy when there is one."""
        return self.ema if self.ema is not None else self.generator

    def sample_preview(self) -> torch.Tensor:
        """Samples ``(n_preview, ...)`` of the fixed preview latents (the same every time)."""
        return eval_forward(self.sampler, self.preview_z, self.preview_labels)

    def sample(self, n: int, labels: torch.Tensor | None = None, seed: int | None = None,
               batch_size: int = SAMPLE_BATCH, best: bool = False) -> torch.Tensor:
        """``n`` generated examples ``(n, ...)`` on the trainer's device, in fp32, by the course's
        one sampling rule (:func:`.sampling.latent_batches`, as ``generate``): latents from a
        generator of their own seeded with ``seed`` (default 0), so the training random state is
        untouched; a conditional generator gets ``labels`` ``(n,)`` when given, else its classes
        in turn. ``best``: the kept best weights instead."""
        classes = class_count(self.meta, self.labels) if self.config.conditional else 0
        return sample_model(best_sampler(self) if best else self.sampler, self.latent_fn,
                            self.latent_dim, n, self.device, seed, classes,
                            labels if self.config.conditional else None, batch_size)


# ----------------------------------------------------------------------------- setup
def begin_run(trainer: Trainer, resume) -> None:
    """Before a trainer's first step: clear stale temporary files, then load what ``resume``
    asks (a path, or the newest checkpoint for True) or refuse an ``out_dir`` that already holds
    a run."""
    if trainer._started:
        return
    if trainer.writes:
        ckpt_io.remove_stale_temporaries(trainer.out_dir)
    if isinstance(resume, (str, os.PathLike)):
        trainer.load(resume)
    elif resume and trainer.out_dir is not None:
        trainer.load_newest()
    elif trainer.out_dir is not None and ckpt_io.list_checkpoints(trainer.out_dir):
        raise FileExistsError(
            f"{trainer.out_dir} already holds checkpoints of a run; pass resume=True to continue "
            "it, or choose another out_dir (or delete the old checkpoints) to start afresh")
    trainer._started = True




def progress_bar(desc: str, step: int, target: int, budget: float | None, enabled: bool) -> tqdm:
    """Steps out of ``target``, or for a time-bounded call seconds out of ``budget``.

    A text bar that writes to a file or a pipe (a run's output redirected to a log) redraws
    every ``TEXT_LOG_INTERVAL`` seconds instead of ten times a second: there every redraw is a
    line of its own."""
    interval = {} if _bar_is_live() else {"mininterval": TEXT_LOG_INTERVAL,
                                          "maxinterval": TEXT_LOG_INTERVAL}
    if budget is None:
        return tqdm(total=target, initial=step, unit="step", disable=not enabled, desc=desc,
                    **interval)
    return tqdm(total=float(budget), unit="s", disable=not enabled, desc=desc,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s "
                           "[{remaining} left{postfix}]", **interval)


TEXT_LOG_INTERVAL = 30.0


def _bar_is_live() -> bool:
    """True when the bar redraws in place: a notebook's widget, or a text bar on a terminal."""
    if tqdm.__module__.startswith("tqdm.notebook"):
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def advance(bar: tqdm, budget: float | None, seconds: float, step: int) -> None:
    """Move a :func:`progress_bar` on by one step that took ``seconds``."""
    if budget is None:
        bar.update(1)
    else:
        bar.update(min(seconds, bar.total - bar.n))
        bar.set_postfix_str(f"step {step}", refresh=False)


def make_players(generator: nn.Module, discriminator: nn.Module, config: TrainConfig,
                 device: torch.device, shard: distributed.Shard = distributed.Shard(),
                 find_unused: bool = False) -> Players:
    """The networks of a round with their Adam optimisers (fused on CUDA), autocast dtype and
    fp16 gradient scalers, ``torch.compile`` wrappers when asked, the EMA copy of G, and under
    ``torchrun`` the ``DistributedDataParallel`` wrappers each update trains through."""
    fused = {"fused": True} if device.type == "cuda" else {}
    amp_dtype = resolve_autocast(config, device)
    fp16 = amp_dtype == torch.float16
    compiled = torch.compile if config.compile else (lambda module: module)
    trained = {}
    if shard.distributed:
        trained = {"trained_generator": compiled(distributed.wrap(generator, device, find_unused)),
                   "trained_discriminator": compiled(distributed.wrap(discriminator, device,
                                                                      find_unused))}
    return Players(
        generator=compiled(generator),
        discriminator=compiled(discriminator),
        critic=discriminator,
        opt_g=torch.optim.Adam(generator.parameters(), lr=config.lr_g, betas=config.betas, **fused),
        opt_d=torch.optim.Adam(discriminator.parameters(), lr=config.lr_d, betas=config.betas,
                               **fused),
        scaler_g=torch.amp.GradScaler(device.type) if fp16 else None,
        scaler_d=torch.amp.GradScaler(device.type) if fp16 else None,
        amp_dtype=amp_dtype, ema=make_ema(generator) if config.ema_decay > 0 else None,
        ema_source=generator, **trained)


def preview_inputs(config: TrainConfig, latents: LatentFn, latent_dim: int,
                   labels: torch.Tensor | None, device: torch.device):
    """The fixed preview latents ``(n_preview, latent_dim)`` and labels (conditional only),
    drawn with their own generator seeded ``config.seed + 1``."""
    g = torch.Generator(device=device)
    g.manual_seed(config.seed + 1)
    z = latents(config.n_preview, latent_dim, g, device)
    if not config.conditional:
        return z, None
    idx = torch.randint(0, labels.shape[0], (config.n_preview,), generator=g, device=device)
    return z, labels[idx]


def prepare_data(data, device: torch.device) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Training data as ``(examples (N, ...) float32, labels (N,) long or None)`` on ``device``.

    ``data`` is a float tensor, a pair ``(examples, labels)``, or a record with ``.waves`` (and
    ``.labels``) such as ``data.toy_drums(...)``.
    """
    labels = None
    if hasattr(data, "waves"):
        data = (data.waves, getattr(data, "labels", None))
    if isinstance(data, (tuple, list)):
        if len(data) != 2:
            raise ValueError("data must be a tensor (N, ...) or a pair (examples, labels)")
        data, labels = data
    if not isinstance(data, torch.Tensor):
        data = torch.as_tensor(np.asarray(data))
    if not data.is_floating_point():
        raise TypeError(f"training data must be floating point (got {data.dtype}); convert "
                        "16-bit audio with x.float() / 32768")
    if data.dim() < 2 or data.shape[0] < 1:
        raise ValueError("training data must have shape (N, ...) with N >= 1; "
                         f"got {tuple(data.shape)}")
    data = data.to(device, torch.float32)
    if labels is not None:
        labels = torch.as_tensor(labels).to(device, torch.long)
        if labels.shape != (data.shape[0],):
            raise ValueError(f"labels must have shape ({data.shape[0]},), one per example; "
                             f"got {tuple(labels.shape)}")
    return data, labels


def resolve_latent_dim(generator: nn.Module, config: TrainConfig) -> int:
    """``config.latent_dim``, else the generator's ``latent_dim``/``z_dim`` (attribute or
    ``.config``), else 100."""
    if config.latent_dim is not None:
        return int(config.latent_dim)
    for owner in (generator, getattr(generator, "config", None)):
        for name in ("latent_dim", "z_dim"):
            value = getattr(owner, name, None)
            if isinstance(value, int):
                return value
    return 100


def resolve_autocast(config: TrainConfig, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``config.autocast``: None = where it is a win, True = force."""
    if config.autocast is False:
        return None
    if config.autocast is None:
        return autocast_dtype(str(device))
    return native_autocast_dtype(str(device)) or torch.bfloat16


def check_shapes(generator: nn.Module, z: torch.Tensor, labels: torch.Tensor | None,
                 example_shape, conditional: bool) -> None:
    """One tiny forward pass, so that a shape mismatch fails at once with a clear message."""
    was_training = generator.training
    generator.eval()
    try:
        with torch.no_grad():
            out = generator(z, labels) if conditional else generator(z)
    except Exception as exc:
        raise ValueError(f"the generator failed on latents of shape {tuple(z.shape)} "
                         f"({type(exc).__name__}: {exc}); set TrainConfig(latent_dim=...) to the "
                         "generator's latent size") from exc
    finally:
        generator.train(was_training)
    if tuple(out.shape[1:]) != tuple(example_shape):
        raise ValueError(f"the generator makes examples of shape {tuple(out.shape[1:])} but the "
                         f"data's examples have shape {tuple(example_shape)}; reshape the "
                         "data (e.g. waves[:, None, :] for (N, 1, L)) or change the model config")
