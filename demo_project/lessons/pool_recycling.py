"""Recycling prefork pool processes: ``python -m lessons.pool_recycling tasks|memory``.

A private worker with one pool process runs four tasks that report their pool process:
``tasks``: with ``--max-tasks-per-child=2`` the process is replaced after every second task;
``memory``: with ``--max-memory-per-child`` (KiB of resident memory) a task that leaves
200 MiB behind finishes, and then its process is replaced.
The worker imports this module (``--include``) to know ``grow``.
"""

from __future__ import annotations

import os
import sys

from celery import shared_task
from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker

KEPT: list[bytes] = []  # what a leaky task leaves behind in its pool process
LIMIT_KIB = 150_000  # well above a fresh pool process, well below one holding 200 MiB
INCLUDE = ["--include", "lessons.pool_recycling"]


@shared_task(name="lessons.pool_recycling.grow")
def grow(mib: int = 0) -> int:
    """Keep ``mib`` MiB alive in this pool process (filled, so it is resident); return the pid."""
    if mib:
        KEPT.append(b"\x01" * (mib * 1024 * 1024))
    return os.getpid()


def run(extra_args: list[str], sizes: list[int]) -> list[int]:
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-recycle") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=[*INCLUDE, *extra_args]),
    ):
        return [grow.apply_async((mib,), queue=queue).get(timeout=30) for mib in sizes]


def numbered(pids: list[int]) -> str:
    """The pids as process 1, 2, ... in order of first appearance (pids differ per run)."""
    order = list(dict.fromkeys(pids))
    return ", ".join(f"process {order.index(pid) + 1}" for pid in pids)


def main(argv: list[str]) -> int:
    if argv == ["tasks"]:
        pids = run(["--max-tasks-per-child", "2"], [0, 0, 0, 0])
        print(f"--max-tasks-per-child=2, -c 1: 4 tasks ran in {numbered(pids)}")
    elif argv == ["memory"]:
        pids = run(["--max-memory-per-child", str(LIMIT_KIB)], [0, 200, 0, 0])
        print(f"--max-memory-per-child={LIMIT_KIB}, -c 1; task 2 keeps 200 MiB")
        print(f"the 4 tasks ran in {numbered(pids)}")
    else:
        print("usage: python -m lessons.pool_recycling tasks|memory", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
