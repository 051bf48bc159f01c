"""Checkpoint files: atomic writes, keep the last k, RNG states, model specs (used by ``training``).

A checkpoint is one ``.pt`` file ``ckpt_00001000.pt`` (the number is the training step) holding
a dict of tensors and plain Python values, loadable with ``torch.load(weights_only=True)``.
Writes go to a temporary file in the same folder and are renamed over the final name with
``os.replace``, so a crash or a kill during a write never leaves a half-written checkpoint
under a real name. Notebooks ``02`` to ``06`` reach this module through :class:`training.Trainer`;
the command line's ``generate`` uses :func:`load_generator`.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import random
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import torch

from .registry import model_class

CHECKPOINT_FORMAT = 1
_NAME = re.compile(r"^ckpt_(\d{8,})\.pt$")
BEST_NAME = "best.pt"  # the best scoring weights of a run (``TrainConfig.select_every``)


class ConfigMismatchError(ValueError):
    """A checkpoint was written with a different configuration than the one resuming it."""


class OtherModelError(ConfigMismatchError):
    """A checkpoint was written by another model than the one resuming it (``train --resume``
    given another model's folder)."""


def checkpoint_step(path: str | os.PathLike | None) -> int | None:
    """The step in a checkpoint's file name (``ckpt_00001000.pt`` -> 1000), or None."""
    m = _NAME.match(Path(path).name) if path is not None else None
    return int(m.group(1)) if m else None


def checkpoint_path(out_dir: str | os.PathLike, step: int) -> Path:
    """The file name of the checkpoint of ``step`` in ``out_dir``: ``ckpt_00001000.pt``."""
    return Path(out_dir) / f"ckpt_{step:08d}.pt"


def list_checkpoints(out_dir: str | os.PathLike) -> list[Path]:
    """The checkpoints in ``out_dir``, oldest step first (temporary files are ignored)."""
    folder = Path(out_dir)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def latest_checkpoint(out_dir: str | os.PathLike) -> Path | None:
    """The checkpoint with the highest step in ``out_dir``, or None."""
    found = list_checkpoints(out_dir)
    return found[-1] if found else None


def best_path(out_dir: str | os.PathLike) -> Path:
    """Where a run keeps its best scoring checkpoint: ``out_dir/best.pt``
    (:mod:`training.selection`)."""
    return Path(out_dir) / BEST_NAME


def result_checkpoint(out_dir: str | os.PathLike) -> Path | None:
    """The checkpoint that holds a run's result: ``best.pt`` when the run kept one (it was
    trained with ``select_every``), else the newest checkpoint; None when there is none."""
    best = best_path(out_dir)
    return best if best.is_file() else latest_checkpoint(out_dir)


def checkpoint_file(path: str | os.PathLike) -> Path:
    """``path`` when it is a checkpoint file; for a run folder its :func:`result_checkpoint`.
    ``FileNotFoundError`` (naming the files ``train`` writes) when there is none."""
    path = Path(path)
    if path.is_dir():
        found = result_checkpoint(path)
        if found is None:
            raise FileNotFoundError(f"{path}: no checkpoint in this folder yet; train --out "
                                    f"{path} writes them (ckpt_<step>.pt, best.pt)")
        return found
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint; train writes them as ckpt_<step>.pt")
    return path


def newest_readable_checkpoint(out_dir: str | os.PathLike) -> tuple[Path, dict] | None:
    """The newest checkpoint of ``out_dir`` that loads, as ``(path, state)``; None when there is
    none.

    A newer file that cannot be read (truncated: on Colab, a Drive file still being synced when
    the runtime went away) is skipped with a warning that names it, and the one before it is
    used. When every checkpoint is unreadable, ``ValueError`` names them all.
    """
    found = list_checkpoints(out_dir)
    skipped = []
    for path in reversed(found):
        try:
            state = load_checkpoint(path)
        except ValueError:
            skipped.append(path)
            warnings.warn(f"skipped unreadable checkpoint {path} (truncated, or not a checkpoint "
                          "of this course); using the one before it", stacklevel=2)
            continue
        return path, state
    if skipped:
        raise ValueError(f"{out_dir}: no checkpoint can be read "
                         f"({', '.join(p.name for p in skipped)});"
                         " delete them to start afresh, or restore a good copy")
    return None


def save_checkpoint(path: str | os.PathLike, state: Mapping[str, Any]) -> Path:
    """Write ``state`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(dict(state), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:  # torch's writer names no file
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise
    return path


def prune_checkpoints(out_dir: str | os.PathLike, keep_last: int) -> list[Path]:
    """Delete all but the ``keep_last`` newest checkpoints (0 keeps all); return the deleted."""
    if keep_last <= 0:
        return []
    old = list_checkpoints(out_dir)[:-keep_last]
    for p in old:
        p.unlink(missing_ok=True)
    return old


def remove_stale_temporaries(out_dir: str | os.PathLike) -> None:
    """Remove temporary files left by a process killed in the middle of a write."""
    folder = Path(out_dir)
    if folder.is_dir():
        for p in [*folder.glob(".ckpt_*.tmp"), *folder.glob(f".{BEST_NAME}.*.tmp")]:
            p.unlink(missing_ok=True)


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`; clear errors for bad files."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint file")
    unreadable = (f"{path}: not a checkpoint of this course, or truncated (it cannot be read as "
                  "one); delete it and resume from an earlier one, or give a .pt file written by "
                  "train or Trainer")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:  # torch's weights-only loader: a Python object, or bytes
        if "GLOBAL" in str(exc):
            unreadable = (f"{path}: not a checkpoint of this course: it holds Python objects, not "
                          "only tensors and plain values, and is never loaded here (it could run "
                          "code); use a .pt file written by train or Trainer")
        raise ValueError(unreadable) from None
    except Exception:
        raise ValueError(unreadable) from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{path}: not a checkpoint of this course (format {found}, "
                         f"expected {CHECKPOINT_FORMAT})")
    return state


# ----------------------------------------------------------------------------- RNG states


def rng_state(generators: Mapping[str, torch.Generator] | None = None) -> dict:
    """Every random state of this process: python, numpy, torch CPU, CUDA, and ``generators``."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if _cuda_initialised() else None,
        "generators": {k: g.get_state() for k, g in (generators or {}).items()},
    }
    return state


def set_rng_state(state: Mapping, generators: Mapping[str, torch.Generator] | None = None) -> None:
    """Restore a state made by :func:`rng_state` (CUDA states only when CUDA is in use)."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"],
                         n["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if state.get("cuda") is not None and _cuda_initialised():
        cuda_states = state["cuda"]
        if len(cuda_states) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda_states)
    for name, g in (generators or {}).items():
        if name in state["generators"]:
            g.set_state(state["generators"][name])


def _cuda_initialised() -> bool:
    try:
        return torch.cuda.is_available() and torch.cuda.is_initialized()
    except Exception:
        return False


# ----------------------------------------------------------------------------- configs and models


def config_dict(config) -> dict:
    """A dataclass config as a plain dict (``dataclasses.asdict``)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"expected a dataclass config instance, got {type(config).__name__}")
    return dataclasses.asdict(config)


def _listify(value):
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    return value


def config_differences(saved: Mapping, current: Mapping, ignore: Iterable[str] = ()) -> list[str]:
    """Lines ``"field: saved X, now Y"`` for every field that differs (nested dicts flattened)."""
    ignore = set(ignore)
    lines = []
    for key in sorted(set(saved) | set(current)):
        if key in ignore:
            continue
        a = saved.get(key, "<absent>")
        b = current.get(key, "<absent>")
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            lines += [f"{key}.{line}" for line in config_differences(a, b)]
        elif _listify(a) != _listify(b):
            lines.append(f"{key}: saved {a!r}, now {b!r}")
    return lines


def check_resumable(path: str | os.PathLike, state: Mapping, config: Mapping,
                    models: Mapping[str, torch.nn.Module], meta: Mapping,
                    data_shape: Iterable[int], run_fields: Iterable[str] = (),
                    defaults: Mapping | None = None) -> None:
    """Raise :class:`ConfigMismatchError` listing every difference between the checkpoint
    ``state`` of ``path`` and what would resume it: the training ``config`` (dict; fields in
    ``run_fields`` may differ), the ``models``' specs, ``meta`` (of its representation the
    settings, not the statistics measured on the data) and the data's shape. A config field
    that the checkpoint lacks (one added to the package after it was written) counts as its
    value in ``defaults``."""
    saved_model, now_model = _model_names(state, meta, models.get("generator"))
    if saved_model != now_model:
        raise OtherModelError(f"{path}: a checkpoint of {saved_model}, not of {now_model}; "
                              f"resume it by training {saved_model}, "
                              f"or give {now_model} a new out folder")
    saved_config = {**(defaults or {}), **state["config"]}
    differences = config_differences(saved_config, config, ignore=run_fields)
    for role, model in models.items():
        saved = (state.get("models") or {}).get(role)
        now = model_spec(model)
        if saved is not None and now is not None:
            differences += [f"{role}.{line}" for line in config_differences(saved, now)]
    saved_meta = {k: v for k, v in (state.get("meta") or {}).items() if k != "representation"}
    now_meta = {k: v for k, v in meta.items() if k != "representation"}
    differences += [f"meta.{line}" for line in config_differences(saved_meta, now_meta)]
    differences += [f"representation.{line}" for line in config_differences(
        _settings((state.get("meta") or {}).get("representation")),
        _settings(meta.get("representation")))]
    saved_shape = state.get("data", {}).get("shape")
    if saved_shape is not None and list(saved_shape) != list(data_shape):
        differences.append(f"data shape: saved {tuple(saved_shape)}, now {tuple(data_shape)}")
    if differences:
        raise ConfigMismatchError(
            f"{path} was written with a different configuration; differing fields:\n  "
            + "\n  ".join(differences)
            + "\nResume with the same configuration, or start a new run in another out_dir.")


def _settings(representation) -> dict:
    """A representation's settings: its kind, names, whole numbers and pre-emphasis. Other
    numbers of its state are statistics measured on the data (GANSynth's magnitude scaling,
    PianoGAN's longest step), which the data's shape already pins and whose last digits may
    differ between machines."""
    if not isinstance(representation, Mapping):
        return {}
    return {k: v for k, v in representation.items()
            if isinstance(v, (str, bool, int)) or k == "preemphasis"}


def _model_names(state: Mapping, meta: Mapping, generator: torch.nn.Module | None
                 ) -> tuple[str | None, str | None]:
    """Which model wrote checkpoint ``state`` and which would resume it: the registry names of
    both experiments' ``meta`` when both have one, else their generators' classes."""
    saved_meta = state.get("meta") if isinstance(state.get("meta"), Mapping) else {}
    if isinstance(saved_meta.get("model"), str) and isinstance(meta.get("model"), str):
        return saved_meta["model"], meta["model"]
    saved = (state.get("models") or {}).get("generator")
    now = model_spec(generator) if generator is not None else None
    if isinstance(saved, Mapping) and now is not None:
        return saved.get("class"), now["class"]
    return None, None


def model_spec(model: torch.nn.Module) -> dict | None:
    """How to rebuild ``model``: ``{"module", "class", "config"}`` when it has a dataclass
    ``.config`` attribute (rebuilt as ``type(model)(**asdict(config))``), else None."""
    config = getattr(model, "config", None)
    if config is None or not dataclasses.is_dataclass(config) or isinstance(config, type):
        return None
    return {"module": type(model).__module__, "class": type(model).__qualname__,
            "config": config_dict(config)}


def spec_differences(saved: dict, model: torch.nn.Module) -> list[str]:
    """How a saved model spec differs from ``model``'s (:func:`checkpoint.model_spec`); a config
    field that the spec lacks (added to the package since) counts as its class default."""
    now = model_spec(model) or {}
    try:
        defaults = config_dict(type(model.config)())
    except TypeError:  # a config class without defaults for every field
        defaults = {}
    return config_differences({**saved, "config": {**defaults, **saved.get("config", {})}}, now)


def build_model(spec: Mapping, source: object = "checkpoint") -> torch.nn.Module:
    """Rebuild a model from a :func:`model_spec` (weights are not loaded).

    The class is looked up in the model registry (:func:`registry.model_class`), never imported
    by name: a spec naming anything else (``os.system``) is refused before anything runs, with
    a ``ValueError`` naming ``source`` (the file). The config's fields must be the class's own.
    """
    if not isinstance(spec, Mapping):
        raise ValueError(f"{source}: the saved model spec is a {type(spec).__name__}, not a dict; "
                         "not a checkpoint of this course")
    cls = model_class(spec.get("module"), spec.get("class"), source)
    config = spec.get("config")
    fields = {f.name for f in dataclasses.fields(cls.config_class)}
    if not isinstance(config, Mapping) or not set(config) <= fields:
        unknown = sorted(set(config) - fields) if isinstance(config, Mapping) else config
        raise ValueError(f"{source}: the saved config of {cls.__name__} has fields this version "
                         f"does not know ({unknown}); load it with the package version that "
                         "wrote it")
    try:
        return cls(**dict(config))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{source}: the saved config of {cls.__name__} does not build it ({exc}); "
                         "the file was not written by this version of the course") from None


def all_finite(modules: Iterable[torch.nn.Module | None]) -> torch.Tensor:
    """A 0-d bool tensor: every parameter and floating buffer of ``modules`` is finite."""
    flags = []
    for m in modules:
        if m is None:
            continue
        for t in list(m.parameters()) + [b for b in m.buffers() if b.is_floating_point()]:
            flags.append(torch.isfinite(t).all())
    return torch.stack(flags).all() if flags else torch.tensor(True)


def load_generator(path: str | os.PathLike, device: str | torch.device = "cpu",
                   prefer_ema: bool = True, generator: torch.nn.Module | None = None):
    """The trained generator of a checkpoint, in eval mode, and the checkpoint dict.

    The model is rebuilt from the saved spec (the model's ``.config``) unless ``generator`` is
    given; the EMA weights are loaded when the checkpoint has them and ``prefer_ema`` is True.
    Returns ``(generator, checkpoint)``. Used by ``python -m audiogan_lesson generate``.
    """
    ckpt = load_checkpoint(path, map_location="cpu")
    if generator is None:
        spec = (ckpt.get("models") or {}).get("generator")
        if spec is None:
            raise ValueError(f"{path}: the generator has no saved config (its class has no "
                             "dataclass `.config`); build the model yourself and pass generator=")
        generator = build_model(spec, path)
    weights = ckpt["ema"] if prefer_ema and ckpt.get("ema") is not None else ckpt["generator"]
    generator.load_state_dict(weights)
    return generator.to(device).eval(), ckpt
