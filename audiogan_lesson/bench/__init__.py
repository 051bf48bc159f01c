"""Throughput benchmark of WaveGAN and SpecGAN (``python -m audiogan_lesson bench``).

Speed targets live here, not in timed tests. For each model, at paper size (d=64, batch 64,
16384 samples) and at the current profile's size, it measures:

- generator throughput: milliseconds per generated example (eval mode, no gradients);
- training throughput: one :class:`~audiogan_lesson.training.Trainer` step, that is 5 critic
  updates and 1 generator update for ``wgan-gp`` (the paper's recipe, gradient penalty
  included) and 1 + 1 for ``bce``, in milliseconds per step and examples per second (the
  generator's batch per step);

each in fp32 and under autocast (bf16/fp16 where :func:`profiles.native_autocast_dtype` gives a
dtype; skipped with the reason printed where it does not). It also times the WaveGAN
discriminator's phase shuffle on the activations of its first layer: one shift for the batch (the
original), one shift per example done with one ``gather`` (:func:`models.layers.phase_shuffle`),
and the straightforward per-example Python loop that public ports use. Last, at paper width, it
times a WaveGAN WGAN-GP round of the course's :class:`~audiogan_lesson.training.Trainer` against a
plain loop written as public ports write it (:mod:`.reference`), in the same run, so that the
speed-up is measured on any machine: fp32, autocast with the gradient penalty in fp32 and under
autocast (``TrainConfig.gp_precision``), and on CUDA with ``--compile`` compiled.

On a CPU a paper-size training step takes seconds per example, so the paper-size rows use a
smaller batch there (``paper_batch_cpu``, printed in the table) and time 1 step after 1 warm-up
step; ``--quick`` skips them and the comparison. Timings on a shared machine vary by 10-30 %;
compare rows of one run. Notebooks 03 and 04 quote it; the command line
(:mod:`audiogan_lesson.cli.bench`) checks the options and calls :func:`report`.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from ..models.layers import phase_shuffle
from ..profiles import (Profile, TrainScale, get_profile, native_autocast_dtype, pick_device,
                        tune_backend)
from ..registry import build_models, model_entry
from ..training import TrainConfig, Trainer
from .reference import ReferenceLoop, phase_shuffle_loop

MODELS = ("wavegan", "specgan")
PAPER = TrainScale()  # d=64, batch 64, 16384 samples at 16 kHz


@dataclass(frozen=True)
class BenchOptions:
    """What the benchmark runs.

    ``repeats`` timed calls/steps per measurement at the profile's size (after one warm-up),
    fewer when they exceed ``budget_s`` seconds (at least one is always timed);
    ``paper_train_steps`` timed steps at paper size (after one warm-up); ``quick`` skips the
    paper-size training rows; ``paper_batch_cpu`` / ``paper_gen_batch_cpu``: the batch of the
    paper-size training / generator rows on a CPU (the paper's 64 on CUDA);
    ``reference_batch_cpu`` / ``reference_steps``: the batch on a CPU and the timed rounds of the
    comparison with the reference loop (:func:`bench_reference`).
    """

    repeats: int = 3
    budget_s: float = 8.0
    paper_train_steps: int = 1
    quick: bool = False
    paper_batch_cpu: int = 2
    paper_gen_batch_cpu: int = 8
    reference_batch_cpu: int = 8
    reference_steps: int = 2


@dataclass(frozen=True)
class Row:
    """One line of the table. ``ms`` is per call (generator) or per step (training)."""

    model: str
    size: str
    precision: str
    measure: str
    width: int
    batch: int
    slice_len: int
    ms: float
    ms_per_example: float
    examples_per_s: float


# ----------------------------------------------------------------------------- timing


def synchronize(device: torch.device | str) -> None:
    """Wait for queued CUDA work so that a wall-clock reading covers it (no-op on the CPU)."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def time_calls(fn: Callable[[], object], device, repeats: int, warmup: int = 1,
               budget_s: float | None = None) -> list[float]:
    """Seconds taken by each of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls.

    With ``budget_s``, stops early once the timed calls have taken that long (at least one).
    """
    for _ in range(warmup):
        fn()
    synchronize(device)
    times: list[float] = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
        if budget_s is not None and sum(times) >= budget_s:
            break
    return times


def _precision_name(dtype: torch.dtype | None) -> str:
    return "fp32" if dtype is None else str(dtype).replace("torch.", "")


def _autocast(device: torch.device, dtype: torch.dtype | None):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


# ----------------------------------------------------------------------------- measurements


def _models(model: str, scale: TrainScale, device: torch.device):
    fixed = model_entry(model).slice_len  # SpecGAN's 128 x 128 image is always 16384 samples
    if fixed is not None:
        scale = scale.replace(slice_len=fixed)
    generator, discriminator = build_models(model, scale)
    return generator.to(device), discriminator.to(device), scale


def bench_generator(model: str, scale: TrainScale, size: str, device: torch.device,
                    dtype: torch.dtype | None, batch: int, repeats: int,
                    budget_s: float | None = None) -> Row:
    """Generator throughput: ``batch`` examples per call in eval mode under ``no_grad``."""
    generator, _, scale = _models(model, scale, device)
    generator.eval()
    gen = torch.Generator(device=device).manual_seed(0)
    z = torch.rand(batch, generator.config.latent_dim, generator=gen, device=device) * 2 - 1

    def call():
        with torch.no_grad(), _autocast(device, dtype):
            generator(z)

    seconds = statistics.median(time_calls(call, device, repeats, budget_s=budget_s))
    return Row(model, size, _precision_name(dtype), "generate", scale.width, batch,
               scale.slice_len, 1000 * seconds, 1000 * seconds / batch, batch / seconds)


def bench_training(model: str, scale: TrainScale, size: str, device: torch.device,
                   dtype: torch.dtype | None, loss: str, batch: int, steps: int,
                   budget_s: float | None = None) -> Row:
    """Training throughput of whole :class:`Trainer` steps (critic steps included).

    The trainer runs one warm-up step, then up to ``steps`` timed steps (fewer once
    ``budget_s`` seconds have passed, at least one); its data are ``batch`` random examples of
    the model's input shape, already on ``device``.
    """
    generator, discriminator, scale = _models(model, scale, device)
    gen = torch.Generator().manual_seed(0)
    data = torch.rand(batch, *discriminator.input_shape, generator=gen) * 2 - 1
    config = TrainConfig(loss=loss, batch_size=batch, autocast=dtype is not None,
                         log_every=steps + 1, steps=1)
    trainer = Trainer(generator, discriminator, data, config, device=device)
    trainer.train(steps=1, progress=False)  # warm-up
    synchronize(device)
    start = time.perf_counter()
    # train() reads the losses once at the end (a device sync) and stops early after budget_s
    trainer.train(steps=1 + steps, seconds=budget_s, progress=False)
    synchronize(device)
    seconds = (time.perf_counter() - start) / (trainer.step - 1)
    return Row(model, size, _precision_name(dtype), f"train {loss}", scale.width, batch,
               scale.slice_len, 1000 * seconds, 1000 * seconds / batch, batch / seconds)


def bench_phase_shuffle(device: torch.device, batch: int, channels: int, length: int, n: int,
                        repeats: int, budget_s: float | None = None) -> list[tuple[str, float]]:
    """Milliseconds per call of three phase shuffles on ``(batch, channels, length)``."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(batch, channels, length, generator=gen).to(device)
    variants = {
        "one shift per batch (original)": lambda: phase_shuffle(x, n, generator=gen),
        "per example, vectorised (gather)": lambda: phase_shuffle(x, n, generator=gen,
                                                                   per_example=True),
        "per example, Python loop": lambda: phase_shuffle_loop(x, n, generator=gen),
    }
    return [(name, 1000 * statistics.median(time_calls(fn, device, repeats, budget_s=budget_s)))
            for name, fn in variants.items()]


# ---------------------------------------------------------------------------- against the reference


@dataclass(frozen=True)
class Versus:
    """One line of the comparison with :mod:`.reference`: a WGAN-GP round and generation."""

    name: str
    step_ms: float
    gen_ms_per_example: float


def bench_reference(device: torch.device, width: int, batch: int, gen_batch: int,
                    dtype: torch.dtype | None, steps: int, compile: bool = False,
                    out=print) -> list[Versus]:
    """Paper-shaped WaveGAN (16384 samples, width ``width``), WGAN-GP rounds of 5 + 1 updates:
    :class:`.reference.ReferenceLoop` against the course's :class:`Trainer` in fp32, under
    autocast ``dtype`` with the penalty in fp32 and under autocast, and (``compile``) compiled.

    The course's discriminator uses per-example phase shuffle here, as the reference does; each
    variant runs one warm-up round (two when compiled) and ``steps`` timed ones.
    """
    gen = torch.Generator().manual_seed(0)
    data = (torch.rand(max(64, batch), 1, 16384, generator=gen) * 2 - 1).to(device)
    z = (torch.rand(gen_batch, 100, generator=gen) * 2 - 1).to(device)
    results = []

    def generation_ms(generator, amp):
        def call():
            with torch.no_grad(), _autocast(device, amp):
                generator(z)
        return 1000 * statistics.median(time_calls(call, device, 3)) / gen_batch

    out("  reference loop fp32 ...")
    ref = ReferenceLoop(width, batch, data)
    step_s = statistics.median(time_calls(ref.step, device, steps))
    results.append(Versus("reference loop, fp32", 1000 * step_s, generation_ms(ref.G.eval(), None)))
    variants = [("course, fp32", None, "fp32", False)]
    if dtype is not None:
        name = _precision_name(dtype)
        variants += [(f"course, {name}, penalty fp32", dtype, "fp32", False),
                     (f"course, {name}, penalty {name}", dtype, "autocast", False)]
        if compile:
            variants.append((f"course, {name}, penalty {name}, compiled", dtype, "autocast", True))
    for name, amp, gp_precision, compiled in variants:
        out(f"  {name} ...")
        scale = PAPER.replace(width=width)
        generator, discriminator = build_models("wavegan", scale, phase_shuffle_per_example=True)
        config = TrainConfig(batch_size=batch, autocast=amp is not None, gp_precision=gp_precision,
                             compile=compiled, log_every=1000, steps=1)
        trainer = Trainer(generator, discriminator, data, config, device=device)
        trainer.train(steps=2 if compiled else 1, progress=False)  # warm-up (and compilation)
        synchronize(device)
        start = time.perf_counter()
        trainer.train(steps=trainer.step + steps, progress=False)
        synchronize(device)
        step_s = (time.perf_counter() - start) / steps
        results.append(Versus(name, 1000 * step_s, generation_ms(generator.eval(), amp)))
    return results


def format_versus(rows: Sequence[Versus]) -> str:
    """The comparison table, each row's speed as a multiple of the reference loop's."""
    base = rows[0]
    return _table([("", "<40"), ("ms/round", ">10.1f"), ("rounds/s", ">9.3f"), ("x ref", ">6.2f"),
                   ("gen ms/example", ">14.4f"), ("x ref", ">6.2f")],
                  [(r.name, r.step_ms, 1000 / r.step_ms, base.step_ms / r.step_ms,
                    r.gen_ms_per_example, base.gen_ms_per_example / r.gen_ms_per_example)
                   for r in rows])


# ----------------------------------------------------------------------------- the table


def format_table(rows: Sequence[Row]) -> str:
    """A fixed-width table of benchmark rows."""
    return _table([("model", "<8"), ("size", "<14"), ("precision", "<9"), ("measure", "<14"),
                   ("d", ">3"), ("batch", ">5"), ("samples", ">7"), ("ms/call|step", ">12.1f"),
                   ("ms/example", ">10.2f"), ("examples/s", ">10.1f")],
                  [(r.model, r.size, r.precision, r.measure, r.width, r.batch, r.slice_len, r.ms,
                    r.ms_per_example, r.examples_per_s) for r in rows])


def _table(columns: Sequence[tuple[str, str]], rows: Sequence[tuple]) -> str:
    """Fixed-width text: ``columns`` are (title, format spec) pairs, a rule under the titles."""
    header = " ".join(f"{title:{spec.split('.')[0].rstrip('fd')}}" for title, spec in columns)
    lines = [header, "-" * len(header)]
    lines += [" ".join(f"{value:{spec}}" for value, (_, spec) in zip(row, columns)) for row in rows]
    return "\n".join(lines)


def _sizes(model: str, profile: Profile) -> list[tuple[str, TrainScale]]:
    try:
        scale = profile.scale(model)
    except KeyError:
        return [("paper", PAPER)]
    return [("paper", PAPER), (f"{profile.name} profile", scale)]


def run(models: Sequence[str], device: str | torch.device, profile: Profile,
        options: BenchOptions = BenchOptions(), out=print) -> tuple[list[Row], list]:
    """Run every measurement, printing progress lines with ``out``; return the rows and the
    phase-shuffle timings."""
    device = torch.device(device)
    tune_backend(device)
    on_cpu = device.type == "cpu"
    amp = native_autocast_dtype(str(device))
    dtypes: list[torch.dtype | None] = [None]
    if amp is None:
        out("autocast skipped: this CPU has no native bf16 instructions (AVX512-BF16 or AMX); "
            "emulated bf16 is slower than fp32")
    else:
        dtypes.append(amp)
    rows: list[Row] = []
    for model in models:
        for size, scale in _sizes(model, profile):
            paper = size == "paper"
            gen_batch = min(scale.batch_size, options.paper_gen_batch_cpu) if paper and on_cpu \
                else scale.batch_size
            train_batch = min(scale.batch_size, options.paper_batch_cpu) if paper and on_cpu \
                else scale.batch_size
            steps = options.paper_train_steps if paper else options.repeats
            for dtype in dtypes:
                out(f"  {model} {size} {_precision_name(dtype)}: generator ...")
                rows.append(bench_generator(model, scale, size, device, dtype, gen_batch,
                                            options.repeats, options.budget_s))
                if paper and options.quick:
                    continue
                for loss in ("bce", "wgan-gp"):
                    out(f"  {model} {size} {_precision_name(dtype)}: train {loss} ...")
                    rows.append(bench_training(model, scale, size, device, dtype, loss,
                                               train_batch, steps, options.budget_s))
    shuffle = []
    if "wavegan" in models:
        out("  phase shuffle ...")
        shuffle = bench_phase_shuffle(device, 64, 64, 4096, 2, max(options.repeats, 5),
                                      options.budget_s)
    return rows, shuffle


def report(models: Sequence[str], device: str | None = None, repeats: int = 3,
           quick: bool = False, profile: str | None = None, compile: bool = False) -> None:
    """Run the benchmark of ``models`` (names in :data:`MODELS`) and print the table, as
    ``python -m audiogan_lesson bench`` does. ``device`` None: the profile's; ``profile`` None:
    ``AUDIOGAN_PROFILE``, else the hardware's."""
    device = pick_device(device)
    profile = get_profile(profile, device=device)
    options = BenchOptions(repeats=repeats, quick=quick)
    paper_note = ("paper size = d=64, 16384 samples; batch 64 on CUDA" if device.startswith("cuda")
                  else f"paper size = d=64, 16384 samples; on the CPU the generator rows use "
                       f"batch {options.paper_gen_batch_cpu} and the training rows batch "
                       f"{options.paper_batch_cpu} (the paper trains with 64)")
    print(profile.summary())
    print(f"benchmark on {device}"
          + (f" ({torch.cuda.get_device_name(device)})" if device.startswith("cuda") else
             f" ({torch.get_num_threads()} threads)"))
    print(paper_note)
    if options.quick:
        print("--quick: paper-size training rows skipped")
    start = time.perf_counter()
    rows, shuffle = run(models, device, profile, options)
    print()
    print(format_table(rows))
    print("train steps: wgan-gp = 5 critic updates (with gradient penalty) + 1 generator "
          "update; bce = 1 + 1. examples/s = generator batch per step / step time.")
    if shuffle:
        print()
        print("phase shuffle, n=2, on (64, 64, 4096) (the WaveGAN discriminator's first layer):")
        base = dict(shuffle)["per example, Python loop"]
        for name, ms in shuffle:
            print(f"  {name:<34} {ms:8.2f} ms   {base / ms:6.1f}x the loop's speed")
    if "wavegan" in models and not options.quick:
        cuda = device.startswith("cuda")
        batch = PAPER.batch_size if cuda else options.reference_batch_cpu
        gen_batch = PAPER.batch_size if cuda else options.paper_gen_batch_cpu
        print(f"\nWaveGAN d={PAPER.width}, 16384 samples, batch {batch}: the course against a "
              "plain training loop written as public ports write it "
              "(audiogan_lesson/bench/reference.py)")
        versus = bench_reference(torch.device(device), PAPER.width, batch, gen_batch,
                                 native_autocast_dtype(device), options.reference_steps,
                                 compile=cuda and compile)
        print(format_versus(versus))
        print("round = 5 critic updates with gradient penalty + 1 generator update; generation "
              f"in batches of {gen_batch}; x ref = speed as a multiple of the reference's")
    print(f"\nbenchmark took {time.perf_counter() - start:.0f} s")
