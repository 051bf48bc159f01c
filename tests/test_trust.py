"""Trust: a checkpoint builds only the course's models, and every bad input at the command line
ends in one line that names the file or value and the fix, with exit 2 (never a traceback)."""

import errno
import os
import subprocess
import sys
import tarfile
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
import soundfile as sf
import torch

from audiogan_lesson import checkpoint as ckpt_io
from audiogan_lesson.cli import main
from audiogan_lesson.data import registry as data_registry
from audiogan_lesson.registry import MODEL_CLASSES, UnregisteredModelError
from audiogan_lesson.representations import representation_from_state
from audiogan_lesson.runs import load_run

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ["--profile", "smoke", "--n-train", "16"]


def _crafted(path: Path, module: str, name: str, config: dict) -> Path:
    """A file shaped like a checkpoint whose generator spec names ``module.name``."""
    torch.save({"format": ckpt_io.CHECKPOINT_FORMAT, "step": 1, "config": {},
                "models": {"generator": {"module": module, "class": name, "config": config}},
                "generator": {}, "ema": None, "latent_dim": 100,
                "meta": {"model": "wavegan", "representation": {"kind": "waveform"},
                         "sample_rate": 16000}}, path)
    return path


def _one_line(err: str) -> str:
    """The CLI's error line, checked to be the only one, without a traceback (a download's
    progress bar may stand before it)."""
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


CRAFTED = [("os", "system", {"command": "touch {marker}"}),
           ("subprocess", "run", {"args": ["touch", "{marker}"]}),
           # a registered class name under a module outside the package is refused as well
           ("os", "WaveGANGenerator", {})]


def _evil(tmp_path: Path, module: str, name: str, config: dict) -> tuple[Path, Path]:
    marker = tmp_path / "marker"
    filled = {k: (v.format(marker=marker) if isinstance(v, str)
                  else [a.format(marker=marker) for a in v]) for k, v in config.items()}
    return _crafted(tmp_path / "evil.pt", module, name, filled), marker


def test_the_crafted_os_system_checkpoint_runs_nothing_through_generate(tmp_path):
    """The issue's reproduction, as a user types it: a separate ``python -m audiogan_lesson``."""
    evil, marker = _evil(tmp_path, *CRAFTED[0])
    done = subprocess.run([sys.executable, "-m", "audiogan_lesson", "generate", str(evil), "--n",
                           "1", "--out", str(tmp_path / "d")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert not marker.exists(), "the crafted checkpoint ran a command"
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert str(evil) in line and "os.system" in line and "not a model of this course" in line
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("module, name, config", CRAFTED)
def test_crafted_checkpoints_run_nothing(tmp_path, capsys, module, name, config):
    evil, marker = _evil(tmp_path, module, name, config)
    assert main(["generate", str(evil), "--n", "1", "--out", str(tmp_path / "d")]) == 2
    assert not marker.exists(), "the crafted checkpoint ran a command"
    line = _one_line(capsys.readouterr().err)
    assert str(evil) in line and f"{module}.{name}" in line and "not a model of this course" in line
    assert not (tmp_path / "d").exists()


def test_build_model_looks_classes_up_in_the_registry_only(tmp_path):
    marker = tmp_path / "marker"
    with pytest.raises(UnregisteredModelError, match="os.system"):
        ckpt_io.build_model({"module": "os", "class": "system",
                             "config": {"command": f"touch {marker}"}}, "x.pt")
    with pytest.raises(UnregisteredModelError):  # not even a package module is imported by name
        ckpt_io.build_model({"module": "audiogan_lesson.cli", "class": "main", "config": {}})
    assert not marker.exists()
    # every network of the registry rebuilds from its own spec, module moves notwithstanding
    g = MODEL_CLASSES["WaveGANGenerator"](d=2, slice_len=1024)
    spec = ckpt_io.model_spec(g)
    assert type(ckpt_io.build_model(spec)) is type(g)
    moved = dict(spec, module="audiogan_lesson.models.elsewhere")
    assert type(ckpt_io.build_model(moved)) is type(g)
    with pytest.raises(ValueError, match="fields this version does not know.*'shell'"):
        ckpt_io.build_model(dict(spec, config={**spec["config"], "shell": "rm -rf /"}), "y.pt")


def test_representations_come_from_a_closed_set(tmp_path):
    with pytest.raises(ValueError, match="run.pt: unknown representation 'pickle'"):
        representation_from_state({"kind": "pickle"}, "run.pt")
    with pytest.raises(ValueError, match="run.pt: the saved 'specgan' representation"):
        representation_from_state({"kind": "specgan"}, "run.pt")


def test_every_shipped_run_still_loads():
    shipped = sorted((ROOT / "audiogan_lesson" / "shipped").glob("*/generator.pt"))
    assert len(shipped) >= 2
    for path in shipped:
        run = load_run(path)
        assert type(run.generator).__name__ in MODEL_CLASSES
        assert run.decode(run.latent_fn(2, run.latent_dim, torch.Generator().manual_seed(0), "cpu"),
                          torch.zeros(2, dtype=torch.long) if run.conditional else None
                          ).shape[0] == 2


# ----------------------------------------------------------------------------- the command line


def test_unavailable_device(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("AUDIOGAN_DEVICE", "cuda")
    assert main(["train", "dense", "--data", "toy-drums", "--steps", "1", "--out",
                 str(tmp_path / "r"), *SMOKE]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'cuda'" in line and "CUDA is not available" in line and "AUDIOGAN_DEVICE" in line
    monkeypatch.setenv("AUDIOGAN_DEVICE", "gpu0")
    assert main(["bench", "--quick"]) == 2
    assert "'gpu0'" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", ["train", "generate", "bench"])
def test_device_flag(tmp_path, monkeypatch, capsys, command):
    monkeypatch.delenv("AUDIOGAN_DEVICE", raising=False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    args = {"train": ["train", "dense", "--data", "toy-drums", "--steps", "1", "--out",
                      str(tmp_path / "r"), *SMOKE],
            "generate": ["generate", str(tmp_path / "run"), "--n", "1", "--out",
                         str(tmp_path / "g")],
            "bench": ["bench", "--quick"]}[command]
    if command == "generate":
        _trained(tmp_path)
        capsys.readouterr()
    assert main(args + ["--device", "mps"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'mps'" in line and "--device cpu" in line
    assert main(args + ["--device", "tpu"]) == 2
    assert "'tpu' is not one of cpu, cuda, cuda:N, mps" in _one_line(capsys.readouterr().err)
    if command != "bench":  # the benchmark's run on the CPU is test_bench's
        assert main(args + ["--device", "cpu"]) == 0


def _sc09_archive(tmp_path: Path, member: str = "sc09/train/Zero_a_nohash_0.wav") -> Path:
    wav = tmp_path / "one.wav"
    sf.write(wav, [0.0] * 1600, 16000, subtype="PCM_16")
    archive = tmp_path / "sc09.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(wav, arcname=member)
    return archive


def _serve_sc09(monkeypatch, tmp_path, url: str, sha256: str | None) -> None:
    """Point the registry's sc09 entry at ``url`` with ``sha256``; the cache in ``tmp_path``."""
    entries = dict(data_registry.DATASETS)
    entries["sc09"] = replace(entries["sc09"], url=url, sha256=sha256)
    monkeypatch.setattr(data_registry, "DATASETS", MappingProxyType(entries))
    monkeypatch.setenv("AUDIOGAN_DATA", str(tmp_path / "cache"))


def test_checksum_mismatch(tmp_path, monkeypatch, capsys):
    archive = _sc09_archive(tmp_path)
    _serve_sc09(monkeypatch, tmp_path, archive.as_uri(), "0" * 64)
    assert main(["train", "wavegan", "--data", "sc09", "--steps", "1", "--out",
                 str(tmp_path / "r"), *SMOKE]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "sc09.tar.gz" in line and "SHA-256" in line and "0" * 64 in line


def test_unsafe_archive(tmp_path, monkeypatch, capsys):
    import hashlib
    archive = _sc09_archive(tmp_path, member="../../escaped.wav")
    _serve_sc09(monkeypatch, tmp_path, archive.as_uri(),
                hashlib.sha256(archive.read_bytes()).hexdigest())
    assert main(["train", "wavegan", "--data", "sc09", "--steps", "1", "--out",
                 str(tmp_path / "r"), *SMOKE]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "sc09.tar.gz" in line and "'..'" in line
    assert not list(tmp_path.rglob("escaped.wav"))


def test_no_connection(tmp_path, monkeypatch, capsys):
    import socket
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fetching = sys.modules["audiogan_lesson.data.download"]  # the module, not its function
    monkeypatch.setattr(fetching.time, "sleep", lambda seconds: None)  # no back-off wait
    url = f"http://127.0.0.1:{port}/sc09.tar.gz"
    _serve_sc09(monkeypatch, tmp_path, url, "0" * 64)
    assert main(["train", "wavegan", "--data", "sc09", "--steps", "1", "--out",
                 str(tmp_path / "r"), *SMOKE]) == 2
    line = _one_line(capsys.readouterr().err)
    assert url in line and "download failed" in line and "resume" in line


def _trained(tmp_path: Path, model: str = "dense") -> Path:
    out = tmp_path / "run"
    assert main(["train", model, "--data", "toy-drums", "--loss", "bce", "--steps", "1",
                 "--out", str(out), *SMOKE]) == 0
    return out


@pytest.mark.parametrize("kind", [errno.EACCES, errno.ENOSPC])
def test_no_permission_or_no_space_in_out(tmp_path, monkeypatch, capsys, kind):
    run = _trained(tmp_path)
    capsys.readouterr()
    out = tmp_path / "wavs"

    def refuse(path, *args, **kwargs):  # what libsndfile does on a read-only folder or full disk
        Path(path).write_bytes(b"RIFF")  # a partial file, which must not stay behind
        raise sf.LibsndfileError(0, "System error.")
    monkeypatch.setattr(sf, "write", refuse)
    assert main(["generate", str(run), "--n", "2", "--out", str(out)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(out / "dense_0000.wav") in line and ("read-only" in line and "disk full" in line)
    assert not list(out.glob("*.wav"))
    # a checkpoint that cannot be written names the file and the fix
    monkeypatch.undo()

    def no_room(*args, **kwargs):
        raise OSError(kind, os.strerror(kind))
    monkeypatch.setattr(ckpt_io.torch, "save", no_room)
    assert main(["train", "dense", "--data", "toy-drums", "--loss", "bce", "--steps", "1",
                 "--out", str(tmp_path / "full"), *SMOKE]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "ckpt_00000001.pt" in line
    assert ("no space left" in line) if kind == errno.ENOSPC else ("not allowed" in line)
    assert not list((tmp_path / "full").glob(".*.tmp"))


def test_out_that_is_a_file(tmp_path, capsys):
    run = _trained(tmp_path)
    capsys.readouterr()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    assert main(["generate", str(run), "--n", "1", "--out", str(blocker / "wavs")]) == 2
    assert str(blocker) in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("content", [b"hello, not a checkpoint", b"",
                                     "python-object"])
def test_file_that_is_not_a_checkpoint(tmp_path, capsys, content):
    path = tmp_path / "notes.pt"
    if content == "python-object":
        torch.save({"model": torch.nn.Linear(2, 2)}, path)  # a whole pickled module
    else:
        path.write_bytes(content)
    assert main(["generate", str(path), "--n", "1", "--out", str(tmp_path / "d")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(path) in line and "not a checkpoint of this course" in line
    assert "weights_only" not in line and "torch.load" not in line


def test_resume_with_another_models_checkpoint(tmp_path, capsys):
    out = _trained(tmp_path, "dense")
    capsys.readouterr()
    assert main(["train", "wavegan", "--data", "toy-drums", "--loss", "bce", "--steps", "2",
                 "--out", str(out), "--resume", *SMOKE]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "a checkpoint of dense, not of wavegan" in line and "ckpt_00000001.pt" in line


def test_a_run_made_with_another_pre_emphasis_is_not_loaded_as_this_one(tmp_path):
    """The representation's settings are part of what a resume checks: a run trained behind
    pre-emphasis 0.5 is not the run of an experiment without it."""
    from audiogan_lesson.checkpoint import ConfigMismatchError
    from audiogan_lesson.experiments import make_experiment
    from audiogan_lesson.profiles import get_profile
    from audiogan_lesson.recipes import Recipe

    smoke = get_profile("smoke")
    emphasised = make_experiment("wavegan", "toy-drums", smoke, loss="wgan-gp", n_train=8,
                                 steps=2, recipe=Recipe(representation=dict(preemphasis=0.5)))
    emphasised.trainer(tmp_path).train(progress=False)
    plain = make_experiment("wavegan", "toy-drums", smoke, loss="wgan-gp", n_train=8, steps=2)
    with pytest.raises(ConfigMismatchError, match="representation.*preemphasis"):
        plain.trainer(tmp_path).load_newest()
    same = make_experiment("wavegan", "toy-drums", smoke, loss="wgan-gp", n_train=8, steps=2,
                           recipe=Recipe(representation=dict(preemphasis=0.5)))
    assert same.trainer(tmp_path).load_newest() is not None
