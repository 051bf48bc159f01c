"""A dataset over a folder of audio files, decoded once and cached (notebook
``01_audio_preprocessing``).

:class:`AudioFolder` walks a folder tree, decodes every audio file once (mono, resampled, cut
into fixed-length examples), keeps the examples in one tensor in memory, and stores them in a
cache file so that the next run, and every epoch, never decodes again. Sub-folder names become
class labels. Files that cannot be used are skipped, counted and listed with the reason; the
dataset never stops halfway and never drops a file without saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

import torch

from ..audio import AUDIO_EXTENSIONS, load_audio, slice_audio
from .download import cache_dir as default_cache_dir

__all__ = ["AudioFolder"]

_CACHE_VERSION = 1


class AudioFolder(torch.utils.data.Dataset):
    """Fixed-length examples from every audio file under ``root``:
    ``ds[i] -> (wave (length,), label)``.

    Parameters
    ----------
    root: the folder to walk (recursively; files and folders starting with "." are ignored).
    sample_rate, length: every file is decoded to mono at ``sample_rate`` and cut into examples
        of ``length`` samples (16000 Hz and 16384 samples in WaveGAN and SpecGAN).
    hop: start of one example to the next (default ``length``: back to back). A long file gives
        many examples; ``first_only=True`` keeps only the first (the WaveGAN loader's
        ``--data_first_slice``, right for one-shot sounds such as drums and digits).
    short: what to do with a clip shorter than ``length``: ``"pad"`` it with zeros at the end
        (default) or ``"drop"`` it (it is then listed in ``skipped``). The tail of a long file is
        padded into a last example as well with ``"pad"``.
    labels: ``"folders"`` (default): the first folder level under ``root`` names the class, and
        files directly in ``root`` get label -1; ``None``: every label is -1; or a function
        ``path -> str | int`` (a string becomes a class, an int is used as is, e.g. a MIDI pitch).
    files: use this list of files instead of walking ``root`` (paths relative to ``root`` or
        absolute); useful for a subset such as NSynth's acoustic notes.
    cache: keep decoded examples in ``cache_dir`` (default ``$AUDIOGAN_DATA/folders``). The
        cache is keyed by the settings and by each file's path, size and modification time: a
        changed, added or removed file is decoded again, the others are not.

    Attributes: ``waves`` ``(n, length)`` float32, ``labels`` ``(n,)`` int64, ``classes``
    (names of the string labels), ``sources`` (file of each example), ``skipped`` (list of
    ``(path, reason)``), ``files`` (files that gave examples), ``stats`` (counts).
    """

    def __init__(self, root: str | os.PathLike, sample_rate: int = 16000, length: int = 16384,
                 hop: int | None = None, first_only: bool = False, short: str = "pad",
                 labels: str | None | Callable[[Path], str | int] = "folders",
                 files: Sequence[str | os.PathLike] | None = None,
                 extensions: Sequence[str] = AUDIO_EXTENSIONS, cache: bool = True,
                 cache_dir: str | os.PathLike | None = None, verbose: bool = True,
                 progress: bool | None = None):
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root}: no such folder")
        if short not in ("pad", "drop"):
            raise ValueError(f"short must be 'pad' or 'drop'; got {short!r}")
        self.sample_rate, self.length = int(sample_rate), int(length)
        self.hop = self.length if hop is None else int(hop)
        self.first_only, self.short = bool(first_only), short
        self._label_rule = labels
        self.extensions = tuple(e.lower() for e in extensions)
        self.skipped: list[tuple[str, str]] = []

        paths = self._find_files(files)
        settings = {"version": _CACHE_VERSION, "sample_rate": self.sample_rate,
                    "length": self.length, "hop": self.hop, "first_only": self.first_only,
                    "short": self.short}
        self.cache_path = None
        entries: dict[str, dict] = {}
        if cache:
            folder = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "folders"
            key = hashlib.sha256(json.dumps({"root": str(self.root.resolve()), **settings},
                                            sort_keys=True).encode()).hexdigest()[:20]
            self.cache_path = folder / f"{key}.pt"
            entries = self._read_cache()

        fresh, decoded, reused = {}, 0, 0
        todo = []
        for path in paths:
            rel = self._relative(path)
            try:
                st = path.stat()
                ident = (st.st_size, st.st_mtime_ns)
            except OSError as err:
                self.skipped.append((str(path), f"cannot read the file: {err}"))
                continue
            old = entries.get(rel)
            if old is not None and (old["size"], old["mtime_ns"]) == ident:
                fresh[rel] = old
                reused += 1
            else:
                todo.append((path, rel, ident))
        if todo:
            from tqdm.auto import tqdm

            show = (len(todo) > 50) if progress is None else progress
            for path, rel, ident in tqdm(todo, desc=f"decoding {self.root.name}", unit="file",
                                         disable=not show, leave=False):
                fresh[rel] = self._decode_one(path, ident)
                decoded += 1
        if cache and (todo or set(entries) != set(fresh)):
            self._write_cache(fresh)

        self._assemble(paths, fresh)
        self.stats = {"files": len(paths), "decoded": decoded, "from_cache": reused,
                      "examples": len(self), "skipped": len(self.skipped)}
        if verbose:
            print(self.summary())

    # -- building ------------------------------------------------------------------------------

    def _find_files(self, files) -> list[Path]:
        if files is not None:
            found = [Path(f) if Path(f).is_absolute() else self.root / f for f in files]
            return sorted(found)
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith(".") and name.lower().endswith(self.extensions):
                    found.append(Path(dirpath) / name)
        return sorted(found)

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _decode_one(self, path: Path, ident: tuple[int, int]) -> dict:
        entry = {"size": ident[0], "mtime_ns": ident[1], "waves": None, "error": None,
                 "samples": 0}
        try:
            wave = load_audio(path, self.sample_rate, mono=True)
        except (ValueError, OSError, RuntimeError) as err:
            entry["error"] = _reason(path, err)
            return entry
        entry["samples"] = int(wave.shape[-1])
        if wave.shape[-1] < self.length and self.short == "drop":
            entry["error"] = (f"shorter than one example ({wave.shape[-1]} < {self.length} samples "
                              f"at {self.sample_rate} Hz); dropped because short='drop'")
            return entry
        examples = slice_audio(wave, self.length, self.hop, pad_end=self.short == "pad")
        if self.first_only:
            examples = examples[:1]
        if examples.shape[0] == 0:
            entry["error"] = "no complete example (the file is shorter than one example)"
            return entry
        entry["waves"] = examples.clone()
        entry["silent"] = bool(wave.abs().max() == 0)
        return entry

    def _read_cache(self) -> dict:
        if self.cache_path is None or not self.cache_path.is_file():
            return {}
        try:
            state = torch.load(self.cache_path, map_location="cpu", weights_only=True)
            if state.get("version") != _CACHE_VERSION:
                return {}
            return state["entries"]
        except Exception:  # an unreadable cache is only a missed shortcut: decode again
            return {}

    def _write_cache(self, entries: dict) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_path.with_name(self.cache_path.name + f".{os.getpid()}.tmp")
        torch.save({"version": _CACHE_VERSION, "root": str(self.root), "entries": entries}, tmp)
        os.replace(tmp, self.cache_path)

    def _label_of(self, path: Path):
        rule = self._label_rule
        if rule is None:
            return -1
        if callable(rule):
            return rule(path)
        if rule != "folders":
            raise ValueError(f"labels must be 'folders', None or a function; got {rule!r}")
        parts = Path(self._relative(path)).parts
        return parts[0] if len(parts) > 1 else -1

    def _assemble(self, paths: list[Path], entries: dict) -> None:
        chunks, raw_labels, sources, self.files = [], [], [], []
        silent = 0
        for path in paths:
            entry = entries.get(self._relative(path))
            if entry is None:  # stat failed: already in skipped
                continue
            if entry["error"] is not None:
                self.skipped.append((str(path), entry["error"]))
                continue
            waves = entry["waves"]
            chunks.append(waves)
            raw_labels += [self._label_of(path)] * waves.shape[0]
            sources += [str(path)] * waves.shape[0]
            self.files.append(str(path))
            silent += bool(entry.get("silent"))
        self.silent_files = silent
        self.classes = sorted({lab for lab in raw_labels if isinstance(lab, str)})
        index = {name: i for i, name in enumerate(self.classes)}
        self.labels = torch.tensor([index[lab] if isinstance(lab, str) else int(lab)
                                    for lab in raw_labels], dtype=torch.long)
        self.waves = torch.cat(chunks) if chunks else torch.zeros(0, self.length)
        self.sources = sources

    # -- dataset protocol ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self.waves.shape[0]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.waves[index], int(self.labels[index])

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(waves (n, length), labels (n,))``; labels are ``None`` when no example has one."""
        if not self.labels.numel() or bool((self.labels == -1).all()):
            return self.waves, None
        return self.waves, self.labels

    def summary(self) -> str:
        """One paragraph: files, examples, classes, cache use, and what was skipped and why."""
        s = self.stats
        text = (f"AudioFolder({self.root}): {s['files']} files -> {s['examples']} examples of "
                f"{self.length} samples at {self.sample_rate} Hz")
        if self.classes:
            text += f", {len(self.classes)} classes"
        text += f"; {s['from_cache']} from cache, {s['decoded']} decoded"
        if self.silent_files:
            text += f"; {self.silent_files} silent files kept"
        return text + skipped_summary(self.skipped, _category)

    def __repr__(self) -> str:
        return (f"AudioFolder(root={str(self.root)!r}, examples={len(self)}, "
                f"classes={len(self.classes)}, skipped={len(self.skipped)})")


def skipped_summary(skipped: Sequence[tuple[str, str]], category: Callable[[str], str]) -> str:
    """The line a folder's summary ends with: how many files were skipped, counted by
    ``category(reason)``; empty when none was (:class:`AudioFolder`, ``MidiFolder``)."""
    if not skipped:
        return ""
    kinds = Counter(category(reason) for _, reason in skipped)
    listed = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
    return f"\n  skipped {len(skipped)} files (see .skipped): {listed}"


def _category(reason: str) -> str:
    """A short name for a skip reason, for the summary's counts."""
    for key, name in (("empty", "empty"), ("NaN", "NaN or infinite samples"),
                      ("shorter than one example", "too short"), ("0 samples", "no samples"),
                      ("cannot decode", "not decodable"), ("cannot read", "unreadable")):
        if key in reason:
            return name
    return "other"


def _reason(path: Path, err: Exception) -> str:
    """The error message without the path prefix (the path is listed beside it)."""
    message = str(err)
    for prefix in (f"{path}: ", f"{path}:"):
        if message.startswith(prefix):
            return message[len(prefix):]
    return f"{type(err).__name__}: {message}"
