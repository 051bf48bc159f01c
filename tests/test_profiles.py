"""Profiles, device choice and seeding (audiogan_lesson.profiles)."""

import random

import numpy as np
import pytest
import torch

from audiogan_lesson import devices, profiles
from audiogan_lesson.profiles import TrainScale, get_profile, seed_everything


def test_ci_runs_under_smoke_profile():
    # pytest's configuration sets AUDIOGAN_PROFILE=smoke (pyproject.toml, pytest-env)
    assert get_profile().name == "smoke"


@pytest.mark.parametrize("name", ["smoke", "laptop", "gpu"])
def test_named_profiles(name, monkeypatch):
    monkeypatch.setenv("AUDIOGAN_PROFILE", name)
    p = get_profile()
    assert p.name == name and p.device in ("cpu", "cuda")
    assert isinstance(p.scale("dense"), TrainScale)


def test_sizes_grow_with_profile():
    smoke, laptop, gpu = (get_profile(n) for n in ("smoke", "laptop", "gpu"))
    assert smoke.n_train < laptop.n_train < gpu.n_train
    assert smoke.scale("dense").steps < laptop.scale("dense").steps


def test_hardware_choice_without_env(monkeypatch):
    monkeypatch.delenv("AUDIOGAN_PROFILE", raising=False)
    monkeypatch.setattr(devices, "cuda_available", lambda: False)
    assert get_profile().name == "laptop"
    monkeypatch.setattr(devices, "cuda_available", lambda: True)
    monkeypatch.setattr(profiles, "autocast_dtype", lambda device: torch.bfloat16)
    p = get_profile()
    assert p.name == "gpu" and p.device == "cuda"


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AUDIOGAN_PROFILE", "huge")
    with pytest.raises(ValueError, match="unknown profile 'huge'.*smoke, laptop, gpu"):
        get_profile()


def test_cuda_requested_without_cuda(monkeypatch):
    monkeypatch.setattr(devices, "cuda_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        profiles.pick_device("cuda")


@pytest.mark.parametrize("cuda, mps, picked", [(True, True, "cuda"), (False, True, "mps"),
                                                (False, False, "cpu")])
def test_the_default_device_is_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, picked):
    monkeypatch.delenv("AUDIOGAN_DEVICE", raising=False)
    monkeypatch.delenv("AUDIOGAN_PROFILE", raising=False)
    monkeypatch.setattr(devices, "cuda_available", lambda: cuda)
    monkeypatch.setattr(devices, "mps_available", lambda: mps)
    assert profiles.pick_device() == picked
    assert get_profile(None).name == ("gpu" if picked == "cuda" else "laptop")  # mps: a laptop


def test_asked_for_devices_are_checked(monkeypatch):
    monkeypatch.delenv("AUDIOGAN_DEVICE", raising=False)
    monkeypatch.setattr(devices, "cuda_available", lambda: True)
    monkeypatch.setattr(profiles.torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(devices, "mps_available", lambda: False)
    assert profiles.pick_device("cuda:1") == "cuda:1" and profiles.pick_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="'cuda:2': this machine has 2 CUDA device"):
        profiles.pick_device("cuda:2")
    with pytest.raises(ValueError, match="'mps' was asked for but Apple's Metal"):
        profiles.pick_device("mps")
    for name in ("gpu", "meta", "tpu:0"):
        with pytest.raises(ValueError, match=f"'{name}' is not one of cpu, cuda, cuda:N, mps"):
            profiles.pick_device(name)


def test_gpu_scale_is_paper_size():
    scale = get_profile("gpu").scale("not-listed-model")
    assert ((scale.width, scale.batch_size, scale.slice_len, scale.sample_rate)
            == (64, 64, 16384, 16000))
    with pytest.raises(KeyError, match="no scale for model 'nope'"):
        get_profile("smoke").scale("nope")


def test_overrides_are_copies():
    p = get_profile("smoke")
    q = p.replace(n_train=7).with_scale("dense", batch_size=3)
    assert q.n_train == 7 and q.scale("dense").batch_size == 3
    assert p.n_train != 7 and p.scale("dense").batch_size != 3
    with pytest.raises(Exception):
        p.n_train = 1  # frozen
    with pytest.raises(TypeError):
        p.models["dense"] = TrainScale()  # read-only mapping


def test_summary_is_one_line():
    line = get_profile("smoke").summary()
    assert "\n" not in line and line.startswith("profile=smoke device=") and "torch=" in line


def test_seed_everything_is_reproducible():
    def draw():
        g = seed_everything(123)
        return random.random(), np.random.rand(), torch.rand(3), torch.rand(2, generator=g)

    a, b = draw(), draw()
    assert a[0] == b[0] and a[1] == b[1]
    assert torch.equal(a[2], b[2]) and torch.equal(a[3], b[3])
    seed_everything(124)
    assert random.random() != a[0]
