"""audiogan_lesson: the helper package of a notebook-first course on adversarial audio synthesis.

Each module names the notebooks it serves. Submodules are imported on demand, so
``import audiogan_lesson`` stays light and never imports matplotlib or librosa by itself.
"""

__version__ = "0.1.0"
