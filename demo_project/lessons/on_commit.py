"""Send a task only after the transaction that wrote its data has committed.

Django's ``transaction.on_commit(lambda: task.delay(order.id))`` (or Celery's
``task.delay_on_commit(...)``) exists for this race. The demo has no Django, so the lesson
plays it with SQLite: a "view" inserts an order inside a transaction and sends
``tasks.execution.read_order`` to the demo worker, which reads the order from the database.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from config.celery_app import app


def place_order(db: Path, order_id: int, send_now: bool) -> str:
    """Insert the order in a transaction; send the task inside it or after the commit."""
    after_commit: list[Callable[[], object]] = []
    connection = sqlite3.connect(db, isolation_level="IMMEDIATE")
    try:
        connection.execute("INSERT INTO orders VALUES (?, ?)", (order_id, "1 x mug"))
        send = lambda: app.send_task("tasks.execution.read_order", args=(str(db), order_id))  # noqa: E731
        if send_now:
            result = send()  # the worker may run before the commit below
            seen = result.get(timeout=20)
        else:
            after_commit.append(send)  # what transaction.on_commit does
        connection.commit()
    finally:
        connection.close()
    for callback in after_commit:
        seen = callback().get(timeout=20)  # type: ignore[attr-defined]
    return str(seen)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lesson-commit-") as folder:
        db = Path(folder) / "shop.sqlite3"
        with sqlite3.connect(db) as connection:
            connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
        inside, after = place_order(db, 1, True), place_order(db, 2, False)
        print(f"delay() inside the open transaction -> the worker read: {inside}")
        print(f"delay() after the commit (on_commit) -> the worker read: {after}")


if __name__ == "__main__":
    main()
