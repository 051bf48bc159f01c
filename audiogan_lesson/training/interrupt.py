"""Ctrl-C during training: finish the step, save, then stop (notebooks 02-06, ``train``).

Inside :func:`deferred_sigint` the first SIGINT only sets ``stop.requested``; the training loop
checks it between steps, writes a checkpoint and raises ``KeyboardInterrupt``. A second Ctrl-C
stops at once. Outside the main thread (where Python delivers no signals) it does nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator


class StopRequest:
    """Set by the first Ctrl-C: ``requested`` is True until the loop clears it."""

    def __init__(self) -> None:
        self.requested = False


@contextlib.contextmanager
def deferred_sigint(stop: StopRequest) -> Iterator[StopRequest]:
    """Turn the first Ctrl-C into ``stop.requested = True``; restore the old handler after."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.getsignal(signal.SIGINT)

    def request_stop(signum, frame):
        if stop.requested:  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.requested = True

    signal.signal(signal.SIGINT, request_stop)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT,
                      previous if previous is not None else signal.default_int_handler)


def save_on_interrupt(trainer, in_step: bool) -> None:
    """After Ctrl-C: write a checkpoint of ``trainer`` unless the stop came inside a step (its
    state is then half-updated) or its values are not finite; say what happened."""
    if in_step:
        print(f"interrupted in the middle of step {trainer.step + 1}: no checkpoint written "
              f"(the last one: {trainer.last_checkpoint})")
        return
    try:
        path = trainer.save()
    except FloatingPointError as exc:  # NonFiniteLossError: nothing good to save
        print(f"interrupted; no checkpoint written: {exc}")
        return
    print(f"interrupted at step {trainer.step}; checkpoint saved to {path}")
