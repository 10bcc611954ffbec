"""A worker of the lesson's own on a queue nobody else consumes, stopped when the lesson ends.

Lessons that must start, stop or kill a worker, or watch its log, use one of these rather
than the learner's running workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from demo_project.launch import Worker
from demo_project.signals import EXIT_SIGTERM, exit_on_sigterm

# A worker's warm shutdown gets this long when the lesson ends by itself (its tasks are
# done: nothing is left half-taken in the broker)...
STOP_GRACE_SECONDS = 5.0
# ...and this long when the study app stops the lesson: it sends SIGKILL 3 s after SIGTERM,
# and a lesson killed mid-cleanup would leave its worker running.
STOPPED_GRACE_SECONDS = 2.0


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
    grace = STOP_GRACE_SECONDS
    try:
        worker.start().wait_ready(timeout=30)
        yield worker
    except SystemExit as stop:
        if stop.code == EXIT_SIGTERM:
            grace = STOPPED_GRACE_SECONDS
        raise
    finally:
        worker.remove_files()  # first: the worker keeps its open log while it stops
        worker.stop(grace=grace)
