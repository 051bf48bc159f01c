"""audiogan_lesson.spectral: SpecGAN STFT and moments, Griffin-Lim, mel, GANSynth IF and its
inverse."""

import math

import numpy as np
import pytest
import torch

from audiogan_lesson.data import toy_drums, toy_notes
from audiogan_lesson.spectral import (IFSpecConfig, IFSpectrogram, SpecGANNormalizer, griffin_lim,
                                      instantaneous_frequency, istft, log_mel_spectrogram,
                                      logmag_to_magnitude, mel_filterbank,
                                      phase_from_instantaneous_frequency, spectral_convergence,
                                      stft, stft_logmag, unwrap_phase)

SR = 16000


def sine(freq, n=16384, rate=SR):
    return torch.sin(2 * math.pi * freq * torch.arange(n, dtype=torch.float64) / rate).float()


# ----------------------------------------------------------------------------- SpecGAN STFT


def test_stft_logmag_shape_and_layout():
    assert stft_logmag(torch.zeros(16384)).shape == (128, 128)
    assert stft_logmag(torch.zeros(2, 3, 16384)).shape == (2, 3, 128, 128)
    spec = stft_logmag(sine(2000.0))  # 2000 Hz is bin 2000 / 62.5 = 32
    assert int(spec[64].argmax()) == 32  # frames first, frequency bins last
    assert torch.allclose(stft_logmag(torch.zeros(16384)), torch.tensor(math.log(1e-6)))


def test_stft_logmag_matches_the_tensorflow_framing():
    """tf.signal.stft(x, 256, 128, pad_end=True): frame t is x[128 t: 128 t + 256], zero-padded."""
    x = torch.randn(16384, generator=torch.Generator().manual_seed(0))
    window = np.sin(np.pi * np.arange(256) / 256) ** 2  # periodic Hann
    padded = np.concatenate([x.numpy(), np.zeros(128)])
    for t in (0, 77, 127):  # the last frame is half zero-padding
        frame = padded[128 * t: 128 * t + 256] * window
        expected = np.log(np.abs(np.fft.rfft(frame))[:128] + 1e-6)  # Nyquist bin dropped
        assert np.allclose(stft_logmag(x)[t].numpy(), expected, atol=1e-4)


def test_logmag_to_magnitude_undoes_the_log():
    mag = torch.rand(4, 128, 128) * 3
    assert torch.allclose(logmag_to_magnitude(torch.log(mag + 1e-6)), mag, atol=1e-5)


def test_istft_inverts_stft():
    x = torch.randn(2, 4096, generator=torch.Generator().manual_seed(1))
    spec = stft(x, 256, 64, pad_left=256, pad_right=256)
    assert torch.allclose(istft(spec, 256, 64, length=4096, pad_left=256), x, atol=1e-5)


# ----------------------------------------------------------------------------- Griffin-Lim


def test_griffin_lim_converges_and_keeps_the_batch():
    waves = toy_drums(4, seed=0).waves
    logmag = stft_logmag(waves)
    target = logmag_to_magnitude(logmag)

    def error(n_iter, **kw):
        audio = griffin_lim(logmag, n_iter=n_iter, **kw)
        assert audio.shape == (4, 16384) and audio.dtype == torch.float32
        return float(spectral_convergence(target, logmag_to_magnitude(stft_logmag(audio))).mean())

    audio = griffin_lim(logmag, n_iter=16)
    peak_ratio = audio.abs().amax(-1) / waves.abs().amax(-1)
    assert float(peak_ratio.max()) < 3  # no blow-up where only the edge of one window covers
    e0, e16, e50 = error(0), error(16), error(50)
    assert e16 < 0.5 * e0 and e50 < e16 < 0.25
    assert error(16, momentum=0.99) < e16  # fast Griffin-Lim
    gen = torch.Generator().manual_seed(0)
    assert error(16, init="random", generator=gen) < 0.3
    assert griffin_lim(logmag[None], n_iter=1).shape == (1, 4, 16384)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_griffin_lim_runs_on_the_tensor_device():
    logmag = stft_logmag(toy_drums(2).waves).cuda()
    assert griffin_lim(logmag, n_iter=2).device.type == "cuda"


# ----------------------------------------------------------------------------- moments


def test_normalizer_uses_per_bin_moments_over_examples_and_frames(tmp_path):
    specs = torch.randn(10, 128, 128) * torch.linspace(0.5, 2, 128) + torch.linspace(-5, 5, 128)
    norm = SpecGANNormalizer().fit(specs)
    flat = specs.reshape(-1, 128).double()
    assert torch.allclose(norm.mean, flat.mean(0).float(), atol=1e-5)
    assert torch.allclose(norm.std, flat.std(0, unbiased=False).float(), atol=1e-5)
    x = norm.normalize(specs)
    assert x.min() >= -1 and x.max() <= 1
    inside = (specs - norm.mean).abs() < 3 * norm.std
    assert torch.allclose(norm.denormalize(x)[inside], specs[inside], atol=1e-4)
    expected = ((specs[0, 5, 7] - norm.mean[7]) / (3 * norm.std[7])).clamp(-1, 1)
    assert torch.isclose(x[0, 5, 7], expected)
    batches = SpecGANNormalizer().fit(iter(specs.split(3)))
    assert torch.allclose(batches.mean, norm.mean) and torch.allclose(batches.std, norm.std)
    again = SpecGANNormalizer.load(norm.save(tmp_path / "m" / "moments.pt"))
    assert torch.equal(again.mean, norm.mean) and torch.equal(again.std, norm.std)


def test_normalizer_on_silent_data_has_no_nan():
    specs = stft_logmag(torch.zeros(4, 16384))
    norm = SpecGANNormalizer().fit(specs)
    assert torch.equal(norm.std, torch.ones(128))
    x = norm.normalize(specs)
    assert not torch.isnan(x).any() and not x.any()
    assert not torch.isnan(norm.normalize(stft_logmag(torch.randn(1, 16384)))).any()


def test_normalizer_errors_are_clear():
    with pytest.raises(RuntimeError, match="not fitted"):
        SpecGANNormalizer().normalize(torch.zeros(1, 128, 128))
    norm = SpecGANNormalizer().fit(torch.randn(2, 8, 128))
    with pytest.raises(ValueError, match="129 bins"):
        norm.normalize(torch.zeros(1, 128, 129))
    with pytest.raises(ValueError, match="NaN"):
        SpecGANNormalizer().fit(torch.full((1, 4, 128), float("nan")))


# ----------------------------------------------------------------------------- phase and IF


def test_unwrap_matches_numpy():
    phase = torch.rand(50, 7, generator=torch.Generator().manual_seed(2)) * 20 - 10
    assert np.allclose(unwrap_phase(phase, dim=0).numpy(), np.unwrap(phase.numpy(), axis=0),
                       atol=1e-5)


def test_instantaneous_frequency_of_a_steady_tone():
    # A sinusoid exactly at bin k advances its phase by 2 pi k hop / n_fft per frame.
    rep = IFSpectrogram(IFSpecConfig(mel=False, length=16384))
    k = 40
    phase = torch.angle(rep.to_stft(sine(k * SR / 2048)))
    inst = instantaneous_frequency(phase)
    expected = (2 * math.pi * k * 512 / 2048 + math.pi) % (2 * math.pi) - math.pi
    assert torch.allclose(inst[4:-4, k - 1], torch.tensor(expected / math.pi), atol=1e-3)
    assert torch.allclose(inst[0], phase[0] / math.pi)  # the first frame keeps its phase


def test_phase_from_if_inverts_if():
    phase = (torch.rand(3, 128, 64, generator=torch.Generator().manual_seed(3)) * 2 - 1) * math.pi
    inst = instantaneous_frequency(phase)
    assert inst.abs().max() <= 1 + 1e-6
    back = phase_from_instantaneous_frequency(inst)
    assert torch.allclose(torch.polar(torch.ones_like(back), back),
                          torch.polar(torch.ones_like(phase), phase), atol=1e-4)


# -------------------------------------------------------------------------- GANSynth representation


@pytest.mark.parametrize("config, shape", [
    (IFSpecConfig(mel=False), (2, 128, 1024)),  # the paper: 4 s, n_fft 2048, hop 512
    (IFSpecConfig(mel=False, n_fft=1024, hop=256), (2, 256, 512)),
    (IFSpecConfig(mel=False, length=16384), (2, 32, 1024)),
    (IFSpecConfig(mel=False, length=16384, n_fft=1024, hop=256), (2, 64, 512)),
    (IFSpecConfig(mel=False, length=16384, drop_bin="nyquist"), (2, 32, 1024)),
    (IFSpecConfig(mel=False, length=16384, n_frames=64), (2, 64, 1024)),
])
def test_linear_if_round_trip_is_exact(config, shape):
    rep = IFSpectrogram(config)
    waves = 0.3 * torch.randn(2, config.length, generator=torch.Generator().manual_seed(4))
    image = rep.encode(waves)
    assert image.shape == (2,) + shape == (2,) + rep.shape
    assert image[:, 1].abs().max() <= 1 + 1e-6
    assert float((rep.decode(image) - waves).abs().max()) < 1e-4


def test_gansynth_code_conventions_are_options():
    waves = 0.3 * torch.randn(1, 64000, generator=torch.Generator().manual_seed(5))

    def max_error(**changes):
        rep = IFSpectrogram(IFSpecConfig(mel=False, **changes))
        return (rep.decode(rep.encode(waves)) - waves).abs()[0]

    front = max_error(pad="front")  # all padding before the audio: the tail is badly covered
    assert front[:60000].max() < 1e-4 and front[-20:].max() > 1e-3
    assert max_error(fill_dropped="zeros").max() > 1e-3  # the dropped DC bin is lost


def test_mel_if_shapes_range_and_accuracy():
    notes = toy_notes(6, seed=0, length=16384).waves
    config = IFSpecConfig(length=16384)
    rep = IFSpectrogram(config)
    image = rep.encode(notes)
    assert image.shape == (6, 2, 32, 1024)
    assert image[:, 1].abs().max() <= 1 + 1e-6  # mel IF never wraps with averaging filters
    linear = IFSpectrogram(config.replace(mel=False))
    target = linear.to_stft(notes).abs()

    def convergence(r):
        return spectral_convergence(target, linear.to_stft(r.decode(r.encode(notes))).abs())

    pinv = convergence(rep)
    assert float(pinv.median()) < 0.1
    faithful = convergence(IFSpectrogram(config.replace(mel_variant="gansynth")))
    assert float(pinv.mean()) < float(faithful.mean())


def test_mel_filterbank_averages_and_covers_every_bin():
    freqs = torch.arange(1, 1025, dtype=torch.float64) * SR / 2048
    fb = mel_filterbank(1024, freqs, float(freqs[0]), SR / 2)
    assert fb.shape == (1024, 1024)
    assert torch.allclose(fb.sum(1), torch.ones(1024, dtype=torch.float64))
    centres = (fb * freqs).sum(1)
    assert bool((centres[1:] >= centres[:-1] - 1e-9).all())
    eigenvalues = torch.linalg.eigvalsh(fb @ fb.T)  # rank < 1024: why no inverse can be exact
    assert int((eigenvalues > 1e-10 * eigenvalues.max()).sum()) < 800


def test_config_errors_and_log_mel():
    with pytest.raises(ValueError, match="drop_bin"):
        IFSpectrogram(IFSpecConfig(drop_bin="middle"))
    with pytest.raises(ValueError, match="n_frames"):
        IFSpectrogram(IFSpecConfig(n_frames=8))
    with pytest.raises(ValueError, match="64000 samples"):
        IFSpectrogram(IFSpecConfig(mel=False)).encode(torch.zeros(1, 100))
    assert log_mel_spectrogram(torch.zeros(2, 16384)).shape == (2, 65, 128)
