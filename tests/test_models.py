"""WaveGAN, SpecGAN and the dense baseline: paper sizes, shapes, options, configs, layer tables
(audiogan_lesson.models.wavegan, .specgan, .dense, .summary)."""

import dataclasses

import pytest
import torch
from torch import nn

from audiogan_lesson.models.dense import (
    DenseDiscriminator,
    DenseGenerator,
    discriminator_widths,
    generator_widths,
)
from audiogan_lesson.models.layers import PhaseShuffle, PostFilter, ResizeConv, sample_latent
from audiogan_lesson.models.specgan import SpecGANDiscriminator, SpecGANGenerator
from audiogan_lesson.models.summary import count_parameters, layer_rows, layer_table
from audiogan_lesson.models.wavegan import (
    WaveGANDiscriminator,
    WaveGANGenerator,
    WaveGANGeneratorConfig,
)
from audiogan_lesson.profiles import get_profile

G_PARAMS, D_PARAMS = 19_065_345, 17_427_969  # Donahue et al. 2019, d=64, c=1
ALL_MODELS = [WaveGANGenerator, WaveGANDiscriminator, SpecGANGenerator, SpecGANDiscriminator,
              DenseGenerator, DenseDiscriminator]


@pytest.fixture(scope="module")
def paper():
    torch.manual_seed(0)
    return {cls.__name__: cls() for cls in ALL_MODELS[:4]}


def kinds(model, types):
    return [m for m in model.modules() if isinstance(m, types)]


# ----------------------------------------------------------------------------- paper sizes


@pytest.mark.parametrize("name, expected", [("WaveGANGenerator", G_PARAMS),
                                            ("SpecGANGenerator", G_PARAMS),
                                            ("WaveGANDiscriminator", D_PARAMS),
                                            ("SpecGANDiscriminator", D_PARAMS)])
def test_paper_parameter_counts(paper, name, expected):
    assert count_parameters(paper[name]) == expected


@pytest.mark.parametrize("upsample", ["nn", "linear", "cubic"])
def test_resize_upsampling_keeps_the_parameter_count(upsample):
    with torch.device("meta"):  # sizes only, no memory
        assert count_parameters(WaveGANGenerator(upsample=upsample)) == G_PARAMS
        assert count_parameters(SpecGANGenerator(upsample=upsample)) == G_PARAMS


def test_paper_shapes(paper):
    z = sample_latent(2, 100, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        audio = paper["WaveGANGenerator"](z)
        spec = paper["SpecGANGenerator"](z)
        assert audio.shape == (2, 1, 16384) and spec.shape == (2, 1, 128, 128)
        assert audio.abs().max() <= 1 and spec.abs().max() <= 1  # tanh
        assert paper["WaveGANDiscriminator"].eval()(audio).shape == (2,)
        assert paper["SpecGANDiscriminator"](spec).shape == (2,)


def test_paper_architecture_details(paper):
    g, d = paper["WaveGANGenerator"], paper["WaveGANDiscriminator"]
    convs = kinds(g, nn.ConvTranspose1d)
    assert [(c.in_channels, c.out_channels, c.kernel_size[0], c.stride[0]) for c in convs] == [
        (1024, 512, 25, 4), (512, 256, 25, 4), (256, 128, 25, 4), (128, 64, 25, 4), (64, 1, 25, 4)]
    assert len(kinds(g, nn.ReLU)) == 5 and isinstance(list(g.net)[-1], nn.Tanh)
    assert [m.negative_slope for m in kinds(d, nn.LeakyReLU)] == [0.2] * 5
    shuffles = kinds(d, PhaseShuffle)
    assert [s.n for s in shuffles] == [2, 2, 2, 2] and not shuffles[0].per_example
    names = list(dict(d.net.named_children()))
    for i in range(4):  # after each of the first four convolutions' LeakyReLU
        assert names.index(f"phase_shuffle_{i}") == names.index(f"downconv_{i}_lrelu") + 1
    for model in paper.values():
        assert not kinds(model, (nn.BatchNorm1d, nn.BatchNorm2d)), "batch norm is off by default"
    s = kinds(paper["SpecGANGenerator"], nn.ConvTranspose2d)
    assert all(c.kernel_size == (5, 5) and c.stride == (2, 2) for c in s)


def test_weights_start_like_tensorflow(paper):
    for model in paper.values():
        for m in kinds(model, (nn.Linear, nn.Conv1d, nn.ConvTranspose1d, nn.Conv2d,
                               nn.ConvTranspose2d)):
            assert torch.count_nonzero(m.bias) == 0
    w = paper["WaveGANGenerator"].net.z_project.weight  # Glorot-uniform bound sqrt(6/(in+out))
    assert w.abs().max() <= (6 / (100 + 16384)) ** 0.5


# ----------------------------------------------------------------------------- slice lengths


@pytest.mark.parametrize("slice_len, last_stride, extra_d_stride", [(32768, 2, 2), (65536, 4, 4)])
def test_longer_slices_add_a_layer_as_the_original(slice_len, last_stride, extra_d_stride):
    g = WaveGANGenerator(d=2, slice_len=slice_len)
    d = WaveGANDiscriminator(d=2, slice_len=slice_len)
    convs = kinds(g, nn.ConvTranspose1d)
    assert len(convs) == 6 and convs[-1].stride[0] == last_stride
    assert [c.out_channels for c in convs] == [32, 16, 8, 4, 2, 1]
    assert g.net.z_project.out_features == 16 * 32 * 2
    dconvs = kinds(d, nn.Conv1d)
    assert len(dconvs) == 6 and dconvs[-1].stride[0] == extra_d_stride
    assert dconvs[-1].out_channels == 64 and len(kinds(d, PhaseShuffle)) == 4
    audio = g(sample_latent(2, 100))
    assert audio.shape == (2, 1, slice_len) and d(audio).shape == (2,)


def test_longer_slice_parameter_counts():
    with torch.device("meta"):
        assert count_parameters(WaveGANGenerator(slice_len=32768)) == 73_149_953
        assert count_parameters(WaveGANGenerator(slice_len=65536)) == 73_149_953
        assert count_parameters(WaveGANDiscriminator(slice_len=32768)) == 69_875_201


@pytest.mark.parametrize("slice_len", [1024, 4096, 8192])
def test_shorter_slices_keep_five_layers(slice_len):
    g = WaveGANGenerator(d=2, slice_len=slice_len)
    d = WaveGANDiscriminator(d=2, slice_len=slice_len)
    assert len(kinds(g, nn.ConvTranspose1d)) == 5 and len(kinds(d, nn.Conv1d)) == 5
    assert g.net.reshape.unflattened_size == (32, slice_len // 1024)
    audio = g(sample_latent(3, 100))
    assert audio.shape == (3, 1, slice_len) and d(audio).shape == (3,)


@pytest.mark.parametrize("bad", [10000, 512, 20480, 131072])
def test_unsupported_slice_len_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=f"slice_len={bad} is not supported.*16384"):
        WaveGANGenerator(slice_len=bad)
    with pytest.raises(ValueError, match="slice_len"):
        WaveGANDiscriminator(slice_len=bad)


# ----------------------------------------------------------------------------- options


@pytest.mark.parametrize("upsample", ["zeros", "nn", "linear", "cubic"])
def test_upsampling_modes_in_both_generators(upsample):
    wave = WaveGANGenerator(d=2, slice_len=4096, upsample=upsample)
    spec = SpecGANGenerator(d=2, upsample=upsample)
    z = sample_latent(2, 100)
    assert wave(z).shape == (2, 1, 4096) and spec(z).shape == (2, 1, 128, 128)
    transposed = (nn.ConvTranspose1d, nn.ConvTranspose2d)
    for g in (wave, spec):
        if upsample == "zeros":
            assert len(kinds(g, transposed)) == 5 and not kinds(g, ResizeConv)
        else:
            assert not kinds(g, transposed)
            assert [r.mode for r in kinds(g, ResizeConv)] == [upsample] * 5


def test_post_filter_option():
    g = WaveGANGenerator(d=2, slice_len=4096, post_filter=512)
    assert count_parameters(g) == count_parameters(WaveGANGenerator(d=2, slice_len=4096)) + 512
    assert isinstance(list(g.net)[-1], PostFilter)  # after the tanh, as in the original
    assert g(sample_latent(2, 100)).shape == (2, 1, 4096)
    assert not kinds(WaveGANGenerator(d=2, slice_len=4096), PostFilter)


def test_batch_norm_option():
    assert len(kinds(WaveGANGenerator(d=2, slice_len=4096, batch_norm=True), nn.BatchNorm1d)) == 5
    assert len(kinds(WaveGANDiscriminator(d=2, slice_len=4096, batch_norm=True),
                     nn.BatchNorm1d)) == 4
    assert len(kinds(SpecGANGenerator(d=2, batch_norm=True), nn.BatchNorm2d)) == 5
    assert len(kinds(SpecGANDiscriminator(d=2, batch_norm=True), nn.BatchNorm2d)) == 4


def test_multichannel_models():
    g, d = WaveGANGenerator(d=2, c=2, slice_len=2048), WaveGANDiscriminator(d=2, c=2,
                                                                           slice_len=2048)
    assert d(g(sample_latent(2, 100))).shape == (2,)
    sg, sd = SpecGANGenerator(d=2, c=2), SpecGANDiscriminator(d=2, c=2)
    assert sd(sg(sample_latent(2, 100))).shape == (2,)


# ----------------------------------------------------------------------------- phase shuffle in D


def twin_discriminators(**kwargs):
    torch.manual_seed(0)
    d = WaveGANDiscriminator(d=4, slice_len=4096, **kwargs)
    off = WaveGANDiscriminator(d=4, slice_len=4096, phase_shuffle=0)
    off.load_state_dict(d.state_dict())
    return d, off


@pytest.mark.parametrize("per_example", [False, True])
def test_discriminator_shuffles_in_train_mode_only(per_example):
    d, off = twin_discriminators(phase_shuffle=2, phase_shuffle_per_example=per_example)
    x = torch.randn(8, 1, 4096, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(2)
    with torch.no_grad():
        train_outs = [d.train()(x) for _ in range(5)]
        reference = off.train()(x)
        assert torch.equal(reference, off(x)), "phase_shuffle=0 must never shuffle"
        assert any(not torch.allclose(o, reference) for o in train_outs), \
            "phase_shuffle=2 in training mode never changed the output: inverted on/off flag?"
        assert not all(torch.allclose(o, train_outs[0]) for o in train_outs)
        d.eval()
        assert torch.equal(d(x), off.eval()(x)), "eval mode must not shuffle"
        assert torch.equal(d(x), reference)


def test_discriminator_shuffle_uses_the_seeded_global_generator():
    d, _ = twin_discriminators()
    x = torch.randn(4, 1, 4096)
    torch.manual_seed(5)
    a = d(x)
    torch.manual_seed(5)
    assert torch.equal(a, d(x))


def test_phase_shuffle_zero_removes_the_layers():
    assert not kinds(WaveGANDiscriminator(d=2, slice_len=4096, phase_shuffle=0), PhaseShuffle)
    per = WaveGANDiscriminator(d=2, slice_len=4096, phase_shuffle_per_example=True)
    assert all(s.per_example for s in kinds(per, PhaseShuffle))


def test_models_run_on_any_device():
    with torch.device("meta"):  # no tensor may be created on a fixed device inside forward
        d = WaveGANDiscriminator(d=2, slice_len=4096, phase_shuffle_per_example=True)
        out = d(torch.zeros(3, 1, 4096))
        assert out.device.type == "meta" and out.shape == (3,)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_models_on_cuda():
    for cls in (WaveGANGenerator, SpecGANGenerator, DenseGenerator):
        g = cls(**({"d": 4} if cls is not DenseGenerator else {"width": 16})).cuda()
        assert g(sample_latent(2, 100, device="cuda")).is_cuda
    d = WaveGANDiscriminator(d=4, phase_shuffle_per_example=True).cuda()
    assert d(torch.zeros(2, 1, 16384, device="cuda")).is_cuda


# ----------------------------------------------------------------------------- configs


SMALL = {WaveGANGenerator: dict(d=2, slice_len=2048, upsample="nn", post_filter=16),
         WaveGANDiscriminator: dict(d=2, slice_len=2048, phase_shuffle=1),
         SpecGANGenerator: dict(d=2, upsample="linear"), SpecGANDiscriminator: dict(d=2),
         DenseGenerator: dict(width=16, slice_len=256), DenseDiscriminator: dict(width=16,
                                                                                 slice_len=256)}


@pytest.mark.parametrize("cls", ALL_MODELS)
def test_config_rebuilds_the_model(cls):
    model = cls(**SMALL[cls])
    config = model.config
    assert dataclasses.is_dataclass(config) and type(config).__name__ == cls.__name__ + "Config"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.c = 3
    twin = type(model)(**dataclasses.asdict(config))
    same = cls.from_config(config)
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    for other in (twin, same, cls.from_config(dataclasses.asdict(config))):
        assert other.config == config
        assert {k: v.shape for k, v in other.state_dict().items()} == shapes
    for k, v in SMALL[cls].items():
        assert getattr(config, k) == v


def test_config_defaults_are_the_paper():
    c = WaveGANGeneratorConfig()
    assert (c.d, c.c, c.latent_dim, c.slice_len, c.upsample, c.post_filter, c.kernel_len,
            c.batch_norm) == (64, 1, 100, 16384, "zeros", 0, 25, False)
    dc = WaveGANDiscriminator.config_class()
    assert (dc.phase_shuffle, dc.phase_shuffle_per_example, dc.negative_slope) == (2, False, 0.2)
    with pytest.raises(TypeError, match="expected a WaveGANGeneratorConfig"):
        WaveGANGenerator.from_config(dc)


@pytest.mark.parametrize("build, message", [
    (lambda: WaveGANGenerator(upsample="bilinear"), "upsample='bilinear'.*zeros, nn"),
    (lambda: SpecGANGenerator(upsample="transposed"), "upsample='transposed'"),
    (lambda: WaveGANDiscriminator(phase_shuffle=-1), "phase_shuffle=-1"),
    (lambda: WaveGANGenerator(d=0), "d=0"),
    (lambda: WaveGANGenerator(post_filter=-5), "post_filter=-5"),
    (lambda: DenseDiscriminator(dropout=1.0), "dropout=1.0"),
    (lambda: DenseGenerator(width=2), "width=2"),
])
def test_bad_configs_are_clear_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize("model, bad, message", [
    (lambda: WaveGANGenerator(d=2, slice_len=1024), torch.zeros(2, 64), r"\(batch, 100\)"),
    (lambda: WaveGANDiscriminator(d=2, slice_len=1024), torch.zeros(2, 1, 1000), "1, 1024"),
    (lambda: SpecGANDiscriminator(d=2), torch.zeros(2, 128, 128), "1, 128, 128"),
    (lambda: DenseDiscriminator(width=8, slice_len=64), torch.zeros(2, 64), "1, 64"),
])
def test_wrong_input_shapes_are_clear_errors(model, bad, message):
    with pytest.raises(ValueError, match=message):
        model()(bad)


# ----------------------------------------------------------------------------- dense baseline


def test_dense_baseline_layout():
    assert generator_widths(1024) == (512, 512, 1024, 1024)
    assert discriminator_widths(1024) == (1024, 512, 256)
    with torch.device("meta"):
        g, d = DenseGenerator(), DenseDiscriminator()
    assert [m.out_features for m in kinds(g, nn.Linear)] == [512, 512, 1024, 1024, 16384]
    assert [m.out_features for m in kinds(d, nn.Linear)] == [1024, 512, 256, 1]
    assert len(kinds(g, nn.ReLU)) == 4 and isinstance(list(g.net)[-2], nn.Tanh)
    assert [m.negative_slope for m in kinds(d, nn.LeakyReLU)] == [0.2] * 3
    assert [m.p for m in kinds(d, nn.Dropout)] == [0.3] * 3


def test_dense_shapes_and_width_scale():
    g, d = DenseGenerator(width=16, slice_len=4096), DenseDiscriminator(width=16, slice_len=4096)
    assert [m.out_features for m in kinds(g, nn.Linear)] == [8, 8, 16, 16, 4096]
    audio = g(sample_latent(5, 100))
    assert audio.shape == (5, 1, 4096) and audio.abs().max() <= 1
    assert d(audio).shape == (5,)
    assert not kinds(DenseDiscriminator(width=16, slice_len=64, dropout=0.0), nn.Dropout)


# ----------------------------------------------------------------------------- layer table


def test_wavegan_layer_table_matches_the_paper(paper):
    g = paper["WaveGANGenerator"]
    g.train()
    table = layer_table(g, paper_order=True)
    assert g.training, "layer_table must restore the training flag"
    assert table.endswith("Total parameters: 19,065,345")
    paper_shapes = ["(n, 100)", "(n, 16384)", "(n, 16, 1024)", "(n, 64, 512)", "(n, 256, 256)",
                    "(n, 1024, 128)", "(n, 4096, 64)", "(n, 16384, 1)"]
    positions = [table.index(s) for s in paper_shapes]
    assert positions == sorted(positions)
    assert "ConvTranspose1d(1024->512, k=25, s=4)" in table and "13,107,712" in table
    torch_order = layer_table(g)
    assert "(n, 1024, 16)" in torch_order and "(n, 1, 16384)" in torch_order


def test_layer_tables_of_discriminators(paper):
    wave = layer_table(paper["WaveGANDiscriminator"], (1, 16384))
    assert wave.endswith("Total parameters: 17,427,969") and wave.count("PhaseShuffle(n=2)") == 4
    assert "(n, 1024, 16)" in wave and "Dense(16384->1)" in wave
    spec = layer_table(paper["SpecGANDiscriminator"], paper_order=True)
    assert "(n, 4, 4, 1024)" in spec and spec.endswith("17,427,969")


def test_layer_rows_sum_to_the_total():
    for model in (WaveGANGenerator(d=2, slice_len=2048, upsample="cubic", post_filter=8,
                                   batch_norm=True), SpecGANDiscriminator(d=2),
                  DenseDiscriminator(width=8, slice_len=64)):
        rows = layer_rows(model)
        assert sum(r.params for r in rows) == count_parameters(model)
    with pytest.raises(ValueError, match="input_shape"):
        layer_table(nn.Linear(3, 4))
    assert layer_table(nn.Linear(3, 4), (3,)).endswith("Total parameters: 16")


# ----------------------------------------------------------------------------- profiles


@pytest.mark.parametrize("profile", ["smoke", "laptop", "gpu"])
def test_profile_scales_build_valid_models(profile):
    p = get_profile(profile)
    wave, spec = p.scale("wavegan"), p.scale("specgan")
    with torch.device("meta"):
        WaveGANGenerator(d=wave.width, slice_len=wave.slice_len)
        WaveGANDiscriminator(d=wave.width, slice_len=wave.slice_len)
        SpecGANGenerator(d=spec.width)
    if profile == "gpu":
        assert (wave.width, wave.batch_size, wave.slice_len) == (64, 64, 16384)
        assert (spec.width, spec.batch_size) == (64, 64)
    if profile == "smoke":
        assert wave.width <= 8 and spec.width <= 8
