"""Printable layer tables and parameter counts (notebooks ``02``, ``03`` and ``04``).

``print(layer_table(WaveGANGenerator()))`` runs one small forward pass and lists every layer
with its output shape and parameter count, then the total, so a reader can hold the model
against the paper's tables (Donahue et al. 2019, Tables 1 and 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model`` (all of them, or only those with ``requires_grad``)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


@dataclass(frozen=True)
class LayerRow:
    """One row of a layer table: ``name``, ``layer`` description, ``shape`` without the batch
    dimension, and ``params`` (parameters owned by that layer)."""

    name: str
    layer: str
    shape: tuple[int, ...]
    params: int


def describe_layer(module: nn.Module) -> str:
    """A short description of one layer, e.g. ``ConvTranspose1d(1024->512, k=25, s=4)``."""
    if hasattr(module, "describe"):
        return module.describe()
    if isinstance(module, nn.Linear):
        return f"Dense({module.in_features}->{module.out_features})"
    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d)):
        k = "x".join(str(v) for v in module.kernel_size)
        s = module.stride[0]
        return f"{type(module).__name__}({module.in_channels}->{module.out_channels}, k={k}, s={s})"
    if isinstance(module, nn.Unflatten):
        return "Reshape"
    if isinstance(module, nn.LeakyReLU):
        return f"LeakyReLU({module.negative_slope:g})"
    if isinstance(module, nn.Dropout):
        return f"Dropout({module.p:g})"
    return type(module).__name__


def _row_modules(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Leaf modules, and modules marked ``table_atomic`` (listed whole, their parts not)."""
    rows, atomic_prefixes = [], []
    for name, module in model.named_modules():
        if any(name.startswith(p + ".") for p in atomic_prefixes):
            continue
        if getattr(module, "table_atomic", False):
            atomic_prefixes.append(name)
            rows.append((name, module))
        elif name and not any(True for _ in module.children()):
            rows.append((name, module))
    return rows


def layer_rows(model: nn.Module, input_shape: tuple[int, ...] | None = None) -> list[LayerRow]:
    """The rows of :func:`layer_table`, starting with the input (see there for the arguments)."""
    if input_shape is None:
        input_shape = getattr(model, "input_shape", None)
        if input_shape is None:
            raise ValueError(f"layer_table: {type(model).__name__} has no input_shape; pass one "
                             "example's shape without the batch dimension, e.g. (100,)")
    rows: list[LayerRow] = [LayerRow("input", "Input", tuple(input_shape), 0)]
    seen: set[int] = set()

    def hook(name):
        def record(module, args, output):
            params = 0 if id(module) in seen else sum(p.numel() for p in module.parameters())
            seen.add(id(module))
            short = name[4:] if name.startswith("net.") else name
            rows.append(LayerRow(short, describe_layer(module), tuple(output.shape[1:]), params))
        return record

    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    handles = [m.register_forward_hook(hook(n)) for n, m in _row_modules(model)]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros((2, *input_shape), device=device))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return rows


def _shape_text(shape: tuple[int, ...], paper_order: bool) -> str:
    if paper_order and len(shape) >= 2:  # channels last, as TensorFlow and the paper write it
        shape = (*shape[1:], shape[0])
    return "(" + ", ".join(["n", *map(str, shape)]) + ")"


def layer_table(model: nn.Module, input_shape: tuple[int, ...] | None = None,
                paper_order: bool = False) -> str:
    """A printable table of ``model``'s layers: name, layer, output shape, parameters, and total.

    ``input_shape`` is one example's shape without the batch dimension (e.g. ``(100,)`` for a
    generator, ``(1, 16384)`` for a WaveGAN discriminator); by default ``model.input_shape``.
    Shapes are printed with ``n`` for the batch, channels first as PyTorch holds them
    (``(n, C, L)``, ``(n, C, H, W)``); ``paper_order=True`` prints them channels last as the
    paper's tables do (``(n, L, C)``, ``(n, H, W, C)``). Runs one forward pass of 2 zero
    examples in eval mode under ``no_grad`` and restores the training flag.
    """
    rows = layer_rows(model, input_shape)
    order = ("channels last as in the paper, (n, L, C) or (n, H, W, C)" if paper_order else
             "channels first, (n, C, L) or (n, C, H, W); the paper writes channels last")
    cells = [(r.name, r.layer, _shape_text(r.shape, paper_order), f"{r.params:,}") for r in rows]
    header = ("name", "layer", "output shape", "params")
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(4)]

    def line(c):
        return (f"{c[0]:<{widths[0]}}  {c[1]:<{widths[1]}}  {c[2]:<{widths[2]}}  "
                f"{c[3]:>{widths[3]}}").rstrip()

    rule = "-" * len(line(header))
    total = count_parameters(model)
    out = [f"{type(model).__name__} (n = batch; shapes {order})", rule, line(header), rule,
           *map(line, cells), rule, f"Total parameters: {total:,}"]
    return "\n".join(out)
