"""The NaN guard of the Trainer: a non-finite loss stops training, names the step and the loss,
and never overwrites the last good checkpoint."""

import pytest
import torch
import torch.nn as nn

from audiogan_lesson import checkpoint as ckpt_io
from audiogan_lesson.training import NonFiniteLossError, TrainConfig, Trainer

L, Z = 32, 8


class PoisonableD(nn.Module):
    """A tiny discriminator whose scores become ``poison`` (nan or inf) once switched on."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(L, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
        self.poison = None

    def forward(self, x):
        out = self.net(x)
        return out if self.poison is None else out * 0 + self.poison


def make(tmp_path, poison_after: int, value: float, loss="bce", log_every=4, checkpoint_every=5):
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(Z, 16), nn.ReLU(), nn.Linear(16, L), nn.Tanh())
    D = PoisonableD()

    def poison(trainer, step, samples):
        if step == poison_after:
            D.poison = value

    cfg = TrainConfig(loss=loss, latent_dim=Z, batch_size=8, log_every=log_every, autocast=False,
                      n_critic=1, checkpoint_every=checkpoint_every, keep_last=0, preview_every=1)
    data = torch.randn(64, L).clamp(-1, 1)
    return Trainer(G, D, data, cfg, out_dir=tmp_path, device="cpu", preview=poison), D


@pytest.mark.parametrize("value, loss", [(float("nan"), "bce"), (float("inf"), "bce"),
                                         (float("nan"), "wgan-gp")])
def test_nan_loss_stops_with_step_and_loss_named(tmp_path, value, loss):
    trainer, _ = make(tmp_path, poison_after=12, value=value, loss=loss)
    with pytest.raises(NonFiniteLossError) as err:
        trainer.train(steps=40, progress=False)
    # step 13 is the first bad one; it is found at the step-15 checkpoint, which is not written
    assert err.value.step == 13 and err.value.loss == "d_loss"
    message = str(err.value)
    assert "step 13" in message and "d_loss" in message and "ckpt_00000010.pt" in message
    names = [p.name for p in ckpt_io.list_checkpoints(tmp_path)]
    assert names == ["ckpt_00000005.pt", "ckpt_00000010.pt"]
    good = ckpt_io.load_checkpoint(tmp_path / "ckpt_00000010.pt")
    assert all(torch.isfinite(t).all() for t in good["generator"].values())
    assert all(torch.isfinite(t).all() for t in good["discriminator"].values())
    assert all(all(v == v for k, v in row.items()) for row in good["history"])
    # the poisoned state can never be saved or trained further
    with pytest.raises(NonFiniteLossError):
        trainer.save()
    with pytest.raises(NonFiniteLossError, match="resume from the last good checkpoint"):
        trainer.train(steps=50, progress=False)
    assert len(ckpt_io.list_checkpoints(tmp_path)) == 2


def test_nan_found_at_a_log_interval_without_checkpoints(tmp_path):
    trainer, _ = make(tmp_path, poison_after=5, value=float("nan"), log_every=4, checkpoint_every=0)
    with pytest.raises(NonFiniteLossError, match="non-finite d_loss at step 6 .*no checkpoint"):
        trainer.train(steps=40, progress=False)
    assert trainer.step == 8  # noticed at the log interval, without a sync in every step
    assert ckpt_io.list_checkpoints(tmp_path) == []


def test_nan_weights_are_never_saved(tmp_path):
    trainer, _ = make(tmp_path, poison_after=-1, value=0.0)
    trainer.train(steps=5, progress=False)
    with torch.no_grad():
        next(trainer.generator.parameters())[0, 0] = float("nan")
    with pytest.raises(NonFiniteLossError, match="weights are not finite at step 5"):
        trainer.save(tmp_path / "ckpt_00000099.pt")
    assert [p.name for p in ckpt_io.list_checkpoints(tmp_path)] == ["ckpt_00000005.pt"]


def test_nan_run_resumes_from_the_last_good_checkpoint(tmp_path):
    trainer, _ = make(tmp_path, poison_after=7, value=float("nan"))
    with pytest.raises(NonFiniteLossError):
        trainer.train(steps=40, progress=False)
    fresh, _ = make(tmp_path, poison_after=-1, value=0.0)
    fresh.train(steps=12, resume=True, progress=False)
    assert fresh.step == 12 and all(torch.isfinite(p).all() for p in fresh.generator.parameters())
