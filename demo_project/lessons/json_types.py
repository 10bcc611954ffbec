"""JSON, the task serializer: ``python -m lessons.json_types types|pickle``.

``types``: sends ``tasks.execution.arg_types`` a datetime, date, time, Decimal, UUID and bytes
through the demo's broker (JSON only) and prints the types the worker received.
``pickle``: why not pickle: loading a pickle runs code chosen by whoever wrote it, and a
consumer that accepts only JSON (the demo's ``accept_content``) refuses pickled content.
"""

from __future__ import annotations

import pickle
import sys
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from config.celery_app import app
from kombu.exceptions import ContentDisallowed
from kombu.serialization import dumps, loads


class Payload:
    """What an attacker with write access to the broker could send as a pickled argument."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("  this line was printed by code inside the pickle, while loading",))


def types() -> None:
    print(f"task_serializer: {app.conf.task_serializer}")
    values = (
        datetime(2026, 12, 5, 9, 30),
        date(2026, 12, 5),
        time(9, 30),
        Decimal("19.99"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        b"raw",
    )
    result = app.send_task("tasks.execution.arg_types", args=values)
    print("the worker received:")
    for line in result.get(timeout=20):
        print(f"  {line}")
    result.forget()


def pickled() -> None:
    print("pickle.loads(a crafted payload):")
    pickle.loads(pickle.dumps(Payload()))
    content_type, encoding, body = dumps(Payload(), serializer="pickle")
    print(f"a consumer with accept_content={list(app.conf.accept_content)}:")
    try:
        loads(body, content_type, encoding, accept=app.conf.accept_content)
    except ContentDisallowed as error:
        print(f"  ContentDisallowed: {error}")


def main(argv: list[str]) -> int:
    commands = {"types": types, "pickle": pickled}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m lessons.json_types types|pickle", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
