"""The real datasets of the papers: where they come from and how they become examples.

Notebook ``01_audio_preprocessing`` prints the table; the "Run at full scale" sections of the
training notebooks call :func:`fetch` and :func:`load_dataset` on a GPU machine. Nothing here
downloads unless asked.

Checksums. A value is recorded only where it was published by the dataset's owners or could be
checked; every other ``sha256``/``size_bytes`` is ``None`` on purpose (an invented hash would
make every download fail, or worse, look verified). For those, :func:`fetch` needs
``allow_unverified=True``; it then prints the SHA-256 it measured and remembers it, so later
runs reuse the file only while it still matches. Record the printed value in ``sha256`` to pin
the dataset for everyone.
"""

from __future__ import annotations

import csv
import json
import os
import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from .download import cache_dir, download, extract_archive
from .folder import AudioFolder
from .piano import MidiFolder

__all__ = ["DatasetInfo", "DATASETS", "dataset_table", "fetch", "load_dataset", "dataset_root",
           "prepare"]


@dataclass(frozen=True)
class DatasetInfo:
    """One real dataset: where to get it, what it is, and how it becomes training examples.

    ``url`` is the archive; ``sha256``/``md5``/``size_bytes`` are ``None`` where not known for
    certain; ``approx_size`` is a human estimate for planning only. ``audio_dir`` is the folder
    of audio inside the extracted archive (``{split}`` is replaced by the split), and
    ``sample_rate``/``length`` are the example format the paper trained on (16 kHz and 16384
    samples unless an entry says otherwise). ``standardize``: the recipe makes every clip mean 0
    and standard deviation 1 (:func:`audiogan_lesson.audio.standardize`; the GTZAN classical GAN
    did), a data option that :func:`audiogan_lesson.experiments.load_audio_set` applies.
    ``kind`` is ``"audio"``, or ``"midi"`` for a set of MIDI files (``maestro``): its examples
    are windows of ``length`` notes (:class:`~audiogan_lesson.data.MidiFolder`; notebook 08).
    ``folder``: the folder under the root it is extracted into (default ``name``); two recipes
    of one archive name the same folder, so it is downloaded and extracted once.
    """

    name: str
    title: str
    url: str
    sha256: str | None
    approx_size: str
    licence: str
    homepage: str
    layout: str
    audio_dir: str
    splits: tuple[str, ...]
    used_by: str
    recipe: str
    md5: str | None = None
    size_bytes: int | None = None
    sample_rate: int = 16000
    length: int = 16384
    standardize: bool = False
    kind: str = "audio"
    folder: str | None = None


def _digit_label(path: Path) -> str:
    """SC09 files are named ``<Digit>_<speaker>_nohash_<n>.wav``: the label is the digit."""
    return path.name.split("_")[0].lower()


def _pitch_label(path: Path) -> int:
    """NSynth files are named ``<instrument>-<pitch>-<velocity>.wav``: the label is the MIDI
    pitch."""
    return int(path.stem.split("-")[-2])


def _nsynth_files(root: Path, split: str) -> list[str]:
    """NSynth notes from acoustic instruments with MIDI pitch 24-84 (GANSynth's subset)."""
    meta_path = root / f"nsynth-{split}" / "examples.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"{meta_path}: NSynth's note list is missing; "
                                "fetch('nsynth') first")
    notes = json.loads(meta_path.read_text())
    return sorted(f"{name}.wav" for name, note in notes.items()
                  if note["instrument_source_str"] == "acoustic" and 24 <= note["pitch"] <= 84)


def _maestro_files(folder: Path, split: str) -> list[str]:
    """MAESTRO's MIDI files of ``split`` (train, validation or test), from its metadata CSV."""
    tables = sorted(folder.glob("maestro-v*.csv"))
    if not tables:
        raise FileNotFoundError(f"{folder}: MAESTRO's metadata (maestro-v3.0.0.csv) is missing; "
                                "fetch('maestro') again")
    with open(tables[-1], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if rows and not {"split", "midi_filename"} <= set(rows[0]):
        raise ValueError(f"{tables[-1]}: expected the columns split and midi_filename; got "
                         f"{', '.join(rows[0])}")
    return sorted(r["midi_filename"] for r in rows if r["split"] == split)


#: UrbanSound8K's classes by classID (their names sort in the same order).
URBANSOUND8K_CLASSES = ("air_conditioner", "car_horn", "children_playing", "dog_bark", "drilling",
                        "engine_idling", "gun_shot", "jackhammer", "siren", "street_music")
_URBANSOUND8K_NAME = re.compile(r"^\d+-(\d+)-\d+-\d+\.wav$")


def _urbansound_files(folder: Path, class_id: int | None = None) -> list[str]:
    """UrbanSound8K files are ``<fsID>-<classID>-<occurrence>-<slice>.wav`` in ``fold1..fold10``:
    every one of them, or those of class ``class_id`` (street music is class 9)."""
    found, odd = [], []
    for p in sorted(folder.rglob("*.wav")):
        m = _URBANSOUND8K_NAME.match(p.name)
        if not m or int(m.group(1)) >= len(URBANSOUND8K_CLASSES):
            odd.append(p.relative_to(folder).as_posix())
        elif class_id in (None, int(m.group(1))):
            found.append(p.relative_to(folder).as_posix())
    if odd:
        warnings.warn(f"{folder}: skipped {len(odd)} .wav file(s) not named <fsID>-<classID 0-9>-"
                      f"<occurrence>-<slice>.wav as UrbanSound8K's are (first: {odd[0]}); rename "
                      "or remove them", stacklevel=3)
    return found


def _urbansound_label(path: Path) -> str:
    """The class name of an UrbanSound8K file, from the classID in its name."""
    return URBANSOUND8K_CLASSES[int(_URBANSOUND8K_NAME.match(path.name).group(1))]


# UrbanSound8K's ten classes; the street-music recipe reads the same archive and folder
_URBANSOUND8K = DatasetInfo(
    name="urbansound8k",
    title="UrbanSound8K: ten classes of city sound",
    url="https://zenodo.org/records/1203745/files/UrbanSound8K.tar.gz",
    sha256=None,  # Zenodo publishes an MD5, not a SHA-256
    # the MD5 is from the Zenodo record 1203745 (also in PaddleAudio's loader)
    md5="9aa69802bbf37fb986f71ec1483a196e",
    approx_size="~6 GB (est.)",
    licence="CC BY-NC 3.0",
    homepage="https://urbansounddataset.weebly.com/urbansound8k.html",
    layout=("UrbanSound8K/audio/fold1..fold10/<fsID>-<classID>-<occ>-<slice>.wav "
            "(<= 4 s, mixed rates and bit depths)"),
    audio_dir="UrbanSound8K/audio",
    splits=("all",),
    sample_rate=22050,
    length=88200,
    folder="urbansound8k",
    used_by="class-conditional WaveGAN and SpecGAN (train --conditional)",
    recipe="every file of every fold, one 4 s example per file at 22,050 Hz (88,200 samples, "
           "shorter ones padded); label = the class named by the classID in the file name",
)

_DATASETS = [
    DatasetInfo(
        name="sc09",
        title="SC09: the spoken digits zero to nine from Speech Commands",
        url="http://deepyeti.ucsd.edu/cdonahue/wavegan/data/sc09.tar.gz",
        sha256=None,  # not published by the WaveGAN authors; measured on first download
        approx_size="~0.8 GB (est.)",
        licence="CC BY 4.0 (Speech Commands, Warden 2018)",
        homepage="https://github.com/chrisdonahue/wavegan",
        layout="sc09/{train,valid,test}/<Digit>_<speaker>_nohash_<n>.wav, 1 s at 16 kHz",
        audio_dir="sc09/{split}",
        splits=("train", "valid", "test"),
        used_by="WaveGAN, SpecGAN; inception score",
        recipe="first 16384 samples of each 1 s clip (zero-padded); label = the digit",
    ),
    DatasetInfo(
        name="drums",
        title="WaveGAN drum sound effects",
        url="http://deepyeti.ucsd.edu/cdonahue/wavegan/data/drums.tar.gz",
        sha256=None,  # not published; measured on first download
        approx_size="~0.1 GB (est.)",
        licence="unspecified; distributed by the WaveGAN authors for research",
        homepage="https://github.com/chrisdonahue/wavegan",
        layout=("drums/{train,valid,test}/*.wav one-shot hits "
                "(folder split assumed; falls back to all files)"),
        audio_dir="drums/{split}",
        splits=("train", "valid", "test"),
        used_by="WaveGAN, SpecGAN",
        recipe="first 16384 samples of each hit (one-shot), resampled to 16 kHz",
    ),
    DatasetInfo(
        name="piano",
        title="WaveGAN piano: Bach performances (Mancini)",
        url="http://deepyeti.ucsd.edu/cdonahue/wavegan/data/mancini_piano.tar.gz",
        sha256=None,  # not published; measured on first download
        approx_size="~0.2 GB (est.)",
        licence="unspecified; distributed by the WaveGAN authors for research",
        homepage="https://github.com/chrisdonahue/wavegan",
        layout="mancini_piano/{train,valid,test}/*.wav long recordings (folder split assumed)",
        audio_dir="mancini_piano/{split}",
        splits=("train", "valid", "test"),
        used_by="WaveGAN, SpecGAN",
        recipe="every 16384-sample slice of each recording, back to back",
    ),
    DatasetInfo(
        name="nsynth",
        title="NSynth, acoustic instruments, MIDI pitch 24-84",
        url="http://download.magenta.tensorflow.org/datasets/nsynth/nsynth-train.jsonwav.tar.gz",
        sha256=None,  # not published by Magenta; measured on first download
        approx_size="~22 GB (est.)",
        licence="CC BY 4.0",
        homepage="https://magenta.tensorflow.org/datasets/nsynth",
        layout=("nsynth-train/audio/<instrument>-<pitch>-<velocity>.wav (4 s, 16 kHz) "
                "and examples.json"),
        audio_dir="nsynth-{split}/audio",
        splits=("train",),
        length=64000,
        used_by="GANSynth",
        recipe=("notes of acoustic instruments with pitch 24-84 from examples.json, "
                "64000 samples; label = pitch"),
    ),
    _URBANSOUND8K,
    replace(
        _URBANSOUND8K,
        name="urbansound8k_street_music",
        title="UrbanSound8K, class 9: street music",
        used_by="mel-image GAN (train specgan --representation mel-image)",
        recipe="files of class 9 (street music) from every fold, one 4 s example per file at "
               "22,050 Hz (88,200 samples, shorter ones padded), as 256 x 256 mel images",
    ),
    DatasetInfo(
        name="gtzan_classical",
        title="GTZAN genre collection, classical",
        url="https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz",
        sha256=None,  # not published; measured on first download
        approx_size="~1.2 GB (est.)",
        licence="none stated; collected by Tzanetakis for research",
        homepage="https://marsyas.info/index.html",
        layout="genres/<genre>/<genre>.000NN.(au|wav), 30 s at 22.05 kHz",
        audio_dir="genres/classical",
        splits=("all",),
        length=64000,
        standardize=True,
        used_by="dense GAN and WaveGAN on classical music (the GTZAN student project)",
        recipe="the 100 classical excerpts at 16 kHz cut into back-to-back 4 s clips (64,000 "
               "samples; the tail of each excerpt dropped, 7 clips per 30 s), each standardised "
               "to mean 0 and standard deviation 1",
    ),
]

_DATASETS.append(DatasetInfo(
    name="maestro",
    title="MAESTRO v3.0.0, MIDI only: virtuosic piano performances (Hawthorne et al. 2019)",
    url="https://storage.googleapis.com/magentadata/datasets/maestro/v3.0.0/maestro-v3.0.0-midi.zip",
    sha256=None,  # Magenta publishes no checksum; measured on first download
    approx_size="~57 MB (est.)",
    licence="CC BY-NC-SA 4.0",
    homepage="https://magenta.tensorflow.org/datasets/maestro",
    layout="maestro-v3.0.0/<year>/<performance>.midi (1,276 files, about 200 hours) and "
           "maestro-v3.0.0.csv (composer, title, split, midi_filename, duration)",
    audio_dir="maestro-v3.0.0",
    splits=("train", "validation", "test"),
    length=256,
    kind="midi",
    used_by="PianoGAN (notebook 08)",
    recipe="the performances of the split from the CSV, read with pretty_midi (key-up note ends, "
           "pedals ignored), windows of 256 notes every 128",
))

#: Every registered dataset by name.
DATASETS: Mapping[str, DatasetInfo] = MappingProxyType({d.name: d for d in _DATASETS})


def _info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    return DATASETS[name]


def dataset_table() -> str:
    """A text table of the registry: name, approximate size, licence, checksum state, use."""
    rows = [("name", "approx. size", "licence", "checksum", "used by")]
    for d in DATASETS.values():
        check = "sha256" if d.sha256 else ("md5" if d.md5 else "unverified (TOFU)")
        rows.append((d.name, d.approx_size, d.licence.split(";")[0], check, d.used_by))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def dataset_root(name: str, root: str | os.PathLike | None = None) -> Path:
    """The folder a dataset is extracted into: ``<root or cache_dir()>/<name>`` (or the
    ``folder`` its entry shares with another recipe of the same archive)."""
    base = Path(root).expanduser() if root is not None else cache_dir()
    info = _info(name)
    return base / (info.folder or info.name)


def fetch(name: str, root: str | os.PathLike | None = None, allow_unverified: bool = False,
          url: str | None = None, quiet: bool = False) -> Path:
    """Download (once) and extract (once) a registered dataset; return its folder.

    The archive goes to ``<root>/downloads/`` and is extracted into ``<root>/<name>/``
    (``root`` defaults to :func:`cache_dir`). A finished extraction leaves a ``.complete``
    marker, so a second call returns at once. ``url`` overrides the registry (a mirror, or a
    ``file://`` copy). Entries without a published checksum need ``allow_unverified=True``.
    """
    info = _info(name)
    folder = dataset_root(name, root)
    marker = folder / ".complete"
    if marker.is_file():
        return folder
    base = folder.parent
    source = url or info.url
    archive = base / "downloads" / Path(source.split("?")[0]).name
    verified = info.sha256 is not None or info.md5 is not None
    path = download(source, archive, sha256=info.sha256, md5=info.md5,
                    allow_unverified=allow_unverified and not verified, quiet=quiet)
    if not quiet:
        print(f"extracting {path.name} into {folder} ...")
    extract_archive(path, folder)
    marker.write_text(source + "\n")
    return folder


def prepare(name: str, root: str | os.PathLike | None = None, download: bool = False,
            allow_unverified: bool = False, split: str | None = None) -> Path:
    """The folder of audio files of a registered dataset (fetched first with ``download=True``).

    ``split`` defaults to the dataset's first split. This gives the files only; use
    :func:`load_dataset` for the paper's recipe (which files, labels, one example per file).
    """
    info = _info(name)
    split = split or info.splits[0]
    if download:
        fetch(name, root, allow_unverified=allow_unverified)
    folder = dataset_root(name, root)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: {name} is not there; call fetch({name!r}) or pass "
                                "download=True (" + info.approx_size + ")")
    audio = folder / info.audio_dir.format(split=split)
    if not audio.is_dir() and "{split}" in info.audio_dir:
        audio = folder / info.audio_dir.split("/{split}")[0]  # an archive without split folders
    return audio


def load_dataset(name: str, split: str = "train", root: str | os.PathLike | None = None,
                 download: bool = False, allow_unverified: bool = False, **overrides):
    """The examples of a registered dataset as an :class:`~audiogan_lesson.data.AudioFolder`
    (a :class:`~audiogan_lesson.data.MidiFolder` of note windows for a MIDI set: ``maestro``).

    Applies the dataset's recipe (which files, which labels, one example per file or many) at
    the paper's ``sample_rate`` and ``length``; any ``AudioFolder`` argument can be overridden.
    With ``download=True`` the dataset is fetched first; otherwise it must already be there.
    """
    info = _info(name)
    if split not in info.splits:
        raise ValueError(f"{name} has splits {info.splits}; got {split!r}")
    folder = dataset_root(name, root)
    audio = prepare(name, root, download=download, allow_unverified=allow_unverified, split=split)
    if info.kind == "midi":  # notes, not audio: MidiFolder's options (length, hop, sustain)
        return MidiFolder(audio, **{"length": info.length,
                                    "files": _maestro_files(audio, split), **overrides})
    kwargs: dict = dict(sample_rate=info.sample_rate, length=info.length, labels=None)
    recipes: dict[str, Callable[[], dict]] = {
        "sc09": lambda: dict(first_only=True, labels=_digit_label),
        "drums": lambda: dict(first_only=True),
        "piano": lambda: dict(),
        "nsynth": lambda: dict(first_only=True, labels=_pitch_label,
                               files=_nsynth_files(folder, split)),
        "urbansound8k": lambda: dict(first_only=True, labels=_urbansound_label,
                                     files=_urbansound_files(audio)),
        "urbansound8k_street_music": lambda: dict(first_only=True,
                                                  files=_urbansound_files(audio, class_id=9)),
        "gtzan_classical": lambda: dict(short="drop"),
    }
    kwargs.update(recipes[name]())
    kwargs.update(overrides)
    return AudioFolder(audio, **kwargs)
