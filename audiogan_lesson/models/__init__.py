"""GAN models of the course: dense baseline, SpecGAN, the mel-image GAN, WaveGAN, GANSynth,
PianoGAN, and their layers.

``layers`` holds the building blocks and the config plumbing of every model; ``dcgan`` the
stacks that WaveGAN, SpecGAN and the mel-image GAN (``melimage``) share; ``summary`` the
printable layer tables.
"""
