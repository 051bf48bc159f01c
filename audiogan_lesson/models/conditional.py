"""Class-conditional WaveGAN and SpecGAN: ask for a kick and get a kick (notebook
``09_conditional_wavegan``).

A course option, not in the WaveGAN paper (Donahue et al. 2019), off by default: with
``n_classes=0`` the models are the paper's, parameter for parameter. With ``n_classes=K``:

- The **generator** takes a class label with its latent as GANSynth does (Engel et al. 2019): a
  one-hot of the label beside ``z``, ``[z, label_scale * one_hot(y)]``, into the first dense
  layer. A one-hot into a dense layer *is* a learned embedding: column ``k`` of the dense
  weights is class ``k``'s vector, added to the projection of ``z``, so this is the embedding
  without a second layer to say the same. ``label_scale`` (1.0, GANSynth's plain one-hot)
  weighs it against the latent; a one-hot as long as the latent (5.8) followed the labels less
  well (notebook 09).
- The **discriminator** uses the label in one of two ways (``conditioning``):

  - ``"projection"`` (Miyato and Koyama, "cGANs with projection discriminator", 2018): with
    ``phi(x)`` the features before the last dense layer, ``D(x, y) = w . phi(x) + b +
    <embed(y), phi(x)>``. The critic asks "is this a real *kick*?", so a snare made for a kick
    scores low.
  - ``"acgan"`` (Odena et al. 2017; GANSynth's pitch classifier): a second dense head on
    ``phi(x)`` gives class logits, ``D(x) -> (scores, logits)``, and the trainer adds the
    cross-entropy of real and generated examples (``TrainConfig.aux_weight``).

:func:`projection_term` is exercise 9.1. :func:`resolve_label` turns ``--label kick`` or
``--label 0`` into an index with an error that lists the classes (``python -m audiogan_lesson
generate --label``, through :func:`audiogan_lesson.runs.generate_from_checkpoint`).
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .layers import LatentGenerator, LogitDiscriminator

CONDITIONINGS = ("acgan", "projection")
# What `--conditional` alone means: the better of the two in ten-minute laptop runs of WaveGAN
# with WGAN-GP on toy drums (one thread, two jobs at a time on two cores; notebook 09), with the
# one-hot times 5.8: AC-GAN made 4,060 steps, inception score 3.46 = 71% of the real drums'
# 4.84, each requested class heard as asked 82-100% of the time; projection 4,516 steps, 2.16 =
# 45%, its critic unsteady from step ~2,750 on, toms heard as kicks. AC-GAN with the plain
# one-hot (label_scale 1.0, the default): 6,129 steps, 3.14 = 65% (64-71% over its last three
# checkpoints), every class heard as asked 99-100% of the time.
DEFAULT_CONDITIONING = "acgan"


def check_conditioning(where: str, n_classes: int, conditioning: str | None = None) -> None:
    """Raise a ValueError naming ``where`` unless ``n_classes >= 0`` and ``conditioning`` is one
    of :data:`CONDITIONINGS`."""
    if n_classes < 0 or n_classes == 1:
        raise ValueError(f"{where}: n_classes={n_classes}; use 0 (unconditional, the paper) or "
                         "the number of classes (at least 2)")
    if conditioning is not None and conditioning not in CONDITIONINGS:
        raise ValueError(f"{where}: conditioning={conditioning!r}; choose one of "
                         f"{', '.join(CONDITIONINGS)}")


def one_hot_beside(z: torch.Tensor, labels: torch.Tensor | None, n_classes: int,
                   scale: float = 1.0, where: str = "generator") -> torch.Tensor:
    """``[z, scale * one_hot(labels)]``: ``(N, latent_dim)`` and ``(N,)`` class indices ->
    ``(N, latent_dim + n_classes)``."""
    if labels is None:
        raise ValueError(f"{where} is class-conditional ({n_classes} classes): call it as "
                         "G(z, labels) with labels (N,) of class indices")
    labels = torch.as_tensor(labels, device=z.device)
    if labels.shape != (z.shape[0],) or labels.is_floating_point():
        raise ValueError(f"{where}: labels must be class indices of shape ({z.shape[0]},); got "
                         f"{tuple(labels.shape)} {labels.dtype}")
    try:  # torch checks the range on the CPU; no min/max here, which would sync a GPU every step
        one_hot = F.one_hot(labels.long(), n_classes)
    except RuntimeError as error:
        raise ValueError(f"{where}: labels must lie in 0..{n_classes - 1} ({error})") from None
    return torch.cat([z, scale * one_hot.to(z.dtype)], dim=1)


def projection_term(features: torch.Tensor, embedding: torch.Tensor,
                    labels: torch.Tensor) -> torch.Tensor:
    """The projection discriminator's class term ``<embed(y), phi(x)>``, one number per example.

    ``features`` ``(N, F)`` are ``phi(x)``; ``embedding`` ``(K, F)`` holds one vector per class
    (an ``nn.Embedding``'s weight); ``labels`` ``(N,)`` class indices. Returns ``(N,)``:
    ``out[n] = sum_f embedding[labels[n], f] * features[n, f]`` (exercise 9.1).
    """
    return (embedding[labels] * features).sum(dim=1)


class ConditionalGenerator(LatentGenerator):
    """A :class:`LatentGenerator` whose config has ``n_classes`` and ``label_scale``:
    ``forward(z, labels=None)``; with ``n_classes > 0`` the labels go beside ``z``
    (:func:`one_hot_beside`), with 0 it is the paper's generator and takes no labels."""

    @property
    def n_classes(self) -> int:
        return self.config.n_classes

    @property
    def net_inputs(self) -> int:
        """The first dense layer's inputs: ``latent_dim`` plus one per class."""
        return self.config.latent_dim + self.config.n_classes

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        self.check_input(z)
        if self.config.n_classes:
            z = one_hot_beside(z, labels, self.config.n_classes, self.config.label_scale,
                               type(self).__name__)
        elif labels is not None:
            raise ValueError(f"{type(self).__name__} is unconditional (n_classes=0); call it "
                             "without labels, or build it with n_classes=K")
        return self.net(z)


class ConditionalDiscriminator(LogitDiscriminator):
    """A :class:`LogitDiscriminator` whose config has ``n_classes`` and ``conditioning``.

    ``forward(x, labels=None)``: with ``n_classes=0`` the paper's ``(N,)`` logits; with
    ``"projection"`` the logits plus :func:`projection_term` (labels required); with
    ``"acgan"`` ``(logits (N,), class logits (N, K))`` (labels unused). The subclass builds
    ``self.net`` (ending in ``flatten`` and the dense ``output``) and then calls
    :meth:`add_label_head`.
    """

    @property
    def takes_labels(self) -> bool:
        """Whether the training round must pass the labels (projection)."""
        return bool(self.config.n_classes) and self.config.conditioning == "projection"

    def add_label_head(self) -> None:
        """The class embedding (projection) or the classifier head (AC-GAN), sized to the
        features of ``self.net.output``; nothing when ``n_classes == 0``."""
        cfg = self.config
        if not cfg.n_classes:
            return
        features = self.net.output.in_features
        if cfg.conditioning == "projection":
            self.embed = nn.Embedding(cfg.n_classes, features)
            nn.init.xavier_uniform_(self.embed.weight)
        else:
            self.classify = nn.Linear(features, cfg.n_classes)
            nn.init.xavier_uniform_(self.classify.weight)
            nn.init.zeros_(self.classify.bias)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None):
        self.check_input(x)
        if not self.config.n_classes:
            if labels is not None:
                raise ValueError(f"{type(self).__name__} is unconditional (n_classes=0); call "
                                 "it without labels")
            return self.net(x).squeeze(1)
        features = self.net[:-1](x)  # phi(x): everything up to the dense output
        scores = self.net.output(features).squeeze(1)
        if self.config.conditioning == "acgan":
            return scores, self.classify(features)
        if labels is None:
            raise ValueError(f"{type(self).__name__} is a projection discriminator: call it as "
                             "D(x, labels) with labels (N,) of class indices")
        return scores + projection_term(features, self.embed.weight, labels.long())


# ----------------------------------------------------------------------------- labels of a run


def resolve_label(label: str | int, classes: Sequence[str], conditional: bool,
                  where: str = "the checkpoint") -> int:
    """The class index of ``label``: a class name (``"kick"``) or an index (``"0"``, ``0``).

    An unconditional checkpoint, an unknown name or an index out of range is a ValueError that
    lists the checkpoint's classes.
    """
    listing = ", ".join(f"{i}={name}" for i, name in enumerate(classes)) or "none recorded"
    if not conditional:
        raise ValueError(f"--label {label}: {where} holds an unconditional model, which takes no "
                         f"label (its data's classes: {listing}); train with --conditional")
    text = str(label).strip()
    if text in classes:
        return list(classes).index(text)
    try:
        index = int(text)
    except ValueError:
        raise ValueError(f"--label {label}: no class of that name in {where}; its classes are "
                         f"{listing}") from None
    if not 0 <= index < len(classes):
        raise ValueError(f"--label {label}: index out of range for {where}, which has "
                         f"{len(classes)} classes: {listing}")
    return index

