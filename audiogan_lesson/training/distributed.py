"""Data-parallel training over several processes (``torchrun``; the README's "More than one GPU").

::

    torchrun --nproc_per_node=4 -m audiogan_lesson train wavegan --data sc09 --out runs/wg

``torchrun`` starts one process per GPU (or per CPU share) and sets ``RANK``, ``WORLD_SIZE`` and
``LOCAL_RANK``; :func:`init_from_env` joins them into one process group (NCCL on GPUs, gloo on
CPUs). The :class:`~.trainer.Trainer` then does the rest:

- **one global batch.** Every process draws the whole batch of ``TrainConfig.batch_size``
  indices, latents and interpolation weights with the same seeded generator and keeps its own
  contiguous share (:meth:`Shard.take`), so ``k`` steps on ``N`` processes see exactly the
  examples that one process with the same global batch sees, and a checkpoint resumes on any
  number of processes;
- **gradients averaged** by :class:`~torch.nn.parallel.DistributedDataParallel` wrappers of the
  generator and the discriminator (:func:`wrap`). Each critic update has exactly one backward
  (real and fake scores, gradient penalty and drift summed first), so each parameter's gradient
  is reduced once per update; the penalty's double backward goes through the plain critic and
  its parameter gradients are reduced with the rest. The generator update scores its fakes with
  the plain discriminator, which it does not train;
- **one writer.** Process 0 alone writes checkpoints, previews and the progress bar; the logged
  values are averaged over processes once per log interval (:func:`average`), and a time budget
  or Ctrl-C stops every process at the same step (:func:`agree`).
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn as nn


@dataclass(frozen=True)
class Shard:
    """This process's place among ``world_size`` processes (``Shard()`` is one process)."""

    rank: int = 0
    world_size: int = 1

    @property
    def main(self) -> bool:
        """Process 0, the one that writes files and prints."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def take(self, batch: torch.Tensor) -> torch.Tensor:
        """This process's contiguous share of a global batch ``(B, ...)`` -> ``(B / N, ...)``."""
        if self.world_size == 1:
            return batch
        size = batch.shape[0] // self.world_size
        return batch[self.rank * size:(self.rank + 1) * size]

    def local_batch(self, global_batch: int) -> int:
        """The per-process batch; refuses a global batch that does not split evenly."""
        if global_batch % self.world_size:
            raise ValueError(f"TrainConfig.batch_size={global_batch} does not split over "
                             f"{self.world_size} processes; choose a multiple of {self.world_size}")
        return global_batch // self.world_size


def current() -> Shard:
    """The :class:`Shard` of this process: from the initialised process group, else one process."""
    if dist.is_available() and dist.is_initialized():
        return Shard(dist.get_rank(), dist.get_world_size())
    return Shard()


def launched_by_torchrun() -> bool:
    """True when ``torchrun`` started this process as one of several (``WORLD_SIZE`` > 1)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_from_env(device: str | torch.device) -> tuple[Shard, torch.device]:
    """Join the process group that ``torchrun`` describes in the environment.

    ``device`` is the profile's (``"cuda"`` or ``"cpu"``): CUDA processes use NCCL and GPU
    ``LOCAL_RANK``, CPU processes gloo. Returns this process's :class:`Shard` and device; with a
    single process it only returns ``(Shard(), device)``.
    """
    device = torch.device(device)
    if not launched_by_torchrun():
        return Shard(), device
    if not dist.is_available():
        raise RuntimeError("this torch build has no torch.distributed; run a single process")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device.type == "cuda":
        if local_rank >= torch.cuda.device_count():
            raise RuntimeError(f"LOCAL_RANK={local_rank} but only {torch.cuda.device_count()} "
                               "GPUs are visible; start torchrun with --nproc_per_node at most "
                               "the number of GPUs")
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return current(), device


def process_device(device: str | torch.device, shard: Shard) -> torch.device:
    """``device``; under ``torchrun`` a bare ``"cuda"`` becomes this process's GPU."""
    device = torch.device(device)
    if shard.distributed and device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    return device


def shutdown(synchronise: bool = True) -> None:
    """Leave the process group (at the end of ``train``). After a run that ended normally
    (``synchronise``) every process first waits for the others at a barrier: a process that
    tears gloo down while a peer still finishes its last collective can abort at exit. After an
    error there is no barrier, since a peer that died would never reach it.

    Release the trainer first (the command line trains inside a function): its
    ``DistributedDataParallel`` wrappers hold the process group, and a group freed only while
    the interpreter shuts down can abort in gloo's worker threads."""
    if dist.is_available() and dist.is_initialized():
        if synchronise:
            dist.barrier()
        dist.destroy_process_group()
        gc.collect()  # a group that only a reference cycle still holds is freed now


def wrap(module: nn.Module, device: torch.device, find_unused: bool = False) -> nn.Module:
    """``module`` in a :class:`~torch.nn.parallel.DistributedDataParallel` that averages its
    gradients over the processes (``find_unused``: some parameters may get no gradient in an
    update, as the not-yet-grown stages of a progressive GAN)."""
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(module, device_ids=ids,
                                               find_unused_parameters=find_unused)


def average(values: torch.Tensor, shard: Shard) -> torch.Tensor:
    """The mean of ``values`` over the processes (a collective: every process must call it)."""
    if not shard.distributed:
        return values
    values = values.clone()
    dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values / shard.world_size


def agree(flag: bool, shard: Shard, device: torch.device) -> bool:
    """True on every process when ``flag`` is True on any (a collective, one host sync)."""
    if not shard.distributed:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def agree_every(flag: bool, step: int, shard: Shard, device: torch.device,
                every: int = 10) -> bool:
    """``flag`` in one process; under ``torchrun`` :func:`agree` on it every ``every`` steps
    (False in between), so that a time budget or Ctrl-C stops every process at the same step."""
    if not shard.distributed:
        return flag
    return False if step % every else agree(flag, shard, device)


def barrier(shard: Shard) -> None:
    """Wait for every process (e.g. until process 0 has written a checkpoint)."""
    if shard.distributed:
        dist.barrier()
