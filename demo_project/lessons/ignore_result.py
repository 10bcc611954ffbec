"""``ignore_result=True``: the task still runs, but nothing is written to the result backend."""

from __future__ import annotations

import time

import redis
from config.celery_app import app


def main() -> None:
    backend = redis.Redis.from_url(str(app.conf.result_backend))
    ignored = app.send_task(
        "tasks.basic.log_message", args=("nobody reads this",), ignore_result=True
    )
    kept = app.send_task("tasks.basic.log_message", args=("someone reads this",))
    print(f"with a result: get() = {kept.get(timeout=20)!r}")
    time.sleep(0.5)  # the ignored task ran alongside; give it time to (not) store anything
    for label, result in (("ignore_result=True", ignored), ("default", kept)):
        stored = bool(backend.exists(f"celery-task-meta-{result.id}"))
        print(f"{label}: result stored in the backend: {stored}")
    print(f"state of the ignored task as the client sees it: {ignored.state}")
    kept.forget()
    backend.close()


if __name__ == "__main__":
    main()
