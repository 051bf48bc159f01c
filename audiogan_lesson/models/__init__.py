"""GAN models of the course: dense baseline, SpecGAN, WaveGAN, GANSynth, and their layers.

``layers`` holds the building blocks and the config plumbing of every model; ``dcgan`` the
stacks that WaveGAN and SpecGAN share; ``summary`` the printable layer tables.
"""
