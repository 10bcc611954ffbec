"""``@shared_task`` tasks belong to no particular app, and how a task gets its name.

``python -m lessons.shared_tasks apps``  two apps, each with its own copy of one shared task
``python -m lessons.shared_tasks name``  the name a task gets when the decorator is given none
"""

from __future__ import annotations

import sys

from celery import Celery
from lessons.shop import tasks


def apps() -> None:
    first = Celery("first-project", set_as_current=False)
    second = Celery("second-project", set_as_current=False)
    name = tasks.confirm_order.name
    for app in (first, second):
        task = app.tasks[name]
        print(f"{app.main}: has {name.rsplit('.', 1)[-1]}, bound to app {task.app.main!r}")


def name() -> None:
    function = tasks.confirm_order
    print(f"@shared_task def confirm_order(...) in the module {function.__module__}")
    print(f"its task name: {function.name}")


COMMANDS = {"apps": apps, "name": name}

if __name__ == "__main__":
    if sys.argv[1:] not in [[command] for command in COMMANDS]:
        sys.exit(f"usage: python -m lessons.shared_tasks {{{','.join(COMMANDS)}}}")
    COMMANDS[sys.argv[1]]()
