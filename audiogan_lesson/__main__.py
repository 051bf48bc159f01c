"""``python -m audiogan_lesson train|generate|export|bench``: see :mod:`audiogan_lesson.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
