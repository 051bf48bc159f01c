"""A moving average of the generator's weights (``TrainConfig.ema_decay``; notebooks 05 and 06).

Samples drawn from the average are smoother than those of the last step (Yazıcı et al. 2019;
GANSynth keeps one with decay 0.999). The copy starts equal to the generator and after every
generator update moves ``1 - decay`` of the way towards it; buffers (batch-norm statistics) are
copied, not averaged.

torch's ``AveragedModel`` with ``get_ema_multi_avg_fn`` does nearly this, but its first update
copies the weights instead of averaging them and it stores the copy under ``module.`` with a
counter: results and the course's checkpoints would change. The average here is the copy itself,
a plain ``nn.Module`` that ``checkpoint.load_generator`` rebuilds like any generator.
"""

from __future__ import annotations

import copy

import torch
import torch.nn as nn


def make_ema(generator: nn.Module) -> nn.Module:
    """A frozen copy of ``generator`` to average into."""
    return copy.deepcopy(generator).requires_grad_(False)


@torch.no_grad()
def update_ema(ema: nn.Module, generator: nn.Module, decay: float) -> None:
    """``ema <- decay * ema + (1 - decay) * generator`` for every weight; buffers copied."""
    weight = 1.0 - decay
    for e, p in zip(ema.parameters(), generator.parameters()):
        e.lerp_(p.detach(), weight)
    for e, b in zip(ema.buffers(), generator.buffers()):
        e.copy_(b)
