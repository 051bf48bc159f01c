"""The mel-image representation and GAN, clip lengths from the command line, GTZAN and UrbanSound8K
recipes (issue: 256 x 256 mel images, 4-second clips)."""

import numpy as np
import pytest
import soundfile as sf
import torch

from audiogan_lesson import data
from audiogan_lesson.audio import standardize
from audiogan_lesson.cli import main
from audiogan_lesson.experiments import load_audio_set, make_experiment
from audiogan_lesson.models.dense import DenseGenerator
from audiogan_lesson.models.melimage import (MelImageDiscriminator, MelImageGenerator,
                                             discriminator_mults, generator_mults)
from audiogan_lesson.models.specgan import SpecGANDiscriminator, SpecGANGenerator
from audiogan_lesson.profiles import get_profile
from audiogan_lesson.registry import UnknownNameError, model_for
from audiogan_lesson.representations import MelImage, representation_from_state
from audiogan_lesson.mel_images import mel_power, mel_to_linear_power, nnls, slaney_mel_filterbank
from audiogan_lesson.spectral import spectral_convergence


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def _count(model):
    return sum(p.numel() for p in model.parameters())


# ----------------------------------------------------------------------------- spectral pieces


def test_mel_filters_and_power_match_librosa():
    librosa = pytest.importorskip("librosa")
    fb = slaney_mel_filterbank(64, 1024, 22050)
    np.testing.assert_allclose(fb.numpy(), librosa.filters.mel(sr=22050, n_fft=1024, n_mels=64),
                               atol=1e-7)
    wave = torch.randn(4096, generator=torch.Generator().manual_seed(0)) * 0.1
    ours = mel_power(wave, fb, 1024, 512).T.numpy()
    theirs = librosa.feature.melspectrogram(y=wave.numpy(), sr=22050, n_fft=1024, hop_length=512,
                                            n_mels=64)
    assert ours.shape == theirs.shape == (64, 1 + 4096 // 512)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6 * theirs.max())
    with pytest.raises(ValueError, match="Nyquist"):
        slaney_mel_filterbank(64, 1024, 22050, f_max=20000)


def test_nnls_solves_the_constrained_problem():
    scipy_opt = pytest.importorskip("scipy.optimize")
    gen = torch.Generator().manual_seed(1)
    fb = slaney_mel_filterbank(32, 256, 16000)
    linear = torch.rand(6, 129, generator=gen) ** 4  # sparse-ish non-negative spectra
    targets = linear @ fb.T
    ours = nnls(fb, targets, n_iter=500)
    assert (ours >= 0).all()
    a = fb.double().numpy()
    for row, target in zip(ours.double().numpy(), targets.double().numpy()):
        best, residual = scipy_opt.nnls(a, target)
        assert np.linalg.norm(a @ row - target) <= residual + 1e-4 * np.linalg.norm(target)
    pinv = mel_to_linear_power(targets, fb, "pinv")
    assert (pinv >= 0).all()
    err = lambda x: torch.linalg.vector_norm(x @ fb.T - targets)  # noqa: E731
    assert err(ours) <= err(pinv) + 1e-6
    with pytest.raises(ValueError, match="nnls' or 'pinv"):
        mel_to_linear_power(targets, fb, "lstsq")


# ----------------------------------------------------------------------------- the representation


def test_mel_image_defaults_are_the_reports():
    rep = MelImage()
    assert ((rep.sample_rate, rep.length, rep.n_mels, rep.n_fft, rep.hop)
            == (22050, 88200, 64, 1024, 512))
    assert rep.size == (256, 256) and rep.shape == (1, 256, 256) and rep.frames == 173
    assert rep.time_shift == 0.4


@pytest.mark.parametrize("kwargs, words", [
    (dict(size=(0, 256)), "size"), (dict(n_mels=600), "n_mels"), (dict(hop=2048), "hop"),
    (dict(time_shift=1.5), "time_shift"), (dict(inverse="magic"), "inverse"),
    (dict(top_db=0), "top_db")])
def test_mel_image_bad_settings_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        MelImage(**kwargs)


def test_mel_image_encodes_any_size_and_round_trips():
    drums = data.toy_drums(5, seed=3, sample_rate=22050, length=22050)
    rep = MelImage(length=22050, size=(64, 128))
    with pytest.raises(ValueError, match="fit"):
        rep.encode(drums.waves)
    rep.fit(drums.waves)
    images = rep.encode(drums.waves)
    assert images.shape == (5, 1, 64, 128)
    assert float(images.max()) == pytest.approx(1.0, abs=0.02) and float(images.min()) >= -1.0
    with pytest.raises(ValueError, match="22050 samples"):
        rep.encode(drums.waves[:, :1000])
    with pytest.raises(ValueError, match="expected"):
        rep.decode(images[..., :64])
    back = rep.decode(images)
    assert back.shape == drums.waves.shape and back.abs().max() <= 1.0
    error = spectral_convergence(rep.magnitude(drums.waves), rep.magnitude(back))
    assert float(error.mean()) < 0.6  # about 0.45 on toy drums; silence would be 1.0
    # the level survives (one reference for the whole set, not one per clip)
    ratio = back.square().mean(1).sqrt() / drums.waves.square().mean(1).sqrt()
    assert ((ratio > 0.5) & (ratio < 2.0)).all()
    # a checkpoint's state rebuilds the same representation
    again = representation_from_state(rep.state())
    torch.testing.assert_close(again.encode(drums.waves), images)


def test_time_shift_rolls_each_clip_by_its_own_offset():
    waves = torch.arange(1000.0).repeat(6, 1)
    rep = MelImage(length=1000, time_shift=0.25)
    shifted = rep.augment(waves, seed=0)
    offsets = [int((row[0] - 0) % 1000) for row in shifted]  # the value at 0 tells the roll
    offsets = [(1000 - int(row[0])) % 1000 for row in shifted]
    assert len(set(offsets)) > 1
    assert all(min(o, 1000 - o) <= 250 for o in offsets)
    for row, off in zip(shifted, offsets):
        torch.testing.assert_close(row, torch.roll(waves[0], off))
    torch.testing.assert_close(rep.augment(waves, seed=0), shifted)  # seeded
    assert MelImage(length=1000, time_shift=0.0).augment(waves) is waves


# ----------------------------------------------------------------------------- the models


def test_mel_image_models_are_specgan_at_128_and_one_layer_more_at_256():
    assert (_count(MelImageGenerator(height=128, width=128)) == _count(SpecGANGenerator())
            == 19_065_345)
    assert (_count(MelImageDiscriminator(height=128, width=128)) == _count(SpecGANDiscriminator())
            == 17_427_969)
    assert (generator_mults(6) == (8, 4, 2, 1, 1, 0)
            and discriminator_mults(6) == (1, 1, 2, 4, 8, 16))
    g, d = MelImageGenerator(d=4), MelImageDiscriminator(d=4)
    upconvs = [n for n, _ in g.net.named_children() if n.startswith("upconv_") and n[-1].isdigit()]
    assert len(upconvs) == 6
    z = torch.rand(2, 100) * 2 - 1
    x = g(z)
    assert x.shape == (2, 1, 256, 256) and d(x).shape == (2,)
    wide = MelImageGenerator(d=2, height=64, width=256)
    assert wide(z).shape == (2, 1, 64, 256)
    with pytest.raises(ValueError, match="4 \\* 2\\*\\*k"):
        MelImageGenerator(height=100, width=100)
    with pytest.raises(ValueError, match="expected mel images"):
        d(torch.zeros(2, 1, 128, 128))


def test_registry_picks_the_mel_image_model_by_representation():
    assert model_for("specgan") == "specgan"
    assert model_for("specgan", "mel-image") == "specgan-mel"
    assert model_for("specgan", "linear") == "specgan"
    with pytest.raises(UnknownNameError, match="mel-image"):
        model_for("specgan", "cqt")
    with pytest.raises(UnknownNameError, match="no representation"):
        model_for("dense", "mel-image")


# ----------------------------------------------------------------------------- experiments and CLI


def test_train_and_generate_four_second_mel_image_clips(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "specgan", "--representation", "mel-image", "--data", "toy-drums",
                 "--loss", "bce", "--steps", "2", "--slice-len", "88200", "--out", str(out),
                 "--profile", "smoke", "--n-train", "16"]) == 0
    assert "specgan-mel on toy-drums" in capsys.readouterr().out
    ckpt = sorted(out.glob("ckpt_*.pt"))[-1]
    wavs = tmp_path / "wavs"
    assert main(["generate", str(ckpt), "--n", "2", "--out", str(wavs)]) == 0
    files = sorted(wavs.glob("*.wav"))
    audio, rate = sf.read(files[0])
    assert len(files) == 2 and rate == 22050 and audio.shape == (88200,)
    assert np.isfinite(audio).all()
    assert main(["train", "dense", "--representation", "mel-image", "--data", "toy-drums",
                 "--steps", "1", "--out", str(tmp_path / "x"), "--profile", "smoke"]) == 2
    assert "no representation" in capsys.readouterr().err


def test_slice_len_and_sample_rate_reach_every_model():
    smoke = get_profile("smoke")
    dense = make_experiment("dense", "toy-drums", smoke, loss="bce", n_train=4, slice_len=64000,
                            sample_rate=16000)
    assert dense.generator.example_shape == (1, 64000) and dense.real.waves.shape == (4, 64000)
    assert dense.sample_rate == 16000 and dense.meta()["slice_len"] == 64000
    wave = make_experiment("wavegan", "toy-drums", smoke, n_train=2, slice_len=65536)
    assert wave.generator(torch.zeros(1, 100)).shape == (1, 1, 65536)
    mel = make_experiment("specgan", "toy-drums", smoke, n_train=2, representation="mel-image",
                          slice_len=44100, sample_rate=22050)
    assert mel.model == "specgan-mel" and mel.examples.shape == (2, 1, 32, 32)
    assert mel.representation.length == 44100 and mel.representation.frames == 87
    with pytest.raises(ValueError, match="16384"):
        make_experiment("specgan", "toy-drums", smoke, n_train=2, slice_len=8192)
    with pytest.raises(ValueError, match="slice_len=0"):
        make_experiment("dense", "toy-drums", smoke, n_train=2, slice_len=0)


def test_dense_model_at_the_sources_64000_samples():
    g = DenseGenerator(width=1024, slice_len=64000)
    # 100 -> 512 -> 512 -> 1024 -> 1024 -> 64000
    expected = (100 * 512 + 512) + (512 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 1024 + 1024) \
        + (1024 * 64000 + 64000)
    assert _count(g) == expected


# ----------------------------------------------------------------------------- datasets


def tone(seconds, rate, freq=440.0):
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_gtzan_classical_recipe_offline(tmp_path, monkeypatch):
    root = tmp_path / "datasets"
    classical = root / "gtzan_classical" / "genres" / "classical"
    classical.mkdir(parents=True)
    for i in range(2):
        sf.write(classical / f"classical.0000{i}.wav", tone(30.0, 22050, 220.0 * (i + 1)), 22050,
                 subtype="PCM_16")
    other = root / "gtzan_classical" / "genres" / "rock"
    other.mkdir(parents=True)
    sf.write(other / "rock.00000.wav", tone(30.0, 22050), 22050, subtype="PCM_16")
    ds = data.load_dataset("gtzan_classical", split="all", root=root, cache=False, verbose=False)
    # 30 s at 16 kHz in back-to-back 4 s clips, the 2 s tail dropped: 7 per excerpt
    assert ds.waves.shape == (14, 64000) and ds.sample_rate == 16000
    assert all("classical" in str(f) for f in ds.files)
    assert data.DATASETS["gtzan_classical"].standardize

    monkeypatch.setenv("AUDIOGAN_DATA", str(root))
    real = load_audio_set("gtzan_classical", 100, 16000, 64000, download=False)
    assert real.waves.shape == (14, 64000)
    torch.testing.assert_close(real.waves.mean(1), torch.zeros(14), atol=1e-4, rtol=0)
    torch.testing.assert_close(real.waves.std(1, unbiased=False), torch.ones(14), atol=1e-4, rtol=0)
    raw = load_audio_set("gtzan_classical", 100, 16000, 64000, download=False, standardize=False)
    assert float(raw.waves.abs().max()) < 0.35  # the files' own level
    drums = load_audio_set("toy-drums", 4, 8000, 4096, standardize=True)
    torch.testing.assert_close(drums.waves.std(1, unbiased=False), torch.ones(4), atol=1e-4, rtol=0)


def test_standardize_leaves_silence_silent():
    waves = torch.stack([torch.zeros(100), torch.linspace(-2, 6, 100)])
    out = standardize(waves)
    assert torch.equal(out[0], torch.zeros(100))
    assert abs(float(out[1].mean())) < 1e-6 and abs(float(out[1].std(unbiased=False)) - 1) < 1e-5


def test_urbansound_street_music_gives_one_four_second_clip_per_file(tmp_path):
    root = tmp_path / "datasets"
    street = root / "urbansound8k" / "UrbanSound8K" / "audio" / "fold2"
    street.mkdir(parents=True)
    sf.write(street / "100-9-0-1.wav", tone(4.0, 44100), 44100, subtype="PCM_24")
    sf.write(street / "101-9-0-2.wav", tone(1.5, 48000), 48000, subtype="PCM_16")
    sf.write(street / "102-1-0-2.wav", tone(4.0, 44100), 44100, subtype="PCM_16")
    ds = data.load_dataset("urbansound8k_street_music", split="all", root=root, cache=False,
                           verbose=False)
    assert ds.waves.shape == (2, 88200) and ds.sample_rate == 22050
    assert float(ds.waves[1, 40000:].abs().max()) == 0.0  # the 1.5 s clip is padded


def test_dense_batch_norm_option_adds_a_norm_after_each_hidden_layer():
    from audiogan_lesson.models.dense import DenseDiscriminator

    plain, normed = DenseGenerator(width=16, slice_len=64), DenseGenerator(width=16, slice_len=64,
                                                                          batch_norm=True)
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in plain.modules())
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in normed.modules()) == 4
    d = DenseDiscriminator(width=16, slice_len=64, batch_norm=True)
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in d.modules()) == 3
    assert (normed(torch.zeros(3, 100)).shape == (3, 1, 64)
            and d(torch.zeros(3, 1, 64)).shape == (3,))


def test_mel_image_configs_refuse_class_conditioning():
    from audiogan_lesson.models.melimage import MelImageDiscriminatorConfig, MelImageGeneratorConfig

    for config in (MelImageGeneratorConfig, MelImageDiscriminatorConfig):
        with pytest.raises(ValueError, match="mel-image GAN is unconditional"):
            config(n_classes=5)
        assert config().n_classes == 0
