"""One training loop for every GAN of the course (notebooks ``02`` to ``06``, and the command line).

:class:`TrainConfig` holds the recipe (paper values as defaults: WGAN-GP with 5 critic steps per
generator step, Adam(1e-4, 0.5, 0.9), gradient penalty weight 10, batch 64, latent
``z ~ U(-1, 1)^100`` as in WaveGAN). :class:`Trainer` runs it for any generator/discriminator
pair::

    trainer = Trainer(G, D, waves, TrainConfig(loss="bce", batch_size=32), out_dir="runs/dense")
    trainer.train(steps=2000, seconds=120, resume=True)
    plot_history(trainer.history)

What a step is: ``n_critic`` discriminator updates (each on a fresh real batch and fresh
latents), then ``g_steps_per_d`` generator updates. ``steps`` counts these rounds.

Design points a reader can check in the code:

- No host synchronisation inside a step: per-step losses are written into a small tensor on
  the device, read once per log interval (``log_every``) and at checkpoints. The NaN guard works
  on those values: it names the first bad step and loss, and no checkpoint is written after it.
- The data lives on the device and batches are drawn with the trainer's own ``torch.Generator``.
- Autocast (bf16, or fp16 with a gradient scaler on GPUs without bf16) where
  :func:`profiles.autocast_dtype` says it is a win; the gradient penalty stays in fp32.
- Checkpoints are atomic and hold everything needed to continue exactly: on CPU, ``2N``
  uninterrupted steps give bit-identical weights to ``N`` steps, a kill, and ``N`` more after
  ``resume=True``.
- Ctrl-C (SIGINT) finishes the current step, writes a checkpoint and raises
  ``KeyboardInterrupt``; a second Ctrl-C stops at once.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
import torch.nn as nn

from . import checkpoint as ckpt_io
from . import losses
from .profiles import autocast_dtype, native_autocast_dtype, pick_device

__all__ = ["TrainConfig", "Trainer", "StepHook", "History", "NonFiniteLossError", "ConfigMismatchError",
           "uniform_latents", "normal_latents", "LOSSES", "RUN_FIELDS"]

LOSSES = ("bce", "wgan-gp")
LATENTS = ("uniform", "normal")

# Fields that may change when a run is resumed: they set how long and how verbosely it runs,
# not what it computes. Every other field must match the checkpoint.
RUN_FIELDS = ("steps", "max_seconds", "log_every", "checkpoint_every", "keep_last",
              "preview_every", "compile")


@dataclass(frozen=True)
class TrainConfig:
    """The training recipe. Defaults are the WaveGAN/SpecGAN paper's (Donahue et al. 2019, Table 3).

    - ``loss``: ``"wgan-gp"`` (paper) or ``"bce"`` (the original GAN with the non-saturating
      generator loss, notebook 02).
    - ``n_critic``: discriminator updates per step; None means 5 for ``wgan-gp`` (paper) and 1
      for ``bce``. ``g_steps_per_d``: generator updates per step (1; notebook 02 tries 2).
    - ``lr_g``, ``lr_d``, ``betas``: Adam (1e-4, 1e-4, (0.5, 0.9)).
    - ``batch_size`` 64; ``gp_weight`` 10 (the WGAN-GP lambda); ``drift`` 0 (GANSynth uses
      0.001); ``aux_weight`` 0 (weight of the auxiliary classification loss of a conditioned
      discriminator returning ``(scores, aux_logits)``; ``aux_fake_in_d`` also trains that
      classifier on fakes, as AC-GAN does).
    - ``label_smoothing``: one-sided, the real target becomes ``1 - label_smoothing`` (0 = off;
      0.1 gives the usual 0.9). BCE only.
    - ``ema_decay``: exponential moving average of the generator's weights (0 = off; 0.999 is
      a common choice). Previews and samples use the EMA generator when present.
    - ``latent_dim``: None takes the generator's ``latent_dim`` (attribute or ``.config``),
      else 100. ``latent``: ``"uniform"`` in [-1, 1] (WaveGAN) or ``"normal"`` (GANSynth).
    - ``conditional``: the generator is called as ``G(z, labels)`` with labels drawn from the
      data's labels (the data must then be ``(waves, labels)``).
    - ``autocast``: None = on where :func:`profiles.autocast_dtype` says it is a win; True/False
      force it. ``compile``: wrap both models in ``torch.compile`` (the gradient penalty calls
      the plain critic: compiled graphs do not support its double backward).
    - ``steps`` (target step count), ``max_seconds`` (time budget of one ``train`` call, None =
      none), ``log_every`` (history rows and NaN checks), ``checkpoint_every`` (0 = only at the
      end), ``keep_last`` (checkpoints kept, 0 = all), ``preview_every`` (0 = off),
      ``n_preview`` (fixed preview latents), ``seed``.
    """

    loss: str = "wgan-gp"
    n_critic: int | None = None
    g_steps_per_d: int = 1
    lr_g: float = 1e-4
    lr_d: float = 1e-4
    betas: tuple[float, float] = (0.5, 0.9)
    batch_size: int = 64
    gp_weight: float = 10.0
    drift: float = 0.0
    aux_weight: float = 0.0
    aux_fake_in_d: bool = True
    label_smoothing: float = 0.0
    ema_decay: float = 0.0
    latent_dim: int | None = None
    latent: str = "uniform"
    conditional: bool = False
    autocast: bool | None = None
    compile: bool = False
    steps: int = 1000
    max_seconds: float | None = None
    log_every: int = 50
    checkpoint_every: int = 0
    keep_last: int = 3
    preview_every: int = 0
    n_preview: int = 8
    seed: int = 0

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"TrainConfig.loss={self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.latent not in LATENTS:
            raise ValueError(f"TrainConfig.latent={self.latent!r}; choose one of {', '.join(LATENTS)}")
        if self.n_critic is None:
            object.__setattr__(self, "n_critic", 5 if self.loss == "wgan-gp" else 1)
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))
        positive = ("n_critic", "g_steps_per_d", "batch_size", "log_every", "n_preview")
        for name in positive:
            if int(getattr(self, name)) < 1:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be at least 1")
        for name in ("checkpoint_every", "keep_last", "preview_every", "steps"):
            if getattr(self, name) < 0:
                raise ValueError(f"TrainConfig.{name}={getattr(self, name)} must be >= 0")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"TrainConfig.label_smoothing={self.label_smoothing} must be in [0, 1); "
                             "0.1 makes the real target 0.9")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"TrainConfig.ema_decay={self.ema_decay} must be in [0, 1); 0 is off")
        if self.label_smoothing and self.loss != "bce":
            raise ValueError("TrainConfig.label_smoothing applies to loss='bce' only; a Wasserstein "
                             "critic has no labels to smooth")

    def replace(self, **changes) -> "TrainConfig":
        """A copy with some fields changed: ``config.replace(loss="bce")``."""
        if "loss" in changes and "n_critic" not in changes:
            changes["n_critic"] = None  # re-derive the default for the new loss
        return dataclasses.replace(self, **changes)


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss (or weights); ``step`` and ``loss`` say where."""

    def __init__(self, message: str, step: int, loss: str):
        super().__init__(message)
        self.step = step
        self.loss = loss


class ConfigMismatchError(ValueError):
    """A checkpoint was written with a different configuration than the one resuming it."""


class History(list):
    """Training history: a list of dicts ``{"step", "seconds", "d_loss", "g_loss", ...}``.

    Each row holds the means of one log interval. :meth:`as_arrays` gives one numpy array per
    column; :meth:`to_table` a text table. ``display.plot_history`` draws it.
    """

    def columns(self) -> list[str]:
        """Column names in first-seen order."""
        names: dict[str, None] = {}
        for row in self:
            names.update(dict.fromkeys(row))
        return list(names)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """``{column: array of shape (rows,)}`` with NaN where a row lacks a column."""
        return {k: np.array([row.get(k, np.nan) for row in self], dtype=np.float64)
                for k in self.columns()}

    def to_table(self, columns: Sequence[str] | None = None, every: int = 1) -> str:
        """A fixed-width text table of every ``every``-th row (the last row always shown)."""
        columns = list(columns) if columns else self.columns()
        rows = list(self[::every])
        if self and rows[-1] is not self[-1]:
            rows.append(self[-1])
        lines = ["".join(f"{c:>12}" for c in columns)]
        for row in rows:
            lines.append("".join(_cell(row.get(c)) for c in columns))
        return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return f"{'':>12}"
    if isinstance(value, int):
        return f"{value:>12d}"
    return f"{value:>12.4g}"


def uniform_latents(n: int, dim: int, generator: torch.Generator, device) -> torch.Tensor:
    """``(n, dim)`` latents uniform in [-1, 1] (WaveGAN/SpecGAN): :func:`models.layers.sample_latent`."""
    from .models.layers import sample_latent

    return sample_latent(n, dim, generator, device)


def normal_latents(n: int, dim: int, generator: torch.Generator, device) -> torch.Tensor:
    """``(n, dim)`` standard normal latents (GANSynth, progressive GANs)."""
    return torch.randn(n, dim, generator=generator, device=device)


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


PreviewFn = Callable[["Trainer", int, torch.Tensor], Any]
LatentFn = Callable[[int, int, torch.Generator, torch.device], torch.Tensor]


class Trainer:
    """Train a generator/discriminator pair with a :class:`TrainConfig`.

    ``generator(z)`` (or ``generator(z, labels)`` when ``config.conditional``) maps latents
    ``(B, latent_dim)`` to examples shaped like the data's; ``discriminator(x)`` returns scores
    ``(B,)`` or ``(B, 1)``, or ``(scores, aux_logits)``. ``data`` is a float tensor ``(N, ...)``
    or a pair ``(examples (N, ...), labels (N,))`` (or a record with ``.waves`` and ``.labels``);
    it is moved to ``device`` once. ``out_dir`` (None = no checkpoints) receives
    ``ckpt_XXXXXXXX.pt`` files. ``meta`` (a dict) is saved in every checkpoint as it is: what
    turns samples back into audio (``experiments`` writes it). ``latent_fn(n, dim, generator,
    device)`` overrides the latent distribution. ``preview(trainer, step, samples)`` is called
    every ``config.preview_every`` steps with samples of the fixed preview latents (made by the
    EMA generator when there is one). ``hook`` (None = none) is an object the trainer calls
    around each step, for schedules that change the models while they train (progressive
    growing, notebook 06): ``hook.before_step(trainer)`` before every step (``trainer.step`` is
    then the number of steps done, and resuming replays the same calls), and
    ``hook.real_batch(trainer, real)`` on every batch of real examples before the discriminator
    sees it (its return value is used). See :class:`StepHook`.

    After training: ``trainer.history`` (a :class:`History`), ``trainer.step``,
    ``trainer.sample(n)``. Used by notebooks 02-06 and ``python -m audiogan_lesson train``.
    """

    def __init__(self, generator: nn.Module, discriminator: nn.Module, data,
                 config: TrainConfig | None = None, out_dir: str | os.PathLike | None = None,
                 device: str | torch.device | None = None, latent_fn: LatentFn | None = None,
                 preview: PreviewFn | None = None, meta: dict | None = None,
                 hook: "StepHook | None" = None):
        self.config = config = config if config is not None else TrainConfig()
        self.hook = hook
        self.meta = dict(meta or {})
        self.device = torch.device(device if device is not None else pick_device())
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.generator = generator.to(self.device)
        self.discriminator = discriminator.to(self.device)
        self.data, self.labels = self._prepare_data(data)
        if config.conditional and self.labels is None:
            raise ValueError("TrainConfig.conditional=True needs labelled data: pass (waves, labels)")
        self.latent_dim = self._resolve_latent_dim()
        self.latent_fn = latent_fn or (uniform_latents if config.latent == "uniform" else normal_latents)
        self.preview = preview

        self.rng = torch.Generator(device=self.device)
        self.rng.manual_seed(config.seed)
        self.preview_z, self.preview_labels = self._make_preview_inputs()
        self._check_shapes()

        fused = {"fused": True} if self.device.type == "cuda" else {}
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=config.lr_g,
                                      betas=config.betas, **fused)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr_d,
                                      betas=config.betas, **fused)
        self.ema = None
        if config.ema_decay > 0:
            self.ema = copy.deepcopy(self.generator).requires_grad_(False)
        self.amp_dtype = self._resolve_autocast()
        use_scaler = self.amp_dtype == torch.float16
        self.scaler_g = torch.amp.GradScaler(self.device.type) if use_scaler else None
        self.scaler_d = torch.amp.GradScaler(self.device.type) if use_scaler else None
        self._g_call = torch.compile(self.generator) if config.compile else self.generator
        self._d_call = torch.compile(self.discriminator) if config.compile else self.discriminator

        self.metrics = self._metric_names()
        self.step = 0
        self.seconds = 0.0
        self.history = History()
        self.last_checkpoint: Path | None = None
        self._buf = torch.zeros(config.log_every, len(self.metrics), device=self.device)
        self._buf_n = 0
        self._started = False
        self._in_step = False
        self._interrupt_requested = False
        self._poisoned = False
        self._bar = None

    # ------------------------------------------------------------------ setup helpers

    def _prepare_data(self, data):
        labels = None
        if hasattr(data, "waves"):  # a dataset record such as data.toy_drums(...)
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
            raise ValueError(f"training data must have shape (N, ...) with N >= 1; got {tuple(data.shape)}")
        data = data.to(self.device, torch.float32)
        if labels is not None:
            labels = torch.as_tensor(labels).to(self.device, torch.long)
            if labels.shape != (data.shape[0],):
                raise ValueError(f"labels must have shape ({data.shape[0]},), one per example; "
                                 f"got {tuple(labels.shape)}")
        return data, labels

    def _resolve_latent_dim(self) -> int:
        if self.config.latent_dim is not None:
            return int(self.config.latent_dim)
        g = self.generator
        for owner in (g, getattr(g, "config", None)):
            for name in ("latent_dim", "z_dim"):
                value = getattr(owner, name, None)
                if isinstance(value, int):
                    return value
        return 100

    def _resolve_autocast(self) -> torch.dtype | None:
        choice = self.config.autocast
        if choice is False:
            return None
        if choice is None:
            return autocast_dtype(str(self.device))
        return native_autocast_dtype(str(self.device)) or torch.bfloat16

    def _make_preview_inputs(self):
        g = torch.Generator(device=self.device)
        g.manual_seed(self.config.seed + 1)
        z = self.latent_fn(self.config.n_preview, self.latent_dim, g, self.device)
        labels = None
        if self.config.conditional:
            idx = torch.randint(0, self.data.shape[0], (self.config.n_preview,), generator=g,
                                device=self.device)
            labels = self.labels[idx]
        return z, labels

    def _check_shapes(self) -> None:
        """One tiny forward pass, so that a shape mismatch fails here with a clear message."""
        z = self.preview_z[:2]
        labels = self.preview_labels[:2] if self.preview_labels is not None else None
        was_training = self.generator.training
        self.generator.eval()
        try:
            with torch.no_grad():
                out = self.generator(z, labels) if self.config.conditional else self.generator(z)
        except Exception as exc:
            raise ValueError(f"the generator failed on latents of shape {tuple(z.shape)} "
                             f"({type(exc).__name__}: {exc}); set TrainConfig(latent_dim=...) to the "
                             "generator's latent size") from exc
        finally:
            self.generator.train(was_training)
        if tuple(out.shape[1:]) != tuple(self.data.shape[1:]):
            raise ValueError(f"the generator makes examples of shape {tuple(out.shape[1:])} but the "
                             f"data's examples have shape {tuple(self.data.shape[1:])}; reshape the "
                             "data (e.g. waves[:, None, :] for (N, 1, L)) or change the model config")

    def _metric_names(self) -> list[str]:
        cfg = self.config
        names = ["d_loss", "g_loss"]
        if cfg.loss == "bce":
            names += ["d_real", "d_fake", "d_acc"]
        else:
            names += ["wdist", "gp"]
        if cfg.drift > 0:
            names.append("drift")
        if cfg.aux_weight > 0:
            names += ["aux_d", "aux_g"]
        return names

    # ------------------------------------------------------------------ one step

    def _autocast(self):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    def _real_batch(self):
        idx = torch.randint(0, self.data.shape[0], (self.config.batch_size,), generator=self.rng,
                            device=self.device)
        real = self.data[idx]
        if self.hook is not None:
            real = self.hook.real_batch(self, real)
        return real, (self.labels[idx] if self.labels is not None else None)

    def _fake_labels(self):
        if not self.config.conditional:
            return None
        idx = torch.randint(0, self.data.shape[0], (self.config.batch_size,), generator=self.rng,
                            device=self.device)
        return self.labels[idx]

    def _generate(self, z, labels):
        return self._g_call(z, labels) if self.config.conditional else self._g_call(z)

    def _update(self, loss, opt, scaler) -> None:
        opt.zero_grad(set_to_none=True)
        if scaler is None:
            loss.backward()
            opt.step()
        else:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()

    def _d_step(self) -> list[torch.Tensor]:
        cfg = self.config
        real, real_labels = self._real_batch()
        fake_labels = real_labels if cfg.conditional else None
        z = self.latent_fn(cfg.batch_size, self.latent_dim, self.rng, self.device)
        with torch.no_grad(), self._autocast():
            fake = self._generate(z, fake_labels)
        with self._autocast():
            real_scores, real_aux = losses.split_output(self._d_call(real))
            fake_scores, fake_aux = losses.split_output(self._d_call(fake))
        if cfg.loss == "bce":
            loss = losses.discriminator_bce_loss(real_scores, fake_scores,
                                                 real_target=1.0 - cfg.label_smoothing)
            values = [loss, None,
                      torch.sigmoid(real_scores.float()).mean(),
                      torch.sigmoid(fake_scores.float()).mean(),
                      losses.discriminator_accuracy(real_scores, fake_scores)]
        else:
            wdist = -losses.critic_loss(real_scores, fake_scores)
            gp = losses.gradient_penalty(self.discriminator, real, fake, cfg.gp_weight,
                                         generator=self.rng)
            loss = -wdist + gp
            values = [None, None, wdist, gp]
        if cfg.drift > 0:
            drift = losses.drift_penalty(real_scores, cfg.drift)
            loss = loss + drift
            values.append(drift)
        if cfg.aux_weight > 0:
            aux = self._aux_loss(real_aux, real_labels, "real")
            if cfg.aux_fake_in_d and cfg.conditional:
                aux = aux + self._aux_loss(fake_aux, fake_labels, "fake")
            loss = loss + cfg.aux_weight * aux
            values += [aux, None]
        values[0] = loss
        self._update(loss, self.opt_d, self.scaler_d)
        return values

    def _aux_loss(self, aux_logits, labels, which: str) -> torch.Tensor:
        if aux_logits is None:
            raise ValueError("TrainConfig.aux_weight > 0 needs a discriminator that returns "
                             "(scores, aux_logits)")
        if labels is None:
            raise ValueError(f"the auxiliary loss on {which} examples needs labels: pass data as "
                             "(waves, labels) and, for fakes, TrainConfig(conditional=True)")
        return losses.auxiliary_loss(aux_logits, labels)

    def _g_step(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        cfg = self.config
        labels = self._fake_labels()
        z = self.latent_fn(cfg.batch_size, self.latent_dim, self.rng, self.device)
        with self._autocast():
            fake = self._generate(z, labels)
            scores, aux_logits = losses.split_output(self._d_call(fake))
        if cfg.loss == "bce":
            loss = losses.generator_bce_loss(scores)
        else:
            loss = losses.generator_wasserstein_loss(scores)
        aux = None
        if cfg.aux_weight > 0 and cfg.conditional:
            aux = self._aux_loss(aux_logits, labels, "fake")
            loss = loss + cfg.aux_weight * aux
        self._update(loss, self.opt_g, self.scaler_g)
        if self.ema is not None:
            self._update_ema()
        return loss, aux

    @torch.no_grad()
    def _update_ema(self) -> None:
        weight = 1.0 - self.config.ema_decay
        for e, p in zip(self.ema.parameters(), self.generator.parameters()):
            e.lerp_(p.detach(), weight)
        for e, b in zip(self.ema.buffers(), self.generator.buffers()):
            e.copy_(b)

    def _train_step(self) -> None:
        """One round: n_critic D updates, then g_steps_per_d G updates. No host sync."""
        cfg = self.config
        self.discriminator.requires_grad_(True)
        d_sum = None
        for _ in range(cfg.n_critic):
            values = self._d_step()
            row = [v.detach().float() for v in values if v is not None]
            d_sum = row if d_sum is None else [a + b for a, b in zip(d_sum, row)]
        self.discriminator.requires_grad_(False)
        g_sum = torch.zeros((), device=self.device)
        aux_sum = torch.zeros((), device=self.device)
        for _ in range(cfg.g_steps_per_d):
            g_loss, aux = self._g_step()
            g_sum = g_sum + g_loss.detach().float()
            if aux is not None:
                aux_sum = aux_sum + aux.detach().float()
        self.discriminator.requires_grad_(True)
        d_means = [v / cfg.n_critic for v in d_sum]
        row = [d_means[0], g_sum / cfg.g_steps_per_d] + d_means[1:]
        if cfg.aux_weight > 0:
            row.append(aux_sum / cfg.g_steps_per_d)
        self._buf[self._buf_n] = torch.stack(row)
        self._buf_n += 1

    # ------------------------------------------------------------------ logging and the NaN guard

    def _flush(self) -> None:
        """Read the per-step values (one host sync), check them, append one history row."""
        n = self._buf_n
        if n == 0:
            return
        values = self._buf[:n].cpu().double()
        first = self.step - n + 1
        finite = torch.isfinite(values)
        if not bool(finite.all()):
            row = int((~finite.all(dim=1)).nonzero()[0, 0])
            bad = [name for name, ok in zip(self.metrics, finite[row].tolist()) if not ok]
            shown = ", ".join(f"{name}={values[row, i].item():.4g}"
                              for i, name in enumerate(self.metrics))
            self._poisoned = True
            self._buf_n = 0
            last = (f"the last good checkpoint is {self.last_checkpoint} (step "
                    f"{self._checkpoint_step(self.last_checkpoint)})" if self.last_checkpoint
                    else "no checkpoint was written")
            raise NonFiniteLossError(
                f"non-finite {bad[0]} at step {first + row} ({shown}); training stopped and "
                f"{last}. Resume from it with a lower learning rate (lr_g/lr_d), autocast=False, "
                "or check the data for NaN/inf", step=first + row, loss=bad[0])
        means = values.mean(dim=0).tolist()
        entry: dict[str, Any] = {"step": self.step, "seconds": round(self.seconds, 3)}
        entry.update({name: float(v) for name, v in zip(self.metrics, means)})
        self.history.append(entry)
        self._buf_n = 0
        if self._bar is not None:
            self._bar.set_postfix({k: f"{entry[k]:.3g}" for k in self.metrics[:3]}, refresh=False)

    @staticmethod
    def _checkpoint_step(path: Path | None) -> int | None:
        m = ckpt_io._NAME.match(path.name) if path is not None else None
        return int(m.group(1)) if m else None

    # ------------------------------------------------------------------ checkpoints

    def state_dict(self) -> dict:
        """Everything a checkpoint holds (tensors on the CPU where it matters for RNG states)."""
        return {
            "format": ckpt_io.CHECKPOINT_FORMAT,
            "step": self.step,
            "seconds": self.seconds,
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "ema": self.ema.state_dict() if self.ema is not None else None,
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "scaler_g": self.scaler_g.state_dict() if self.scaler_g is not None else None,
            "scaler_d": self.scaler_d.state_dict() if self.scaler_d is not None else None,
            "history": [dict(row) for row in self.history],
            "config": ckpt_io.config_dict(self.config),
            "models": {"generator": ckpt_io.model_spec(self.generator),
                       "discriminator": ckpt_io.model_spec(self.discriminator)},
            "data": {"shape": list(self.data.shape), "labelled": self.labels is not None},
            "latent_dim": self.latent_dim,
            "meta": self.meta,
            "preview_z": self.preview_z.cpu(),
            "preview_labels": self.preview_labels.cpu() if self.preview_labels is not None else None,
            "rng": ckpt_io.rng_state({"trainer": self.rng}),
        }

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write a checkpoint (default ``out_dir/ckpt_<step>.pt``) and keep the last k.

        Refuses (``NonFiniteLossError``) when a pending loss or any weight is not finite, so a
        checkpoint on disk is always a good one.
        """
        if self._poisoned:
            raise NonFiniteLossError("training produced non-finite values; no checkpoint is written "
                                     "from this state", step=self.step, loss="unknown")
        self._flush()
        if not bool(ckpt_io.all_finite([self.generator, self.discriminator, self.ema])):
            self._poisoned = True
            raise NonFiniteLossError(f"weights are not finite at step {self.step}; no checkpoint "
                                     f"written (the last good one: {self.last_checkpoint})",
                                     step=self.step, loss="weights")
        if path is None:
            if self.out_dir is None:
                raise ValueError("Trainer.save() needs a path, or out_dir= when the Trainer is made")
            path = ckpt_io.checkpoint_path(self.out_dir, self.step)
        path = ckpt_io.save_checkpoint(path, self.state_dict())
        self.last_checkpoint = path
        if self.out_dir is not None and Path(path).parent == self.out_dir:
            ckpt_io.prune_checkpoints(self.out_dir, self.config.keep_last)
        return path

    def load(self, path: str | os.PathLike) -> None:
        """Restore a checkpoint written with the same configuration (else ConfigMismatchError)."""
        state = ckpt_io.load_checkpoint(path, map_location="cpu")
        differences = ckpt_io.config_differences(state["config"], ckpt_io.config_dict(self.config),
                                                 ignore=RUN_FIELDS)
        for role, model in (("generator", self.generator), ("discriminator", self.discriminator)):
            saved = (state.get("models") or {}).get(role)
            now = ckpt_io.model_spec(model)
            if saved is not None and now is not None:
                differences += [f"{role}.{line}" for line in
                                ckpt_io.config_differences(saved, now)]
        saved_meta = {k: v for k, v in (state.get("meta") or {}).items() if k != "representation"}
        now_meta = {k: v for k, v in self.meta.items() if k != "representation"}
        differences += [f"meta.{line}" for line in ckpt_io.config_differences(saved_meta, now_meta)]
        saved_shape = state.get("data", {}).get("shape")
        if saved_shape is not None and list(saved_shape) != list(self.data.shape):
            differences.append(f"data shape: saved {tuple(saved_shape)}, now {tuple(self.data.shape)}")
        if differences:
            raise ConfigMismatchError(
                f"{path} was written with a different configuration; differing fields:\n  "
                + "\n  ".join(differences)
                + "\nResume with the same configuration, or start a new run in another out_dir.")
        try:
            self.generator.load_state_dict(state["generator"])
            self.discriminator.load_state_dict(state["discriminator"])
            if self.ema is not None and state.get("ema") is not None:
                self.ema.load_state_dict(state["ema"])
        except RuntimeError as exc:
            raise ConfigMismatchError(f"{path}: the weights do not fit these models ({exc}); the "
                                      "checkpoint belongs to models of another size") from None
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        if self.scaler_g is not None and state.get("scaler_g") is not None:
            self.scaler_g.load_state_dict(state["scaler_g"])
            self.scaler_d.load_state_dict(state["scaler_d"])
        self.step = int(state["step"])
        self.seconds = float(state["seconds"])
        self.history = History(dict(row) for row in state["history"])
        self.preview_z = state["preview_z"].to(self.device)
        if state.get("preview_labels") is not None:
            self.preview_labels = state["preview_labels"].to(self.device)
        ckpt_io.set_rng_state(state["rng"], {"trainer": self.rng})
        self._buf_n = 0
        self._poisoned = False
        self.last_checkpoint = Path(path)
        self._started = True

    # ------------------------------------------------------------------ sampling

    @property
    def sampler(self) -> nn.Module:
        """The generator used for samples: the EMA copy when there is one."""
        return self.ema if self.ema is not None else self.generator

    @torch.no_grad()
    def _run_generator(self, z, labels) -> torch.Tensor:
        model = self.sampler
        was_training = model.training
        model.eval()
        try:
            return (model(z, labels) if self.config.conditional else model(z)).float()
        finally:
            model.train(was_training)

    def sample_preview(self) -> torch.Tensor:
        """Samples ``(n_preview, ...)`` of the fixed preview latents (the same every time)."""
        return self._run_generator(self.preview_z, self.preview_labels)

    def sample(self, n: int, labels: torch.Tensor | None = None, seed: int | None = None,
               batch_size: int = 256) -> torch.Tensor:
        """``n`` generated examples ``(n, ...)`` on the trainer's device, in fp32.

        Latents come from a generator seeded with ``seed`` (default ``config.seed + 2``), so the
        training random state is untouched. ``labels`` ``(n,)`` for a conditional generator
        (default: drawn from the data's labels).
        """
        g = torch.Generator(device=self.device)
        g.manual_seed(self.config.seed + 2 if seed is None else seed)
        if self.config.conditional and labels is None:
            idx = torch.randint(0, self.data.shape[0], (n,), generator=g, device=self.device)
            labels = self.labels[idx]
        out = []
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            z = self.latent_fn(m, self.latent_dim, g, self.device)
            lab = labels[start:start + m].to(self.device) if labels is not None else None
            out.append(self._run_generator(z, lab))
        return torch.cat(out)

    # ------------------------------------------------------------------ the loop

    def train(self, steps: int | None = None, seconds: float | None = None,
              resume: bool | str | os.PathLike = False, progress: bool = True) -> History:
        """Train until ``steps`` (total, default ``config.steps``) or ``seconds`` have passed.

        ``resume=True`` first loads the newest checkpoint of ``out_dir`` when there is one (a
        path loads that file); a run that already reached ``steps`` returns at once, so a
        notebook cell can "train or load". Without ``resume``, an ``out_dir`` that already holds
        checkpoints is refused rather than mixed with a new run. Returns the history.
        """
        cfg = self.config
        target = cfg.steps if steps is None else int(steps)
        budget = cfg.max_seconds if seconds is None else seconds
        self._begin(resume)
        if self._poisoned:
            raise NonFiniteLossError(
                "this trainer's state is not finite since an earlier NaN/inf; make a new Trainer "
                f"and resume from the last good checkpoint ({self.last_checkpoint})",
                step=self.step, loss="unknown")
        if self.step >= target:
            return self.history
        self._in_step = False
        self.generator.train()
        self.discriminator.train()
        bar = self._progress_bar(target, progress)
        start = time.perf_counter()
        clock = start
        try:
            with self._deferred_sigint():
                while self.step < target:
                    if self._interrupt_requested:
                        raise KeyboardInterrupt
                    self._in_step = True
                    if self.hook is not None:
                        self.hook.before_step(self)
                    self._train_step()
                    self._in_step = False
                    self.step += 1
                    now = time.perf_counter()
                    self.seconds += now - clock
                    clock = now
                    bar.update(1)
                    self._after_step()
                    if budget is not None and now - start >= budget:
                        break
            self._flush()
            if self.out_dir is not None and self._checkpoint_step(self.last_checkpoint) != self.step:
                self.save()
        except KeyboardInterrupt:
            self._save_on_interrupt()
            raise
        finally:
            self._interrupt_requested = False
            bar.close()
            self._bar = None
        return self.history

    def _begin(self, resume) -> None:
        if self._started:
            return
        if self.out_dir is not None:
            ckpt_io.remove_stale_temporaries(self.out_dir)
        if resume:
            path = None
            if isinstance(resume, (str, os.PathLike)):
                path = Path(resume)
            elif self.out_dir is not None:
                path = ckpt_io.latest_checkpoint(self.out_dir)
            if path is not None:
                self.load(path)
        elif self.out_dir is not None and ckpt_io.list_checkpoints(self.out_dir):
            raise FileExistsError(
                f"{self.out_dir} already holds checkpoints of a run; pass resume=True to continue "
                "it, or choose another out_dir (or delete the old checkpoints) to start afresh")
        self._started = True

    def _after_step(self) -> None:
        cfg = self.config
        if self._buf_n == cfg.log_every:
            self._flush()
        if self.out_dir is not None and cfg.checkpoint_every and self.step % cfg.checkpoint_every == 0:
            self.save()
        if self.preview is not None and cfg.preview_every and self.step % cfg.preview_every == 0:
            self.preview(self, self.step, self.sample_preview())

    def _progress_bar(self, target: int, progress: bool):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=target, initial=self.step, disable=not progress,
                         desc=f"{type(self.generator).__name__} {self.config.loss}", unit="step")
        return self._bar

    def _save_on_interrupt(self) -> None:
        if self.out_dir is None:
            return
        if self._in_step:
            print(f"interrupted in the middle of step {self.step + 1}: no checkpoint written "
                  f"(the last one: {self.last_checkpoint})")
            return
        try:
            path = self.save()
        except NonFiniteLossError as exc:
            print(f"interrupted; no checkpoint written: {exc}")
            return
        print(f"interrupted at step {self.step}; checkpoint saved to {path}")

    @contextlib.contextmanager
    def _deferred_sigint(self):
        """Turn the first Ctrl-C into a request to stop after the current step."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGINT)

        def request_stop(signum, frame):
            if self._interrupt_requested:  # a second Ctrl-C: stop now
                raise KeyboardInterrupt
            self._interrupt_requested = True

        signal.signal(signal.SIGINT, request_stop)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)

