"""Running a task in the calling process: ``python -m lessons.eager_mode apply|always|propagates``.

``apply``: ``task.apply()`` runs the task here and now, no broker, no worker.
``always``: with ``task_always_eager`` even ``.delay()`` does.
``propagates``: in eager mode a failing task's exception stays in the result, unless
``task_eager_propagates`` raises it at the call.
"""

from __future__ import annotations

import os
import sys

from celery import Celery
from lessons.shop import tasks

NOWHERE = "redis://127.0.0.1:1/0"


def main(argv: list[str]) -> int:
    modes = ("apply", "always", "propagates")
    if len(argv) != 1 or argv[0] not in modes:
        print(f"usage: python -m lessons.eager_mode {'|'.join(modes)}", file=sys.stderr)
        return 2
    # A broker where nothing listens: sending a message there would fail, so whatever works
    # below ran without one. (Celery would take CELERY_BROKER_URL over the URL given here.)
    os.environ.pop("CELERY_BROKER_URL", None)
    app = Celery("eager-lesson", broker=NOWHERE, set_as_current=False)
    print(f"broker: {NOWHERE}, where nothing listens; no worker")
    confirm = app.tasks[tasks.confirm_order.name]
    broken = app.tasks[tasks.broken_export.name]
    if argv[0] == "apply":
        result = confirm.apply(args=(7,))
        print(f"confirm_order.apply(args=(7,)) -> {type(result).__name__}, state {result.state}")
        print(f"value {result.get()!r}")
    elif argv[0] == "always":
        app.conf.task_always_eager = True
        result = confirm.delay(8)
        print(f"confirm_order.delay(8) with task_always_eager -> {type(result).__name__}")
        print(f"value {result.get()!r}")
    else:
        app.conf.task_always_eager = True
        result = broken.delay()
        print(f"eager, default: delay() returned; state {result.state}, kept {result.result!r}")
        app.conf.task_eager_propagates = True
        try:
            broken.delay()
        except RuntimeError as error:
            print(f"with task_eager_propagates: delay() raised {error!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
