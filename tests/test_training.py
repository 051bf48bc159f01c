"""The Trainer (audiogan_lesson.training) on tiny models: recipe, steps, EMA, previews,
checkpoints."""

import os
import signal
import sys
from dataclasses import dataclass

import pytest
import torch
import torch.nn as nn

from audiogan_lesson import checkpoint as ckpt_io
from audiogan_lesson.training import (train_round, ConfigMismatchError, History, TrainConfig,
                                      Trainer, uniform_latents)

L = 32
Z = 8


@dataclass(frozen=True)
class TinyGConfig:
    latent_dim: int = Z
    length: int = L
    hidden: int = 16


class TinyG(nn.Module):
    def __init__(self, latent_dim=Z, length=L, hidden=16):
        super().__init__()
        self.config = TinyGConfig(latent_dim, length, hidden)
        self.net = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, length), nn.Tanh())

    def forward(self, z):
        return self.net(z)


class TinyD(nn.Module):
    def __init__(self, length=L, hidden=16, classes=0):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(length, hidden), nn.LeakyReLU(0.2), nn.Dropout(0.1))
        self.head = nn.Linear(hidden, 1)
        self.aux = nn.Linear(hidden, classes) if classes else None

    def forward(self, x):
        h = self.body(x)
        return (self.head(h), self.aux(h)) if self.aux is not None else self.head(h)


class CondG(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.emb = nn.Embedding(classes, Z)
        self.net = nn.Sequential(nn.Linear(2 * Z, 16), nn.ReLU(), nn.Linear(16, L))

    def forward(self, z, labels):
        return self.net(torch.cat([z, self.emb(labels)], dim=1))


def toy_data(n=128, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.linspace(0, 1, L)
    freq = 2 + 6 * torch.rand(n, 1, generator=g)
    return torch.sin(2 * torch.pi * freq * t) * torch.exp(-3 * t)


def make(config=None, out_dir=None, **kw):
    torch.manual_seed(0)
    base = dict(latent_dim=Z, batch_size=8, log_every=4, autocast=False)
    config = config or TrainConfig(**base)
    return Trainer(TinyG(), TinyD(), toy_data(), config, out_dir=out_dir, device="cpu", **kw)


def test_config_defaults_are_the_paper_recipe():
    c = TrainConfig()
    assert (c.loss, c.n_critic, c.lr_g, c.lr_d, c.betas, c.gp_weight, c.batch_size) == \
        ("wgan-gp", 5, 1e-4, 1e-4, (0.5, 0.9), 10.0, 64)
    assert TrainConfig(loss="bce").n_critic == 1
    assert c.replace(loss="bce").n_critic == 1
    assert TrainConfig(loss="bce", n_critic=3).n_critic == 3


@pytest.mark.parametrize("bad, match", [
    (dict(loss="hinge"), "bce, wgan-gp"),
    (dict(label_smoothing=0.1), "loss='bce' only"),
    (dict(loss="bce", label_smoothing=1.0), r"\[0, 1\)"),
    (dict(batch_size=0), "at least 1"),
    (dict(ema_decay=1.0), "ema_decay"),
    (dict(latent="cauchy"), "uniform, normal"),
])
def test_config_errors_name_the_field(bad, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**bad)


@pytest.mark.parametrize("loss", ["bce", "wgan-gp"])
def test_train_counts_critic_and_generator_updates(loss):
    cfg = TrainConfig(loss=loss, latent_dim=Z, batch_size=8, log_every=4, autocast=False,
                      n_critic=3, g_steps_per_d=2)
    tr = make(cfg)
    tr.train(steps=8, progress=False)
    assert tr.step == 8
    d_state = next(iter(tr.players.opt_d.state.values()))
    g_state = next(iter(tr.players.opt_g.state.values()))
    assert int(d_state["step"]) == 24 and int(g_state["step"]) == 16
    assert [row["step"] for row in tr.history] == [4, 8]
    expected = {"bce": {"d_real", "d_fake", "d_acc"}, "wgan-gp": {"wdist", "gp"}}[loss]
    assert expected | {"step", "seconds", "d_loss", "g_loss"} == set(tr.history[0])
    arrays = tr.history.as_arrays()
    assert arrays["d_loss"].shape == (2,)
    assert "d_loss" in tr.history.to_table()


def test_label_smoothing_sets_the_real_target(monkeypatch):
    from audiogan_lesson import losses

    targets = []
    original = losses.discriminator_bce_loss

    def spy(real, fake, real_target=1.0):
        targets.append(real_target)
        return original(real, fake, real_target)

    monkeypatch.setattr(losses, "discriminator_bce_loss", spy)
    make(TrainConfig(loss="bce", latent_dim=Z, batch_size=8, log_every=4, autocast=False,
                     label_smoothing=0.1)).train(steps=2, progress=False)
    make(TrainConfig(loss="bce", latent_dim=Z, batch_size=8, log_every=4,
                     autocast=False)).train(steps=1, progress=False)
    assert targets == [pytest.approx(0.9)] * 2 + [1.0]


def test_no_host_sync_inside_a_step(monkeypatch):
    """The package's step code never calls .item(), bool(), float(), .tolist(), .numpy() or .cpu().

    (torch's own CPU Adam reads its step counter with .item(); that counter lives on the host,
    and fused Adam on CUDA keeps it on the device, so only calls made by the package count.)
    """
    tr = make(TrainConfig(latent_dim=Z, batch_size=8, log_every=4, autocast=False, ema_decay=0.9,
                          drift=0.001))
    package = os.path.dirname(os.path.abspath(ckpt_io.__file__))

    def guard(name):
        original = getattr(torch.Tensor, name)

        def wrapper(self, *args, **kwargs):
            caller = sys._getframe(1).f_code.co_filename
            if os.path.abspath(caller).startswith(package):
                raise AssertionError(f"host synchronisation inside a training step: .{name}() "
                                     f"called from {caller}")
            return original(self, *args, **kwargs)

        return wrapper

    for name in ("item", "__bool__", "__float__", "__int__", "tolist", "numpy", "cpu"):
        monkeypatch.setattr(torch.Tensor, name, guard(name))
    for _ in range(3):
        tr.log.add(train_round(tr.players, tr.batches, tr.config))
    monkeypatch.undo()
    assert tr.log.pending == 3


def test_ema_is_the_moving_average_of_the_generator():
    tr = make(TrainConfig(loss="bce", latent_dim=Z, batch_size=8, log_every=4, autocast=False,
                          ema_decay=0.75))
    before = [p.detach().clone() for p in tr.ema.parameters()]
    tr.train(steps=1, progress=False)
    for e, b, p in zip(tr.ema.parameters(), before, tr.generator.parameters()):
        assert torch.allclose(e, 0.75 * b + 0.25 * p, atol=1e-6)
        assert not e.requires_grad
    assert tr.sampler is tr.ema


def test_preview_gets_fixed_latent_samples():
    calls = []
    cfg = TrainConfig(loss="bce", latent_dim=Z, batch_size=8, log_every=4, autocast=False,
                      preview_every=3, n_preview=5)
    tr = make(cfg, preview=lambda trainer, step, samples: calls.append((step, samples.clone())))
    tr.train(steps=7, progress=False)
    assert [s for s, _ in calls] == [3, 6]
    assert calls[0][1].shape == (5, L)
    assert torch.equal(tr.sample_preview(), tr.sample_preview())
    assert not torch.equal(calls[0][1], calls[1][1])  # the generator learned in between
    assert tr.sample(10, seed=1).shape == (10, L)


def test_time_budget_stops_training():
    tr = make()
    tr.train(steps=10_000, seconds=0.0, progress=False)
    assert tr.step == 1 and len(tr.history) == 1


def test_bf16_autocast_runs_and_keeps_weights_fp32():
    tr = make(TrainConfig(latent_dim=Z, batch_size=8, log_every=2, autocast=True, n_critic=2))
    assert tr.amp_dtype == torch.bfloat16
    tr.train(steps=2, progress=False)
    assert all(p.dtype == torch.float32 for p in tr.generator.parameters())
    assert torch.isfinite(torch.tensor(tr.history[-1]["gp"]))


def test_conditional_models_with_auxiliary_classifier():
    data = toy_data()
    labels = torch.arange(len(data)) % 3
    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=2, autocast=False, n_critic=1,
                      conditional=True, aux_weight=1.0, drift=0.001, latent="normal")
    tr = Trainer(CondG(), TinyD(classes=3), (data, labels), cfg, device="cpu")
    tr.train(steps=4, progress=False)
    assert {"aux_d", "aux_g", "drift"} <= set(tr.history[-1])
    assert tr.sample(6, labels=torch.tensor([0, 1, 2, 0, 1, 2])).shape == (6, L)
    with pytest.raises(ValueError, match="labelled data"):
        Trainer(CondG(), TinyD(classes=3), data, cfg, device="cpu")


def test_auxiliary_loss_needs_a_tuple_discriminator():
    data = toy_data()
    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=2, autocast=False, aux_weight=1.0)
    tr = Trainer(TinyG(), TinyD(), (data, torch.zeros(len(data))), cfg, device="cpu")
    with pytest.raises(ValueError, match=r"\(scores, aux_logits\)"):
        tr.train(steps=1, progress=False)


def test_shape_mismatch_is_reported_at_construction():
    with pytest.raises(ValueError, match=r"shape \(32,\).*\(1, 32\)"):
        Trainer(TinyG(), TinyD(), toy_data()[:, None, :], TrainConfig(latent_dim=Z), device="cpu")
    with pytest.raises(ValueError, match="latent_dim"):
        Trainer(TinyG(), TinyD(), toy_data(), TrainConfig(latent_dim=5), device="cpu")
    with pytest.raises(TypeError, match="floating point"):
        Trainer(TinyG(), TinyD(), torch.zeros(4, L, dtype=torch.int16), TrainConfig(), device="cpu")


def test_data_can_be_a_record_with_waves_and_labels():
    from collections import namedtuple

    Record = namedtuple("Record", "waves labels classes")
    data = toy_data()
    tr = Trainer(TinyG(), TinyD(), Record(data, torch.arange(len(data)) % 2, ["a", "b"]),
                 TrainConfig(autocast=False), device="cpu")
    assert tr.labels is not None and tr.data.shape == data.shape


def test_latent_dim_comes_from_the_model_config():
    tr = Trainer(TinyG(), TinyD(), toy_data(), TrainConfig(autocast=False), device="cpu")
    assert tr.latent_dim == Z


def test_checkpoints_are_atomic_and_pruned(tmp_path):
    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=4, autocast=False, n_critic=1,
                      checkpoint_every=2, keep_last=2)
    (tmp_path / ".ckpt_00000002.pt.abc.tmp").write_bytes(b"half a file")
    tr = make(cfg, out_dir=tmp_path)
    tr.train(steps=7, progress=False)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ckpt_00000006.pt", "ckpt_00000007.pt", "metrics.csv"]  # the last two, the
    # log, no temporaries left
    state = ckpt_io.load_checkpoint(tmp_path / "ckpt_00000007.pt")
    assert state["step"] == 7 and state["config"]["checkpoint_every"] == 2
    assert {"python", "numpy", "torch", "cuda", "generators"} <= set(state["rng"])
    assert state["models"]["generator"]["config"] == {"latent_dim": Z, "length": L, "hidden": 16}
    assert state["models"]["discriminator"] is None  # no .config: supported, not required


def test_out_dir_with_checkpoints_needs_resume(tmp_path):
    make(out_dir=tmp_path).train(steps=2, progress=False)
    with pytest.raises(FileExistsError, match="resume=True"):
        make(out_dir=tmp_path).train(steps=4, progress=False)
    tr = make(out_dir=tmp_path)
    tr.train(steps=2, resume=True, progress=False)  # already there: loads, does nothing
    assert tr.step == 2 and len(tr.history) == 1


def test_different_config_refuses_to_load(tmp_path):
    make(out_dir=tmp_path).train(steps=2, progress=False)
    other = TrainConfig(latent_dim=Z, batch_size=16, log_every=4, autocast=False, lr_d=3e-4,
                        steps=50, checkpoint_every=7)  # run-length fields may change
    tr = make(other, out_dir=tmp_path)
    with pytest.raises(ConfigMismatchError) as err:
        tr.train(resume=True, progress=False)
    message = str(err.value)
    assert "batch_size: saved 8, now 16" in message and "lr_d" in message
    assert "steps" not in message.replace("batch_size", "") and "checkpoint_every" not in message

    torch.manual_seed(0)
    wider = Trainer(TinyG(hidden=32), TinyD(), toy_data(), TrainConfig(
        latent_dim=Z, batch_size=8, log_every=4, autocast=False), out_dir=tmp_path, device="cpu")
    with pytest.raises(ConfigMismatchError, match="generator.config.hidden: saved 16, now 32"):
        wider.train(resume=True, progress=False)


def test_load_generator_loads_the_ema_weights_into_a_given_model(tmp_path):
    tr = make(TrainConfig(latent_dim=Z, batch_size=8, log_every=4, autocast=False, ema_decay=0.5),
              out_dir=tmp_path)
    tr.train(steps=3, progress=False)
    # TinyG is not a model of the course's registry: it is never rebuilt from its saved name
    with pytest.raises(ValueError, match=r"refused to build \S*TinyG: it is not a model"):
        ckpt_io.load_generator(tmp_path / "ckpt_00000003.pt")
    g, state = ckpt_io.load_generator(tmp_path / "ckpt_00000003.pt", generator=TinyG())
    assert isinstance(g, TinyG) and not g.training
    z = uniform_latents(4, Z, torch.Generator().manual_seed(0), "cpu")
    with torch.no_grad():
        assert torch.equal(g(z), tr.ema.eval()(z))
    assert state["step"] == 3


def test_corrupt_checkpoint_gives_a_clear_error(tmp_path):
    bad = tmp_path / "ckpt_00000005.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a checkpoint of this course, or truncated"):
        ckpt_io.load_checkpoint(bad)


def test_ctrl_c_finishes_the_step_and_saves(tmp_path):
    def press_ctrl_c(trainer, step, samples):
        if step == 3:
            os.kill(os.getpid(), signal.SIGINT)

    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=4, autocast=False, n_critic=1,
                      preview_every=1)
    tr = make(cfg, out_dir=tmp_path, preview=press_ctrl_c)
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        tr.train(steps=100, progress=False)
    assert tr.step == 3
    assert ckpt_io.latest_checkpoint(tmp_path).name == "ckpt_00000003.pt"
    assert signal.getsignal(signal.SIGINT) is handler  # the handler is given back
    tr.train(steps=5, progress=False)  # the same trainer goes on in memory
    assert tr.step == 5


def test_keyboard_interrupt_from_a_callback_saves(tmp_path):
    def stop(trainer, step, samples):
        if step == 2:
            raise KeyboardInterrupt

    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=4, autocast=False, n_critic=1,
                      preview_every=1)
    with pytest.raises(KeyboardInterrupt):
        make(cfg, out_dir=tmp_path, preview=stop).train(steps=100, progress=False)
    assert ckpt_io.latest_checkpoint(tmp_path).name == "ckpt_00000002.pt"


def test_history_table_helpers():
    h = History([{"step": 1, "d_loss": 0.5}, {"step": 2, "d_loss": 0.25, "gp": 1.0}])
    assert h.columns() == ["step", "d_loss", "gp"]
    arrays = h.as_arrays()
    assert arrays["gp"][0] != arrays["gp"][0]  # NaN where missing
    table = h.to_table(every=5)
    assert table.splitlines()[-1].split()[0] == "2"


def test_the_runs_time_budget_counts_every_call_and_resume(tmp_path):
    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=4, autocast=False, steps=10**9,
                      max_seconds=1.2)
    tr = make(cfg, out_dir=tmp_path / "run")
    tr.train(progress=False)
    assert tr.seconds >= 1.2 and tr.step > 1
    steps = tr.step
    tr.train(progress=False)  # the budget is used: a second call trains nothing
    assert tr.step == steps
    again = make(cfg, out_dir=tmp_path / "run")
    again.train(resume=True, progress=False)  # nor does a resume of the finished run
    assert again.step == steps
    longer = make(cfg.replace(max_seconds=tr.seconds + 1.2), out_dir=tmp_path / "run")
    longer.train(resume=True, progress=False)  # a longer budget trains what is left of it
    assert longer.step > steps and longer.seconds == pytest.approx(tr.seconds + 1.2, abs=0.3)


def test_a_time_bounded_call_shows_its_progress_in_seconds(capsys):
    tr = make(TrainConfig(latent_dim=Z, batch_size=8, log_every=2, autocast=False, steps=10**9,
                          max_seconds=1.5))
    tr.train(progress=True)
    err = capsys.readouterr().err
    assert "/2 s" in err and "step" in err and "1000000000" not in err
    tr = make()
    tr.train(steps=3, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_gradient_penalty_precision_is_an_option():
    with pytest.raises(ValueError, match="gp_precision='bf16'; choose one of fp32, autocast"):
        TrainConfig(gp_precision="bf16")
    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=2, autocast=True, n_critic=2)
    rows = {}
    for precision in ("fp32", "autocast"):
        tr = make(cfg.replace(gp_precision=precision))
        tr.train(steps=2, progress=False)
        rows[precision] = tr.history[-1]["gp"]
    # the same batches: close, but not the same arithmetic
    assert rows["autocast"] == pytest.approx(rows["fp32"], rel=0.05)
    assert rows["autocast"] != rows["fp32"]


def test_resume_skips_a_truncated_newest_checkpoint_with_a_warning(tmp_path):
    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=2, autocast=False,
                      checkpoint_every=2, keep_last=0)
    tr = make(cfg, out_dir=tmp_path / "run")
    tr.train(steps=4, progress=False)
    newest = tmp_path / "run" / "ckpt_00000004.pt"
    newest.write_bytes(newest.read_bytes()[:1000])  # a Drive file cut off mid-sync
    again = make(cfg, out_dir=tmp_path / "run")
    with pytest.warns(UserWarning, match="skipped unreadable checkpoint .*ckpt_00000004.pt"):
        again.train(steps=5, resume=True, progress=False)
    assert again.step == 5 and again.history[0]["step"] == 2
    for path in (tmp_path / "run").glob("ckpt_*.pt"):
        path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="no checkpoint can be read"):
        make(cfg, out_dir=tmp_path / "run").train(steps=6, resume=True, progress=False)


def test_a_checkpoint_without_a_newer_config_field_resumes_with_its_default(tmp_path):
    cfg = TrainConfig(latent_dim=Z, batch_size=8, log_every=2, autocast=False)
    tr = make(cfg, out_dir=tmp_path / "run")
    tr.train(steps=2, progress=False)
    path = tmp_path / "run" / "ckpt_00000002.pt"
    state = torch.load(path, weights_only=True)
    del state["config"]["gp_precision"]  # as written before the field existed
    torch.save(state, path)
    make(cfg, out_dir=tmp_path / "run").train(steps=3, resume=True, progress=False)
    with pytest.raises(ConfigMismatchError, match="gp_precision: saved 'fp32', now 'autocast'"):
        make(cfg.replace(gp_precision="autocast"), out_dir=tmp_path / "run").train(
            steps=4, resume=True, progress=False)


def test_a_text_progress_bar_into_a_log_file_redraws_rarely(monkeypatch):
    """Redirected to a file, every redraw of a text bar is a line: a ten-minute run logged at
    tqdm's ten redraws a second wrote 146 KB."""
    import io

    from audiogan_lesson.training.trainer import TEXT_LOG_INTERVAL, progress_bar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stderr", io.StringIO())
    logged = progress_bar("run", 0, 100, 600.0, enabled=True)
    assert logged.mininterval == TEXT_LOG_INTERVAL >= 10
    logged.close()
    monkeypatch.setattr("sys.stderr", Terminal())
    live = progress_bar("run", 0, 100, None, enabled=True)
    assert live.mininterval < 1
    live.close()
