"""The torch/torchaudio pair check (audiogan_lesson.env)."""

import sys
import types

import pytest

from audiogan_lesson import env


def test_environment_report_lists_the_pair():
    report = env.environment_report()
    assert report["torch"] and report["torchaudio"]
    assert report["torch"].split("+")[0] == report["torchaudio"].split("+")[0]


def test_mismatched_pair_gives_versions_and_fix(monkeypatch):
    broken = types.ModuleType("broken_torchaudio")

    def fail(name):
        raise OSError("libtorchaudio.so: undefined symbol: _ZN3c10")

    monkeypatch.setattr(env.importlib, "import_module", fail)
    monkeypatch.setattr(env, "installed_version",
                        lambda pkg: "2.9.0" if pkg == "torchaudio" else None)
    monkeypatch.setattr(env.torch, "__version__", "2.11.0+cu130")
    with pytest.raises(env.TorchaudioImportError) as err:
        env.import_torchaudio()
    message = str(err.value)
    assert "torchaudio 2.9.0 does not match torch 2.11.0+cu130" in message
    assert 'pip install "torch==2.11.0" "torchaudio==2.11.0"' in message
    assert "undefined symbol" in message
    del broken


def test_missing_torchaudio(monkeypatch):
    monkeypatch.setitem(sys.modules, "torchaudio_not_here", None)
    monkeypatch.setattr(env, "installed_version", lambda pkg: None)
    with pytest.raises(env.TorchaudioImportError, match="torchaudio is not installed"):
        env.import_torchaudio("torchaudio_not_here")
