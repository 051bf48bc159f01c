"""Class-conditional WaveGAN and SpecGAN (audiogan_lesson.models.conditional, notebook 09): the
paper's models unchanged, the generator's one-hot, projection and AC-GAN discriminators,
labels from the datasets, the command line's --conditional and --label."""

import numpy as np
import pytest
import soundfile as sf
import torch

from audiogan_lesson.cli import main
from audiogan_lesson.experiments import make_experiment
from audiogan_lesson.models.conditional import (CONDITIONINGS, one_hot_beside,
                                                projection_term, resolve_label)
from audiogan_lesson.models.specgan import SpecGANDiscriminator, SpecGANGenerator
from audiogan_lesson.models.wavegan import WaveGANDiscriminator, WaveGANGenerator
from audiogan_lesson.profiles import get_profile
from audiogan_lesson.runs import load_run, sample_batches

SMOKE = ["--profile", "smoke", "--n-train", "32"]


def _count(model):
    return sum(p.numel() for p in model.parameters())


def _ckpt(folder):
    return sorted(folder.glob("ckpt_*.pt"))[-1]


# ----------------------------------------------------------------------------- the paper's models


def test_default_models_keep_the_papers_parameter_counts():
    for gen, disc in ((WaveGANGenerator(), WaveGANDiscriminator()),
                      (SpecGANGenerator(), SpecGANDiscriminator())):
        assert _count(gen) == 19_065_345 and _count(disc) == 17_427_969
        assert gen.config.n_classes == 0 and disc.config.n_classes == 0
        assert not hasattr(disc, "embed") and not hasattr(disc, "classify")


# The same seed gave these numbers before the conditional option existed (measured on the
# package as it was, then and now with one thread).
BEFORE = {
    "WaveGANGenerator": (14.325684439507484, 29.592200085562865,
                         [-0.00018117875151801854, -4.987454667571001e-05,
                          -0.00012437524856068194]),
    "SpecGANGenerator": (-27.21225027390699, 74.71983486799434,
                         [0.00011661864846246317, 2.261011286464054e-05,
                          0.00018889288185164332]),
}
# make_experiment(model, "toy-drums", smoke, n_train=32, steps=3) after torch.manual_seed(0), one
# thread: the last row's d_loss and g_loss and the generator's weight sum, measured on the package
# as it was before the conditional option existed (7e42596^) and now, on one machine: equal.
BEFORE_TRAINING = {
    "wavegan": (8.936814626057943, 0.0022648452625920377, 16.438313461542748),
    "specgan": (8.576979001363119, 0.0014573139099714656, -10.694248710145075),
}
# Adam's first steps move a weight by about lr * sign(gradient); where a gradient is near zero its
# sign follows the CPU's kernels, so the weight sum moves a little between machines (0.016 apart
# between an AMD EPYC and an Intel Xeon) while the losses agree to 1e-4. A changed model or
# training round moves it by far more (three steps move it by about 1).
WEIGHT_SUM_ATOL = 0.05


@pytest.mark.parametrize("model", ["wavegan", "specgan"])
def test_default_training_is_unchanged(model):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)  # the models' initial weights come from the global generator
        exp = make_experiment(model, "toy-drums", get_profile("smoke"), loss="wgan-gp",
                              n_train=32, steps=3)
        assert not exp.config.conditional and exp.generator.config.n_classes == 0
        trainer = exp.trainer()
        trainer.train(progress=False)
    finally:
        torch.set_num_threads(threads)
    d_loss, g_loss, weights = BEFORE_TRAINING[model]
    assert trainer.history[-1]["d_loss"] == pytest.approx(d_loss, rel=1e-4)
    assert trainer.history[-1]["g_loss"] == pytest.approx(g_loss, rel=1e-3, abs=1e-6)
    total = sum(p.double().sum().item() for p in exp.generator.parameters())
    assert total == pytest.approx(weights, abs=WEIGHT_SUM_ATOL)


# ----------------------------------------------------------------------------- the models


def test_generator_puts_a_one_hot_beside_the_latent():
    gen = WaveGANGenerator(d=4, slice_len=2048, n_classes=3, label_scale=2.0)
    assert gen.net.z_project.in_features == 103
    assert _count(gen) == (_count(WaveGANGenerator(d=4, slice_len=2048))
                           + 3 * gen.net.z_project.out_features)
    z = torch.zeros(2, 100)
    inputs = one_hot_beside(z, torch.tensor([2, 0]), 3, 2.0)
    assert inputs[:, 100:].tolist() == [[0, 0, 2], [2, 0, 0]]
    a = gen(z, torch.tensor([0, 1]))
    assert a.shape == (2, 1, 2048) and not torch.allclose(a[0], a[1])  # the label changes it
    with pytest.raises(ValueError, match="G\\(z, labels\\)"):
        gen(z)
    with pytest.raises(ValueError, match="0..2"):
        gen(z, torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="unconditional"):
        WaveGANGenerator(d=4, slice_len=2048)(z, torch.tensor([0, 1]))


@pytest.mark.parametrize("disc_cls, options, shape", [
    (WaveGANDiscriminator, dict(d=4, slice_len=2048), (3, 1, 2048)),
    (SpecGANDiscriminator, dict(d=4), (3, 1, 128, 128)),
])
def test_projection_discriminator_adds_the_inner_product(disc_cls, options, shape):
    torch.manual_seed(0)
    disc = disc_cls(n_classes=4, conditioning="projection", **options).eval()
    assert disc.takes_labels
    x, y = torch.randn(shape), torch.tensor([3, 0, 1])
    features = disc.net[:-1](x)
    plain = disc.net.output(features).squeeze(1)
    expected = plain + (disc.embed.weight[y] * features).sum(1)
    torch.testing.assert_close(disc(x, y), expected)
    assert not torch.allclose(disc(x, y), disc(x, torch.tensor([0, 1, 2])))
    with pytest.raises(ValueError, match="D\\(x, labels\\)"):
        disc(x)


def test_acgan_discriminator_returns_class_logits():
    disc = SpecGANDiscriminator(d=4, n_classes=5, conditioning="acgan")
    assert not disc.takes_labels
    scores, logits = disc(torch.randn(2, 1, 128, 128))
    assert scores.shape == (2,) and logits.shape == (2, 5)
    with pytest.raises(ValueError, match="conditioning='x'"):
        WaveGANDiscriminator(d=4, slice_len=2048, n_classes=5, conditioning="x")
    with pytest.raises(ValueError, match="n_classes=1"):
        WaveGANGenerator(d=4, slice_len=2048, n_classes=1)


def test_projection_term_is_the_inner_product_per_example():
    torch.manual_seed(1)
    features, embedding = torch.randn(4, 6), torch.randn(3, 6)
    labels = torch.tensor([2, 0, 1, 2])
    loop = torch.stack([embedding[labels[n]] @ features[n] for n in range(4)])
    torch.testing.assert_close(projection_term(features, embedding, labels), loop)


# ----------------------------------------------------------------------------- labels


def test_resolve_label_takes_names_and_indices_and_lists_classes_on_error():
    classes = ["kick", "snare", "hihat"]
    assert resolve_label("snare", classes, True) == 1
    assert resolve_label("2", classes, True) == 2 and resolve_label(0, classes, True) == 0
    for bad in ("cowbell", "3", "-1"):
        with pytest.raises(ValueError, match="0=kick, 1=snare, 2=hihat"):
            resolve_label(bad, classes, True)
    with pytest.raises(ValueError, match="unconditional.*0=kick"):
        resolve_label("kick", classes, False)


def test_sample_batches_give_one_class_in_seeded_batches(tmp_path):
    exp = make_experiment("wavegan", "toy-drums", get_profile("smoke"), n_train=16, steps=1,
                          preview_every=0, conditional=True)
    exp.trainer(tmp_path).train(progress=False)
    run = load_run(_ckpt(tmp_path))
    seen, decode = [], run.decode

    def recording(z, labels):
        seen.append(labels)
        return decode(z, labels)

    run.decode = recording
    out = torch.cat([w for w, _ in sample_batches(run, 5, seed=3, batch_size=2, label=2)])
    again = torch.cat([w for w, _ in sample_batches(run, 5, seed=3, batch_size=2, label=2)])
    assert out.shape == (5, exp.real.waves.shape[1]) and torch.equal(out, again)
    assert len(seen) == 6 and all(bool((lab == 2).all()) for lab in seen)


@pytest.mark.parametrize("dataset, classes", [
    ("toy-drums", ["kick", "snare", "hihat", "clap", "tom"]),
    ("toy-notes", None),
])
def test_labels_come_from_the_toy_datasets(dataset, classes):
    exp = make_experiment("wavegan", dataset, get_profile("smoke"), n_train=32, steps=1,
                          conditional=True)
    names = exp.real.classes
    if classes is not None:
        assert names == classes
    assert len(names) >= 2 and exp.generator.config.n_classes == len(names)
    assert exp.discriminator.config.n_classes == len(names) and exp.config.conditional
    assert exp.meta()["classes"] == names


def test_labels_come_from_a_folders_sub_folders(tmp_path):
    rate = 8000
    for name, freq in (("low", 110.0), ("high", 880.0)):
        (tmp_path / name).mkdir()
        for i in range(3):
            t = np.arange(4096) / rate
            sf.write(tmp_path / name / f"{i}.wav", 0.5 * np.sin(2 * np.pi * freq * (i + 1) * t),
                     rate)
    exp = make_experiment("wavegan", str(tmp_path), get_profile("smoke"), n_train=32, steps=1,
                          conditional="acgan")
    assert exp.real.classes == ["high", "low"] and exp.generator.config.n_classes == 2
    assert exp.discriminator.config.conditioning == "acgan" and exp.config.aux_weight > 0
    sf.write(tmp_path / "loose.wav", np.zeros(4096), rate)  # a file outside any class folder
    with pytest.raises(ValueError, match="1 examples have no class.*sub-folder"):
        make_experiment("wavegan", str(tmp_path), get_profile("smoke"), n_train=32, steps=1,
                        conditional=True)


def test_labels_come_from_urbansound8k_class_ids(tmp_path, monkeypatch):
    rate = 22050
    monkeypatch.setenv("AUDIOGAN_DATA", str(tmp_path / "data"))
    audio = tmp_path / "data" / "urbansound8k" / "UrbanSound8K" / "audio" / "fold1"
    audio.mkdir(parents=True)
    t = np.arange(rate // 4) / rate
    for name, freq in (("10-3-0-0.wav", 300.0), ("11-3-0-1.wav", 320.0), ("12-8-0-0.wav", 900.0),
                       ("13-8-1-0.wav", 950.0), ("14-6-0-0.wav", 2000.0)):
        sf.write(audio / name, 0.5 * np.sin(2 * np.pi * freq * t), rate)
    (audio.parents[2] / ".complete").write_text("extracted\n")
    exp = make_experiment("wavegan", "urbansound8k", get_profile("smoke"), n_train=32, steps=1,
                          conditional=True)
    assert exp.real.classes == ["dog_bark", "gun_shot", "siren"]
    assert sorted(exp.real.labels.tolist()) == [0, 0, 1, 2, 2]
    assert exp.generator.config.n_classes == 3 and exp.meta()["classes"] == exp.real.classes


def test_conditional_is_refused_where_it_does_not_apply():
    smoke = get_profile("smoke")
    with pytest.raises(ValueError, match="no class-conditional option.*wavegan"):
        make_experiment("dense", "toy-drums", smoke, n_train=32, conditional=True)
    with pytest.raises(ValueError, match="pitch already"):
        make_experiment("gansynth", "toy-notes", smoke, n_train=32, conditional=True)
    with pytest.raises(ValueError, match="choose one of acgan, projection"):
        make_experiment("wavegan", "toy-drums", smoke, n_train=32, conditional="infogan")
    assert CONDITIONINGS == ("acgan", "projection")
    assert make_experiment("wavegan", "toy-drums", smoke, n_train=32,
                           conditional=True).discriminator.config.conditioning == "acgan"


# ----------------------------------------------------------------------------- training


@pytest.mark.parametrize("conditioning, loss", [("projection", "wgan-gp"), ("acgan", "wgan-gp"),
                                                ("projection", "bce"), ("acgan", "bce")])
def test_conditional_wavegan_trains_its_label_parts(conditioning, loss):
    exp = make_experiment("wavegan", "toy-drums", get_profile("smoke"), loss=loss, n_train=32,
                          steps=3, conditional=conditioning)
    head = exp.discriminator.embed if conditioning == "projection" else exp.discriminator.classify
    head_before = head.weight.detach().clone()
    label_columns = exp.generator.net.z_project.weight[:, 100:].detach().clone()
    trainer = exp.trainer()
    trainer.train()
    assert np.isfinite(trainer.history[-1]["d_loss"])
    assert not torch.equal(head.weight, head_before)  # the critic's label part learns
    assert not torch.equal(exp.generator.net.z_project.weight[:, 100:], label_columns)
    if conditioning == "acgan":
        assert "aux_d" in trainer.history[-1] and "aux_g" in trainer.history[-1]


def test_command_line_conditional_train_generate_and_label_errors(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "wavegan", "--data", "toy-drums", "--conditional", "--steps", "2",
                 "--out", str(out), *SMOKE]) == 0
    assert ("conditional (acgan) on 5 classes: kick, snare, hihat, clap, tom"
            in capsys.readouterr().out)
    ckpt = _ckpt(out)
    run = load_run(ckpt)
    assert run.conditional and run.meta["classes"] == ["kick", "snare", "hihat", "clap", "tom"]

    for label, name in (("hihat", "hihat"), ("3", "clap")):
        folder = tmp_path / f"label_{label}"
        assert main(["generate", str(ckpt), "--label", label, "--n", "3",
                     "--out", str(folder)]) == 0
        files = sorted(folder.glob("*.wav"))
        assert [f.name for f in files] == [f"wavegan_{name}_{i:04d}.wav" for i in range(3)]
        audio, rate = sf.read(files[0])
        assert (rate == get_profile("smoke").scale("wavegan").sample_rate
                and np.isfinite(audio).all())
    # without --label: every class in turn
    assert main(["generate", str(ckpt), "--n", "5", "--out", str(tmp_path / "all")]) == 0
    assert len(list((tmp_path / "all").glob("*.wav"))) == 5
    capsys.readouterr()

    for label, says in (("cowbell", "no class of that name"), ("5", "index out of range"),
                        ("-1", "index out of range")):
        assert main(["generate", str(ckpt), "--label", label, "--out", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err
        assert says in err and "0=kick, 1=snare, 2=hihat, 3=clap, 4=tom" in err

    plain = tmp_path / "plain"
    assert main(["train", "wavegan", "--data", "toy-drums", "--steps", "1", "--out", str(plain),
                 *SMOKE]) == 0
    capsys.readouterr()
    assert main(["generate", str(_ckpt(plain)), "--label", "kick",
                 "--out", str(tmp_path / "y")]) == 2
    err = capsys.readouterr().err
    assert "unconditional" in err and "0=kick" in err and "--conditional" in err


@pytest.mark.parametrize("conditioning", ["projection", "acgan"])
def test_command_line_conditional_specgan_with_bce(tmp_path, conditioning):
    out = tmp_path / "spec"
    assert main(["train", "specgan", "--data", "toy-drums", "--loss", "bce", "--conditional",
                 conditioning, "--steps", "2", "--out", str(out), *SMOKE]) == 0
    ckpt = _ckpt(out)
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    assert state["models"]["discriminator"]["config"]["conditioning"] == conditioning
    assert state["meta"]["classes"] == ["kick", "snare", "hihat", "clap", "tom"]
    assert main(["generate", str(ckpt), "--label", "kick", "--n", "1", "--out",
                 str(tmp_path / "w")]) == 0
    assert len(list((tmp_path / "w").glob("specgan_kick_*.wav"))) == 1


def test_command_line_refuses_conditional_dense(tmp_path, capsys):
    assert main(["train", "dense", "--data", "toy-drums", "--conditional", "--steps", "1",
                 "--out", str(tmp_path / "d"), *SMOKE]) == 2
    assert "no class-conditional option" in capsys.readouterr().err
