"""What kombu's JSON serializer carries: datetimes, decimals, UUIDs and bytes, but no sets.

Sends ``tasks.execution.arg_types`` such values through the demo's broker (JSON only) and
prints the types the worker received.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from config.celery_app import app
from kombu.exceptions import EncodeError


def main() -> None:
    print(f"task_serializer: {app.conf.task_serializer}")
    values = (
        datetime(2026, 12, 5, 9, 30),
        date(2026, 12, 5),
        Decimal("19.99"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        b"raw",
    )
    result = app.send_task("tasks.execution.arg_types", args=values)
    print("the worker received:")
    for line in result.get(timeout=20):
        print(f"  {line}")
    result.forget()
    try:
        app.send_task("tasks.execution.arg_types", args=({1, 2},))
    except EncodeError as exc:
        print(f"a set is refused before sending: EncodeError: {exc}")


if __name__ == "__main__":
    main()
