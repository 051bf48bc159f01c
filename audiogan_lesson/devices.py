"""The device, the precision and the seeds a run uses (every notebook, the command line, ``bench``).

:func:`pick_device` chooses CUDA, then Apple's ``mps``, then the CPU (or checks the device asked
for); :func:`autocast_dtype` says which reduced precision the training step runs in;
:func:`tune_backend` lets cuDNN pick its kernels; :func:`seed_everything` seeds Python, numpy and
torch. :mod:`audiogan_lesson.profiles` uses them, and re-exports them for the notebooks.
"""

from __future__ import annotations

import os
import platform
import random

import numpy as np
import torch

__all__ = ["DEVICE_KINDS", "cuda_available", "mps_available", "pick_device", "tune_backend",
           "cpu_supports_bf16", "native_autocast_dtype", "autocast_dtype", "seed_everything"]


def cuda_available() -> bool:
    """Whether a CUDA device can be used (no error when CUDA drivers are missing)."""
    try:
        return torch.cuda.is_available()
    except Exception:  # a broken driver install must not stop a CPU student
        return False


def mps_available() -> bool:
    """Whether Apple's Metal GPU (``mps``) can be used (an Apple-silicon Mac with a torch built
    for it)."""
    try:
        return bool(torch.backends.mps.is_available())
    except Exception:
        return False


DEVICE_KINDS = ("cpu", "cuda", "mps")


def pick_device(preferred: str | None = None) -> str:
    """The device to train and sample on: ``preferred`` (``--device``, else ``$AUDIOGAN_DEVICE``)
    when given, checked; else CUDA when available, then Apple's ``mps``, then ``cpu``.

    ``preferred`` is ``cpu``, ``cuda``, ``cuda:N`` or ``mps``; an unknown name, or a device this
    machine does not have, is a ``ValueError`` that names it and the fix.
    """
    if preferred is None:
        preferred = os.environ.get("AUDIOGAN_DEVICE") or None
    if preferred is None:
        return "cuda" if cuda_available() else "mps" if mps_available() else "cpu"
    unset = " (or unset AUDIOGAN_DEVICE)" if os.environ.get("AUDIOGAN_DEVICE") else ""
    try:
        device = torch.device(preferred)
    except (RuntimeError, TypeError):
        device = None
    if device is None or device.type not in DEVICE_KINDS:
        raise ValueError(f"device {preferred!r} is not one of cpu, cuda, cuda:N, mps; choose one "
                         f"of those{unset}")
    if device.type == "cuda" and not cuda_available():
        raise ValueError(f"device {preferred!r} was asked for but CUDA is not available on this "
                         f"machine; use --device cpu{unset}")
    if device.type == "cuda" and device.index is not None \
            and device.index >= torch.cuda.device_count():
        raise ValueError(f"device {preferred!r}: this machine has {torch.cuda.device_count()} "
                         f"CUDA device(s), cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    if device.type == "mps" and not mps_available():
        raise ValueError(f"device {preferred!r} was asked for but Apple's Metal (mps) is not "
                         f"available on this machine; use --device cpu{unset}")
    return preferred


def tune_backend(device: str | torch.device) -> None:
    """Let cuDNN time its convolution algorithms once per shape and keep the fastest (CUDA only).

    A GAN trains on fixed shapes, so the search pays for itself within a few steps. On an H200,
    ``python -m audiogan_lesson bench`` measured the paper-size WaveGAN's WGAN-GP round at
    222 ms in bf16 without it and 122 ms with it, and its generation at 0.11 and 0.019 ms per
    example. The trainer, the benchmark and sampling from a run call it.
    """
    if torch.device(device).type == "cuda":
        torch.backends.cudnn.benchmark = True


def cpu_supports_bf16() -> bool:
    """Whether this CPU has native bfloat16 matrix instructions (AVX512-BF16 or AMX)."""
    if platform.system() != "Linux":
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def native_autocast_dtype(device: str) -> torch.dtype | None:
    """The reduced-precision dtype ``device`` runs natively, or None.

    CUDA: bfloat16 where the GPU has it in hardware (Ampere and later), else float16 (a T4 on
    Colab's free tier; emulated bf16 would be slower there). CPU: bfloat16 with AVX512-BF16 or
    AMX, else None. The benchmark measures this dtype against fp32.
    """
    if device.startswith("cuda"):
        try:
            native_bf16 = torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # torch < 2.3 has no including_emulation argument
            native_bf16 = torch.cuda.is_bf16_supported()
        return torch.bfloat16 if native_bf16 else torch.float16
    return torch.bfloat16 if cpu_supports_bf16() else None


def autocast_dtype(device: str) -> torch.dtype | None:
    """The dtype the course uses for ``torch.autocast`` on ``device``, or None (autocast off).

    CUDA: :func:`native_autocast_dtype`. CPU: off unless ``AUDIOGAN_CPU_AUTOCAST=1``. Most
    laptop CPUs have no native bf16; where there is one it can be faster (on a two-core Xeon
    with AMX, ``python -m audiogan_lesson bench`` measured the laptop WaveGAN's WGAN-GP step
    1.2x and its generation 2x faster), but the course's stored results are fp32 runs, and two
    five-minute WGAN-GP runs of the laptop WaveGAN in bf16 scored 23% and 44% of the real
    drums' inception score where fp32 scored 42% and 47% with the same seeds.
    """
    if device.startswith("cuda"):
        return native_autocast_dtype(device)
    if os.environ.get("AUDIOGAN_CPU_AUTOCAST", "").strip() in ("1", "true", "yes"):
        return native_autocast_dtype(device)
    return None


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed python, numpy and torch (CPU and CUDA); return a CPU ``torch.Generator`` seeded too."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen
