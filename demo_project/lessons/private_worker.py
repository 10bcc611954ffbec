"""A worker of the lesson's own on a queue nobody else consumes, stopped when the lesson ends.

Lessons that must start, stop or kill a worker, or watch its log, use one of these rather
than the learner's running workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from demo_project.launch import Worker
from demo_project.signals import exit_on_sigterm

# The study app stops a card's command with SIGTERM and, 3 s later, SIGKILL: the worker is
# stopped well inside that, or the lesson would be killed mid-cleanup and leave it running.
STOP_GRACE_SECONDS = 2.0


@contextmanager
def private_worker(
    queue: str,
    name: str,
    concurrency: int = 1,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[Worker]:
    """``env``: extra environment variables for the worker, on top of this process's."""
    # The worker runs in a session of its own, out of reach of a signal to the lesson's
    # group: a stop (SIGTERM) must run the cleanup below, not end the lesson on the spot.
    exit_on_sigterm()
    environment = {**os.environ, **(env or {})}
    worker = Worker(
        environment, queues=[queue], concurrency=concurrency, name=name, extra_args=extra_args
    )
    try:
        worker.start().wait_ready(timeout=30)
        yield worker
    finally:
        worker.remove_files()  # first: the worker keeps its open log while it stops
        worker.stop(grace=STOP_GRACE_SECONDS)
