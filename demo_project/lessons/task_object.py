"""What a task is and how it is called: one sub-command per card of ``03-tasks.md``.

``python -m lessons.task_object decorator``     what ``@app.task`` made of a function
``python -m lessons.task_object delay-is-apply-async``  the messages the two calls send
``python -m lessons.task_object celery-call``   ``celery call`` prints an id and does not wait
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from celery import Celery, Task
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue

from demo_project import contract


def decorator() -> int:
    lesson_app = Celery("lesson", set_as_current=False)

    @lesson_app.task
    def add(x: int, y: int) -> int:
        return x + y

    print(f"@app.task returned a Task instance, not the function: {isinstance(add, Task)}")
    print(f"registered in the app's task registry: {add.name in lesson_app.tasks}")
    print(f"add(2, 3) called directly runs here, in this process: {add(2, 3)}")
    print(f"it has .delay and .apply_async to send it instead: {callable(add.delay)}")
    return 0


def _message(raw: str) -> dict[str, Any]:
    envelope = json.loads(raw)
    args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
    headers = envelope["headers"]
    return {"task": headers["task"], "args": args, "kwargs": kwargs, "id": headers["id"]}


def delay_is_apply_async() -> int:
    broker_url = str(app.conf.broker_url)
    with idle_queue(broker_url, prefix="lesson-delay") as queue:
        # An app whose default queue nobody consumes, so both messages stay to be read.
        sender = Celery("sender", broker=broker_url, set_as_current=False)
        sender.conf.broker_transport_options = contract.client_transport_options()
        sender.conf.task_default_queue = queue

        @sender.task(name="tasks.basic.add")
        def add(x: int, y: int) -> int:
            return x + y

        add.delay(2, 3)
        add.apply_async((2, 3))
        client = broker_client(broker_url)
        first, second = (_message(raw) for raw in reversed(client.lrange(queue, 0, -1)))
        client.close()
        sender.close()
    for label, message in (("add.delay(2, 3)", first), ("add.apply_async((2, 3))", second)):
        print(f"{label}: task {message['task']}, args {message['args']}, "
              f"kwargs {message['kwargs']}")  # fmt: skip
    same = {k: v for k, v in first.items() if k != "id"} == {
        k: v for k, v in second.items() if k != "id"
    }
    print(f"the same message apart from the task id: {same}")
    return 0


def celery_call() -> int:
    started = time.monotonic()
    done = subprocess.run(
        ["celery", "-A", "config.celery_app", "call", "tasks.basic.slow", "--args", "[3]"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=dict(os.environ),
    )
    took = time.monotonic() - started
    task_id = done.stdout.strip()
    print("$ celery -A config.celery_app call tasks.basic.slow --args '[3]'")
    print(done.stdout.strip() or done.stderr.strip())
    state = app.AsyncResult(task_id).state
    print(f"the command exited after {took:.1f} s; the 3 s task is meanwhile {state}")
    app.AsyncResult(task_id).get(timeout=20)
    return done.returncode


COMMANDS: dict[str, Callable[[], int]] = {
    "decorator": decorator,
    "delay-is-apply-async": delay_is_apply_async,
    "celery-call": celery_call,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: python -m lessons.task_object {{{','.join(COMMANDS)}}}", file=sys.stderr)
        return 2
    return COMMANDS[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
