"""Parsing and rendering card chunks, on several processes when there is enough work."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from types import TracebackType

from deckgen.chunk_cache import chunk_entry, part_from_cache
from deckgen.parser import ChunkJob, DocumentResult, parse_chunk
from deckgen.parts import RenderedPart
from deckgen.render import render_card

PARALLEL_MIN_BYTES = 64 * 1024  # below this, starting worker processes costs more than it saves
BATCHES_PER_WORKER = 16  # evens out the workers' finishing times (and steps the progress bar)
MIN_BATCH_BYTES = 8 * 1024

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


def render_chunks_encoded(jobs: Sequence[ChunkJob]) -> list[RenderedPart | str]:
    """On a worker: each part that has no problem goes back as its cache entry's JSON text
    alone. The parent needs that text for the cache anyway and rebuilds the part from it
    (`part_from_worker`): half the bytes of sending both, and no objects to pickle."""
    encoded: list[RenderedPart | str] = []
    for job, part in zip(jobs, render_chunks(jobs), strict=True):
        if part.errors:
            encoded.append(part)
        else:
            encoded.append(json.dumps(chunk_entry(job, part), separators=(",", ":")))
    return encoded


def part_from_worker(job: ChunkJob, item: RenderedPart | str) -> RenderedPart:
    if isinstance(item, RenderedPart):
        return item
    part = part_from_cache(job, json.loads(item), check_images=False)  # images just read
    if part is None:
        raise ValueError(f"{job.path}: a worker's part does not decode")  # a deckgen bug
    part.encoded_entry = item
    return part


class ChunkRenderer:
    """Renders chunks handed over one by one while the caller is still reading and cutting
    files: the workers start on the first batches at once instead of after the planning.

    Parts come back in the order the jobs were added. Below PARALLEL_MIN_BYTES of work in
    total everything is rendered in this process, as no worker is started for it.
    """

    def __init__(self, workers: int, expected_bytes: int) -> None:
        self.workers = workers
        per_batch = expected_bytes // max(1, workers * BATCHES_PER_WORKER)
        self.batch_bytes = max(MIN_BATCH_BYTES, per_batch)
        self.pool: Executor | None = None
        self.waiting: list[ChunkJob] = []  # not yet sent to a worker
        self.waiting_bytes = 0
        self.batches: list[tuple[list[ChunkJob], Future[list[RenderedPart | str]]]] = []

    def __enter__(self) -> ChunkRenderer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=exc is not None)

    def add(self, job: ChunkJob) -> None:
        self.waiting.append(job)
        self.waiting_bytes += len(job.text)
        if self.workers <= 1:
            return
        # The first batch waits for PARALLEL_MIN_BYTES: only then is a pool worth starting.
        needed = self.batch_bytes if self.pool is not None else PARALLEL_MIN_BYTES
        if self.waiting_bytes >= needed:
            self.send_waiting()

    def send_waiting(self) -> None:
        if self.pool is None:
            self.pool = make_pool(self.workers)
        batch = self.waiting
        self.waiting, self.waiting_bytes = [], 0
        self.batches.append((batch, self.pool.submit(render_chunks_encoded, batch)))

    def stream(self, progress: ProgressCallback | None = None) -> Iterator[RenderedPart]:
        """Every part, in order, each as soon as its batch is back."""
        if self.pool is None:
            rendered = render_chunks(self.waiting)
            if progress:
                progress(len(rendered), len(rendered))
            yield from rendered
            return
        if self.waiting:
            self.send_waiting()
        total = sum(len(jobs) for jobs, _ in self.batches)
        done = 0
        for jobs, future in self.batches:
            batch = future.result()
            done += len(jobs)
            if progress:
                progress(done, total)
            for job, item in zip(jobs, batch, strict=True):
                yield part_from_worker(job, item)


_threads_running = False


def threads_will_run() -> None:
    """Call before starting threads that outlive a build (watchfiles' watcher): forking a
    process that has other threads can deadlock the child, so pools use forkserver then."""
    global _threads_running
    _threads_running = True


def make_pool(workers: int) -> Executor:
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported modules, so they start in milliseconds.
    method = "forkserver" if _threads_running else "fork"
    context = multiprocessing.get_context(method if method in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
