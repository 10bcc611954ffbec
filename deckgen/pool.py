"""Parsing and rendering card chunks, on several processes when there is enough work."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from types import TracebackType

from deckgen.chunk_cache import chunk_entry
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


def render_chunks_for_cache(jobs: Sequence[ChunkJob]) -> list[RenderedPart]:
    """On a worker: also encode each part's cache entry, so the parent, which writes the
    package and the cache alone after the workers finish, only joins ready JSON text."""
    parts = render_chunks(jobs)
    for job, part in zip(jobs, parts, strict=True):
        if not part.errors:
            part.encoded_entry = json.dumps(chunk_entry(job, part), separators=(",", ":"))
    return parts


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
        self.batches: list[tuple[int, Future[list[RenderedPart]]]] = []  # (job count, result)

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
        self.batches.append((len(batch), self.pool.submit(render_chunks_for_cache, batch)))

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
        total = sum(count for count, _ in self.batches)
        done = 0
        for count, future in self.batches:
            batch = future.result()
            done += count
            if progress:
                progress(done, total)
            yield from batch


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
