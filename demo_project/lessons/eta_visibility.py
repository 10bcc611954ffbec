"""A countdown longer than Redis's visibility timeout: the task runs twice.

A worker holds an ETA task's message unacknowledged until the ETA. On Redis, a message left
unacknowledged longer than ``visibility_timeout`` is put back on the queue by the next sweep
of any worker (each worker sweeps when it starts, then every few minutes), so a second worker
takes it too. Here the timeout is cut to 2 s (``CELERY_VISIBILITY_TIMEOUT``, read by the
demo's settings), the task waits 12 s, and a second worker starts meanwhile.

The sweep takes back every unacknowledged message of the Redis database, whatever its queue,
so this lesson's workers use a database of their own: with the demo's database, a running
``acks_late`` task of another worker would be handed out a second time after 2 s too.
"""

from __future__ import annotations

import os
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.private_worker import private_worker
from tasks import store

VISIBILITY = 2
COUNTDOWN = 12  # room for the second worker to start (and sweep) before the ETA
LESSON_DB = 15  # the last of Redis's 16 default databases, away from the demo's 0 and 1


def on_database(url: str, db: int) -> str:
    """The same Redis URL, pointing at database ``db``."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def main() -> None:
    broker = on_database(str(app.conf.broker_url), LESSON_DB)
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY), "CELERY_BROKER_URL": broker}
    # Celery prefers CELERY_BROKER_URL from the environment over a URL given in code, so the
    # lesson's own probes (the workers' ready ping) must see the lesson's database there too.
    os.environ["CELERY_BROKER_URL"] = broker
    lesson_db = broker_client(broker)
    found = set(lesson_db.scan_iter())
    try:
        run(broker, env)
    finally:
        # kombu's own keys that the lesson's workers made there (the queue's go with idle_queue)
        for key in set(lesson_db.scan_iter()) - found:
            lesson_db.delete(key)
        lesson_db.close()


def run(broker: str, env: dict[str, str]) -> None:
    with idle_queue(broker, prefix="lesson-eta") as queue:
        with private_worker(queue, f"a-{queue}@lesson", env=env):
            key = uuid.uuid4().hex
            print(f"visibility_timeout={VISIBILITY} s; sending a task with countdown={COUNTDOWN}")
            sent = time.monotonic()
            with app.connection_for_write(broker) as connection:
                app.send_task(
                    "tasks.execution.early_ack_job",
                    args=(key, 0),
                    queue=queue,
                    countdown=COUNTDOWN,
                    connection=connection,
                )
            time.sleep(VISIBILITY + 1)
            with private_worker(queue, f"b-{queue}@lesson", env=env):
                print(f"a second worker started {time.monotonic() - sent:.0f} s after sending")
                time.sleep(max(0.0, COUNTDOWN + 2 - (time.monotonic() - sent)))
        runs = int(store.client().get(f"demo:attempts:{key}") or 0)
        print(f"one message sent; the task ran {runs} time(s)")


if __name__ == "__main__":
    main()
