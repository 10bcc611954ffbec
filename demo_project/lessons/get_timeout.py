"""``result.get(timeout=...)`` gives up with TimeoutError; the task itself is not touched.

The task goes to a queue no worker consumes, so it can never finish while we wait.
"""

from __future__ import annotations

import time

from celery.exceptions import TimeoutError as CeleryTimeoutError
from config.celery_app import app
from lessons.idle_queue import idle_queue


def main() -> None:
    with idle_queue(str(app.conf.broker_url)) as queue:
        result = app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        started = time.monotonic()
        try:
            result.get(timeout=1)
        except CeleryTimeoutError as error:
            waited = time.monotonic() - started
            print(
                f"get(timeout=1) raised {type(error).__module__}.{type(error).__name__}"
                f" after {waited:.1f} s: {error}"
            )
        result.forget()


if __name__ == "__main__":
    main()
