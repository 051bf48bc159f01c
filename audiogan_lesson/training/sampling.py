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

__all__ = ["SAMPLE_SEED", "SAMPLE_BATCH", "latent_batches"]

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
