"""audiogan_lesson.data: synthetic sets, AudioFolder (bad files, cache, labels), download,
extraction, registry."""

import http.server
import io
import json
import math
import os
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

import audiogan_lesson.data.folder as folder_module
from audiogan_lesson.data import (DATASETS, AudioFolder, dataset_root, ChecksumError,
                                  UnsafeArchiveError, cache_dir, dataset_table, download,
                                  extract_archive, fetch, load_dataset, midi_to_hz, prepare,
                                  sha256_file, toy_drums, toy_notes)

SR = 16000


# ----------------------------------------------------------------------------- synthetic sets


def spectral_centroid(waves):
    spec = torch.fft.rfft(waves).abs().square()
    freqs = torch.fft.rfftfreq(waves.shape[-1], 1 / SR)
    return (spec * freqs).sum(-1) / spec.sum(-1)


def test_toy_drums_shapes_labels_and_seed():
    waves, labels, classes = toy_drums(50, seed=1)
    assert waves.shape == (50, 16384) and waves.dtype == torch.float32
    assert labels.dtype == torch.int64 and classes == ["kick", "snare", "hihat", "clap", "tom"]
    assert torch.bincount(labels).tolist() == [10] * 5
    assert torch.equal(toy_drums(50, seed=1).waves, waves)
    assert not torch.equal(toy_drums(50, seed=2).waves, waves)
    peaks = waves.abs().amax(-1)
    assert bool(((peaks > 0.29) & (peaks < 0.96)).all())
    assert toy_drums(3, length=4000, sample_rate=8000).waves.shape == (3, 4000)
    assert toy_drums(0).waves.shape == (0, 16384)


def test_toy_drums_sound_like_their_class():
    waves, labels, _ = toy_drums(100, seed=0)
    centroid = spectral_centroid(waves)
    by_class = [centroid[labels == c].median() for c in range(5)]
    kick, snare, hihat, clap, tom = by_class
    assert kick < 300 and tom < 600  # low drums
    assert hihat > 4000 and hihat > snare > tom  # cymbal brightest
    assert 800 < clap < 4000
    energy = waves.square()
    head, tail = energy[:, :4096].sum(-1), energy[:, -4096:].sum(-1)
    assert bool((tail < 0.05 * head).all())  # every hit decays: percussive
    assert bool((waves[:, :100].abs().amax(-1) > 0).all())  # onset within ~5 ms
    assert float(waves[:, -8:].abs().max()) < 1e-3  # faded out, no click at the end


def f0_yin(wave, low=28.0, high=1200.0, threshold=0.15):
    """A cheap pitch estimate for tests: YIN's cumulative mean normalised difference."""
    x = wave[2000:2000 + 8192].double()
    w = 4096
    max_lag = int(SR / low) + 2
    # d(tau) = sum_j (x_j - x_{j+tau})^2 over a window of w samples
    energy = torch.cumsum(torch.cat([torch.zeros(1, dtype=x.dtype), x * x]), 0)
    n = 1 << (w + max_lag).bit_length()
    corr = torch.fft.irfft(torch.fft.rfft(x[:w], n).conj() * torch.fft.rfft(x, n), n)[:max_lag]
    lags = torch.arange(max_lag)
    d = energy[w] + (energy[lags + w] - energy[lags]) - 2 * corr
    cmnd = torch.ones_like(d)
    cmnd[1:] = d[1:] * lags[1:] / torch.cumsum(d[1:], 0).clamp_min(1e-12)
    lo = int(SR / high)
    candidates = torch.nonzero(cmnd[lo:] < threshold).flatten()
    lag = lo + int(candidates[0]) if len(candidates) else lo + int(cmnd[lo:].argmin())
    while lag + 1 < max_lag and cmnd[lag + 1] < cmnd[lag]:  # down to the local minimum
        lag += 1
    a, b, c = float(cmnd[lag - 1]), float(cmnd[lag]), float(cmnd[lag + 1])
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) else 0.0
    return SR / (lag + shift)


@pytest.mark.parametrize("family", ["organ", "flute", "reed", "guitar", "mallet"])
def test_toy_notes_have_the_labelled_pitch(family):
    for pitch in (24, 45, 60, 84):
        wave = toy_notes(1, seed=pitch, pitches=[pitch], families=[family]).waves[0]
        estimate = 69 + 12 * math.log2(f0_yin(wave) / 440)
        assert abs(estimate - pitch) < 0.5, (family, pitch, estimate)


def test_toy_notes_labels_range_and_release():
    notes = toy_notes(60, seed=0)
    assert notes.waves.shape == (60, 16384)
    assert int(notes.pitches.min()) >= 24 and int(notes.pitches.max()) <= 84
    assert torch.bincount(notes.families).tolist() == [12] * 5
    assert notes.family_names == ["organ", "flute", "reed", "guitar", "mallet"]
    assert torch.equal(toy_notes(60, seed=0).waves, notes.waves)
    spec = torch.fft.rfft(notes.waves).abs().square()
    freqs = torch.fft.rfftfreq(16384, 1 / SR)
    assert float(spec[:, freqs > 0.46 * SR].sum() / spec.sum()) < 1e-4  # nothing aliases
    released = notes.waves[:, -1000:].square().mean(-1)
    held = notes.waves[:, 4000:8000].square().mean(-1)
    assert bool((released < 0.1 * held).all())
    long = toy_notes(2, length=64000, pitches=[60])
    assert long.waves.shape == (2, 64000) and long.pitches.tolist() == [60, 60]
    assert abs(float(midi_to_hz(69)) - 440.0) < 1e-9


def test_toy_notes_reject_bad_settings():
    with pytest.raises(ValueError, match="too high"):
        toy_notes(1, pitches=[120])
    with pytest.raises(ValueError, match="unknown families"):
        toy_notes(1, families=["theremin"])


# ----------------------------------------------------------------------------- AudioFolder


def tone(seconds, rate, channels=1, freq=440.0):
    t = np.arange(int(seconds * rate)) / rate
    x = 0.5 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    return np.stack([x] * channels, axis=1) if channels > 1 else x


def build_tree(root: Path) -> dict:
    """A folder with every kind of good and bad file; returns what should be skipped."""
    (root / "kick").mkdir(parents=True)
    (root / "snare").mkdir()
    (root / "long").mkdir()
    (root / ".hidden").mkdir()
    sf.write(root / "kick" / "a16_44k.wav", tone(0.5, 44100), 44100, subtype="PCM_16")
    sf.write(root / "kick" / "b.flac", tone(0.3, 22050), 22050)
    sf.write(root / "kick" / "six_96k.wav", tone(0.2, 96000, channels=6), 96000, subtype="PCM_24")
    sf.write(root / "snare" / "c24_stereo_48k.wav", tone(0.5, 48000, 2), 48000, subtype="PCM_24")
    sf.write(root / "snare" / "d_u8_8k.wav", tone(0.5, 8000), 8000, subtype="PCM_U8")
    sf.write(root / "snare" / "e_float.wav", tone(0.5, 16000), 16000, subtype="FLOAT")
    sf.write(root / "snare" / "silent.wav", np.zeros(8000, np.float32), 16000, subtype="PCM_16")
    sf.write(root / "long" / "long.wav", tone(2.5, 16000), 16000, subtype="PCM_16")  # 40000 samples
    sf.write(root / "loose.wav", tone(0.1, 16000), 16000, subtype="PCM_16")
    sf.write(root / ".hidden" / "ignored.wav", tone(0.1, 16000), 16000)
    (root / "notes.txt").write_text("not audio, and not an audio extension: ignored")
    (root / "snare" / "empty.wav").write_bytes(b"")
    (root / "kick" / "text.wav").write_text("hello, I am not a wav file\n" * 10)
    nan = tone(0.5, 16000)
    nan[10] = np.nan
    sf.write(root / "kick" / "nan.wav", nan, 16000, subtype="FLOAT")
    good = (root / "kick" / "a16_44k.wav").read_bytes()
    (root / "kick" / "truncated.wav").write_bytes(good[:30])
    return {"snare/empty.wav": "empty", "kick/text.wav": "cannot decode",
            "kick/nan.wav": "NaN", "kick/truncated.wav": "cannot decode"}


def skipped_relative(ds, root):
    return {Path(p).relative_to(root).as_posix(): reason for p, reason in ds.skipped}


def test_audio_folder_skips_counts_and_lists_bad_files(tmp_path, capsys):
    root = tmp_path / "data"
    bad = build_tree(root)
    ds = AudioFolder(root, cache_dir=tmp_path / "cache")
    out = capsys.readouterr().out
    skipped = skipped_relative(ds, root)
    assert set(skipped) == set(bad)
    for name, word in bad.items():
        assert word in skipped[name]
    assert "skipped 4 files" in out and "see .skipped" in out and "1 silent" in out
    # 9 usable files: long.wav gives 3 examples (40000 samples, tail padded), the rest 1 each
    assert len(ds.files) == 9 and len(ds) == 11 and ds.stats["skipped"] == 4
    assert ds.classes == ["kick", "long", "snare"]
    by_file = dict(zip(ds.sources, ds.labels.tolist()))
    assert by_file[str(root / "loose.wav")] == -1
    assert by_file[str(root / "kick" / "b.flac")] == ds.classes.index("kick")
    assert ds.waves.shape == (11, 16384) and ds.waves.dtype == torch.float32
    assert float(ds.waves.abs().max()) <= 1.0 and not torch.isnan(ds.waves).any()
    wave, label = ds[0]
    assert wave.shape == (16384,) and isinstance(label, int)
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=4)))
    assert batch[0].shape == (4, 16384)


def test_audio_folder_resamples_every_rate_to_the_same_tone(tmp_path):
    root = tmp_path / "data"
    build_tree(root)
    ds = AudioFolder(root, cache=False, verbose=False)
    for wave, source in zip(ds.waves, ds.sources):
        if "silent" in source:
            continue
        spectrum = torch.fft.rfft(wave).abs()
        assert abs(float(spectrum.argmax()) * SR / 16384 - 440.0) < 2.0, source


def test_short_clips_pad_or_drop_and_slicing_options(tmp_path, capsys):
    root = tmp_path / "data"
    build_tree(root)
    dropped = AudioFolder(root, short="drop", cache=False)
    out = capsys.readouterr().out
    reasons = skipped_relative(dropped, root)
    for short in ("kick/b.flac", "loose.wav", "kick/six_96k.wav"):
        assert "shorter than one example" in reasons[short]
    assert "8 too short" in out
    assert len(dropped) == 2  # only long.wav is long enough: two whole examples, tail dropped
    overlapping = AudioFolder(root, hop=8192, cache=False, verbose=False)
    first = AudioFolder(root, first_only=True, cache=False, verbose=False)
    assert len(overlapping) == 9 + 4 - 1 and len(first) == 9
    unlabelled = AudioFolder(root, labels=None, cache=False, verbose=False)
    assert set(unlabelled.labels.tolist()) == {-1} and unlabelled.classes == []
    by_name = AudioFolder(root, labels=lambda p: len(p.name), cache=False, verbose=False)
    assert by_name.labels[by_name.sources.index(str(root / "loose.wav"))] == len("loose.wav")


def test_audio_folder_decodes_once_and_caches(tmp_path, monkeypatch):
    root = tmp_path / "data"
    build_tree(root)
    cache = tmp_path / "cache"
    first = AudioFolder(root, cache_dir=cache, verbose=False)
    assert first.stats["decoded"] == 13 and first.cache_path.is_file()

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a file although the cache is valid")

    monkeypatch.setattr(folder_module, "load_audio", no_decoding)
    second = AudioFolder(root, cache_dir=cache, verbose=False)
    assert second.stats == {**first.stats, "decoded": 0, "from_cache": 13}
    assert torch.equal(second.waves, first.waves) and second.skipped == first.skipped
    monkeypatch.undo()

    changed = root / "kick" / "b.flac"
    sf.write(changed, tone(0.4, 22050), 22050)  # new size and mtime
    os.utime(changed, ns=(1, 1))
    (root / "snare" / "e_float.wav").unlink()
    third = AudioFolder(root, cache_dir=cache, verbose=False)
    assert third.stats["decoded"] == 1 and third.stats["from_cache"] == 11 and len(third) == 10
    # other settings, other key
    other = AudioFolder(root, length=8000, cache_dir=cache, verbose=False)
    assert other.stats["decoded"] == 12 and other.cache_path != third.cache_path


def test_audio_folder_reports_a_missing_root(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        AudioFolder(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="short"):
        AudioFolder(tmp_path, short="wrap")


# ----------------------------------------------------------------------------- download


@pytest.fixture
def blob(tmp_path):
    data = os.urandom(300_000)
    path = tmp_path / "remote" / "archive.bin"
    path.parent.mkdir()
    path.write_bytes(data)
    return path, data, sha256_file(path)


def test_download_file_url_with_checksum(tmp_path, blob):
    src, data, digest = blob
    dest = tmp_path / "local" / "archive.bin"
    assert download(src.as_uri(), dest, sha256=digest, quiet=True) == dest
    assert dest.read_bytes() == data and not dest.with_name("archive.bin.part").exists()
    assert download(src.as_uri(), dest, sha256=digest.upper(), quiet=True) == dest  # reused


def test_download_checksum_mismatch_leaves_nothing(tmp_path, blob):
    src, _, _ = blob
    dest = tmp_path / "local" / "archive.bin"
    with pytest.raises(ChecksumError, match="Nothing was written"):
        download(src.as_uri(), dest, sha256="0" * 64, quiet=True)
    assert not dest.exists() and not dest.with_name("archive.bin.part").exists()
    with pytest.raises(ChecksumError, match="MD5"):
        download(src.as_uri(), dest, md5="0" * 32, quiet=True)
    assert not dest.exists()


def test_download_refuses_unverified_unless_allowed(tmp_path, blob, capsys):
    src, data, digest = blob
    dest = tmp_path / "local" / "archive.bin"
    with pytest.raises(ValueError, match="allow_unverified=True"):
        download(src.as_uri(), dest)
    assert not dest.exists() and not dest.parent.exists()
    download(src.as_uri(), dest, allow_unverified=True)
    assert digest in capsys.readouterr().out
    assert dest.with_name("archive.bin.sha256").read_text().strip() == digest
    src.write_bytes(b"changed upstream")  # the recorded hash still matches dest: reused
    download(src.as_uri(), dest, allow_unverified=True, quiet=True)
    assert dest.read_bytes() == data


def test_download_resumes_a_partial_file_url(tmp_path, blob):
    src, data, digest = blob
    dest = tmp_path / "archive.bin"
    dest.with_name("archive.bin.part").write_bytes(data[:123_456])
    download(src.as_uri(), dest, sha256=digest, quiet=True)
    assert dest.read_bytes() == data


class RangeServer:
    """A loopback HTTP server for one blob, with Range support and fault injection."""

    def __init__(self, data: bytes):
        self.data, self.requests = data, []
        self.honour_range, self.cut_first_after = True, None
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                owner.requests.append(self.headers.get("Range"))
                if self.path != "/blob.bin":
                    self.send_error(404)
                    return
                start = 0
                header = self.headers.get("Range")
                if header and owner.honour_range:
                    start = int(header.split("=")[1].split("-")[0])
                    if start >= len(owner.data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(owner.data) - 1}/{len(owner.data)}")
                else:
                    self.send_response(200)
                body = owner.data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if owner.cut_first_after is not None and len(owner.requests) == 1:
                    self.wfile.write(body[: owner.cut_first_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/blob.bin"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_http_download_and_resume_with_range(tmp_path, blob):
    _, data, digest = blob
    with RangeServer(data) as server:
        dest = tmp_path / "a.bin"
        download(server.url, dest, sha256=digest, quiet=True)
        assert dest.read_bytes() == data and server.requests == [None]

        dest = tmp_path / "b.bin"
        dest.with_name("b.bin.part").write_bytes(data[:100_000])
        download(server.url, dest, sha256=digest, quiet=True)
        assert dest.read_bytes() == data and server.requests[-1] == "bytes=100000-"

        dest = tmp_path / "c.bin"  # a complete .part: the server answers 416
        dest.with_name("c.bin.part").write_bytes(data)
        download(server.url, dest, sha256=digest, quiet=True)
        assert dest.read_bytes() == data

        server.honour_range = False  # a server without Range support: start again
        dest = tmp_path / "d.bin"
        dest.with_name("d.bin.part").write_bytes(b"x" * 5000)
        download(server.url, dest, sha256=digest, quiet=True)
        assert dest.read_bytes() == data


def test_http_interrupted_download_is_retried_from_where_it_stopped(tmp_path, blob):
    _, data, digest = blob
    with RangeServer(data) as server:
        server.cut_first_after = 70_000
        dest = tmp_path / "e.bin"
        download(server.url, dest, sha256=digest, quiet=True)
        assert dest.read_bytes() == data
        assert server.requests == [None, "bytes=70000-"]
        with pytest.raises(Exception, match="404"):
            download(server.url.replace("blob", "missing"), tmp_path / "f.bin", sha256=digest,
                     quiet=True)
        assert not (tmp_path / "f.bin").exists()


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOGAN_DATA", str(tmp_path / "drive"))
    assert cache_dir() == tmp_path / "drive" and (tmp_path / "drive").is_dir()
    monkeypatch.delenv("AUDIOGAN_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir(create=False) == tmp_path / "home" / ".cache" / "audiogan_lesson"


# ----------------------------------------------------------------------------- extraction


def add_bytes(tar, name, data=b"data", **attrs):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if info.isfile() else None)


@pytest.mark.parametrize("mode, ext", [("w:gz", "tar.gz"), ("w:bz2", "tar.bz2"), ("w:xz", "tar.xz"),
                                       ("w", "tar")])
def test_extract_tar(tmp_path, mode, ext):
    archive = tmp_path / f"a.{ext}"
    with tarfile.open(archive, mode) as tar:
        add_bytes(tar, "set/train/x.wav", b"abc")
        add_bytes(tar, "set/link.wav", type=tarfile.SYMTYPE, linkname="train/x.wav", size=0)
    out = extract_archive(archive, tmp_path / "out")
    assert (out / "set" / "train" / "x.wav").read_bytes() == b"abc"
    assert (out / "set" / "link.wav").read_bytes() == b"abc"


def test_extract_zip(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("set/x.wav", b"abc")
    assert (extract_archive(archive, tmp_path / "out") / "set" / "x.wav").read_bytes() == b"abc"


@pytest.mark.parametrize("name, attrs, message", [
    ("../evil.txt", {}, r"climbs out"),
    ("set/../../evil.txt", {}, r"climbs out"),
    ("/tmp/evil.txt", {}, r"absolute path"),
    ("set/out", dict(type=tarfile.SYMTYPE, linkname="../../evil.txt", size=0), r"points outside"),
    ("set/abs", dict(type=tarfile.SYMTYPE, linkname="/etc/passwd", size=0), r"absolute"),
    ("set/hard", dict(type=tarfile.LNKTYPE, linkname="../evil.txt", size=0), r"points outside"),
    ("set/dev", dict(type=tarfile.CHRTYPE, size=0), r"device"),
])
def test_extract_refuses_members_outside_dest(tmp_path, name, attrs, message):
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        add_bytes(tar, "set/fine.txt")
        add_bytes(tar, name, **attrs)
    out = tmp_path / "deep" / "out"
    with pytest.raises(UnsafeArchiveError, match=message):
        extract_archive(archive, out)
    assert not (out / "set" / "fine.txt").exists()  # checked before anything was written
    assert not (tmp_path / "deep" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt"])
def test_extract_zip_refuses_escaping_names(tmp_path, name):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("fine.txt", b"ok")
        zf.writestr(name, b"evil")
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "fine.txt").exists() and not (tmp_path / "evil.txt").exists()


def test_extract_zip_refuses_symlink_out(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("set/link")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "../../outside")
    with pytest.raises(UnsafeArchiveError, match="points outside"):
        extract_archive(archive, tmp_path / "out")


def test_extract_rejects_non_archives(tmp_path):
    path = tmp_path / "x.tar.gz"
    path.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="not a tar or zip"):
        extract_archive(path, tmp_path / "out")


# ----------------------------------------------------------------------------- registry


def test_registry_entries_are_complete_and_honest():
    assert set(DATASETS) == {"sc09", "drums", "piano", "nsynth", "urbansound8k",
                             "urbansound8k_street_music", "gtzan_classical", "maestro"}
    for info in DATASETS.values():
        assert info.url.startswith(("http://", "https://"))
        assert info.sha256 is None or (len(info.sha256) == 64 and int(info.sha256, 16) >= 0)
        assert info.md5 is None or len(info.md5) == 32
        assert info.licence and info.layout and info.recipe and info.splits
    table = dataset_table()
    assert all(name in table for name in DATASETS) and "unverified" in table


def make_sc09_archive(tmp_path) -> Path:
    source = tmp_path / "upstream" / "sc09" / "train"
    source.mkdir(parents=True)
    for digit in ("Zero", "One"):
        for i in range(2):
            sf.write(source / f"{digit}_abc{i}_nohash_0.wav", tone(1.0, 16000), 16000,
                     subtype="PCM_16")
    archive = tmp_path / "sc09.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "upstream" / "sc09", arcname="sc09")
    return archive


def test_fetch_and_load_sc09_from_a_local_mirror(tmp_path, capsys):
    archive = make_sc09_archive(tmp_path)
    root = tmp_path / "datasets"
    with pytest.raises(ValueError, match="allow_unverified"):
        fetch("sc09", root=root, url=archive.as_uri(), quiet=True)
    folder = fetch("sc09", root=root, url=archive.as_uri(), allow_unverified=True, quiet=True)
    assert (folder / ".complete").is_file() and (folder / "sc09" / "train").is_dir()
    assert fetch("sc09", root=root, url="http://127.0.0.1:9/unreachable") == folder  # done once
    ds = load_dataset("sc09", root=root, cache=False, verbose=False)
    assert len(ds) == 4 and ds.classes == ["one", "zero"] and ds.waves.shape == (4, 16384)
    waves, labels = ds.tensors()
    assert waves is ds.waves and labels.tolist() == ds.labels.tolist()
    assert prepare("sc09", root=root) == folder / "sc09" / "train"
    assert AudioFolder(prepare("sc09", root=root), labels=None, cache=False,
                       verbose=False).tensors()[1] is None
    with pytest.raises(FileNotFoundError, match="fetch"):
        load_dataset("piano", root=root)
    with pytest.raises(KeyError, match="unknown dataset"):
        fetch("mnist", root=root)


def test_nsynth_and_urbansound_recipes_select_the_right_files(tmp_path):
    root = tmp_path / "datasets"
    audio = root / "nsynth" / "nsynth-train" / "audio"
    audio.mkdir(parents=True)
    notes = {"guitar_acoustic_001-060-100": ("acoustic", 60), "keyboard_electronic_002-060-100":
             ("electronic", 60), "flute_acoustic_003-090-050": ("acoustic", 90),
             "brass_acoustic_004-024-075": ("acoustic", 24)}
    for name in notes:
        sf.write(audio / f"{name}.wav", tone(0.2, 16000), 16000, subtype="PCM_16")
    meta = {name: {"instrument_source_str": src, "pitch": p} for name, (src, p) in notes.items()}
    (audio.parent / "examples.json").write_text(json.dumps(meta))
    ds = load_dataset("nsynth", root=root, cache=False, verbose=False)
    assert sorted(ds.labels.tolist()) == [24, 60] and ds.waves.shape == (2, 64000)

    street = root / "urbansound8k" / "UrbanSound8K" / "audio" / "fold1"
    street.mkdir(parents=True)
    for name in ("100-9-0-1.wav", "100-3-0-1.wav", "200-9-1-0.wav"):
        sf.write(street / name, tone(0.5, 44100), 44100, subtype="PCM_24")
    ds = load_dataset("urbansound8k_street_music", split="all", root=root, cache=False,
                      verbose=False)
    assert len(ds.files) == 2 and all("-9-" in Path(f).name for f in ds.files)


def test_urbansound8k_ten_classes_take_the_label_from_the_class_id_and_share_one_download(tmp_path):
    from audiogan_lesson.data.registry import URBANSOUND8K_CLASSES
    root = tmp_path / "datasets"
    folder = dataset_root("urbansound8k", root)
    # one archive (its MD5 is the registry's), extracted once, read by both recipes
    assert dataset_root("urbansound8k_street_music", root) == folder
    audio = folder / "UrbanSound8K" / "audio"
    names = {"fold1": ["100-9-0-1.wav", "101-3-0-0.wav", "102-0-2-5.wav"],
             "fold2": ["200-3-1-0.wav", "201-8-0-0.wav", "notes.wav", "300-12-0-0.wav"]}
    for fold, files in names.items():
        (audio / fold).mkdir(parents=True)
        for name in files:
            sf.write(audio / fold / name, tone(0.5, 44100), 44100, subtype="PCM_16")
    (folder / ".complete").write_text("extracted\n")  # what fetch leaves after extracting
    for name in ("urbansound8k", "urbansound8k_street_music"):
        assert fetch(name, root=root, url="http://127.0.0.1:9/unreachable") == folder
    with pytest.warns(UserWarning,
                      match=r"skipped 2 \.wav file\(s\) not named .*fold2/300-12-0-0.wav"):
        ds = load_dataset("urbansound8k", split="all", root=root, cache=False, verbose=False)
    assert ds.waves.shape == (5, 88200)
    heard = {Path(f).name: ds.classes[int(y)] for f, y in zip(ds.sources, ds.labels)}
    assert heard == {"100-9-0-1.wav": "street_music", "101-3-0-0.wav": "dog_bark",
                     "102-0-2-5.wav": "air_conditioner", "200-3-1-0.wav": "dog_bark",
                     "201-8-0-0.wav": "siren"}
    assert list(URBANSOUND8K_CLASSES) == sorted(URBANSOUND8K_CLASSES)  # index order = classID order
    with pytest.warns(UserWarning, match="skipped 2"):
        street = load_dataset("urbansound8k_street_music", split="all", root=root, cache=False,
                              verbose=False)
    assert [Path(f).name for f in street.files] == ["100-9-0-1.wav"]
