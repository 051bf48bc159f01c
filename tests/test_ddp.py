"""Data-parallel training with torchrun and gloo on the CPU (training/distributed.py).

Two processes with a global batch B must train exactly as one process with batch B: each draws
the whole batch with the shared seeded generator and keeps its share, DistributedDataParallel
averages the gradients (the gradient penalty's double backward included), and the phase shuffle
of the paper (one shift per batch, from the same global random state in every process) gives
every process the same shift. The comparison is made on the gradients and Adam's moment
estimates, with the learning rate 0 so that every step sees the same weights: Adam divides each
gradient by its own running size, so after a few real updates a rounding difference of 1e-8 in
a near-zero gradient shows up as a difference of a whole learning rate in the weights, which
would hide a real error. A killed 2-process run resumes on 2 processes (exactly) or on 1.
"""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from audiogan_lesson.training import distributed

SCRIPT = textwrap.dedent("""
    import os, sys, time
    import torch
    torch.set_num_threads(1)
    print("PID", os.getpid(), flush=True)
    from audiogan_lesson.models.wavegan import WaveGANDiscriminator, WaveGANGenerator
    from audiogan_lesson.training import TrainConfig, Trainer, distributed

    out_dir, result, steps, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    lr = float(sys.argv[5])
    shard, device = distributed.init_from_env("cpu")

    def main(shard, device):
        # the trainer, and the DistributedDataParallel wrappers that hold the process group,
        # must be released before shutdown, as in the command line: a process group freed
        # while the interpreter shuts down can abort in gloo's threads
        torch.manual_seed(0)
        G = WaveGANGenerator(d=2, latent_dim=8)
        D = WaveGANDiscriminator(d=2, phase_shuffle=2)
        data = torch.rand(40, 1, 16384, generator=torch.Generator().manual_seed(1)) * 2 - 1

        def freeze(trainer, step, samples):
            if mode == "kill" and step == 3:
                print("FROZEN", flush=True)
                time.sleep(600)

        cfg = TrainConfig(n_critic=2, latent_dim=8, batch_size=8, log_every=2, ema_decay=0.9,
                          lr_g=lr, lr_d=lr,
                          checkpoint_every=2, keep_last=0, autocast=False, preview_every=1)
        trainer = Trainer(G, D, data, cfg, out_dir=None if out_dir == "-" else out_dir,
                          device=device, preview=freeze)
        trainer.train(steps=steps, resume=(mode == "resume"), progress=False)
        def moments(opt):
            return {f"{i}.{k}": v for i, s in opt.state_dict()["state"].items()
                    for k, v in s.items() if k != "step"}

        if shard.main:
            torch.save({"G": G.state_dict(), "D": D.state_dict(),
                        "ema": trainer.ema.state_dict(),
                        "grad_G": {n: p.grad for n, p in G.named_parameters()},
                        "grad_D": {n: p.grad for n, p in D.named_parameters()},
                        "adam_G": moments(trainer.players.opt_g),
                        "adam_D": moments(trainer.players.opt_d),
                        "history": list(trainer.history), "resumed": trainer.resumed_world_size},
                       result)
        print("DONE", shard.rank, trainer.step, flush=True)

    main(shard, device)
    distributed.shutdown()
""")


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    env.pop("WORLD_SIZE", None)
    return env


def _command(script: Path, nproc: int, *args) -> list[str]:
    if nproc == 1:
        return [sys.executable, str(script), *map(str, args)]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone",
            f"--nproc_per_node={nproc}", str(script), *map(str, args)]


def _run(script: Path, nproc: int, *args, timeout: float = 240) -> str:
    done = subprocess.run(_command(script, nproc, *args), capture_output=True, text=True,
                          env=_env(), timeout=timeout)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def _assert_same(a: dict, b: dict, parts=("G", "D", "ema"), rel: float = 1e-4) -> None:
    for part in parts:
        assert a[part].keys() == b[part].keys()
        for name, tensor in a[part].items():
            scale = float(tensor.abs().max()) or 1.0
            torch.testing.assert_close(b[part][name], tensor, rtol=rel, atol=rel * scale,
                                       msg=lambda m: f"{part}.{name}: {m}")
    for row_a, row_b in zip(a["history"], b["history"], strict=True):
        for key in ("d_loss", "g_loss", "wdist", "gp"):
            assert row_b[key] == pytest.approx(row_a[key], rel=rel, abs=1e-6), key


@pytest.fixture(scope="module")
def script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ddp") / "train_ddp.py"
    path.write_text(SCRIPT)
    return path


GRADIENTS = ("grad_G", "grad_D", "adam_G", "adam_D")


def test_ddp_two_processes_compute_the_gradients_of_one_process_with_the_same_global_batch(
        script, tmp_path):
    _run(script, 1, "-", tmp_path / "one.pt", 4, "plain", 0.0)
    _run(script, 2, "-", tmp_path / "two.pt", 4, "plain", 0.0)
    one, two = torch.load(tmp_path / "one.pt"), torch.load(tmp_path / "two.pt")
    assert all(float(g.abs().max()) > 0 for name, g in one["grad_D"].items()
               if name != "net.output.bias")  # the Wasserstein loss does not move the bias
    _assert_same(one, two, GRADIENTS, rel=1e-5)
    # a wrong share would change the losses and the gradients: check the test can fail
    other = torch.load(tmp_path / "one.pt")
    other["grad_D"]["net.output.weight"] = other["grad_D"]["net.output.weight"] * 0.5
    with pytest.raises(AssertionError):
        _assert_same(other, two, GRADIENTS, rel=1e-5)


def test_ddp_killed_two_process_run_resumes_on_two_processes_and_on_one(script, tmp_path):
    lr = 1e-4
    _run(script, 2, "-", tmp_path / "uninterrupted.pt", 4, "plain", lr)
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(_command(script, 2, run_dir, tmp_path / "never.pt", 4, "kill", lr),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(), start_new_session=True)
    workers = []  # torchrun's workers leave the launcher's process group: kill them by pid
    try:
        deadline = time.monotonic() + 240
        frozen = False
        for line in proc.stdout:  # the workers share one pipe: a line may hold both PIDs
            workers += [int(pid) for pid in re.findall(r"PID (\d+)", line)]
            frozen = frozen or "FROZEN" in line
            if (frozen and len(workers) >= 2) or time.monotonic() > deadline:
                break
        assert proc.poll() is None, proc.stderr.read()[-3000:]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
    assert len(workers) == 2
    files = sorted(p.name for p in run_dir.iterdir())
    # process 0 alone writes: one checkpoint, one log
    assert files == ["ckpt_00000002.pt", "metrics.csv"]
    state = torch.load(run_dir / "ckpt_00000002.pt", weights_only=True)
    assert state["world_size"] == 2 and state["step"] == 2

    copy = tmp_path / "run_copy"
    copy.mkdir()
    (copy / "ckpt_00000002.pt").write_bytes((run_dir / "ckpt_00000002.pt").read_bytes())
    _run(script, 2, run_dir, tmp_path / "resumed2.pt", 4, "resume", lr)
    _run(script, 1, copy, tmp_path / "resumed1.pt", 4, "resume", lr)
    uninterrupted = torch.load(tmp_path / "uninterrupted.pt")
    resumed2, resumed1 = torch.load(tmp_path / "resumed2.pt"), torch.load(tmp_path / "resumed1.pt")
    assert resumed2["resumed"] == resumed1["resumed"] == 2
    _assert_same(uninterrupted, resumed2, ("G", "D", "ema") + GRADIENTS, rel=1e-6)
    # one process continues the same batches; its sums round differently, and Adam turns
    # that into small weight differences (see the module's docstring), so compare the losses
    _assert_same(uninterrupted, resumed1, (), rel=1e-3)


def test_ddp_command_line_under_torchrun_says_the_world_size_and_records_it(tmp_path):
    out = tmp_path / "wg"
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         "-m", "audiogan_lesson", "train", "wavegan", "--data", "toy-drums", "--profile", "smoke",
         "--steps", "2", "--out", str(out)],
        capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "distributed: 2 processes (gloo)"
    assert sum(line.startswith("done: step 2") for line in lines) == 1  # process 0 alone prints
    state = torch.load(out / "ckpt_00000002.pt", weights_only=True)
    assert state["world_size"] == 2 and state["step"] == 2


def test_ddp_shard_takes_its_contiguous_share_and_refuses_a_batch_that_does_not_split():
    batch = torch.arange(8)
    assert distributed.Shard(1, 2).take(batch).tolist() == [4, 5, 6, 7]
    assert distributed.Shard(0, 4).take(batch).tolist() == [0, 1]
    assert distributed.Shard().take(batch) is batch
    assert distributed.Shard(0, 4).local_batch(64) == 16
    with pytest.raises(ValueError, match="batch_size=10 does not split over 4 processes"):
        distributed.Shard(2, 4).local_batch(10)


def test_ddp_one_process_is_the_default_and_needs_no_process_group(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    shard, device = distributed.init_from_env("cpu")
    assert shard == distributed.Shard() and shard.main and not shard.distributed
    assert device == torch.device("cpu")
    assert distributed.agree(True, shard, device) and not distributed.agree(False, shard, device)
    values = torch.tensor([1.0, 2.0])
    assert distributed.average(values, shard) is values
