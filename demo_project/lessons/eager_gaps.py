"""Why eager mode only emulates a worker: the task runs in the caller and bypasses the rest.

With ``task_always_eager`` the task body runs inside the calling process; no message goes
through the broker, no worker takes it, and nothing is stored in the result backend, so a
test in eager mode cannot see routing, worker or backend problems.
``python -m lessons.eager_gaps store``: ``task_store_eager_result`` writes eager results to
the result backend after all.
"""

from __future__ import annotations

import os
import sys

from celery import Celery
from config.celery_app import app


def twice(n: int) -> int:
    return 2 * n


def store() -> None:
    """``task_store_eager_result``: an eager run's result written to the result backend."""
    for flag in (False, True):
        # A fresh app per value: a task reads the setting when it is bound to its app.
        fresh = Celery(f"store-eager-{flag}", set_as_current=False)
        fresh.config_from_object("config.settings:CELERY")
        fresh.conf.task_always_eager = True
        fresh.conf.task_store_eager_result = flag
        double = fresh.task(name="lessons.eager_gaps.double")(twice)
        result = double.delay(21)
        fresh.conf.task_always_eager = False  # now ask the backend itself
        stored = fresh.backend.get_task_meta(result.id)
        print(f"task_store_eager_result={flag}: the result backend holds {stored['status']}")
        fresh.backend.forget(result.id)
        fresh.close()


def main() -> None:
    if sys.argv[1:] == ["store"]:
        store()
        return
    app.loader.import_default_modules()
    whoami = app.tasks["tasks.execution.whoami"]
    runs = []
    for eager in (True, False):
        app.conf.task_always_eager = eager
        result = whoami.delay("probe")
        runs.append(("eager mode" if eager else "real worker", result, result.get(timeout=20)))
    for mode, result, seen in runs:  # eager mode is off again: the backend may be asked now
        stored = app.AsyncResult(result.id).state
        print(
            f"{mode}: {type(result).__name__}, ran in the caller's process: "
            f"{seen['pid'] == os.getpid()}, state in the result backend: {stored}"
        )
        app.AsyncResult(result.id).forget()


if __name__ == "__main__":
    main()
