"""``python -m audiogan_lesson export``: a run's generator as TorchScript that runs without the
package (audiogan_lesson.export, audiogan_lesson.cli.export)."""

import subprocess
import sys
import textwrap

import pytest
import torch

from audiogan_lesson.audio import deemphasis
from audiogan_lesson.cli import main
from audiogan_lesson.export import EXTRA_FILE, deemphasis_blocks, export_run, read_metadata
from audiogan_lesson.representations import Waveform, representation_from_state
from audiogan_lesson.runs import load_run

SMOKE = ["--loss", "wgan-gp", "--profile", "smoke", "--n-train", "16"]
# name -> the train command's model, data and options (each a few tenths of a second)
RUNS = {
    "wavegan": ["wavegan", "--data", "toy-drums", "--steps", "2"],
    "conditional": ["wavegan", "--data", "toy-drums", "--steps", "2", "--conditional"],
    "specgan": ["specgan", "--data", "toy-drums", "--steps", "1"],  # Griffin-Lim in the file
    "gansynth": ["gansynth", "--data", "toy-notes", "--steps", "2"],
    "pianogan": ["pianogan", "--data", "toy-piano", "--steps", "1"],
}
BATCHES = (1, 5)

# Runs in a fresh interpreter that cannot import the package: loads every exported file with
# plain torch.jit.load and runs it on the latents the test wrote.
LOADER = textwrap.dedent("""
    import json, sys
    import torch

    class NoPackage:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "audiogan_lesson":
                raise ImportError("the exported file must run without audiogan_lesson")

    sys.meta_path.insert(0, NoPackage())
    # one thread as the test's reference: an untrained GANSynth's inverse (exp of large log
    # magnitudes) turns the last bit of a sum taken in another order into 1e-4
    torch.set_num_threads(1)
    jobs = torch.load(sys.argv[1])
    results = {}
    for name, job in jobs.items():
        extra = {"audiogan.json": ""}
        module = torch.jit.load(job["file"], _extra_files=extra)
        with torch.no_grad():
            outs = [module(*inputs) for inputs in job["inputs"]]
        try:
            module(torch.zeros(2, 3), *job["inputs"][0][1:])
            wrong_shape = ""
        except Exception as exc:
            wrong_shape = str(exc)
        results[name] = {"outs": outs, "meta": json.loads(extra["audiogan.json"]),
                         "wrong_shape": wrong_shape}
    assert "audiogan_lesson" not in sys.modules
    assert "torchaudio" not in sys.modules
    torch.save(results, sys.argv[2])
""")


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Tiny smoke-profile runs trained through the command line: name -> run folder."""
    root = tmp_path_factory.mktemp("runs")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for name, args in RUNS.items():
            assert main(["train", *args, "--out", str(root / name), *SMOKE]) == 0, name
    finally:
        torch.set_num_threads(threads)
    return {name: root / name for name in RUNS}


def _inputs(run, n, seed):
    g = torch.Generator().manual_seed(seed)
    z = run.latent_fn(n, run.latent_dim, g, torch.device("cpu"))
    return (z, torch.arange(n) % run.n_classes) if run.conditional else (z,)


def _reference(run, inputs):
    if hasattr(run.representation, "to_notes"):  # raw output: the generator's note features
        with torch.no_grad():
            return run.generator(*inputs).float()
    return run.decode(*inputs)


def _run_without_package(tmp_path, jobs):
    """Each job's outputs and metadata from a fresh interpreter that never imports the package."""
    torch.save(jobs, tmp_path / "jobs.pt")
    (tmp_path / "loader.py").write_text(LOADER)
    command = [sys.executable, str(tmp_path / "loader.py"), str(tmp_path / "jobs.pt"),
               str(tmp_path / "results.pt")]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return torch.load(tmp_path / "results.pt")


def test_exported_generators_run_without_the_package_and_match_decode(runs, tmp_path, capsys):
    jobs, expected = {}, {}
    for name, folder in runs.items():
        out = tmp_path / f"{name}.ts"
        assert main(["export", str(folder), "--out", str(out)]) == 0
        line = capsys.readouterr().out.strip()
        assert len(line.splitlines()) == 1 and line.startswith(f"wrote {out} (")
        assert " KB" in line and "forward(z (N, " in line
        run = load_run(folder)
        inputs = [_inputs(run, n, seed=10 + n) for n in BATCHES]
        jobs[name] = {"file": str(out), "inputs": inputs}
        expected[name] = (run, [_reference(run, i) for i in inputs])
        if name == "pianogan":
            assert "raw" in line and "not audio" in line
        else:
            assert f"-> audio (N, {run.meta['slice_len']}) at {run.meta['sample_rate']} Hz" in line
        if run.conditional:
            assert "labels (N,)" in line

    # pre-emphasis (the laptop WaveGAN's recipe): de-emphasis in plain torch, no torchaudio
    emphasised = load_run(runs["wavegan"])
    emphasised.representation = Waveform(0.9)
    export_run(emphasised, tmp_path / "emphasis.ts", step=2)
    inputs = [_inputs(emphasised, n, seed=20 + n) for n in BATCHES]
    jobs["emphasis"] = {"file": str(tmp_path / "emphasis.ts"), "inputs": inputs}
    expected["emphasis"] = (emphasised, [_reference(emphasised, i) for i in inputs])

    results = _run_without_package(tmp_path, jobs)
    for name, (run, wants) in expected.items():
        got = results[name]
        for n, out, want in zip(BATCHES, got["outs"], wants):
            assert out.shape == want.shape and out.shape[0] == n, (name, out.shape, want.shape)
            assert torch.allclose(out, want, atol=1e-4, rtol=0), (name, n,
                                                                  (out - want).abs().max())
            if name != "pianogan":
                assert out.abs().max() <= 1.0
        assert "expected latents z of shape (N, " in got["wrong_shape"]
        meta = got["meta"]
        assert meta["sample_rate"] == run.meta["sample_rate"]
        assert meta["latent_dim"] == run.latent_dim and meta["latent"] == run.latent
        assert meta["model"] == run.meta["model"]
        assert meta["step"] == (1 if name in ("pianogan", "specgan") else 2)
        assert meta["output"] == ("raw" if name == "pianogan" else "audio")
        assert meta["conditional"] == run.conditional

    assert results["gansynth"]["meta"]["pitches"] == list(expected["gansynth"][0].pitches)
    assert results["gansynth"]["meta"]["latent"] == "normal"
    assert results["conditional"]["meta"]["classes"] == ["kick", "snare", "hihat", "clap", "tom"]
    assert results["wavegan"]["meta"]["classes"] == []
    assert results["wavegan"]["meta"]["labels"] is None
    piano = results["pianogan"]["meta"]
    assert "render_notes" in piano["note"] and piano["representation_state"]["kind"] == "notes"
    # the raw note features read back as the package's notes, from the metadata alone
    rep = representation_from_state(piano["representation_state"])
    raw, want = results["pianogan"]["outs"][1], expected["pianogan"][1][1]
    assert torch.allclose(rep.to_notes(raw), expected["pianogan"][0].representation.to_notes(want),
                          atol=1e-4)
    # the package reads its own metadata back the same way
    assert read_metadata(tmp_path / "wavegan.ts") == results["wavegan"]["meta"]


@pytest.mark.parametrize("coeff", [0.5, 0.9, 0.97])
def test_deemphasis_in_plain_torch_equals_torchaudio_and_scripts(coeff):
    g = torch.Generator().manual_seed(0)
    scripted = torch.jit.script(deemphasis_blocks)
    for length in (1, 127, 128, 1000, 4096):
        x = torch.rand(3, length, generator=g) * 2 - 1
        want = deemphasis(x, coeff)
        assert torch.allclose(deemphasis_blocks(x, coeff), want, atol=2e-5, rtol=0)
        assert torch.allclose(scripted(x, coeff), want, atol=2e-5, rtol=0)
    x = torch.rand(2, 3, 300, generator=g) * 2 - 1  # any leading axes
    assert torch.allclose(deemphasis_blocks(x, coeff), deemphasis(x, coeff), atol=2e-5, rtol=0)
    assert deemphasis_blocks(x, 0.0) is x


def test_bad_paths_exit_2_with_one_line(runs, tmp_path, capsys):
    for args in (["export", str(tmp_path / "missing"), "--out", str(tmp_path / "g.ts")],
                 ["export", str(tmp_path), "--out", str(tmp_path / "g.ts")],      # no checkpoint
                 ["export", str(runs["wavegan"]), "--out", str(tmp_path)]):       # --out a folder
        assert main(args) == 2
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
        assert "Traceback" not in captured.err and captured.out == ""
    not_a_checkpoint = tmp_path / "notes.pt"
    not_a_checkpoint.write_text("not a checkpoint")
    assert main(["export", str(not_a_checkpoint), "--out", str(tmp_path / "g.ts")]) == 2
    assert str(not_a_checkpoint) in capsys.readouterr().err
    assert not (tmp_path / "g.ts").exists()


def test_metadata_of_a_file_not_written_by_export_is_a_value_error(tmp_path):
    path = tmp_path / "plain.ts"
    torch.jit.save(torch.jit.script(torch.nn.Identity()), str(path))
    with pytest.raises(ValueError, match=EXTRA_FILE):
        read_metadata(path)
