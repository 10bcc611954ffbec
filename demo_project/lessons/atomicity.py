"""An atomic task changes everything or nothing, so a failure halfway leaves no partial state."""

from __future__ import annotations

import sqlite3

from celery import Celery

app = Celery("atomicity-lesson", broker="memory://", set_as_current=False)
app.conf.task_always_eager = True
db = sqlite3.connect(":memory:", isolation_level=None)
db.execute("CREATE TABLE stock (item TEXT PRIMARY KEY, count INTEGER)")
db.execute("INSERT INTO stock VALUES ('mug', 5), ('poster', 5)")


def _move(fail_halfway: bool) -> None:
    db.execute("UPDATE stock SET count = count - 1 WHERE item = 'mug'")
    if fail_halfway:
        raise ConnectionError("payment service went away")
    db.execute("UPDATE stock SET count = count - 1 WHERE item = 'poster'")


@app.task
def reserve_bundle_step_by_step(fail_halfway: bool) -> None:
    _move(fail_halfway)


@app.task
def reserve_bundle_atomically(fail_halfway: bool) -> None:
    db.execute("BEGIN")
    try:
        _move(fail_halfway)
    except Exception:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _stock() -> str:
    return ", ".join(f"{item}={count}" for item, count in db.execute("SELECT * FROM stock"))


def main() -> None:
    print(f"stock at first: {_stock()}")
    reserve_bundle_step_by_step.delay(fail_halfway=True)
    print(f"not atomic, failed halfway: {_stock()} (a mug vanished)")
    reserve_bundle_atomically.delay(fail_halfway=True)
    print(f"atomic, failed halfway: {_stock()} (unchanged, safe to retry)")
    reserve_bundle_atomically.delay(fail_halfway=False)
    print(f"atomic, succeeded: {_stock()}")


if __name__ == "__main__":
    main()
