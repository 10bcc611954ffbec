"""Pausing Python's cyclic garbage collector while card files are loaded and built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Parsing makes hundreds of thousands of short-lived, acyclic objects (tokens); with
    the collector on, its passes re-scan everything alive (e.g. a loaded build cache).

    Still pays on Python 3.11, in CPU seconds on the bench's 10,000 cards (2026-12-06, each
    pair from one run): `deckgen build` after one edit 0.44 paused / 0.57 collector on
    (bench/deckgen_bench.py, `build_unpaused`); a warm `load` of the cards (the study app's
    start) 0.074 / 0.098, median of 6. Earlier, cold build 5.45 paused / 5.58 on / 5.99 with
    `gc.freeze()` instead: freezing does not help (the new objects are what the collector
    keeps scanning). Nothing else pauses it: no figure supports a pause elsewhere."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
