"""``celery inspect active`` versus ``celery inspect reserved`` on a worker with a backlog.

Starts a private worker (one process) on its own queue, gives it three slow tasks and prints
what the two inspect commands report: one task running, the others reserved (prefetched
but waiting; how many is set by worker_prefetch_multiplier).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from celery.result import AsyncResult
from config.celery_app import app
from lessons.idle_queue import idle_queue

from demo_project.launch import Worker
from demo_project.signals import exit_on_sigterm


def _wait_started(result: AsyncResult, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while result.state != "STARTED" and time.monotonic() < deadline:
        time.sleep(0.05)


def main() -> int:
    with idle_queue(str(app.conf.broker_url), prefix="lesson-busy") as queue:
        results = [app.send_task("tasks.basic.slow", args=(10,), queue=queue) for _ in range(3)]
        print(f"sent 3 x slow(10) to {queue}: ids {', '.join(r.id[:8] for r in results)}")
        worker = Worker(os.environ, queues=[queue], concurrency=1, name=f"{queue}@lesson")
        try:
            worker.start().wait_ready(timeout=30)
            multiplier = app.conf.worker_prefetch_multiplier
            print(f"worker {worker.nodename} up: concurrency 1, prefetch multiplier {multiplier}")
            _wait_started(results[0])
            for what in ("active", "reserved"):
                command = ["celery", "-A", "config.celery_app", "inspect", what]
                command += ["-d", worker.nodename, "-t", "2"]
                print("$", " ".join(command))
                shown = subprocess.run(command, capture_output=True, text=True, check=False)
                print(shown.stdout.strip())
        finally:
            app.control.revoke([r.id for r in results], terminate=True)
            worker.stop(grace=5)
            for result in results:
                result.forget()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still runs the cleanup below
    sys.exit(main())
