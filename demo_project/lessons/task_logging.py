"""Logging inside a task with ``get_task_logger``: each line names the task and its id.

A private worker runs ``tasks.execution.log_progress``; the lesson prints the line the task
logged, as it appears in the worker's log.
"""

from __future__ import annotations

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker


def main() -> None:
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-log") as queue,
        private_worker(queue, f"{queue}@lesson") as worker,
    ):
        result = app.send_task("tasks.execution.log_progress", args=(42,), queue=queue)
        print(f"log_progress(42) -> {result.get(timeout=20)!r}; task id {result.id}")
        log = worker.output()
    print("in the worker's log:")
    for line in log.splitlines():
        if "packing order" in line:
            print("  " + line)
    prefix = f"tasks.execution.log_progress[{result.id}]"
    print(f"task name and id in the line: {prefix in log}")


if __name__ == "__main__":
    main()
