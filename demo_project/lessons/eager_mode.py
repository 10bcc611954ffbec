"""Testing without a broker: ``apply()`` and ``task_always_eager`` run the task in-process."""

from __future__ import annotations

from celery import Celery
from lessons.shop import tasks


def main() -> None:
    app = Celery("eager-lesson", broker="memory://", set_as_current=False)
    confirm = app.tasks[tasks.confirm_order.name]

    result = confirm.apply(args=(7,))
    print(f"apply(): {type(result).__name__}, state {result.state}, value {result.get()!r}")

    app.conf.task_always_eager = True
    result = confirm.delay(8)
    print(f"delay() with task_always_eager: {type(result).__name__}, value {result.get()!r}")

    broken = app.tasks[tasks.broken_export.name]
    result = broken.delay()
    print(f"failing task, eager: state {result.state}; exception kept: {result.result!r}")
    app.conf.task_eager_propagates = True
    try:
        broken.delay()
    except RuntimeError as error:
        print(f"with task_eager_propagates the exception reaches the test: {error!r}")


if __name__ == "__main__":
    main()
