"""The broker is a trust boundary: a worker runs whatever task message it finds, and refuses
only content types outside accept_content.

Both sub-commands write a task message into the `celery` list by hand with redis-py (no
Celery on the sending side) and watch what the running worker does with it.
"""

from __future__ import annotations

import base64
import json
import pickle
import sys
import time
import uuid
from collections.abc import Callable

from celery.result import AsyncResult
from config.celery_app import app
from lessons.idle_queue import broker_client

from demo_project.contract import DEFAULT_QUEUE

BROKER_URL = str(app.conf.broker_url)


def hand_made_message(task_id: str, body: bytes, content_type: str) -> str:
    """A task message as kombu's Redis transport stores it (task protocol 2)."""
    return json.dumps(
        {
            "body": base64.b64encode(body).decode(),
            "content-encoding": "binary" if content_type.endswith("serialize") else "utf-8",
            "content-type": content_type,
            "headers": {"lang": "py", "task": "tasks.basic.add", "id": task_id,
                        "root_id": task_id, "retries": 0, "timelimit": [None, None]},
            "properties": {
                "correlation_id": task_id,
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": DEFAULT_QUEUE},
                "priority": 0,
                "body_encoding": "base64",
                "delivery_tag": str(uuid.uuid4()),
            },
        }
    )  # fmt: skip


def _write_access() -> None:
    task_id = str(uuid.uuid4())
    body = json.dumps([[40, 2], {}, {}]).encode()
    client = broker_client(BROKER_URL)
    client.lpush(DEFAULT_QUEUE, hand_made_message(task_id, body, "application/json"))
    print("LPUSH celery <a JSON task message for tasks.basic.add(40, 2)>, written by redis-py")
    result = AsyncResult(task_id, app=app)
    print(f"a worker ran it: {result.get(timeout=20)} ({result.state})")
    result.forget()


def _accept_content() -> None:
    task_id = str(uuid.uuid4())
    body = pickle.dumps(((40, 2), {}, {}))
    message = hand_made_message(task_id, body, "application/x-python-serialize")
    client = broker_client(BROKER_URL)
    client.lpush(DEFAULT_QUEUE, message)
    print(f"accept_content in the demo's settings: {app.conf.accept_content}")
    print("LPUSH celery <the same task, pickled: application/x-python-serialize>")
    deadline = time.monotonic() + 10
    while message in client.lrange(DEFAULT_QUEUE, 0, -1) and time.monotonic() < deadline:
        time.sleep(0.1)
    taken = message not in client.lrange(DEFAULT_QUEUE, 0, -1)
    print(f"a worker took the message off the queue: {taken}")
    time.sleep(1.0)
    result = AsyncResult(task_id, app=app)
    print(f"the task's state 1 s later: {result.state} (it never ran)")


COMMANDS: dict[str, Callable[[], None]] = {
    "write-access": _write_access,
    "accept-content": _accept_content,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: python -m lessons.broker_trust {{{'|'.join(COMMANDS)}}}", file=sys.stderr)
        return 2
    COMMANDS[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
