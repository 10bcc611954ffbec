"""Callbacks and error callbacks: ``link``, ``link_error``, ``.si()`` and a failing chord.

Everything runs on the demo worker; callbacks leave their notes in Redis (``tasks.store``).
"""

from __future__ import annotations

import time
import uuid

from celery import chain, chord
from celery.exceptions import ChordError
from config.celery_app import app
from tasks import store


def notes(key: str, count: int, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = store.client().lrange(key, 0, -1)
        if len(found) >= count:
            return [str(note) for note in found]
        time.sleep(0.05)
    return [str(note) for note in store.client().lrange(key, 0, -1)]


def main() -> None:
    app.loader.import_default_modules()
    tasks = app.tasks
    add, mul = tasks["tasks.basic.add"], tasks["tasks.workflows.mul"]
    xsum, fails = tasks["tasks.workflows.xsum"], tasks["tasks.basic.always_fails"]
    note_result = tasks["tasks.execution.note_result"]
    note_failure = tasks["tasks.execution.note_failure"]

    key = f"demo:notes:{uuid.uuid4().hex}"
    result = add.apply_async((2, 3), link=note_result.s(key))
    print(f"add.apply_async((2, 3), link=note_result.s(key)) -> {result.get(timeout=20)}")
    print(f"  the link callback: {notes(key, 1)[0]}")

    key = f"demo:notes:{uuid.uuid4().hex}"
    failed = fails.apply_async(("boom",), link=note_result.s(key), link_error=note_failure.s(key))
    failed.get(timeout=20, propagate=False)
    print(f"always_fails with link and link_error -> {failed.state}")
    found = notes(key, 1)
    for note in found:
        print(f"  link_error ran: {note.replace(failed.id, '<id>')}")
    print(f"  link ran: {any(note.startswith('callback got') for note in found)}")

    partial = chain(add.s(2, 2), mul.s(10))()
    immutable = chain(add.s(2, 2), mul.si(5, 10))()
    print(f"chain(add.s(2, 2), mul.s(10)) -> {partial.get(timeout=20)}: mul got 4 first")
    print(f"chain(add.s(2, 2), mul.si(5, 10)) -> {immutable.get(timeout=20)}: .si() ignored the 4")

    key = f"demo:notes:{uuid.uuid4().hex}"
    header = [add.s(1, 1), fails.s("header task failed"), add.s(2, 2)]
    body = xsum.s().on_error(note_failure.s(key))
    outcome = chord(header)(body)
    error = outcome.get(timeout=20, propagate=False)
    print(f"chord with a failing header task -> callback state {outcome.state}")
    if isinstance(error, ChordError):
        print(f"  ChordError: ... raised {str(error).split(' raised ')[-1]}")
    print(f"  the callback xsum ran: {outcome.state == 'SUCCESS'}")
    for note in notes(key, 1):
        print(f"  the body's on_error callback ran for {note.split()[0]}")


if __name__ == "__main__":
    main()
