"""GANSynth's consistent output (a course option): the generator's full-size images pass through
the representation's way to audio and back (spectral.IFSpectrogram.round_trip,
representations.MelIFImages.round_trip), so that what the discriminator sees is what the audio
holds (audiogan_lesson.models.gansynth, notebook 06)."""

import torch

from audiogan_lesson.data.synthetic import toy_notes
from audiogan_lesson.experiments import make_experiment
from audiogan_lesson.models.gansynth import GANSynthGenerator, GANSynthGeneratorConfig
from audiogan_lesson.profiles import get_profile
from audiogan_lesson.recipes import Recipe
from audiogan_lesson.representations import MelIFImages
from audiogan_lesson.spectral import IFSpecConfig

SMALL = dict(num_resolutions=3, fmap_base=64, fmap_max=8, pitches=(60, 62, 64))


def laptop_images(n=8, mel=True):
    """The laptop profile's mel-IF images (16 x 128, 8 kHz) of ``n`` toy notes, MIDI 48-72."""
    rep = MelIFImages(IFSpecConfig(n_fft=256, hop=128, length=2048, sample_rate=8000, mel=mel))
    notes = toy_notes(n, seed=1, sample_rate=8000, length=2048, pitches=range(48, 73))
    return rep, rep.encode(notes.waves)


def test_round_trip_is_decode_then_encode():
    for mel in (True, False):
        rep, images = laptop_images(mel=mel)
        got = rep.round_trip(images)
        want = rep.encode(rep.decode(images))
        assert got.shape == images.shape
        diff = (got - want).abs()
        # equal but for the phase of the few bins of (near) zero magnitude, which is set to 0
        assert diff.mean() < 2e-3 and (diff > 0.1).float().mean() < 0.005, (mel, diff.mean())


def test_round_trip_drops_what_decoding_drops():
    rep, images = laptop_images(4)
    mel = rep.transform._mel.float()
    u, s, _ = torch.linalg.svd(mel.double())
    unused = u[:, s < 1e-6 * s[0]].float()  # mel vectors outside the mel matrix's range
    assert unused.shape[1] == 128 - 100  # 100 of the 128 values of a frame reach the audio
    moved = images.clone()
    moved[:, 1] += 0.3 * unused[:, 0]  # the same unused pattern in every frame of the IF
    added = (moved - images).abs().mean()
    torch.testing.assert_close(rep.decode(moved), rep.decode(images), atol=1e-4, rtol=0)
    again = rep.round_trip(moved) - rep.round_trip(images)
    assert again.abs().mean() < 0.1 * added  # gone: an identity round trip keeps all of it


def test_round_trip_gradients_stay_finite():
    rep, images = laptop_images(2)
    for x in (torch.rand(3, *images.shape[1:]) * 2 - 1, torch.full((2, *images.shape[1:]), -1.0)):
        x.requires_grad_(True)
        rep.round_trip(x).square().sum().backward()
        assert torch.isfinite(x.grad).all()


def test_the_output_view_applies_to_full_size_images_only():
    assert GANSynthGeneratorConfig().consistent_output is False  # the paper
    g = GANSynthGenerator(**SMALL, consistent_output=True)
    z, labels = torch.randn(2, g.latent_dim), torch.tensor([0, 2])
    g.set_output_view(lambda x: torch.full_like(x, 0.5))
    assert not torch.all(g(z, labels, stage=2) == 0.5)  # 4 x 32: a smaller stage
    assert torch.all(g(z, labels, stage=3, alpha=0.5) == 0.5)  # fade-in to full size
    assert torch.all(g(z, labels, stage=4) == 0.5)
    g.set_output_view(None)
    assert not torch.all(g(z, labels, stage=4) == 0.5)


def test_training_gives_a_consistent_generator_its_round_trip():
    profile = get_profile("smoke", device="cpu")
    for consistent in (False, True):
        exp = make_experiment("gansynth", "toy-notes", profile, n_train=16, log_every=1,
                              recipe=Recipe(generator=dict(consistent_output=consistent)))
        trainer = exp.trainer()
        trainer.train(steps=10, progress=False)  # stages 0-4 of the smoke profile, 2 steps each
        assert trainer.generator.stage == 4
        for model in (trainer.generator, trainer.ema):
            view = model.output_view
            assert (view is not None) == consistent
            if consistent:
                assert view.__func__ is MelIFImages.round_trip
        assert all(torch.isfinite(torch.tensor(r["g_loss"])) for r in trainer.history)
        if consistent:  # the discriminator saw the audio's images: round_trip of the raw ones
            g, z = trainer.generator, torch.randn(2, 256)
            with torch.no_grad():
                seen = g(z, torch.tensor([0, 1]))
                g.set_output_view(None)
                raw = g(z, torch.tensor([0, 1]))
            assert (seen - raw).abs().mean() > 0.01
            torch.testing.assert_close(seen, exp.representation.round_trip(raw))
