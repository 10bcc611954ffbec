"""A countdown longer than Redis's visibility timeout: the task runs twice.

A worker holds an ETA task's message unacknowledged until the ETA. On Redis, a message left
unacknowledged longer than ``visibility_timeout`` is put back on the queue by the next sweep
of any worker (each worker sweeps when it starts, then every few minutes), so a second worker
takes it too. Here the timeout is cut to 2 s (``CELERY_VISIBILITY_TIMEOUT``, read by the
demo's settings), the task waits 12 s, and a second worker starts meanwhile.
"""

from __future__ import annotations

import time
import uuid

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker
from tasks import store

VISIBILITY = 2
COUNTDOWN = 12  # room for the second worker to start (and sweep) before the ETA


def main() -> None:
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY)}
    with idle_queue(str(app.conf.broker_url), prefix="lesson-eta") as queue:
        with private_worker(queue, f"a-{queue}@lesson", env=env):
            key = uuid.uuid4().hex
            print(f"visibility_timeout={VISIBILITY} s; sending a task with countdown={COUNTDOWN}")
            sent = time.monotonic()
            app.send_task(
                "tasks.execution.early_ack_job", args=(key, 0), queue=queue, countdown=COUNTDOWN
            )
            time.sleep(VISIBILITY + 1)
            with private_worker(queue, f"b-{queue}@lesson", env=env):
                print(f"a second worker started {time.monotonic() - sent:.0f} s after sending")
                time.sleep(max(0.0, COUNTDOWN + 2 - (time.monotonic() - sent)))
        runs = int(store.client().get(f"demo:attempts:{key}") or 0)
        print(f"one message sent; the task ran {runs} time(s)")


if __name__ == "__main__":
    main()
