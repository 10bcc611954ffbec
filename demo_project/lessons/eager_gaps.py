"""Why eager mode only emulates a worker: the task runs in the caller and bypasses the rest.

With ``task_always_eager`` the task body runs inside the calling process; no message goes
through the broker, no worker takes it, and nothing is stored in the result backend, so a
test in eager mode cannot see routing, worker or backend problems.
"""

from __future__ import annotations

import os

from config.celery_app import app


def main() -> None:
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
