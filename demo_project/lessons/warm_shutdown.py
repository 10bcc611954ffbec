"""SIGTERM to a worker: a warm shutdown that lets the running task finish.

A private worker starts a 2 s task; the lesson sends SIGTERM to the worker's main process
only (as ``docker stop`` does to a container's first process) and watches what happens.
"""

from __future__ import annotations

import os
import signal
import time

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker

TASK_SECONDS = 2.0


def main() -> None:
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-term") as queue,
        private_worker(queue, f"{queue}@lesson") as worker,
    ):
        result = app.send_task("tasks.execution.whoami", args=("", TASK_SECONDS), queue=queue)
        deadline = time.monotonic() + 20
        while result.state != "STARTED" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGTERM)
        sent = time.monotonic()
        print(f"task started ({TASK_SECONDS:g} s of work); sent SIGTERM to the worker")
        while worker.running():
            time.sleep(0.05)
        print(f"the worker exited {time.monotonic() - sent:.1f} s after SIGTERM")
        shutdown = [line for line in worker.output().splitlines() if "shutdown" in line]
        print(f"worker log: {shutdown[0].split('] ', 1)[-1] if shutdown else '(none)'}")
        print(f"the running task: {result.state}")
        result.forget()


if __name__ == "__main__":
    main()
