"""``@shared_task`` tasks belong to no particular app: every app gets its own copy."""

from __future__ import annotations

from celery import Celery
from lessons.shop import tasks


def main() -> None:
    first = Celery("first-project", set_as_current=False)
    second = Celery("second-project", set_as_current=False)
    name = tasks.confirm_order.name
    print(f"default task name = module path + function name: {name}")
    for app in (first, second):
        task = app.tasks[name]
        print(f"{app.main}: has {name.rsplit('.', 1)[-1]}, bound to app {task.app.main!r}")


if __name__ == "__main__":
    main()
