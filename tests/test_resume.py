"""Exact resume: 2N uninterrupted steps == N steps, the process killed (SIGKILL), N more resumed.

Three subprocesses run the same script: ``full`` trains 2N steps; ``kill`` trains with a
checkpoint every N steps and freezes two steps after the step-N checkpoint, where the test kills
it with SIGKILL (the two steps after the checkpoint are lost, as in a real crash); ``resume``
continues from the newest checkpoint to 2N. The recipe uses everything that draws random
numbers: WGAN-GP (per-example interpolation), several critic steps, dropout in the critic,
an EMA generator, and the default autocast of this machine.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import torch

N = 6

SCRIPT = textwrap.dedent("""
    import sys, time
    import torch, torch.nn as nn
    torch.set_num_threads(1)
    from audiogan_lesson.training import Trainer, TrainConfig

    mode, out_dir, result = sys.argv[1], sys.argv[2], sys.argv[3]
    N = int(sys.argv[4])
    torch.manual_seed(0)
    L, Z = 64, 8
    G = nn.Sequential(nn.Linear(Z, 32), nn.ReLU(), nn.Linear(32, L), nn.Tanh())
    D = nn.Sequential(nn.Linear(L, 32), nn.LeakyReLU(0.2), nn.Dropout(0.2), nn.Linear(32, 1))
    t = torch.linspace(0, 1, L)
    data = torch.sin(2 * torch.pi * (2 + 6 * torch.rand(200, 1)) * t)

    def freeze(trainer, step, samples):
        if mode == "kill" and step == N + 2:
            print("FROZEN", flush=True)
            time.sleep(600)

    cfg = TrainConfig(loss="wgan-gp", n_critic=3, latent_dim=Z, batch_size=16, log_every=4,
                      ema_decay=0.9, checkpoint_every=N, keep_last=2, preview_every=1)
    trainer = Trainer(G, D, data, cfg, out_dir=out_dir, device="cpu", preview=freeze)
    trainer.train(steps=2 * N, resume=(mode == "resume"), progress=False)
    torch.save(trainer.state_dict(), result)
    print("DONE", trainer.step, flush=True)
""")


def run(script, mode, out_dir, result, **popen):
    return subprocess.Popen([sys.executable, str(script), mode, str(out_dir), str(result), str(N)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def test_resume_after_sigkill_is_exact(tmp_path):
    start = time.perf_counter()
    script = tmp_path / "train_tiny.py"
    script.write_text(SCRIPT)
    full = run(script, "full", tmp_path / "full", tmp_path / "full.pt")
    killed = run(script, "kill", tmp_path / "run", tmp_path / "never.pt")
    try:
        line = killed.stdout.readline()
        assert line.strip() == "FROZEN", line + killed.stderr.read()
        assert (tmp_path / "run" / f"ckpt_{N:08d}.pt").exists()
        os.kill(killed.pid, signal.SIGKILL)
    finally:
        killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / "never.pt").exists()

    resumed = run(script, "resume", tmp_path / "run", tmp_path / "resumed.pt")
    for proc in (full, resumed):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert f"DONE {2 * N}" in out

    a = torch.load(tmp_path / "full.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed.pt", weights_only=True)
    for part in ("generator", "discriminator", "ema"):
        for name, tensor in a[part].items():
            assert torch.equal(tensor, b[part][name]), f"{part}.{name} differs after resume"
    for part in ("opt_g", "opt_d"):
        for key, state in a[part]["state"].items():
            for name, tensor in state.items():
                assert torch.equal(tensor, b[part]["state"][key][name]), f"{part} {name} differs"
    strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
    assert strip(a["history"]) == strip(b["history"])
    assert [r["step"] for r in a["history"]] == [4, 6, 10, 12]
    assert torch.equal(a["rng"]["generators"]["trainer"], b["rng"]["generators"]["trainer"])
    print(f"resume test: {time.perf_counter() - start:.1f} s")
