"""Datasets: synthetic sets made by code, folders of audio files, and the real datasets.

Notebook ``01_audio_preprocessing`` introduces all of it; every training notebook uses
:func:`toy_drums` or :func:`toy_notes`, and their "Run at full scale" sections use
:func:`load_dataset`.

* :mod:`~audiogan_lesson.data.synthetic`: :func:`toy_drums`, :func:`toy_notes` (seeded, vectorised).
* :mod:`~audiogan_lesson.data.folder`: :class:`AudioFolder` (decode once, cache, skip bad files).
* :mod:`~audiogan_lesson.data.registry`: :data:`DATASETS`, :func:`dataset_table`, :func:`fetch`,
  :func:`load_dataset`.
* :mod:`~audiogan_lesson.data.piano`: :func:`toy_piano`, :func:`notes_from_midi`,
  :class:`MidiFolder`: piano notes for notebook ``08_pianogan_notes``.
* :mod:`~audiogan_lesson.data.download`: :func:`download`, :func:`extract_archive`,
  :func:`cache_dir`.
"""

from .download import (ChecksumError, UnsafeArchiveError, cache_dir, download, extract_archive,
                       sha256_file)
from .folder import AudioFolder
from .piano import (FEATURES, KEY_NAMES, MidiFolder, ToyPiano, key_pitch_classes, note_windows,
                    notes_from_midi, toy_piano)
from .registry import (DATASETS, DatasetInfo, dataset_root, dataset_table, fetch, load_dataset,
                       prepare)
from .synthetic import (DRUM_CLASSES, NOTE_FAMILIES, ToyDrums, ToyNotes, midi_to_hz, toy_drums,
                        toy_notes)

__all__ = [
    "toy_drums", "toy_notes", "ToyDrums", "ToyNotes", "DRUM_CLASSES", "NOTE_FAMILIES", "midi_to_hz",
    "AudioFolder",
    "toy_piano", "ToyPiano", "notes_from_midi", "MidiFolder", "note_windows", "FEATURES",
    "KEY_NAMES", "key_pitch_classes",
    "DATASETS", "DatasetInfo", "dataset_table", "dataset_root", "fetch", "load_dataset", "prepare",
    "download", "extract_archive", "cache_dir", "sha256_file", "ChecksumError",
    "UnsafeArchiveError",
]
