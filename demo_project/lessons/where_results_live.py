"""The broker carries task messages; the result backend keeps results (for result_expires).

``python -m lessons.where_results_live stores``   which Redis database holds a task's result
``python -m lessons.where_results_live expires``  how long the result backend keeps it
"""

from __future__ import annotations

import sys

import redis
from celery import Celery
from config.celery_app import app


def _run_add() -> tuple[str, int]:
    result = app.send_task("tasks.basic.add", args=(20, 22))
    return result.id, result.get(timeout=20)


def stores() -> None:
    task_id, value = _run_add()
    print(f"result.get() = {value}")
    key = f"celery-task-meta-{task_id}"
    for role, url in (("broker", app.conf.broker_url), ("result backend", app.conf.result_backend)):
        client = redis.Redis.from_url(str(url))
        db = client.connection_pool.connection_kwargs.get("db", 0)
        print(f"{role} (db {db}): result key present: {bool(client.exists(key))}")
        client.close()
    app.AsyncResult(task_id).forget()


def expires() -> None:
    task_id, _ = _run_add()
    client = redis.Redis.from_url(str(app.conf.result_backend))
    ttl = client.ttl(f"celery-task-meta-{task_id}")
    print(f"the result key's time to live: {ttl} s, about {round(ttl / 3600)} hours")
    default = Celery(set_as_current=False).conf.result_expires
    print(f"Celery's default result_expires: {default!r}")
    client.close()
    app.AsyncResult(task_id).forget()


COMMANDS = {"stores": stores, "expires": expires}

if __name__ == "__main__":
    if sys.argv[1:] not in [[command] for command in COMMANDS]:
        sys.exit(f"usage: python -m lessons.where_results_live {{{','.join(COMMANDS)}}}")
    COMMANDS[sys.argv[1]]()
