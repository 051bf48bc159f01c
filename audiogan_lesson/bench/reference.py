"""The reference that ``bench`` times the course against: WaveGAN trained the simple way.

Public PyTorch ports of WaveGAN write the model and its WGAN-GP round as below: the paper's
layer shapes (a dense layer to ``16 x 16d``, five transposed convolutions of kernel 25 and
stride 4; five convolutions back down, leaky ReLU 0.2), phase shuffle with a Python loop over
the examples, and a round of 5 critic updates and 1 generator update in fp32 with a separate
discriminator forward for the real batch, the fake batch and the interpolates, the generator
update scoring its fakes with a discriminator that still computes parameter gradients, and a
loss read back with ``.item()`` every update. Nothing here is used to train; it exists so that
the speed-up of :class:`~audiogan_lesson.training.Trainer` is measured on any machine, in the
same run (:func:`audiogan_lesson.bench.bench_reference`).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class ReferenceGenerator(nn.Module):
    """``z (B, latent_dim) -> (B, 1, 16384)``: dense, then 5 x ConvTranspose1d(25, stride 4)."""

    def __init__(self, d: int = 64, latent_dim: int = 100):
        super().__init__()
        self.d = d
        self.fc = nn.Linear(latent_dim, 256 * d)
        widths = [16 * d, 8 * d, 4 * d, 2 * d, d, 1]
        self.deconvs = nn.ModuleList(
            nn.ConvTranspose1d(a, b, 25, stride=4, padding=11, output_padding=1)
            for a, b in zip(widths[:-1], widths[1:]))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.fc(z).view(-1, 16 * self.d, 16))
        for i, deconv in enumerate(self.deconvs):
            x = deconv(x)
            x = torch.tanh(x) if i == len(self.deconvs) - 1 else F.relu(x)
        return x


def phase_shuffle_loop(x: torch.Tensor, n: int, generator: torch.Generator | None = None
                       ) -> torch.Tensor:
    """Per-example phase shuffle the way ports write it: a Python loop over the batch.

    The same result as :func:`models.layers.phase_shuffle` with ``per_example=True`` for the
    same shifts (drawn from ``generator``). ``(N, C, T) -> (N, C, T)``.
    """
    shifts = torch.randint(-n, n + 1, (x.shape[0],), generator=generator).tolist()
    out = []
    for example, k in zip(x, shifts):
        padded = F.pad(example[None], (max(k, 0), max(-k, 0)), mode="reflect")
        out.append(padded[..., max(-k, 0):max(-k, 0) + x.shape[-1]])
    return torch.cat(out)


class ReferenceDiscriminator(nn.Module):
    """``(B, 1, 16384) -> (B, 1)``: 5 x Conv1d(25, stride 4), leaky ReLU, phase shuffle (loop)."""

    def __init__(self, d: int = 64, shuffle: int = 2):
        super().__init__()
        widths = [1, d, 2 * d, 4 * d, 8 * d, 16 * d]
        self.convs = nn.ModuleList(nn.Conv1d(a, b, 25, stride=4, padding=11)
                                   for a, b in zip(widths[:-1], widths[1:]))
        self.fc = nn.Linear(256 * d, 1)
        self.shuffle = shuffle

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, conv in enumerate(self.convs):
            x = F.leaky_relu(conv(x), 0.2)
            if self.shuffle and i < len(self.convs) - 1:
                x = phase_shuffle_loop(x, self.shuffle)
        return self.fc(x.flatten(1))


class ReferenceLoop:
    """The plain WGAN-GP round (5 critic updates, 1 generator update) on ``data (N, 1, 16384)``."""

    def __init__(self, d: int, batch: int, data: torch.Tensor, n_critic: int = 5,
                 gp_weight: float = 10.0):
        self.G = ReferenceGenerator(d).to(data.device)
        self.D = ReferenceDiscriminator(d).to(data.device)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=1e-4, betas=(0.5, 0.9))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=1e-4, betas=(0.5, 0.9))
        self.data, self.batch, self.n_critic, self.gp_weight = data, batch, n_critic, gp_weight
        self.losses: list[float] = []

    def _z(self) -> torch.Tensor:
        return torch.rand(self.batch, 100, device=self.data.device) * 2 - 1

    def step(self) -> None:
        """One round, as a port writes it."""
        for _ in range(self.n_critic):
            real = self.data[torch.randint(0, len(self.data), (self.batch,))]
            fake = self.G(self._z()).detach()
            d_real = self.D(real).mean()
            d_fake = self.D(fake).mean()
            alpha = torch.rand(self.batch, 1, 1, device=real.device)
            interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            grad, = torch.autograd.grad(self.D(interp).sum(), interp, create_graph=True)
            gp = self.gp_weight * ((grad.view(self.batch, -1).norm(2, dim=1) - 1) ** 2).mean()
            loss_d = d_fake - d_real + gp
            self.opt_d.zero_grad()
            loss_d.backward()
            self.opt_d.step()
            self.losses.append(loss_d.item())
        loss_g = -self.D(self.G(self._z())).mean()
        self.opt_g.zero_grad()
        loss_g.backward()
        self.opt_g.step()
        self.losses.append(loss_g.item())
