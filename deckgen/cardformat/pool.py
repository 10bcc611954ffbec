"""Parsing card chunks (and rendering them, when a renderer is given) on several processes
when there is enough work, while the caller is still reading and cutting files."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from deckgen.cardformat.cache import ChunkPart
from deckgen.cardformat.chunks import ChunkJob
from deckgen.cardformat.fields import ParsedCard
from deckgen.cardformat.model import CardError
from deckgen.cardformat.recordings import Recording

PARALLEL_MIN_BYTES = 64 * 1024  # below this, starting worker processes costs more than it saves
# A forkserver (see allow_fork) takes ~0.4 s to start and import the parser: worth it only for
# decks far bigger than the course (224 KB: 0.16-0.5 s parsed here, 0.45-0.8 s with it).
FORKSERVER_MIN_BYTES = 1024 * 1024
BATCHES_PER_WORKER = 16  # evens out the workers' finishing times (and steps the progress bar)
MIN_BATCH_BYTES = 8 * 1024

ProgressCallback = Callable[[int, int], None]


class CardRenderer(Protocol):
    """What a consumer makes of each card while its tokens are at hand (deckgen: the note's
    HTML), so the card is never parsed again for it. Runs on the pool's workers: it must be
    picklable, and what it returns too."""

    @property
    def name(self) -> str:
        """Part of the cache key: change it when the rendering changes."""
        ...

    def render(
        self, parsed: ParsedCard, recording: Recording | None
    ) -> tuple[Any | None, list[CardError]]: ...

    def still_fresh(self, rendered: Any) -> bool:
        """False when a cached rendering went stale for reasons outside the card's text
        (e.g. an image it shows changed)."""
        ...


@dataclass
class ChunkResult:
    """A chunk parsed (and rendered) here or on a worker."""

    part: ChunkPart
    rendered: list[Any] | None = None  # per card of `part`, when a renderer was given
    render_errors: list[CardError] = field(default_factory=list)


def parse_and_render(job: ChunkJob, renderer: CardRenderer | None) -> ChunkResult:
    from deckgen.cardformat.parse import parse_chunk

    document = parse_chunk(job)
    part = ChunkPart(job.start, [parsed.card for parsed in document.parsed], document.errors)
    if renderer is None:
        return ChunkResult(part)
    result = ChunkResult(part, [])
    recordings = job.recordings or {}
    for parsed in document.parsed:
        rendered, errors = renderer.render(parsed, recordings.get(parsed.card.id))
        result.render_errors.extend(errors)
        assert result.rendered is not None
        result.rendered.append(rendered)
    return result


def parse_batch(jobs: Sequence[ChunkJob], renderer: CardRenderer | None) -> list[ChunkResult]:
    return [parse_and_render(job, renderer) for job in jobs]


class ChunkPool:
    """Takes chunks one by one; the workers start on the first batches at once instead of
    after all files are cut. Results come back in the order the jobs were added. Below
    PARALLEL_MIN_BYTES of work in total (FORKSERVER_MIN_BYTES where workers would come from
    a forkserver, unless asked for) everything runs in this process."""

    def __init__(
        self, workers: int, expected_bytes: int, renderer: CardRenderer | None, asked: bool
    ) -> None:
        """`asked`: the caller asked for `workers` (`--jobs`): start them from
        PARALLEL_MIN_BYTES even where they come from a forkserver."""
        self.workers = workers
        self.first_batch_bytes = (
            PARALLEL_MIN_BYTES if asked or _fork_is_safe else FORKSERVER_MIN_BYTES
        )
        self.renderer = renderer
        per_batch = expected_bytes // max(1, workers * BATCHES_PER_WORKER)
        self.batch_bytes = max(MIN_BATCH_BYTES, per_batch)
        self.pool: Executor | None = None
        self.waiting: list[ChunkJob] = []  # not yet sent to a worker
        self.waiting_bytes = 0
        self.batches: list[tuple[list[ChunkJob], Future[list[ChunkResult]]]] = []

    def close(self) -> None:
        """Stop the workers; batches not started yet are cancelled (none are left after a
        complete `stream`)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, job: ChunkJob) -> None:
        self.waiting.append(job)
        self.waiting_bytes += len(job.text)
        if self.workers <= 1:
            return
        # The first batch waits for enough work: only then is a pool worth starting.
        needed = self.batch_bytes if self.pool is not None else self.first_batch_bytes
        if self.waiting_bytes >= needed:
            self.send_waiting()

    def send_waiting(self) -> None:
        if self.pool is None:
            self.pool = make_pool(self.workers, self.renderer)
        batch = self.waiting
        self.waiting, self.waiting_bytes = [], 0
        self.batches.append((batch, self.pool.submit(parse_batch, batch, self.renderer)))

    def stream(self, progress: ProgressCallback | None = None) -> Iterator[ChunkResult]:
        """Every result, in order, each as soon as its batch is back."""
        if self.pool is None:
            results = parse_batch(self.waiting, self.renderer)
            if progress:
                progress(len(results), len(results))
            yield from results
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
            yield from batch


_fork_is_safe = False


def allow_fork(allowed: bool) -> None:
    """Declare whether this process is safe to fork: no threads, sockets or connections
    (deckgen's own commands). Its pools' workers are then forked from it directly and start
    in milliseconds. Any other process (the study app, a test, `deckgen watch` with its watcher
    thread) gets them from a fresh forkserver instead: a fork of a process with threads can
    deadlock the child, and one with open connections can hang in their after-fork cleanup
    (kombu closes an inherited Redis pool by talking to the Redis behind it)."""
    global _fork_is_safe
    _fork_is_safe = allowed


def make_pool(workers: int, renderer: CardRenderer | None) -> Executor:
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if _fork_is_safe else "forkserver"
    context = multiprocessing.get_context(method if method in methods else None)
    if context.get_start_method() == "forkserver":
        # The server imports the parser and the renderer once; each worker forks from it.
        modules = [__name__, *([type(renderer).__module__] if renderer else [])]
        context.set_forkserver_preload(modules)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
