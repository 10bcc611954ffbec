"""A running task whose pool process dies: ``python -m lessons.ack_timing early|late|reject``.

A private worker starts the task, then the lesson kills that pool process with SIGKILL, as
the kernel's OOM killer or a crash would:
- ``early`` (the default): the message was acked as the task started, so it is gone;
- ``late`` (``acks_late=True``): acked after the task ends, and a lost process counts as an
  end (``task_acks_on_failure_or_timeout``), so it is acked too;
- ``reject`` (``acks_late=True, reject_on_worker_lost=True``): the message goes back to the
  queue and the task runs again.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import uuid

from celery.result import AsyncResult
from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker
from tasks import store

VARIANTS = {
    "early": ("early_ack_job", "default early ack"),
    "late": ("late_ack_only_job", "acks_late=True"),
    "reject": ("late_ack_job", "acks_late=True, reject_on_worker_lost=True"),
}


def wait_for_pid(key: str, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = store.client().lrange(f"demo:pids:{key}", 0, -1)
        if pids:
            return int(pids[0])
        time.sleep(0.05)
    raise TimeoutError("the task did not start")


def wait_until_accepted(nodename: str, task_id: str, pid: int, timeout: float = 20.0) -> None:
    """Wait until the worker's main process lists the task as running in that process.

    Killed before the main process has heard that the pool process accepted the job, the
    pool would hand the job to another process, whatever the acks setting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = app.control.inspect([nodename], timeout=1.0).active() or {}
        if any(
            task["id"] == task_id and task.get("worker_pid") == pid
            for task in active.get(nodename, [])
        ):
            return
        time.sleep(0.1)
    raise TimeoutError("the worker did not report the task as running")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in VARIANTS:
        print(f"usage: python -m lessons.ack_timing {'|'.join(VARIANTS)}", file=sys.stderr)
        return 2
    task, label = VARIANTS[argv[0]]
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-acks") as queue,
        private_worker(queue, f"{queue}@lesson") as worker,
    ):
        key = uuid.uuid4().hex
        result: AsyncResult = app.send_task(f"tasks.execution.{task}", args=(key, 30), queue=queue)
        pid = wait_for_pid(key)
        wait_until_accepted(worker.nodename, result.id, pid)
        os.kill(pid, signal.SIGKILL)
        result.get(timeout=30, propagate=False)
        runs = int(store.client().get(f"demo:attempts:{key}") or 0)
        outcome = f"{result.state}" + (
            f" ({type(result.result).__name__})" if result.failed() else ""
        )
        print(f"{label}: killed pool process {pid} mid-task -> {outcome}, ran {runs} time(s)")
        result.forget()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
