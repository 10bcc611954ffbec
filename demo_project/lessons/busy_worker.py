"""``celery inspect active|reserved`` on a worker with a backlog.

``python -m lessons.busy_worker active|reserved``: starts a private worker (one process) on
its own queue, gives it three slow tasks and runs the one inspect command (``--json``),
printing the fields that matter for each task it lists: one task running (``active``), the
others taken from the broker but waiting (``reserved``; how many a worker takes ahead is set
by worker_prefetch_multiplier).
"""

from __future__ import annotations

import json
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


FIELDS = {
    "active": ("name", "args", "time_start", "worker_pid"),
    "reserved": ("name", "args", "time_start", "acknowledged"),
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in FIELDS:
        print("usage: python -m lessons.busy_worker active|reserved", file=sys.stderr)
        return 2
    what = argv[0]
    with idle_queue(str(app.conf.broker_url), prefix="lesson-busy") as queue:
        results = [app.send_task("tasks.basic.slow", args=(10,), queue=queue) for _ in range(3)]
        print("sent 3 x slow(10) to a worker with one pool process")
        worker = Worker(os.environ, queues=[queue], concurrency=1, name=f"{queue}@lesson")
        try:
            worker.start().wait_ready(timeout=30)
            _wait_started(results[0])
            command = ["celery", "-A", "config.celery_app", "inspect", what, "--json"]
            command += ["-d", worker.nodename, "-t", "2"]
            print(f"$ celery -A config.celery_app inspect {what} --json -d <worker>")
            shown = subprocess.run(command, capture_output=True, text=True, check=False)
            listed = json.loads(shown.stdout or "{}").get(worker.nodename, [])
            print(f"{len(listed)} task(s) listed")
            for task in listed:
                if task.get("time_start") is not None:  # a timestamp: shown as an age
                    task["time_start"] = f"{time.time() - task['time_start']:.1f} s ago"
                print("  " + ", ".join(f"{name}={task.get(name)!r}" for name in FIELDS[what]))
        finally:
            app.control.revoke([r.id for r in results], terminate=True)
            worker.stop(grace=5)
            worker.remove_files()
            for result in results:
                result.forget()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still runs the cleanup below
    sys.exit(main(sys.argv[1:]))
