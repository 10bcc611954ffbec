"""A countdown longer than Redis's visibility timeout: the task runs again and again.

A worker holds an ETA task's message unacknowledged until the ETA. On Redis, a message left
unacknowledged longer than ``visibility_timeout`` is put back on the queue by the next sweep
of any worker (each worker sweeps when it starts, then about every 100 s: kombu's
``unacked_restore_interval`` x ``unacked_restore_throttle``), and the worker that takes it
holds it unacknowledged again, so the next sweep hands it out once more: a loop. Here the
timeout is cut to 1 s (``CELERY_VISIBILITY_TIMEOUT``, read by the demo's settings), the one
worker sweeps every second, and the task waits 5 s.

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

VISIBILITY = 1
COUNTDOWN = 5  # a few visibility timeouts
LESSON_DB = 15  # the last of Redis's 16 default databases, away from the demo's 0 and 1


def on_database(url: str, db: int) -> str:
    """The same Redis URL, pointing at database ``db``."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def main() -> None:
    broker = on_database(str(app.conf.broker_url), LESSON_DB)
    env = {
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "CELERY_BROKER_URL": broker,
        # sweep every second (kombu: about every 100 s), so the loop shows within seconds
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
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
    with (
        idle_queue(broker, prefix="lesson-eta") as queue,
        private_worker(queue, f"{queue}@lesson", env=env),
    ):
        key = uuid.uuid4().hex
        print(f"visibility_timeout={VISIBILITY} s; sending one task with countdown={COUNTDOWN}")
        with app.connection_for_write(broker) as connection:
            app.send_task(
                "tasks.execution.early_ack_job",
                args=(key, 0),
                queue=queue,
                countdown=COUNTDOWN,
                connection=connection,
            )
        time.sleep(COUNTDOWN + 2)
    runs = int(store.client().get(f"demo:attempts:{key}") or 0)
    print(f"one message sent, one worker; at its ETA the task ran {runs} time(s)")


if __name__ == "__main__":
    main()
