"""Parsing and rendering card chunks, on several processes when there is enough work."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from deckgen.parser import ChunkJob, DocumentResult, parse_chunk
from deckgen.parts import RenderedPart
from deckgen.render import render_card

PARALLEL_MIN_BYTES = 64 * 1024  # below this, starting worker processes costs more than it saves
BATCHES_PER_WORKER = 4

ProgressCallback = Callable[[int, int], None]


def render_parsed(document: DocumentResult) -> RenderedPart:
    part = RenderedPart(errors=list(document.errors))
    for parsed in document.parsed:
        rendered, errors = render_card(parsed)
        part.errors.extend(errors)
        if rendered is not None:
            part.cards.append(parsed.card)
            part.notes.append(rendered)
    return part


def render_chunks(jobs: Sequence[ChunkJob]) -> list[RenderedPart]:
    return [render_parsed(parse_chunk(job)) for job in jobs]


def render_all_chunks(
    jobs: Sequence[ChunkJob], workers: int, progress: ProgressCallback | None = None
) -> list[RenderedPart]:
    """Parse and render card chunks, on several processes when worthwhile; keeps order."""
    total_bytes = sum(len(job.text) for job in jobs)
    if workers <= 1 or total_bytes < PARALLEL_MIN_BYTES:
        parts = render_chunks(jobs)
        if progress:
            progress(len(jobs), len(jobs))
        return parts
    batches = split_evenly(list(jobs), workers * BATCHES_PER_WORKER)
    parts = []
    done = 0
    with make_pool(workers) as pool:
        # map() keeps the order; several batches per worker give the progress bar steps.
        for batch, rendered in zip(batches, pool.map(render_chunks, batches), strict=True):
            parts.extend(rendered)
            done += len(batch)
            if progress:
                progress(done, len(jobs))
    return parts


def split_evenly(jobs: list[ChunkJob], count: int) -> list[list[ChunkJob]]:
    size = max(1, -(-len(jobs) // count))
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def make_pool(workers: int) -> Executor:
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported modules, so they start in milliseconds.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
