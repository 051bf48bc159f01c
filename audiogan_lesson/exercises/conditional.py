"""Check for notebook 09_conditional_wavegan: the projection term of a class-conditional
discriminator (exercise 9.1)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from .core import _call, failed, passed

NAME = "Exercise 9.1 projection_term"


def _cases(seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """``(features (N, F), embedding (K, F), labels (N,))``. In the second case ``N == F``, so a
    sum over the wrong axis keeps the right shape and only the values can tell."""
    g = torch.Generator().manual_seed(seed)
    cases = []
    for n, f, k in ((6, 5, 8), (5, 5, 3), (7, 9, 7)):
        features = torch.randn(n, f, generator=g)
        embedding = torch.randn(k, f, generator=g)
        labels = torch.randint(0, k, (n,), generator=g)
        labels[0], labels[-1] = k - 1, 0  # the first and the last class both appear
        cases.append((features, embedding, labels))
    return cases


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-5)


def _diagnose(features, embedding, labels, got) -> str:
    """Which plausible mistake ``got`` matches, in words."""
    n = features.shape[0]
    chosen = embedding[labels]
    if _same(got, chosen * features):
        return ("you returned the products embed(y) * phi(x) for every feature, (N, F); sum them "
                "over the features (dim=1) to get one number per example")
    if _same(got, features.sum(1)) or _same(got, chosen.sum(1)):
        return ("the result is a sum of the features (or of the embeddings) alone: the inner "
                "product multiplies embed(y) and phi(x) feature by feature before the sum")
    k = embedding.shape[0]
    by_position = (embedding[:n] * features).sum(1) if n <= k else None
    if by_position is not None and _same(got, by_position):
        return ("each example used the embedding row of its position in the batch; take the row "
                "of its label: embedding[labels]")
    for shift in (1, -1):
        if _same(got, (embedding[(labels + shift) % k] * features).sum(1)):
            return "the label index is shifted by one: the row of class k is embedding[k]"
    if _same(got, (chosen * features).sum(0)):
        return ("the sum runs over the batch (dim=0), mixing examples; sum over the features "
                "(dim=1) so that each example gets its own number")
    return "the values differ from sum_f embedding[labels[n], f] * features[n, f]"


def check_projection_term(fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
                          ) -> None:
    """Check ``fn(features, embedding, labels) -> (N,)`` (notebook ``09_conditional_wavegan``,
    exercise 9.1).

    The projection discriminator's class term (Miyato and Koyama 2018): for ``features`` ``(N, F)``
    (phi(x)), ``embedding`` ``(K, F)`` (one row per class) and ``labels`` ``(N,)``, one number per
    example, ``sum_f embedding[labels[n], f] * features[n, f]``. It must be differentiable in
    both the features and the embedding. Fails on a missing inner product, a wrong label index
    and a sum over the wrong axis.
    """
    for features, embedding, labels in _cases():
        f = features.clone().requires_grad_(True)
        e = embedding.clone().requires_grad_(True)
        out = _call(NAME, fn, f, e, labels.clone())
        if not isinstance(out, torch.Tensor):
            failed(NAME, f"fn returned {type(out).__name__}; return a tensor of shape (N,)")
        expected = (embedding[labels] * features).sum(1)
        if out.shape != expected.shape:
            failed(NAME, f"got shape {tuple(out.shape)} for features {tuple(features.shape)} and "
                         f"{labels.shape[0]} labels; return one number per example, shape "
                         f"({labels.shape[0]},). " + _diagnose(features, embedding, labels,
                                                               out.detach()))
        if not torch.allclose(out.detach().float(), expected, atol=1e-5, rtol=1e-4):
            failed(NAME, _diagnose(features, embedding, labels, out.detach().float()))
        if not out.requires_grad:
            failed(NAME, "the result is not differentiable: build it from torch operations (no "
                         ".item(), .detach() or numpy), since the discriminator trains through it")
        g_f, g_e = torch.autograd.grad(out.sum(), (f, e), allow_unused=True)
        if g_f is None or g_e is None:
            failed(NAME, "the result must depend on both the features and the embedding")
    passed(NAME, "one inner product <embed(y), phi(x)> per example")
