"""The queue/worker loop, and scaling out: ``python -m lessons.worker_loop WORKERS``.

Starts WORKERS private workers (one process each, prefetching one message) on a queue of
their own, sends six ``whoami`` tasks that each take 0.5 s to it, and shows who ran what, when.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker

TASKS = 6
SECONDS = 0.5
PREFETCH_ONE = ("--prefetch-multiplier", "1")


def main(workers: int) -> None:
    with idle_queue(str(app.conf.broker_url), prefix="lesson-loop") as queue, ExitStack() as stack:
        for n in range(1, workers + 1):
            name = f"loop-{n}-{queue[-8:]}@lesson"
            stack.enter_context(private_worker(queue, name, extra_args=PREFETCH_ONE))
        print(f"started {workers} worker(s) with one process each on queue {queue}")
        started = time.monotonic()
        results = [
            app.send_task("tasks.execution.whoami", args=(f"task {n}", SECONDS), queue=queue)
            for n in range(1, TASKS + 1)
        ]
        print(f"sent {TASKS} tasks of {SECONDS} s each to that queue")
        seen = [result.get(timeout=30) for result in results]
        elapsed = time.monotonic() - started
        first = min(item["started"] for item in seen)
        for item in sorted(seen, key=lambda s: s["started"]):
            worker = item["hostname"].split("-")[1]
            print(f"{item['label']}: worker {worker} started it at {item['started'] - first:.1f} s")
        names = {item["hostname"] for item in seen}
        print(f"{len(names)} worker(s) took tasks from the one queue")
        overlap = any(
            a["hostname"] != b["hostname"] and abs(a["started"] - b["started"]) < SECONDS
            for a in seen
            for b in seen
        )
        print(f"tasks ran side by side on different workers: {overlap}")
        print(f"all {TASKS} done {elapsed:.1f} s after sending")
        for result in results:
            result.forget()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
