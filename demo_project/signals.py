"""SIGTERM as a clean exit for the demo's client and lessons.

Python's default SIGTERM action ends the process at once: no `finally`, no `with` exit. The
client and some lessons start helpers (a worker, beat, Flower, watchfiles) in sessions of
their own, which a signal to the caller's process group does not reach; only their cleanup
code stops them. `exit_on_sigterm()` turns SIGTERM into `SystemExit(143)` (128 + 15, the
status a shell reports for SIGTERM) so that cleanup runs.
"""

import signal
import threading
from types import FrameType

EXIT_SIGTERM = 128 + signal.SIGTERM


def exit_on_sigterm() -> None:
    """Raise SystemExit(143) on the first SIGTERM; ignore repeats while cleanup runs."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (e.g. main() called from a test)
    received = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal received
        if received:
            return  # a second SIGTERM must not cut the cleanup short
        received = True
        raise SystemExit(EXIT_SIGTERM)

    signal.signal(signal.SIGTERM, handler)
