"""``celery events --dump``: the live event stream Flower is built on.

Runs ``celery events --dump`` while one task is sent to the demo worker (which sends task
events: ``worker_send_task_events``), and prints the events it saw for that task.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from config.celery_app import app

from demo_project.signals import exit_on_sigterm


def read_until(dump: subprocess.Popen[str], wanted: str, timeout: float = 20.0) -> list[str]:
    """The dump's lines up to and including the first one containing ``wanted``."""
    assert dump.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = dump.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if wanted in line:
            break
    return lines


def main() -> None:
    dump = subprocess.Popen(
        ["celery", "-A", "config.celery_app", "events", "--dump"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # each event line at once
    )
    try:
        read_until(dump, "heartbeat")  # a worker's heartbeat arrived: the receiver is bound
        result = app.send_task("tasks.basic.add", args=(20, 22))
        print(f"sent add(20, 22): {result.get(timeout=20)}")
        lines = read_until(dump, f"task succeeded: tasks.basic.add({result.id})")
    finally:
        os.killpg(dump.pid, signal.SIGTERM)
        dump.communicate(timeout=10)
    print("$ celery -A config.celery_app events --dump  (lines about that task)")
    for line in lines:
        if result.id in line:
            print("  " + line.replace(result.id, "<id>")[:110])
    result.forget()


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops what this lesson started
    main()
