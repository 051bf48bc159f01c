"""GAN models of the course: dense baseline, SpecGAN, WaveGAN, GANSynth, and their layers."""
