"""The profile's WGAN-GP recipe fields (notebook 05): applied to WGAN-GP runs only, paper values by default."""

from audiogan_lesson.experiments import make_experiment, wgan_recipe
from audiogan_lesson.profiles import TrainScale, get_profile


def test_paper_values_by_default():
    assert wgan_recipe(TrainScale(), "wgan-gp") == {}
    exp = make_experiment("wavegan", "toy-drums", get_profile("gpu", device="cpu").with_scale(
        "wavegan", width=2, batch_size=4, slice_len=4096, sample_rate=8000), n_train=8)
    assert (exp.config.n_critic, exp.config.lr_g, exp.config.lr_d) == (5, 1e-4, 1e-4)


def test_profile_scales_the_wgan_recipe_only():
    profile = get_profile("smoke").with_scale("wavegan", wgan_n_critic=2, wgan_lr=3e-4)
    wgan = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8)
    assert (wgan.config.n_critic, wgan.config.lr_g, wgan.config.lr_d) == (2, 3e-4, 3e-4)
    bce = make_experiment("wavegan", "toy-drums", profile, loss="bce", n_train=8)
    assert (bce.config.n_critic, bce.config.lr_g, bce.config.lr_d) == (1, 1e-4, 1e-4)


def test_explicit_options_win_over_the_profile():
    profile = get_profile("smoke").with_scale("wavegan", wgan_n_critic=2, wgan_lr=3e-4)
    exp = make_experiment("wavegan", "toy-drums", profile, loss="wgan-gp", n_train=8,
                          n_critic=5, lr_g=1e-4)
    assert (exp.config.n_critic, exp.config.lr_g, exp.config.lr_d) == (5, 1e-4, 3e-4)
