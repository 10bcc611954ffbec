"""Who runs a task: a worker process elsewhere, and what ``self.request`` tells a bound task.

Sends ``tasks.execution.whoami`` (``bind=True``) to the demo worker and compares the process
that ran it with this one.
"""

from __future__ import annotations

import os
import socket

from config.celery_app import app


def main() -> None:
    print(f"caller: pid {os.getpid()} on {socket.gethostname()}")
    result = app.send_task("tasks.execution.whoami", args=("hello",))
    print(f"sent whoami('hello') through the broker: task id {result.id}")
    seen = result.get(timeout=20)
    print(f"ran in worker {seen['hostname']}, pool process pid {seen['pid']}")
    print(f"a different process from the caller: {seen['pid'] != os.getpid()}")
    print("inside the task, self.request said:")
    same = seen["task_id"] == result.id
    print(f"  self.request.id = {seen['task_id']} (same as result.id: {same})")
    print(f"  self.request.args = {seen['args']}")
    print(f"  self.request.retries = {seen['retries']}")
    print(f"  self.request.hostname = {seen['hostname']}")
    print(f"  self.request.delivery_info['routing_key'] = {seen['queue']!r}")
    result.forget()


if __name__ == "__main__":
    main()
