"""audiogan_lesson.audio: loading every kind of file (good and bad), resampling, fixed lengths."""

import math

import numpy as np
import pytest
import soundfile as sf
import torch

from audiogan_lesson.audio import (AudioDecodeError, _resample_torch, deemphasis, load_audio,
                                   num_slices, pad_or_trim, peak_normalize, preemphasis, resample,
                                   save_audio, slice_audio, to_mono)

SR = 16000


def tone(freq=440.0, seconds=0.5, rate=SR, amp=0.5, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    x = amp * np.sin(2 * np.pi * freq * t)
    if channels > 1:
        x = np.stack([x * (c + 1) / channels for c in range(channels)], axis=1)
    return x.astype(np.float32)


def write(path, data, rate=SR, subtype=None, format=None):
    sf.write(str(path), data, rate, subtype=subtype, format=format)
    return path


# ----------------------------------------------------------------------------- good files


@pytest.mark.parametrize("subtype, tol", [("PCM_U8", 1 / 64), ("PCM_16", 1e-4), ("PCM_24", 1e-6),
                                          ("PCM_32", 1e-6), ("FLOAT", 1e-7), ("DOUBLE", 1e-7)])
def test_wav_bit_depths_decode_to_the_same_float_wave(tmp_path, subtype, tol):
    x = tone()
    path = write(tmp_path / f"a_{subtype}.wav", x, subtype=subtype)
    y = load_audio(path)
    assert y.dtype == torch.float32 and y.shape == (len(x),)
    assert float((y - torch.from_numpy(x)).abs().max()) < tol + 1e-6


def test_unsigned_8_bit_is_centred_on_zero(tmp_path):
    path = write(tmp_path / "u8.wav", np.zeros(1000, np.float32), subtype="PCM_U8")
    assert float(load_audio(path).abs().max()) < 1 / 128


@pytest.mark.parametrize("fmt, ext", [("FLAC", "flac"), ("OGG", "ogg")])
def test_other_containers(tmp_path, fmt, ext):
    x = tone()
    path = write(tmp_path / f"a.{ext}", x, format=fmt, subtype="VORBIS" if fmt == "OGG" else None)
    y = load_audio(path)
    assert y.shape[0] == len(x)
    assert float(torch.corrcoef(torch.stack([y, torch.from_numpy(x)]))[0, 1]) > 0.99


def test_stereo_and_six_channels_are_averaged(tmp_path):
    for channels in (2, 6):
        x = tone(channels=channels)
        y = load_audio(write(tmp_path / f"c{channels}.wav", x, subtype="FLOAT"))
        assert y.shape == (x.shape[0],)
        assert torch.allclose(y, torch.from_numpy(x.mean(axis=1)), atol=1e-6)
    multi = load_audio(tmp_path / "c6.wav", mono=False)
    assert multi.shape == (6, x.shape[0])


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000, 96000])
def test_any_rate_is_resampled_to_16k(tmp_path, rate):
    path = write(tmp_path / f"r{rate}.wav", tone(1000.0, 0.5, rate), rate, subtype="PCM_16")
    y = load_audio(path)
    assert abs(y.shape[0] - 8000) <= 1
    spectrum = torch.fft.rfft(y).abs()
    peak_hz = float(spectrum.argmax()) * SR / y.shape[0]
    assert abs(peak_hz - 1000.0) < 5.0
    assert load_audio(path, sample_rate=None).shape[0] == int(0.5 * rate)


@pytest.mark.parametrize("method", [resample, _resample_torch])
def test_resampling_low_passes_instead_of_aliasing(method):
    rate = 48000
    t = torch.arange(rate, dtype=torch.float64) / rate
    kept = method(torch.sin(2 * math.pi * 7000 * t).float(), rate, SR)  # below 8 kHz: kept
    gone = method(torch.sin(2 * math.pi * 10000 * t).float(), rate, SR)  # would alias to 6 kHz
    assert abs(kept.shape[-1] - SR) <= 1

    def amplitude(x):
        return float(x[1000:-1000].square().mean().sqrt()) * math.sqrt(2)

    assert amplitude(kept) > 0.98
    assert amplitude(gone) < 0.01


def test_float_file_louder_than_full_scale_is_scaled_not_clipped(tmp_path):
    x = tone(amp=2.0)
    y = load_audio(write(tmp_path / "loud.wav", x, subtype="FLOAT"))
    assert abs(float(y.abs().max()) - 1.0) < 1e-6
    assert torch.allclose(y, torch.from_numpy(x / 2.0), atol=1e-4)


def test_silence_loads_as_zeros(tmp_path):
    y = load_audio(write(tmp_path / "silent.wav", np.zeros(4000, np.float32), subtype="PCM_16"))
    assert y.shape == (4000,) and not y.any()


def test_clip_shorter_than_one_example_loads_as_is(tmp_path):
    y = load_audio(write(tmp_path / "short.wav", tone(seconds=0.01), subtype="PCM_16"))
    assert y.shape == (160,)
    assert pad_or_trim(y).shape == (16384,)


# ----------------------------------------------------------------------------- bad files


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match=r"empty\.wav: the file is empty \(0 bytes\)"):
        load_audio(path)


def test_truncated_header(tmp_path):
    good = write(tmp_path / "good.wav", tone(), subtype="PCM_16")
    path = tmp_path / "truncated.wav"
    path.write_bytes(good.read_bytes()[:20])
    with pytest.raises(AudioDecodeError, match=r"truncated\.wav: cannot decode as audio"):
        load_audio(path)


def test_truncated_data_gives_the_samples_that_are_there(tmp_path):
    good = write(tmp_path / "good.wav", tone(seconds=1.0), subtype="PCM_16")
    path = tmp_path / "cut.wav"
    path.write_bytes(good.read_bytes()[: 44 + 2 * 3000])
    assert load_audio(path).shape == (3000,)


def test_header_only_file_has_no_samples(tmp_path):
    good = write(tmp_path / "good.wav", tone(), subtype="PCM_16")
    path = tmp_path / "header_only.wav"
    path.write_bytes(good.read_bytes()[:44])
    with pytest.raises(AudioDecodeError, match=r"header_only\.wav: 0 samples"):
        load_audio(path)


def test_non_audio_bytes_with_audio_extension(tmp_path):
    for name in ("notes.wav", "song.mp3", "clip.flac"):
        path = tmp_path / name
        path.write_bytes(b"this is a text file, not audio\n" * 20)
        with pytest.raises(AudioDecodeError, match=rf"{name}: cannot decode as audio"):
            load_audio(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_samples(tmp_path, bad):
    x = tone()
    x[100:103] = bad
    path = write(tmp_path / "nan.wav", x, subtype="FLOAT")
    with pytest.raises(AudioDecodeError, match=r"nan\.wav: 3 of 8000 samples are NaN or infinite"):
        load_audio(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioDecodeError, match="is a folder"):
        load_audio(tmp_path)


# ----------------------------------------------------------------------------- shapes


def test_pad_or_trim_keeps_the_start():
    x = torch.arange(1, 11, dtype=torch.float32)
    assert torch.equal(pad_or_trim(x, 4), x[:4])
    padded = pad_or_trim(x, 15)
    assert torch.equal(padded[:10], x) and not padded[10:].any()
    assert pad_or_trim(torch.ones(3, 5), 8).shape == (3, 8)


@pytest.mark.parametrize("n, length, hop, pad_end, expected", [
    (100, 40, None, True, 3), (100, 40, None, False, 2), (80, 40, None, True, 2),
    (80, 40, 20, True, 3), (90, 40, 20, True, 4), (90, 40, 20, False, 3),
    (10, 40, None, True, 1), (10, 40, None, False, 0), (40, 40, 7, True, 1),
    (0, 40, None, True, 0)])
def test_slice_counts(n, length, hop, pad_end, expected):
    x = torch.arange(1, n + 1, dtype=torch.float32)
    slices = slice_audio(x, length, hop, pad_end)
    assert slices.shape == (expected, length) == (num_slices(n, length, hop, pad_end), length)
    step = length if hop is None else hop
    for i, row in enumerate(slices):
        original = x[i * step: i * step + length]
        assert torch.equal(row[: len(original)], original)  # content in place, never wrapped
        assert not row[len(original):].any()  # padding is zeros at the end
        assert row.any()  # never an all-padding example


def test_slice_rejects_multichannel():
    with pytest.raises(ValueError, match="to_mono"):
        slice_audio(torch.zeros(2, 100), 40)


def test_peak_normalize_is_per_example_and_safe_on_silence():
    x = torch.stack([torch.linspace(-0.25, 0.5, 100), torch.zeros(100)])
    y = peak_normalize(x, peak=0.9)
    assert torch.isclose(y[0].abs().max(), torch.tensor(0.9)) and not y[1].any()
    assert not torch.isnan(y).any()


def test_resample_keeps_leading_axes():
    x = torch.randn(2, 3, 4410)
    assert resample(x, 44100, SR).shape == (2, 3, 1600)
    assert _resample_torch(x, 44100, SR).shape == (2, 3, 1600)


def test_to_mono_and_save_round_trip(tmp_path):
    stereo = torch.from_numpy(tone(channels=2).T.copy())
    assert torch.allclose(to_mono(stereo), stereo.mean(0))
    path = save_audio(tmp_path / "sub" / "out.wav", stereo, SR, subtype="FLOAT")
    assert torch.allclose(load_audio(path, mono=False), stereo, atol=1e-7)
    with pytest.raises(ValueError, match="NaN"):
        save_audio(tmp_path / "bad.wav", torch.tensor([0.0, float("nan")]))


# ----------------------------------------------------------------------------- pre-emphasis


@pytest.mark.parametrize("coeff", [0.0, 0.7, 0.95])
def test_deemphasis_inverts_preemphasis_and_the_range_stays_in_one(coeff):
    gen = torch.Generator().manual_seed(0)
    wave = torch.rand(3, 2, 4096, generator=gen) * 2 - 1
    # the worst case: +-1 alternating
    wave[0, 0] = torch.where(torch.arange(4096) % 2 == 0, 1.0, -1.0)
    emph = preemphasis(wave, coeff)
    assert emph.shape == wave.shape
    assert emph.abs().max() <= 1.0
    torch.testing.assert_close(deemphasis(emph, coeff), wave, atol=2e-5, rtol=0)


def test_preemphasis_tilts_low_frequencies_down_by_the_filter_gain():
    rate, coeff = 8000, 0.7
    t = torch.arange(8000) / rate
    low, high = torch.sin(2 * math.pi * 50 * t), torch.sin(2 * math.pi * 3500 * t)

    def rms(x):  # past the first sample's edge
        return x[100:].square().mean().sqrt()

    gain_db = 20 * torch.log10(rms(preemphasis(high, coeff)) / rms(preemphasis(low, coeff)))
    expected = 20 * math.log10(abs(1 - coeff * np.exp(-2j * math.pi * 3500 / rate))
                               / abs(1 - coeff * np.exp(-2j * math.pi * 50 / rate)))
    assert abs(float(gain_db) - expected) < 0.1 and expected > 14
    # the first sample has no predecessor: x[-1] counts as 0
    assert float(preemphasis(torch.ones(4), coeff)[0]) == pytest.approx(1 / 1.7)


@pytest.mark.parametrize("coeff", [-0.1, 1.0, 1.5])
def test_emphasis_rejects_coefficients_outside_zero_to_one(coeff):
    for fn in (preemphasis, deemphasis):
        with pytest.raises(ValueError, match=r"\[0, 1\)"):
            fn(torch.zeros(8), coeff)
