"""The floor and click measures: the real data against itself is clean; a noise floor, a rumble
under a hi-hat and a hit cut off at the end each show, in the measure meant for it."""

import numpy as np
import pytest
import torch

from audiogan_lesson.data import toy_drums
from audiogan_lesson.evaluation.floor import floor_measures, floor_report, real_band

RATE, LENGTH = 8000, 2048


@pytest.fixture(scope="module")
def drums():
    real = toy_drums(400, seed=1, sample_rate=RATE, length=LENGTH)
    other = toy_drums(200, seed=2, sample_rate=RATE, length=LENGTH)
    return real, other


def test_real_drums_against_real_drums_are_clean(drums):
    real, other = drums
    report = floor_report(other.waves, real.waves, RATE, other.labels, real.labels, real.classes)
    assert [r.name for r in report.rows] == ["all", *real.classes]
    for row in report.rows:
        assert all(abs(v) < 3.0 for v in row.excess.values()), (row.name, row.excess)
    lo, hi = report.row("hihat").band_hz
    assert lo > 500 and report.row("kick").band_hz[1] < 2000  # each class judged in its band
    assert "hihat" in report.table() and "excess" in report.table()


def test_a_noise_floor_shows_out_of_band_and_in_the_quiet_quarter(drums):
    real, other = drums
    gen = torch.Generator().manual_seed(0)
    peak = other.waves.abs().amax(1, keepdim=True)
    hiss = other.waves + peak * 10 ** (-30 / 20) * torch.randn(other.waves.shape, generator=gen)
    report = floor_report(hiss, real.waves, RATE, other.labels, real.labels, real.classes)
    assert report.row("kick").excess["out_of_band"] > 8  # white noise above a kick's band
    assert report.row("hihat").excess["quiet"] > 8  # no more silence after the hat's decay


def test_a_rumble_under_a_hihat_is_out_of_its_band(drums):
    real, other = drums
    t = torch.arange(LENGTH) / RATE
    hats = other.waves[other.labels == real.classes.index("hihat")]
    rumble = hats + 0.05 * hats.abs().amax(1, keepdim=True) * torch.sin(2 * np.pi * 60 * t)
    hat_real = real.waves[real.labels == real.classes.index("hihat")]
    clean = floor_report(hats, hat_real, RATE).row().excess["out_of_band"]
    assert floor_report(rumble, hat_real, RATE).row().excess["out_of_band"] > clean + 10


def test_a_cut_off_end_is_a_click_in_the_tail_only(drums):
    real, other = drums
    cut = other.waves.clone()
    cut[:, -40:] = 0.3 * torch.sign(cut[:, -41:-40] + 1e-9)  # a step held over the last 5 ms
    report = floor_report(cut, real.waves, RATE)
    assert report.row().excess["tail"] > 20
    assert abs(report.row().excess["out_of_band"]) < 6


def test_measures_per_clip_and_bad_input(drums):
    real, _ = drums
    band = real_band(real.waves, RATE)
    assert 0 <= band[0] < band[1] <= RATE / 2
    values = floor_measures(real.waves[:3], RATE, band)
    assert set(values) == {"out_of_band", "quiet", "tail"} and values["tail"].shape == (3,)
    with pytest.raises(ValueError, match="bring them to one length"):
        floor_report(real.waves[:, :1024], real.waves, RATE)
    with pytest.raises(ValueError, match="fraction=1.5"):
        real_band(real.waves, RATE, fraction=1.5)


def test_the_all_row_pools_every_class_in_its_own_band(drums):
    """With labels, a floor above every class shows in the ``all`` row too: each clip is measured
    in its own class's band, not in the band of every drum (which spans the whole spectrum)."""
    real, other = drums
    gen = torch.Generator().manual_seed(0)
    peak = other.waves.abs().amax(1, keepdim=True)
    hiss = other.waves + peak * 10 ** (-30 / 20) * torch.randn(other.waves.shape, generator=gen)
    report = floor_report(hiss, real.waves, RATE, other.labels, real.labels, real.classes)
    pooled = report.row("all")
    assert pooled.band_hz is None and "per class" in report.table()
    assert pooled.n_fake == len(other.waves)
    assert pooled.excess["out_of_band"] > 8
    unlabelled = floor_report(hiss, real.waves, RATE)
    assert [r.name for r in unlabelled.rows] == ["all"] and unlabelled.rows[0].band_hz is not None
