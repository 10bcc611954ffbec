"""Who runs a task, and what a bound task learns about its call from ``self.request``.

``python -m lessons.who_ran_it process``  the task runs in a worker's process, not the caller's
``python -m lessons.who_ran_it request``  what ``self.request`` says about the current call
``python -m lessons.who_ran_it retries``  ``self.request.retries`` on a first attempt and a retry
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from config.celery_app import app
from lessons.subcommands import run_subcommand


def _whoami(label: str) -> tuple[str, dict[str, Any]]:
    result = app.send_task("tasks.execution.whoami", args=(label,))
    seen: dict[str, Any] = result.get(timeout=20)
    result.forget()
    return result.id, seen


def process() -> None:
    print(f"caller: pid {os.getpid()} on {socket.gethostname()}")
    _, seen = _whoami("hello")
    print("sent whoami('hello') through the broker")
    print(f"ran in worker {seen['hostname']}, pool process pid {seen['pid']}")
    print(f"a different process from the caller: {seen['pid'] != os.getpid()}")


def request() -> None:
    task_id, seen = _whoami("hello")
    print("inside the task, self.request said:")
    print(
        f"  self.request.id = {seen['task_id']} (same as result.id: {seen['task_id'] == task_id})"
    )
    print(f"  self.request.args = {seen['args']}")
    print(f"  self.request.hostname = {seen['hostname']}")
    print(f"  self.request.delivery_info['routing_key'] = {seen['queue']!r}")


def retries() -> None:
    _, seen = _whoami("first try")
    print(f"a task's first attempt: self.request.retries = {seen['retries']}")
    # flaky (autoretry_for=ConnectionError) fails its first attempt, succeeds on the second.
    result = app.send_task("tasks.advanced.flaky", kwargs={"succeed_on_attempt": 2})
    outcome = result.get(timeout=20)
    result.forget()
    print(f"flaky's attempt {outcome['attempts']} (its first retry): "
          f"self.request.retries = {outcome['retries']}")  # fmt: skip


COMMANDS: dict[str, Callable[[], None]] = {
    "process": process,
    "request": request,
    "retries": retries,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.who_ran_it", COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
