"""Widgets of notebook 07: the A/B listening test logic, latent explorer, interpolation."""

import math

import numpy as np
import pytest
import torch

from audiogan_lesson import widgets as wd


def sets():
    real = torch.ones(5, 64)  # real clips are all ones, generated all zeros: easy to tell apart
    fake = torch.zeros(7, 1, 64)
    return real, fake


def test_listening_test_pairs_and_scoring():
    real, fake = sets()
    test = wd.ListeningTest(real, fake, 8000, n_trials=10, seed=1)
    assert len(test.trials) == 10
    assert sorted(t.real_index for t in test.trials[:5]) == list(range(5))  # no repeats early
    assert len({t.generated_index for t in test.trials[:7]}) == 7
    assert 0 < sum(t.real_is_a for t in test.trials) < 10  # both sides used
    for _ in range(10):
        a, b = test.clips()
        real_side = "A" if a.mean() == 1 else "B"
        assert real_side == test.current.real_side
        assert test.answer(real_side.lower()) is True
    assert test.done and test.current is None and test.accuracy == 1.0
    assert test.p_value() == pytest.approx(1 / 1024)
    assert "10 of 10" in test.summary() and "gave themselves away" in test.summary()
    html = test.table()
    assert html.count("<tr>") == 11 and "yes" in html
    with pytest.raises(RuntimeError, match="over"):
        test.answer("A")


def test_listening_test_guessing_and_reset():
    real, fake = sets()
    test = wd.ListeningTest(real, fake, 8000, n_trials=4, seed=0)
    results = [test.answer("A") for _ in range(4)]
    assert results == [t.real_is_a for t in test.trials]
    assert test.accuracy == pytest.approx(np.mean(results))
    k = sum(results)
    assert test.p_value() == pytest.approx(sum(math.comb(4, i) for i in range(k, 5)) / 16)
    assert [r["correct"] for r in test.rows()] == results
    test.reset()
    assert test.choices == [] and math.isnan(test.accuracy) and test.summary() == "no answers yet"
    with pytest.raises(ValueError, match="'A' or 'B'"):
        test.answer("C")
    with pytest.raises(ValueError, match=r"\(N, L\)"):
        wd.ListeningTest(torch.zeros(0, 10), fake, 8000)


def test_listening_test_widget_builds_and_answers():
    real, fake = sets()
    box = wd.listening_test_widget(real, fake, 8000, n_trials=2, seed=0)
    buttons = box.children[2].children
    for _ in range(2):
        buttons[0].click()
    assert box.test.done and buttons[0].disabled and "<table>" in box.children[3].value


def linear_generator(latent_dim=6, length=32):
    w = torch.randn(latent_dim, length, generator=torch.Generator().manual_seed(0))
    return lambda z: torch.tanh(z @ w)[:, None, :]  # (N, 1, L) like WaveGAN


def test_latent_explorer_moves_along_directions():
    gen = linear_generator()
    ex = wd.LatentExplorer(gen, 6, k=3, seed=0, clip=None)
    assert torch.allclose(ex.directions @ ex.directions.T, torch.eye(3), atol=1e-5)
    assert torch.equal(ex.latent([0, 0, 0]), ex.base)
    assert torch.allclose(ex.latent([1.5, 0, 0]) - ex.base, 1.5 * ex.directions[0])
    assert ex.wave([0, 0, 0]).shape == (32,)
    assert not torch.allclose(ex.wave([0, 0, 0]), ex.wave([0, 1, 0]))
    clipped = wd.LatentExplorer(gen, 6, k=2, seed=0, clip=1.0)
    assert clipped.latent([50, 50]).abs().max() <= 1.0
    with pytest.raises(ValueError, match="2 coefficients"):
        clipped.latent([1.0])
    with pytest.raises(ValueError, match="latent_dim=6"):
        wd.LatentExplorer(gen, 6, k=7)


def test_interpolation_ends_and_modes():
    z0, z1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    lin = wd.interpolate_latents(z0, z1, 5)
    assert torch.equal(lin[0], z0) and torch.equal(lin[-1], z1)
    assert torch.allclose(lin[2], torch.tensor([0.5, 0.5]))
    arc = wd.interpolate_latents(z0, z1, 5, mode="slerp")
    assert torch.allclose(arc.norm(dim=1), torch.ones(5), atol=1e-6)  # stays on the circle
    assert torch.allclose(arc[-1], z1, atol=1e-6)
    same = wd.interpolate_latents(z0, z0, 3, mode="slerp")
    assert torch.allclose(same, z0.expand(3, 2))
    with pytest.raises(ValueError, match="linear' or 'slerp"):
        wd.interpolate_latents(z0, z1, 3, mode="cubic")


def test_widgets_build_without_a_browser(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    gen = linear_generator(length=2048)
    ex = wd.LatentExplorer(gen, 6, k=2)
    box = wd.latent_explorer_widget(ex, 8000)
    box.children[0].children[0].value = 1.0  # moving a slider regenerates
    assert len(box.children[0].children) == 2
    w2 = wd.interpolation_widget(gen, torch.zeros(6), torch.ones(6), 8000, steps=3)
    w2.children[0].value = 2
    fig, waves = wd.plot_interpolation(gen, torch.zeros(6), torch.ones(6), 8000, steps=3)
    assert waves.shape == (3, 2048)
    matplotlib.pyplot.close("all")


# ----------------------------------------------------------------------------- MOS test


def test_mos_test_hides_sources_rates_and_reports_intervals(tmp_path):
    import csv

    real, fake = sets()
    test = wd.MOSTest({"real": real, "generated": fake}, 8000, n_per_source=5, seed=2)
    assert len(test.order) == 10
    sources = [name for name, _ in test.order]
    assert sources.count("real") == 5 and sources.count("generated") == 5
    assert sources != sorted(sources) and sources != sorted(sources, reverse=True)  # shuffled
    assert sorted(i for name, i in test.order if name == "real") == list(range(5))
    with pytest.raises(ValueError, match="1 \\(bad\\) to 5"):
        test.rate(6)
    with pytest.raises(ValueError, match="integer"):
        test.rate(2.5)
    ratings = {"real": [5, 4, 5, 4, 5], "generated": [1, 2, 1, 2, 2]}
    given = {"real": 0, "generated": 0}
    while not test.done:
        name = "real" if float(test.clip().mean()) == 1.0 else "generated"  # real clips are ones
        assert name == test.current[0]
        test.rate(ratings[name][given[name]])
        given[name] += 1
    results = test.results()
    assert results["real"]["mean"] == pytest.approx(4.6) and results["real"]["n"] == 5
    assert results["generated"]["mean"] == pytest.approx(1.6)
    # Student's t interval: mean +- t(0.975, 4) * s / sqrt(5)
    half = 2.7764451051977987 * np.std([5, 4, 5, 4, 5], ddof=1) / math.sqrt(5)
    assert results["real"]["low"] == pytest.approx(4.6 - half)
    assert results["real"]["high"] == pytest.approx(4.6 + half)
    assert "real: MOS 4.60" in test.summary() and test.table().count("<tr>") == 3
    path = test.to_csv(tmp_path / "mos" / "ratings.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 10 and {r["source"] for r in rows} == {"real", "generated"}
    assert sum(int(r["rating"]) for r in rows if r["source"] == "real") == 23
    with pytest.raises(RuntimeError, match="over"):
        test.rate(3)
    test.reset()
    assert test.summary() == "no ratings yet" and math.isnan(test.results()["real"]["mean"])
    with pytest.raises(ValueError, match="at least one source"):
        wd.MOSTest({}, 8000)


def test_mos_widget_rates_and_saves(tmp_path):
    real, fake = sets()
    box = wd.mos_test_widget({"real": real, "generated": fake}, 8000, n_per_source=1, seed=0,
                             csv_path=tmp_path / "r.csv")
    buttons = box.children[2].children
    assert len(buttons) == 5
    buttons[4].click()
    buttons[0].click()
    assert box.test.done and box.test.ratings == [5, 1]
    assert (tmp_path / "r.csv").is_file() and "MOS" in box.children[3].value


def test_plot_image_keeps_an_image_one_frame_wide_as_a_column():
    import matplotlib

    matplotlib.use("Agg")
    from audiogan_lesson import display as show

    ax = show.plot_image(np.arange(32.0).reshape(32, 1), colorbar=False)
    assert ax.images[0].get_array().shape == (32, 1)  # GANSynth's first stage: 1 x 32
    ax = show.plot_image(np.zeros((1, 1, 4, 5)), colorbar=False)
    assert ax.images[0].get_array().shape == (4, 5)
    with pytest.raises(ValueError, match="2-D image"):
        show.plot_image(np.zeros(7))
