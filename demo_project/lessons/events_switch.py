"""Task events switched on in a running worker with ``celery control enable_events``.

A private worker starts without task events (``CELERY_WORKER_SEND_TASK_EVENTS=false``, read
by the demo's settings: as if started without ``-E``); the lesson runs a task, turns events
on with ``celery control enable_events``, runs another, and lists the events the worker sent
for each.
"""

from __future__ import annotations

import subprocess
import sys
import time

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker

from demo_project.client.events import TaskEventLog

WORKER_EVENTS = ("task-received", "task-started", "task-succeeded")
SETTLE_SECONDS = 1.5  # time for late events to arrive before counting


def control(command: str, node: str) -> str:
    done = subprocess.run(
        ["celery", "-A", "config.celery_app", "control", command, "-d", node, "-t", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip().replace(node, "<worker>")


def worker_events(events: TaskEventLog, task_id: str) -> list[str]:
    return [kind for kind in WORKER_EVENTS if events.of(task_id, kind)]


def main() -> int:
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-evswitch") as queue,
        private_worker(
            queue, f"{queue}@lesson", env={"CELERY_WORKER_SEND_TASK_EVENTS": "false"}
        ) as worker,
        TaskEventLog(app) as events,
    ):
        print("a worker started without task events (as without -E)")
        for command in ("", "enable_events"):
            if command:
                print(f"$ celery -A config.celery_app control {command} -d <worker>")
                print("  " + " ".join(control(command, worker.nodename).split()))
            result = app.send_task("tasks.basic.add", args=(1, 1), queue=queue)
            result.get(timeout=20)
            time.sleep(SETTLE_SECONDS)
            seen = worker_events(events, result.id)
            print(f"  add(1, 1) ran; task events from the worker: {', '.join(seen) or 'none'}")
            result.forget()
    return 0


if __name__ == "__main__":
    sys.exit(main())
