"""PianoGAN and notes (notebook 08): toy pieces, MIDI in and out, MidiFolder and MAESTRO, the
note representation, rendering, the model, the note metrics, train and generate; the pitch-class
encoding (12 one-hot channels beside the pitch) and the laptop recipe that picks it."""

import csv
import dataclasses
import zipfile

import numpy as np
import pretty_midi
import pytest
import soundfile as sf
import torch

from audiogan_lesson.cli import main
from audiogan_lesson.data import (DATASETS, KEY_NAMES, MidiFolder, fetch, key_pitch_classes,
                                  load_dataset, note_windows, notes_from_midi, toy_piano)
from audiogan_lesson.evaluation import (estimate_key, feature_w1, in_key_rate, note_scores,
                                        pitch_class_distance, score_table, uniform_notes)
from audiogan_lesson.experiments import (UnknownNameError, load_audio_set, load_note_set,
                                         make_experiment)
from audiogan_lesson.models.pianogan import (PianoGANDiscriminator, PianoGANGenerator,
                                             PitchClassFeatures)
from audiogan_lesson.models.summary import count_parameters
from audiogan_lesson.notes import note_starts, notes_to_midi, piano_roll, render_notes, write_midi
from audiogan_lesson.profiles import get_profile
from audiogan_lesson.recipes import pitch_encoding, recipe_for
from audiogan_lesson.registry import MODELS, build_models
from audiogan_lesson.representations import NoteFeatures, representation_from_state
from audiogan_lesson.runs import generate_from_checkpoint, load_run


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def midi_file(path, notes, drums=(), pedal=(), program=0):
    """Write a MIDI file: ``notes`` [(pitch, start, end)], ``drums`` likewise on channel 10,
    ``pedal`` [(time, value)] sustain-pedal events."""
    pm = pretty_midi.PrettyMIDI()
    if notes or pedal:
        piano = pretty_midi.Instrument(program=program)
        piano.notes = [pretty_midi.Note(velocity=90, pitch=p, start=s, end=e) for p, s, e in notes]
        piano.control_changes = [pretty_midi.ControlChange(64, v, t) for t, v in pedal]
        pm.instruments.append(piano)
    if drums:
        kit = pretty_midi.Instrument(program=0, is_drum=True)
        kit.notes = [pretty_midi.Note(velocity=90, pitch=p, start=s, end=e) for p, s, e in drums]
        pm.instruments.append(kit)
    pm.write(str(path))
    return path


def scale_notes(count, start=0.0, step=0.25, low=60):
    major = (0, 2, 4, 5, 7, 9, 11)
    return [(low + major[i % 7] + 12 * (i // 7 % 2), start + i * step, start + i * step + 0.2)
            for i in range(count)]


# ----------------------------------------------------------------------------- toy pieces


def test_toy_piano_shapes_seed_keys_and_chords():
    a, b, c = toy_piano(24, seed=3), toy_piano(24, seed=3), toy_piano(24, seed=4)
    assert a.notes.shape == (24, 256, 3) and a.notes.dtype == torch.float32
    assert torch.equal(a.notes, b.notes) and not torch.equal(a.notes, c.notes)
    assert a.keys.shape == (24,) and a.key_names == KEY_NAMES
    notes = a.notes.numpy()
    assert (notes[..., 1:] >= 0).all() and (notes[..., 2] > 0).all()
    assert 21 <= notes[..., 0].min() and notes[..., 0].max() <= 108
    assert np.array_equal(notes[..., 0], np.rint(notes[..., 0]))
    for piece, key in zip(notes, a.keys.tolist()):  # every note is in the piece's key
        assert set(np.mod(piece[:, 0].astype(int), 12)) <= set(key_pitch_classes(key))
    assert (notes[..., 1] == 0).mean() > 0.1  # chords and melody over bass: exact zeros
    assert toy_piano(2, length=64).notes.shape == (2, 64, 3)
    with pytest.raises(ValueError, match="length >= 1"):
        toy_piano(2, length=0)


def test_key_pitch_classes():
    assert key_pitch_classes(0) == (0, 2, 4, 5, 7, 9, 11)  # C major
    assert key_pitch_classes(12 + 9) == (0, 2, 4, 5, 7, 8, 9, 11)  # A minor with G#
    assert KEY_NAMES[7] == "G major" and KEY_NAMES[12 + 2] == "D minor"
    with pytest.raises(ValueError, match="0-11"):
        key_pitch_classes(24)


# ----------------------------------------------------------------------------- MIDI in and out


def test_notes_from_midi_chords_overlaps_drums_and_pedal(tmp_path):
    path = midi_file(tmp_path / "a.mid",
                     [(67, 0.5, 0.9), (60, 0.5, 1.5), (64, 0.5, 0.9),  # a chord, C held longer
                      (72, 1.0, 1.2), (71, 1.6, 1.8)],
                     drums=[(36, 0.0, 0.1), (38, 0.5, 0.6)],
                     pedal=[(1.1, 100), (2.0, 0)])
    notes = notes_from_midi(path)
    np.testing.assert_allclose(notes[:, 0], [60, 64, 67, 72, 71])  # drums dropped, chord low-high
    np.testing.assert_allclose(notes[:, 1], [0, 0, 0, 0.5, 0.6], atol=1e-3)
    np.testing.assert_allclose(notes[:, 2], [1.0, 0.4, 0.4, 0.2, 0.2], atol=1e-3)  # key up
    held = notes_from_midi(path, sustain=True)
    # released under the pedal (60 at 1.5, 72 at 1.2, 71 at 1.8): held to its release at 2.0;
    # the chord's 64 and 67, released at 0.9 before the pedal went down, are not
    np.testing.assert_allclose(held[:, 2], [1.5, 0.4, 0.4, 1.0, 0.4], atol=1e-3)
    repeated = midi_file(tmp_path / "b.mid", [(60, 0.0, 0.2), (60, 0.5, 0.7)],
                         pedal=[(0.1, 127), (3.0, 0)])
    # the pedal holds the first C until the same key is struck again
    np.testing.assert_allclose(notes_from_midi(repeated, sustain=True)[:, 2], [0.5, 2.5],
                               atol=1e-3)


def test_write_midi_round_trip_and_starts(tmp_path):
    notes = toy_piano(1, seed=5, length=64).notes[0].numpy()
    path = write_midi(notes, tmp_path / "out" / "x.mid")
    back = notes_from_midi(path)
    assert back.shape == notes.shape
    np.testing.assert_allclose(back[:, 0], notes[:, 0])
    np.testing.assert_allclose(back[:, 1:], notes[:, 1:], atol=2e-3)  # MIDI ticks
    np.testing.assert_allclose(note_starts(notes)[-1], notes[:, 1].sum(), rtol=1e-6)
    assert len(notes_to_midi(notes).instruments[0].notes) == 64
    with pytest.raises(ValueError, match="one sequence"):
        notes_to_midi(notes[None])
    with pytest.raises(ValueError, match="NaN"):
        notes_to_midi(np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match=r"\(\.\.\., length, 3\)"):
        piano_roll(np.zeros((4, 2)))


def test_piano_roll_frames():
    notes = np.array([[60, 0.0, 0.5], [64, 0.0, 0.5], [67, 0.5, 0.05]])
    roll = piano_roll(notes, frames_per_second=10)
    assert roll.shape == (128, 6)
    assert roll[60].tolist() == [1, 1, 1, 1, 1, 0] and roll[64].tolist() == roll[60].tolist()
    assert roll[67].tolist() == [0, 0, 0, 0, 0, 1]  # shorter than a frame: one frame
    assert roll.sum() == 11


def test_render_notes_pitch_timing_and_silence():
    sr = 8000
    notes = np.array([[69, 0.0, 0.4], [81, 1.0, 0.3]], dtype=np.float32)  # A4, rest, A5
    audio = render_notes(notes, sr, release=0.1)
    assert audio.shape[0] == 1 and abs(audio.shape[1] - 1.4 * sr) <= 1  # to the last release
    assert float(audio.abs().max()) == pytest.approx(0.9)
    first = audio[0, : int(0.4 * sr)].numpy()
    spectrum = np.abs(np.fft.rfft(first * np.hanning(len(first))))
    assert abs(np.fft.rfftfreq(len(first), 1 / sr)[spectrum.argmax()] - 440) < 5
    gap = audio[0, int(0.6 * sr): int(0.95 * sr)]
    assert float(gap.abs().max()) < 1e-3  # the rest is silent
    assert float(audio[0, int(1.02 * sr): int(1.2 * sr)].abs().max()) > 0.1
    batch = render_notes(np.stack([notes, notes]), sr, max_seconds=0.5)
    assert batch.shape == (2, 4000)


# ------------------------------------------------------------------------- MIDI folders and MAESTRO


def test_midi_folder_windows_and_counted_skips(tmp_path, capsys):
    root = tmp_path / "midi"
    (root / "set").mkdir(parents=True)
    midi_file(root / "set" / "long.mid", scale_notes(40))
    midi_file(root / "also.midi", scale_notes(20, start=1.0))
    (root / "empty.mid").write_bytes(b"")
    (root / "text.mid").write_text("not a midi file at all")
    midi_file(root / "silent.mid", [])
    midi_file(root / "drums.mid", [], drums=[(36, 0.0, 0.1), (38, 0.5, 0.6)])
    midi_file(root / "short.mid", scale_notes(5))
    (root / "notes.txt").write_text("ignored")
    folder = MidiFolder(root, length=16, hop=8)
    out = capsys.readouterr().out
    assert len(folder) == 4 + 1 and folder.notes.shape == (5, 16, 3)
    assert len(folder.skipped) == 5 and folder.stats["files"] == 7
    reasons = {p.split("/")[-1]: r for p, r in folder.skipped}
    assert reasons["empty.mid"].startswith("empty file")
    assert reasons["text.mid"].startswith("not a MIDI file")
    assert reasons["silent.mid"] == "no notes"
    assert reasons["drums.mid"].startswith("drums only (2 drum notes")
    assert reasons["short.mid"].startswith("too short: 5 notes")
    assert "skipped 5 files" in out and "1 empty file" in out and "1 drums only" in out
    assert folder.sources.count(str(root / "set" / "long.mid")) == 4
    windows = note_windows(notes_from_midi(root / "set" / "long.mid"), 16, 8)
    np.testing.assert_array_equal(folder.notes[1:].numpy(), windows)
    with pytest.raises(FileNotFoundError, match="no such folder"):
        MidiFolder(tmp_path / "nowhere")


def make_maestro_zip(tmp_path):
    top = tmp_path / "upstream" / "maestro-v3.0.0"
    (top / "2004").mkdir(parents=True)
    rows = []
    for i, split in enumerate(("train", "train", "validation", "test")):
        name = f"2004/piece_{i}.midi"
        midi_file(top / name, scale_notes(24 + 8 * i))
        rows.append({"canonical_composer": "X", "canonical_title": f"T{i}", "split": split,
                     "year": "2004", "midi_filename": name, "audio_filename": "", "duration": "9"})
    with open(top / "maestro-v3.0.0.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    archive = tmp_path / "maestro-v3.0.0-midi.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(top.rglob("*")):
            zf.write(path, path.relative_to(tmp_path / "upstream").as_posix())
    return archive


def test_maestro_entry_fetch_and_splits_from_a_local_archive(tmp_path, capsys):
    info = DATASETS["maestro"]
    assert info.kind == "midi" and info.licence == "CC BY-NC-SA 4.0"
    assert (info.url.endswith("maestro-v3.0.0-midi.zip")
            and info.splits == ("train", "validation", "test"))
    root = tmp_path / "datasets"
    archive = make_maestro_zip(tmp_path)
    fetch("maestro", root=root, url=archive.as_uri(), allow_unverified=True, quiet=True)
    train = load_dataset("maestro", root=root, length=16, hop=16, verbose=False)
    assert isinstance(train, MidiFolder)
    assert [p.split("/")[-1] for p in train.files] == ["piece_0.midi", "piece_1.midi"]
    assert len(train) == 1 + 2
    test = load_dataset("maestro", split="test", root=root, length=16, verbose=False)
    assert [p.split("/")[-1] for p in test.files] == ["piece_3.midi"]
    with pytest.raises(ValueError, match="splits"):
        load_dataset("maestro", split="valid", root=root)


def test_load_note_set_names_folders_and_errors(tmp_path, monkeypatch):
    toy = load_note_set("toy-piano", 8, 32, 8000, seed=2)
    assert toy.notes.shape == (8, 32, 3) and toy.keys.shape == (8,)
    assert toy.waves.shape == (8, 3, 32)  # channels first, as the model sees them
    folder = tmp_path / "mids"
    folder.mkdir()
    for i in range(3):
        midi_file(folder / f"{i}.mid", scale_notes(48, step=0.2))
    (folder / "bad.mid").write_bytes(b"MThd broken")
    loaded = load_note_set(folder, 4, 16, 8000, seed=1)
    assert loaded.notes.shape == (4, 16, 3) and len(loaded.skipped) == 1
    assert len(set(loaded.sources)) >= 1
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no window of 16 notes"):
        load_note_set(empty, 4, 16, 8000)
    with pytest.raises(UnknownNameError, match="toy-piano, maestro"):
        load_note_set("mozart", 4, 16, 8000)
    with pytest.raises(ValueError, match="audio dataset"):
        load_note_set("sc09", 4, 16, 8000)
    with pytest.raises(ValueError, match="train pianogan"):
        load_audio_set("toy-piano", 4, 8000, 1024)
    with pytest.raises(ValueError, match="train pianogan"):
        load_audio_set("maestro", 4, 8000, 1024)


# ----------------------------------------------------------------------------- representation


def test_note_features_exact_inverse_ranges_and_state():
    notes = toy_piano(16, seed=1).notes
    rep = NoteFeatures(sample_rate=8000).fit(notes)
    x = rep.encode(notes)
    assert x.shape == (16, 3, 256) and float(x.min()) == -1.0 and float(x.max()) == 1.0
    assert bool((x[:, 1][notes[..., 1] == 0] == -1).all())  # a chord's step 0 is exactly -1
    back = rep.to_notes(x)
    torch.testing.assert_close(back, notes, atol=2e-6, rtol=1e-6)
    # log space: equal ratios of duration are equal distances
    d = (torch.tensor([[[60, 0.0, 0.1], [60, 0.0, 0.2], [60, 0.0, 0.4]]])
         - torch.tensor([[[0, 0, 0.01]]]))
    d = d.clamp_min(0)
    e = rep.encode(d + torch.tensor([0, 0, 0.0]))[0, 2]
    assert float(e[1] - e[0]) == pytest.approx(float(e[2] - e[1]), rel=1e-5)
    # outside the fitted ranges: clipped; generated pitches rounded
    wide = notes.clone()
    wide[0, 0, 0] = 200
    assert float(rep.to_notes(rep.encode(wide))[0, 0, 0]) == rep.pitch_max
    assert float(rep.to_notes(torch.full((1, 3, 4), 0.013))[0, 0, 0]) % 1 == 0
    again = representation_from_state(rep.state())
    torch.testing.assert_close(again.to_notes(x), back)
    assert rep.decode(x[:2]).shape[0] == 2
    with pytest.raises(ValueError, match=r"expected notes \(N, length, 3\)"):
        rep.encode(notes[0])
    with pytest.raises(ValueError, match=r"\(N, 3, length\)"):
        rep.to_notes(torch.zeros(2, 4, 8))
    with pytest.raises(ValueError, match="pitch_max > pitch_min"):
        NoteFeatures(pitch_min=60, pitch_max=60)


# ----------------------------------------------------------------------------- model


def test_pianogan_shapes_parameters_and_registry():
    g, d = PianoGANGenerator(), PianoGANDiscriminator()
    assert count_parameters(g) == 16_817_667 and count_parameters(d) == 1_030_273
    z = torch.rand(2, 100) * 2 - 1
    small_g, small_d = build_models("pianogan", get_profile("smoke").scale("pianogan"))
    with torch.no_grad():
        out = small_g(z)
    assert out.shape == (2, 3, 256) and float(out.abs().max()) <= 1.0
    assert small_d(out).shape == (2,)
    assert MODELS["pianogan"].notes and MODELS["pianogan"].notebook == "08_pianogan_notes"
    assert PianoGANGenerator(d=4, length=64)(z).shape == (2, 3, 64)
    with pytest.raises(ValueError, match="multiple of 64"):
        PianoGANGenerator(length=100)
    with pytest.raises(ValueError, match=r"expected notes of shape \(batch, 3, 256\)"):
        small_d(torch.zeros(2, 256, 3))


# ----------------------------------------------------------------------------- metrics


def test_keys_in_key_rate_and_distances():
    major = (0, 2, 4, 5, 7, 9, 11)

    def seq(pitches, d=0.25):
        return np.stack([np.asarray(pitches, float), np.full(len(pitches), 0.25),
                         np.full(len(pitches), d)], 1)

    d_major = seq([62 + major[i % 7] for i in range(21)])
    b_minor = seq([59, 61, 62, 64, 66, 67, 70, 71, 74, 71, 66, 59, 62, 71], 0.5)
    batch = np.stack([d_major[:14], b_minor])
    assert [KEY_NAMES[k] for k in estimate_key(batch)] == ["D major", "B minor"]
    np.testing.assert_allclose(in_key_rate(batch), [1.0, 1.0])
    chromatic = seq(range(60, 72))
    # all 12 classes equally: no key fits better than another, C major (the first) is taken
    assert in_key_rate(chromatic[None])[0] == pytest.approx(7 / 12)
    assert in_key_rate(chromatic[None], keys=[21])[0] == pytest.approx(8 / 12)  # A minor + G#
    real = toy_piano(64, seed=0).notes.numpy()
    held = toy_piano(64, seed=1).notes.numpy()
    noise = uniform_notes(real, 64, seed=0)
    assert noise.shape == real.shape and noise[..., 0].min() >= real[..., 0].min()
    w_same, w_noise = feature_w1(held, real), feature_w1(noise, real)
    assert feature_w1(real, real) == {"pitch": 0.0, "step": 0.0, "duration": 0.0}
    assert all(w_noise[k] > 3 * w_same[k] for k in w_same)
    assert pitch_class_distance(real, real) == 0.0
    assert pitch_class_distance(noise, real) > 5 * pitch_class_distance(held, real)
    assert in_key_rate(real).mean() > 0.9 > 0.75 > in_key_rate(noise).mean()
    table = score_table({"held-out": held, "noise": noise}, real)
    assert list(table) == ["held-out", "noise"] and set(note_scores(held, real)) == {
        "w1_pitch", "w1_step", "w1_duration", "pitch_class_distance", "in_key_rate"}


# ----------------------------------------------------------------------------- train and generate


def test_train_and_generate_mid_and_wav(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "pianogan", "--data", "toy-piano", "--steps", "2", "--out", str(out),
                 "--profile", "smoke", "--n-train", "16"]) == 0
    assert "pianogan on toy-piano: 16 pieces of 256 notes (heard at" in capsys.readouterr().out
    ckpt = sorted(out.glob("ckpt_*.pt"))[-1]
    assert main(["generate", str(ckpt), "--n", "2", "--out", str(tmp_path / "gen")]) == 0
    files = sorted(p.name for p in (tmp_path / "gen").iterdir())
    assert files == ["pianogan_0000.mid", "pianogan_0000.wav", "pianogan_0001.mid",
                     "pianogan_0001.wav"]
    notes = notes_from_midi(tmp_path / "gen" / "pianogan_0000.mid")
    assert notes.shape[1] == 3 and 200 <= len(notes) <= 256
    wave, sr = sf.read(tmp_path / "gen" / "pianogan_0000.wav")
    assert sr == 8000 and wave.ndim == 1 and np.abs(wave).max() > 0.1
    exp = make_experiment("pianogan", "toy-piano", get_profile("smoke"), n_train=8)
    assert exp.examples.shape == (8, 3, 256) and exp.meta()["representation"]["kind"] == "notes"


def test_pitch_class_features_see_keys_round_pitches_and_pass_gradients():
    features = PitchClassFeatures(6)
    rep = NoteFeatures()
    scale_notes_c = np.array([[60 + (0, 2, 4, 5, 7, 9, 11)[i % 7], 0.25, 0.25] for i in range(28)])
    chromatic = np.array([[60 + i % 12, 0.25, 0.25] for i in range(24)])
    x = rep.encode(np.stack([scale_notes_c[:24], chromatic]))
    out = features(x)
    assert out.shape == (2, 3 + 18, 24)
    dft5 = out[:, 3 + 12 + 4, 0]  # |mean exp(2 pi i 5 p / 12)|: large for a diatonic scale
    assert float(dft5[0]) > 0.5 and float(dft5[1]) < 1e-3
    transposed = rep.encode(scale_notes_c[None, :24] + np.array([5, 0, 0]))
    torch.testing.assert_close(features(transposed)[:, -6:], out[:1, -6:], atol=1e-5, rtol=0)
    off = x.clone().requires_grad_(True)
    shifted = off + torch.tensor([0.3 * 2 / 87, 0, 0])[None, :, None]  # 0.3 semitone sharp
    torch.testing.assert_close(features(shifted)[:, :3], features(x)[:, :3])  # rounded
    features(shifted)[:, -6:].sum().backward()
    assert off.grad is not None and float(off.grad[:, 0].abs().sum()) > 0
    d = PianoGANDiscriminator(d=4, pitch_classes=6)
    assert d(x.repeat(1, 1, 11)[:, :, :256]).shape == (2,)
    with pytest.raises(ValueError, match="pitch_classes=7"):
        PianoGANDiscriminator(pitch_classes=7)


# ----------------------------------------------------------------------------- pitch classes


def test_pitch_class_encoding_one_hot_and_exact_inverse():
    notes = toy_piano(8, seed=3).notes
    rep = NoteFeatures(pitch_encoding="pitch_class").fit(notes)
    x = rep.encode(notes)
    assert x.shape == (8, 15, 256) and rep.channels == 15
    torch.testing.assert_close(x[:, :3], NoteFeatures().fit(notes).encode(notes))  # same 3 first
    one_hot = x[:, 3:]
    assert set(one_hot.unique().tolist()) == {0.0, 1.0}
    assert bool((one_hot.sum(1) == 1).all())
    np.testing.assert_array_equal(one_hot.argmax(1).numpy(), notes[..., 0].numpy() % 12)
    torch.testing.assert_close(rep.to_notes(x), notes, atol=2e-6, rtol=1e-6)
    again = representation_from_state(rep.state())
    assert again.pitch_encoding == "pitch_class"
    torch.testing.assert_close(again.to_notes(x), rep.to_notes(x))
    # a checkpoint of before the option has no pitch_encoding in its state: the scalar
    old = {k: v for k, v in NoteFeatures().state().items() if k != "pitch_encoding"}
    assert representation_from_state(old).channels == 3


def test_pitch_class_decoding_takes_the_most_likely_key():
    rep = NoteFeatures(pitch_encoding="pitch_class")  # register_sd 3 semitones
    per_semitone = 2 / (rep.pitch_max - rep.pitch_min)

    def example(register, scores):
        x = torch.zeros(1, 15, len(register))
        x[0, 0] = torch.tensor([(p - rep.pitch_min) * per_semitone - 1 for p in register])
        x[0, 3:] = torch.tensor(scores, dtype=torch.float32).T
        return x

    e_scores = [0.0] * 12
    e_scores[4] = 0.4  # only E is likely (the rest count as 1e-6)
    c_scores = [0.3] + [0.06] * 11  # C likelier than each other class, not by much
    # E: the register 5 semitones off (69, 59) still gives E4 = 64, and 57.9 the E below, 52.
    # C: from 66.9 the C above (72, 5.1 away) beats the G at 0.1 away; from 65.9 the C below is
    # 5.9 away and the F# under the register (66) is likelier; from 62 the C two keys down wins
    x = example([69.0, 59.0, 57.9, 66.9, 65.9, 62.0],
                [e_scores, e_scores, e_scores, c_scores, c_scores, c_scores])
    assert rep.to_notes(x)[0, :, 0].tolist() == [64.0, 64.0, 52.0, 72.0, 66.0, 60.0]
    # a register trusted less: the likeliest class wins in the nearest octave
    loose = NoteFeatures(pitch_encoding="pitch_class", register_sd=100.0)
    assert loose.to_notes(x)[0, :, 0].tolist() == [64.0, 64.0, 52.0, 72.0, 60.0, 60.0]
    assert representation_from_state(loose.state()).register_sd == 100.0
    with pytest.raises(ValueError, match="register_sd=0"):
        NoteFeatures(pitch_encoding="pitch_class", register_sd=0)
    # outside the piano's range: moved by octaves into it, class kept
    low = example([10.0, 120.0], [c_scores, c_scores])
    assert rep.to_notes(low)[0, :, 0].tolist() == [24.0, 108.0]
    with pytest.raises(ValueError, match=r"expected examples \(N, 15, length\)"):
        rep.to_notes(torch.zeros(1, 3, 8))
    with pytest.raises(ValueError, match="pitch_encoding='midi'"):
        NoteFeatures(pitch_encoding="midi")


def test_pitch_class_models_softmax_channels_and_configs():
    g = PianoGANGenerator(d=4, pitch_encoding="pitch_class")
    d = PianoGANDiscriminator(d=4, pitch_encoding="pitch_class")
    assert g.config.c == 15 and d.config.c == 15
    z = torch.rand(3, 100) * 2 - 1
    with torch.no_grad():
        out = g(z)
    assert out.shape == (3, 15, 256) and float(out[:, :3].abs().max()) <= 1.0
    torch.testing.assert_close(out[:, 3:].sum(1), torch.ones(3, 256))
    assert float(out[:, 3:].min()) >= 0.0
    assert d(out).shape == (3,)
    rebuilt = PianoGANGenerator(**dataclasses.asdict(g.config))  # as a checkpoint rebuilds it
    assert rebuilt.config == g.config
    plain = PianoGANGenerator(d=4)  # the report's: three channels and tanh
    assert plain.config.c == 3 and "tanh" in dict(plain.net.named_children())
    with pytest.raises(ValueError, match="c=5 but pitch_encoding='pitch_class' has 15"):
        PianoGANDiscriminator(d=4, c=5, pitch_encoding="pitch_class")
    with pytest.raises(ValueError, match="use one or the other"):
        PianoGANDiscriminator(d=4, pitch_classes=6, pitch_encoding="pitch_class")
    with pytest.raises(ValueError, match=r"expected notes of shape \(batch, 15, 256\)"):
        d(torch.zeros(2, 3, 256))


def test_laptop_wgan_recipe_picks_pitch_classes_everywhere():
    recipe = recipe_for("pianogan", "wgan-gp", "laptop")
    for part in (recipe.generator, recipe.discriminator, recipe.representation):
        assert part["pitch_encoding"] == "pitch_class"
    assert "pitch_encoding" not in recipe_for("pianogan", "wgan-gp").generator  # the report's
    assert "pitch_encoding" not in recipe_for("pianogan", "bce", "laptop").generator
    exp = make_experiment("pianogan", "toy-piano", get_profile("laptop"), n_train=4)
    assert exp.examples.shape == (4, 15, 256)
    assert exp.generator.config.c == exp.discriminator.config.c == 15


def test_pitch_class_run_generates_whole_pitches_in_mid_files(tmp_path):
    exp = make_experiment("pianogan", "toy-piano", get_profile("smoke"), n_train=16, steps=2,
                          recipe=pitch_encoding("pitch_class"))
    trainer = exp.trainer(tmp_path / "run")
    trainer.train()
    ckpt = sorted((tmp_path / "run").glob("ckpt_*.pt"))[-1]
    loaded = load_run(ckpt, "cpu")
    assert loaded.representation.pitch_encoding == "pitch_class"
    assert loaded.generator.config.pitch_encoding == "pitch_class"
    files = generate_from_checkpoint(ckpt, 2, tmp_path / "gen", device="cpu")
    assert sorted(p.suffix for p in files) == [".mid", ".mid", ".wav", ".wav"]
    notes = notes_from_midi(next(p for p in files if p.suffix == ".mid"))
    assert len(notes) > 0 and 21 <= notes[:, 0].min() and notes[:, 0].max() <= 108
