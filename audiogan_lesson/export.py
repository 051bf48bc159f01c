"""Export a trained generator as one TorchScript file that runs without this package.

``python -m audiogan_lesson export RUN_OR_CHECKPOINT --out gen.ts`` (:mod:`.cli.export`) and
:func:`export_checkpoint` write the generator of a run (the EMA weights when the checkpoint has
them, as ``generate`` uses) together with its representation's way back to audio, so that::

    import json, torch
    extra = {"audiogan.json": ""}
    gen = torch.jit.load("gen.ts", _extra_files=extra)     # no audiogan_lesson import needed
    info = json.loads(extra["audiogan.json"])               # sample_rate, latent_dim, ...
    z = torch.rand(16, info["latent_dim"]) * 2 - 1          # "uniform": in [-1, 1]
    waves = gen(z)                                          # (16, samples) in [-1, 1]
    # a conditional generator: gen(z, labels) with labels (N,) int64 class or pitch indices

gives the waves that ``load_run(path).decode(z)`` gives (:func:`runs.load_run`).

What ``forward`` returns, by representation (:mod:`.representations`):

- ``waveform`` (WaveGAN, the dense GAN): audio. De-emphasis, which the package runs with
  torchaudio's ``lfilter``, is rewritten in plain torch (:func:`deemphasis_blocks`, exact to
  float precision) so that the file needs no torchaudio.
- ``specgan`` (16 Griffin-Lim iterations), ``mel-if`` (GANSynth's inverse; the image of an
  earlier stage of progressive growing upsampled first), ``mel-image`` (NNLS and Griffin-Lim):
  audio; their inverses are tensor code with a fixed number of iterations, and trace.
- ``notes`` (PianoGAN): the generator's raw output ``(N, channels, length)``, because turning
  notes into sound (:func:`notes.render_notes`) is a Python synthesiser, not tensor code; the
  metadata says so and holds the representation's settings (``representation_state``), with
  which ``representations.representation_from_state(state).to_notes(raw)`` reads the notes back.

The file is made by ``torch.jit.trace`` of a wrapper module (the course's models do not pass
``torch.jit.script``: their configs are dataclasses typed with ``Any``), checked on batches of 1
and 5 against the package's own decode before it is written. Every shape but the batch is fixed
by the trace; the module is traced for, and runs on, the CPU. The metadata
(:data:`EXTRA_FILE`, JSON) gives ``sample_rate``, ``latent_dim``, ``latent``, ``model``,
``classes``, ``pitches`` (MIDI), ``output`` (``"audio"`` or ``"raw"``), ``step`` and more
(:func:`export_metadata`). torch 2.11 marks ``torch.jit`` as deprecated in favour of
``torch.export``; it still writes and loads these files.
"""

from __future__ import annotations

import copy
import json
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .checkpoint import checkpoint_file, load_checkpoint
from .runs import LoadedRun, load_run

__all__ = [
    "EXPORT_FORMAT",
    "EXTRA_FILE",
    "ExportResult",
    "ExportedGenerator",
    "audio_decoder",
    "deemphasis_blocks",
    "export_checkpoint",
    "export_metadata",
    "export_run",
    "read_metadata",
    "trace_generator",
]

#: The name of the metadata file inside the TorchScript archive (``_extra_files``).
EXTRA_FILE = "audiogan.json"
#: Version of the metadata's layout.
EXPORT_FORMAT = 1
#: Batch sizes the traced module is checked on before it is written.
CHECK_BATCHES = (1, 5)
#: Largest difference to the package's decode that the check accepts (audio in [-1, 1]): a trace
#: that does not fit another batch size is off by far more; float rounding (the de-emphasis of
#: a long clip, an untrained GANSynth's exp of large log magnitudes) stays well below.
CHECK_TOLERANCE = 1e-3


# ------------------------------------------------------------------------- de-emphasis, plain torch


def deemphasis_blocks(wave: torch.Tensor, coeff: float, block: int = 128) -> torch.Tensor:
    """:func:`audio.deemphasis` in plain torch: ``(..., length)`` -> ``(..., length)``.

    The one-pole filter ``x[n] = (1 + coeff) * y[n] + coeff * x[n-1]`` (``x[-1] = 0``), computed
    without a loop over samples: within blocks of ``block`` samples by a matrix of the powers
    ``coeff**(i - j)``, then the blocks' ends carried over by a second such matrix with
    ``coeff**block``. Every power is at most 1, so nothing grows; the result equals torchaudio's
    ``lfilter`` to float precision. ``coeff`` in [0, 1) (0 returns ``wave``). Passes
    ``torch.jit.script`` and traces for any batch size and length.
    """
    if coeff == 0.0:
        return wave
    length = wave.shape[-1]
    lead = wave.shape[:-1]
    x = wave.reshape(-1, length).to(torch.float32) * (1.0 + coeff)
    n_blocks = (length + block - 1) // block
    x = torch.nn.functional.pad(x, [0, n_blocks * block - length])
    x = x.reshape(x.shape[0], n_blocks, block)
    log_c = math.log(coeff)
    i = torch.arange(block, dtype=torch.float64, device=x.device)
    lag = i[:, None] - i[None, :]
    inside = torch.where(lag >= 0, torch.exp(lag.clamp_min(0.0) * log_c),
                         torch.zeros_like(lag)).to(x.dtype)            # (block, block)
    local = x @ inside.T                                                # (B, n_blocks, block)
    k = torch.arange(n_blocks, dtype=torch.float64, device=x.device)
    lag_k = k[:, None] - k[None, :]
    across = torch.where(lag_k >= 0, torch.exp(lag_k.clamp_min(0.0) * (block * log_c)),
                         torch.zeros_like(lag_k)).to(x.dtype)          # (n_blocks, n_blocks)
    ends = local[:, :, -1] @ across.T                                   # (B, n_blocks)
    carried = torch.nn.functional.pad(ends[:, :-1], [1, 0])            # the end before each block
    decay = torch.exp((i + 1.0) * log_c).to(x.dtype)                    # coeff**(i + 1)
    y = local + carried[:, :, None] * decay
    y = y.reshape(y.shape[0], n_blocks * block)[:, :length]
    out_shape: list[int] = list(lead) + [length]
    return y.reshape(out_shape)


# ----------------------------------------------------------------------------- the exported module


@torch.jit.script
def _check_inputs(z: torch.Tensor, labels: torch.Tensor, latent_dim: int, n_classes: int,
                  conditional: bool) -> torch.Tensor:
    """Stays in the traced file: one sentence about latents or labels of the wrong shape;
    returns ``z`` (a scripted call inside a trace must give a tensor)."""
    if z.dim() != 2 or z.shape[1] != latent_dim:
        raise ValueError("expected latents z of shape (N, " + str(latent_dim) + "), got "
                         + str(z.shape))
    if conditional:
        if labels.dim() != 1 or labels.shape[0] != z.shape[0]:
            raise ValueError("expected labels of shape (N,) beside z (N, " + str(latent_dim)
                             + "), got " + str(labels.shape))
        if bool((labels < 0).any()) or bool((labels >= n_classes).any()):
            raise ValueError("labels must be class (or pitch) indices 0-" + str(n_classes - 1)
                             + "; the file's audiogan.json lists them")
    return z


class ExportedGenerator(nn.Module):
    """What the file holds: ``forward(z)`` (``forward(z, labels)`` when ``conditional``).

    ``z (N, latent_dim)`` (and ``labels (N,)`` int64 indices) -> the generator's output passed
    through ``decode``: audio ``(N, samples)`` in [-1, 1], or the raw output when ``decode``
    is None.
    """

    def __init__(self, generator: nn.Module, decode: Callable | None, latent_dim: int,
                 n_classes: int, conditional: bool):
        super().__init__()
        self.generator = generator
        self.decode = decode
        self.latent_dim, self.n_classes, self.conditional = latent_dim, n_classes, conditional

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        given = labels if labels is not None else torch.zeros(0, dtype=torch.long)
        z = _check_inputs(z, given, self.latent_dim, self.n_classes, self.conditional)
        out = self.generator(z, labels) if self.conditional else self.generator(z)
        out = out.float()
        return out if self.decode is None else self.decode(out)


def audio_decoder(representation) -> tuple[Callable | None, str]:
    """The way back to audio that goes into the file: ``(decode or None, why None)``.

    ``decode`` takes the generator's output to waves ``(N, samples)`` in [-1, 1] with tensor
    code only (the waveform's de-emphasis by :func:`deemphasis_blocks`); None (raw output) for
    notes, whose rendering is a Python synthesiser, with the reason.
    """
    kind = getattr(representation, "kind", None)
    if kind == "waveform":
        coeff = float(representation.preemphasis)

        def decode(examples: torch.Tensor) -> torch.Tensor:
            return deemphasis_blocks(examples.squeeze(1), coeff).clamp(-1.0, 1.0)

        return decode, ""
    if kind == "mel-if":
        full = tuple(int(s) for s in representation.shape[1:])

        def decode(examples: torch.Tensor) -> torch.Tensor:
            # an image of an earlier stage of progressive growing, brought to full size with a
            # fixed size (MelIFImages.decode computes its factor from the shape, which a trace
            # cannot pass to interpolate)
            if tuple(examples.shape[-2:]) != full:
                examples = torch.nn.functional.interpolate(examples, size=full, mode="nearest")
            return representation.decode(examples)

        return decode, ""
    if kind == "notes":
        return None, ("PianoGAN's notes become sound through a Python synthesiser "
                      "(notes.render_notes), which TorchScript cannot hold; forward returns the "
                      "note features (N, channels, notes), which representations."
                      "representation_from_state(representation_state).to_notes reads")
    return representation.decode, ""


# ----------------------------------------------------------------------------- tracing and checking


def _example_inputs(run: LoadedRun, n: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Latents ``(n, latent_dim)`` of the run's distribution (and labels ``(n,)`` cycling
    through its classes when it is conditional), on the CPU."""
    g = torch.Generator().manual_seed(seed)
    z = run.latent_fn(n, run.latent_dim, g, torch.device("cpu"))
    if not run.conditional:
        return (z,)
    return z, torch.arange(n) % run.n_classes


def _reference(run: LoadedRun, decode: Callable | None, inputs: tuple[torch.Tensor, ...]
               ) -> torch.Tensor:
    """What the package makes of ``inputs``: :meth:`LoadedRun.decode` (audio), or the
    generator's output when the file holds the raw output."""
    if decode is not None:
        return run.decode(*inputs)
    with torch.no_grad():
        return run.generator(*inputs).float()


def trace_generator(run: LoadedRun) -> tuple[torch.jit.ScriptModule, str, str]:
    """Trace ``run``'s generator and its way back to audio; ``(module, output, note)``.

    ``output`` is ``"audio"`` or ``"raw"``; ``note`` says why when it is raw. The traced module
    is checked on batches of :data:`CHECK_BATCHES` against the package's own decode
    (:meth:`LoadedRun.decode`); a difference above :data:`CHECK_TOLERANCE` is a ValueError.
    """
    if run.device.type != "cpu":
        raise ValueError(f"{run.path}: export traces on the CPU; load the run with "
                         "load_run(path, device='cpu')")
    decode, note = audio_decoder(run.representation)
    generator = copy.deepcopy(run.generator).eval()  # the run's own keeps requiring gradients
    for p in generator.parameters():
        p.requires_grad_(False)
    wrapper = ExportedGenerator(generator, decode, run.latent_dim, run.n_classes,
                                run.conditional).eval()
    with warnings.catch_warnings(), torch.no_grad():
        # the models' shape checks become constants (TracerWarning), and torch 2.11 marks
        # torch.jit as deprecated; the batch sizes are checked below instead
        warnings.simplefilter("ignore")
        module = torch.jit.trace(wrapper, _example_inputs(run, 2, seed=1), check_trace=False)
    for n in CHECK_BATCHES:
        inputs = _example_inputs(run, n, seed=n)
        with torch.no_grad():
            got = module(*inputs)
        want = _reference(run, decode, inputs)
        worst = float((got - want).abs().max()) if got.shape == want.shape else math.inf
        if not worst <= CHECK_TOLERANCE:
            raise ValueError(f"{run.path}: the traced generator gives batches of {n} that differ "
                             f"from load_run(...).decode by {worst:.3g} (shape "
                             f"{tuple(got.shape)} against {tuple(want.shape)}); this model cannot "
                             "be exported as it is; use generate instead")
    return module, "audio" if decode is not None else "raw", note


# ----------------------------------------------------------------------------- metadata and files


def export_metadata(run: LoadedRun, output: str, note: str, step: int,
                    output_shape: tuple[int, ...]) -> dict:
    """The JSON written beside the module (:data:`EXTRA_FILE`): what ``forward`` takes and gives.

    ``output_shape``: one example's shape (``(samples,)`` for audio).
    """
    meta = run.meta
    pitched = bool(run.conditional and run.pitches)
    classes = list(meta.get("classes") or []) if run.conditional and not pitched else []
    labels = ("pitch index into pitches" if pitched else "class index into classes"
              if run.conditional else None)
    info = {
        "format": EXPORT_FORMAT,
        "model": meta["model"],
        "dataset": str(meta.get("dataset", "")),
        "sample_rate": int(meta["sample_rate"]),
        "latent_dim": int(run.latent_dim),
        "latent": run.latent,
        "latent_range": "uniform in [-1, 1]" if run.latent == "uniform" else "standard normal",
        "conditional": bool(run.conditional),
        "labels": labels,
        "classes": classes,
        "pitches": list(run.pitches) if pitched else [],
        "output": output,
        "output_shape": [int(s) for s in output_shape],
        "representation": run.representation.state()["kind"],
        "step": int(step),
        "checkpoint": run.path.name,
        "torch": torch.__version__,
    }
    if output == "raw":
        info["note"] = note
        info["representation_state"] = run.representation.state()
    return info


def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata of an exported file (plain ``torch.jit.load``, no package needed for it)."""
    extra = {EXTRA_FILE: ""}
    torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    if not extra[EXTRA_FILE]:
        raise ValueError(f"{path}: no {EXTRA_FILE} inside; it was not written by export")
    return json.loads(extra[EXTRA_FILE])


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_run` wrote: the file, its size in bytes and its metadata."""

    path: Path
    size: int
    metadata: dict

    def describe(self) -> str:
        """One line: the file, its size, the sample rate and what ``forward`` takes and gives."""
        m = self.metadata
        takes = f"z (N, {m['latent_dim']}) {m['latent_range']}"
        if m["labels"] and m["pitches"]:
            takes += (f", labels (N,) pitch indices 0-{len(m['pitches']) - 1} for MIDI "
                      f"{min(m['pitches'])}-{max(m['pitches'])}")
        elif m["labels"]:
            takes += (f", labels (N,) class indices 0-{len(m['classes']) - 1} "
                      f"({', '.join(m['classes'])})")
        shape = ", ".join(["N"] + [str(s) for s in m["output_shape"]])
        gives = (f"audio ({shape}) at {m['sample_rate']} Hz" if m["output"] == "audio" else
                 f"raw {m['representation']} output ({shape}), not audio ({m['sample_rate']} Hz "
                 f"once rendered): {m['note']}")
        return (f"wrote {self.path} ({self.size / 1024:.0f} KB, TorchScript, step {m['step']}): "
                f"forward({takes}) -> {gives}")


def export_run(run: LoadedRun, out: str | os.PathLike, step: int = 0) -> ExportResult:
    """Trace ``run`` (:func:`trace_generator`) and write it to ``out`` with its metadata.

    The file is written beside ``out`` first and then renamed, so a failed write leaves no
    partial file; an existing file is replaced. ``step``: the checkpoint's, for the metadata.
    """
    out = Path(out)
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; give a file name, e.g. {out / 'gen.ts'}")
    module, output, note = trace_generator(run)
    with torch.no_grad():
        example = module(*_example_inputs(run, 1))
    info = export_metadata(run, output, note, step, tuple(example.shape[1:]))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.jit.save(module, str(partial), _extra_files={EXTRA_FILE: json.dumps(info)})
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return ExportResult(out, out.stat().st_size, info)


def export_checkpoint(checkpoint: str | os.PathLike, out: str | os.PathLike) -> ExportResult:
    """Export a run folder's result (``best.pt``, else its newest checkpoint) or a checkpoint
    file as TorchScript to ``out``: :func:`runs.load_run` on the CPU, then :func:`export_run`.
    ``python -m audiogan_lesson export``."""
    path = checkpoint_file(checkpoint)
    run = load_run(path, "cpu")
    step = int(load_checkpoint(path).get("step", 0))
    return export_run(run, out, step=step)
