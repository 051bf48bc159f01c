"""The one rule for the latents and labels a generator is sampled with (notebooks 05-09,
``generate``).

Every sampler of the course draws through :func:`latent_batches`: :meth:`Trainer.sample` (and so
the kept-best scores and train-or-load's results), :func:`runs.sample_batches` (``generate``,
:func:`runs.sample_run`, the run scores of notebook 07 and the shipped runs). The rule: the
latents of ``n`` examples come batch by batch, in turn, from one ``torch.Generator`` seeded with
``seed`` (0 unless asked); a conditional generator is given its classes (or pitches) in turn,
``0, 1, ..., K-1, 0, 1, ...``, unless one class or explicit labels are asked for. So the same run
sampled in a notebook, by ``generate`` or by the evaluation gives the same sounds for the same
seed, and every class the same share.
"""

from __future__ import annotations

from typing import Callable, Iterator

import torch

__all__ = ["SAMPLE_SEED", "SAMPLE_BATCH", "latent_batches", "sample_model", "class_count",
           "eval_forward"]

SAMPLE_SEED = 0  # the default seed of every sampler
SAMPLE_BATCH = 64  # latents are drawn this many at a time (the draws depend on it for normal ones)


def latent_batches(latent_fn: Callable, latent_dim: int, n: int, device: str | torch.device,
                   seed: int = SAMPLE_SEED, n_classes: int = 0, label: int | None = None,
                   labels: torch.Tensor | None = None, batch_size: int = SAMPLE_BATCH
                   ) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
    """``(z (m, latent_dim), labels (m,) or None)`` for ``n`` examples, ``batch_size`` at a time.

    ``latent_fn(m, latent_dim, generator, device)`` draws ``m`` latents (the run's distribution);
    all come from one generator seeded with ``seed``. Labels: ``labels`` ``(n,)`` when given;
    else every one ``label`` when given; else, for ``n_classes`` > 0, the classes in turn; else
    None (an unconditional generator).
    """
    device = torch.device(device)
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    for start in range(0, n, batch_size):
        m = min(batch_size, n - start)
        z = latent_fn(m, latent_dim, g, device)
        if labels is not None:
            part = labels[start:start + m].to(device)
        elif label is not None:
            part = torch.full((m,), int(label), dtype=torch.long, device=device)
        elif n_classes > 0:
            part = torch.arange(start, start + m, device=device) % n_classes
        else:
            part = None
        yield z, part


def sample_model(model: torch.nn.Module, latent_fn: Callable, latent_dim: int, n: int,
                 device: str | torch.device, seed: int | None = None, n_classes: int = 0,
                 labels: torch.Tensor | None = None, batch_size: int = SAMPLE_BATCH
                 ) -> torch.Tensor:
    """``n`` examples of ``model`` in eval mode and fp32 (``(n, ...)`` on ``device``), drawn by
    :func:`latent_batches` (seed None: :data:`SAMPLE_SEED`). :meth:`Trainer.sample`."""
    return torch.cat([eval_forward(model, z, part) for z, part in latent_batches(
        latent_fn, latent_dim, n, device, SAMPLE_SEED if seed is None else seed,
        n_classes=n_classes, labels=labels, batch_size=batch_size)])


def class_count(meta: dict, labels: torch.Tensor | None) -> int:
    """The labels a conditional generator takes: its pitches, else its classes (an experiment's
    ``meta``), else one more than the largest label in the data ``labels``."""
    for key in ("pitches", "classes"):
        if meta.get(key):
            return len(meta[key])
    return int(labels.max()) + 1 if labels is not None else 0


@torch.no_grad()
def eval_forward(model: torch.nn.Module, z: torch.Tensor,
                 labels: torch.Tensor | None) -> torch.Tensor:
    """``model(z)`` (or ``model(z, labels)``) in eval mode, as fp32; the mode is restored."""
    was_training = model.training
    model.eval()
    try:
        return (model(z, labels) if labels is not None else model(z)).float()
    finally:
        model.train(was_training)
