"""Canvas, one behaviour per sub-command: ``python -m lessons.canvas signature|partial|...``.

Every sub-command runs its workflow on the demo worker (or, where a message must be caught
before any worker takes it, on a queue nobody consumes) and prints only the lines that prove
its own card. Callbacks leave their notes in Redis (``tasks.store``).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import uuid
from collections.abc import Callable

from celery import Celery, chain, chord, group
from celery.exceptions import ChordError
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from tasks import store

TIMEOUT = 20.0


def task(name: str):  # type: ignore[no-untyped-def]
    return app.tasks[name]


def notes(key: str, count: int, timeout: float = TIMEOUT) -> list[str]:
    """The notes callbacks appended to ``key``, once at least ``count`` are there."""
    deadline = time.monotonic() + timeout
    found: list[str] = []
    while time.monotonic() < deadline:
        found = [str(note) for note in store.client().lrange(key, 0, -1)]
        if len(found) >= count:
            break
        time.sleep(0.05)
    store.client().delete(key)
    return found


def waiting_args(queue: str) -> list[object]:
    """The positional arguments of the message waiting in ``queue`` (read from Redis)."""
    client = broker_client(str(app.conf.broker_url))
    raw = client.lindex(queue, 0)
    client.close()
    if raw is None:
        return []
    body = json.loads(base64.b64decode(json.loads(raw)["body"]))
    return list(body[0])


def queue_length(queue: str) -> int:
    client = broker_client(str(app.conf.broker_url))
    try:
        return int(client.llen(queue))
    finally:
        client.close()


def signature() -> None:
    add = task("tasks.basic.add")
    with idle_queue(str(app.conf.broker_url), prefix="lesson-sig") as queue:
        sig = add.s(2, 3).set(queue=queue)
        print(f"add.s(2, 3) is a {type(sig).__name__}: {sig!r}")
        print(f"messages in the queue after building it: {queue_length(queue)}")
        sig.delay()
        print(f"messages in the queue after sig.delay(): {queue_length(queue)}")


def partial() -> None:
    add = task("tasks.basic.add")
    with idle_queue(str(app.conf.broker_url), prefix="lesson-partial") as queue:
        sig = add.s(10).set(queue=queue)
        print(f"p = add.s(10): {sig!r}")
        sig.delay(5)
        print(f"p.delay(5) sent a message with args {waiting_args(queue)}")


def chain_steps() -> None:
    add, mul = task("tasks.basic.add"), task("tasks.workflows.mul")
    result = chain(add.s(2, 2), mul.s(10), add.s(1))()
    final = result.get(timeout=TIMEOUT)
    steps = []
    node = result
    while node is not None:
        steps.append(node.get(timeout=TIMEOUT))
        node = node.parent
    print(f"each task's result, first to last: {list(reversed(steps))}")
    print(f"chain(...)() returned the last task's result: {final}")


def pipe() -> None:
    add, mul = task("tasks.basic.add"), task("tasks.workflows.mul")
    piped = add.s(2, 2) | mul.s(10) | add.s(1)
    print(f"add.s(2, 2) | mul.s(10) | add.s(1) built a {type(piped).__name__.lstrip('_')}")
    spelled_out = chain(add.s(2, 2), mul.s(10), add.s(1))
    print(f"equal to chain(add.s(2, 2), mul.s(10), add.s(1)): {piped == spelled_out}")


def group_order() -> None:
    whoami = task("tasks.execution.whoami")
    # a waits 1 s before it may start (a countdown), b works 0.3 s, c returns at once: they
    # finish out of order even on a single free pool process.
    parts = [whoami.s("a").set(countdown=1), whoami.s("b", 0.3), whoami.s("c")]
    result = group(parts)()
    values = result.get(timeout=TIMEOUT)
    finished = sorted(result.results, key=lambda part: part.date_done)
    labels = {part.id: value["label"] for part, value in zip(result.results, values, strict=True)}
    print("group(whoami.s('a').set(countdown=1), whoami.s('b', 0.3), whoami.s('c'))()")
    print(f"finished in the order: {', '.join(labels[part.id] for part in finished)}")
    returned = ", ".join(value["label"] for value in values)
    print(f"{type(result).__name__}.get() returned the labels: {returned}")


def chord_needs_backend() -> None:
    # Celery reads CELERY_RESULT_BACKEND from the environment over any configuration:
    # without this pop, the run's own backend would leak into the bare app.
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    bare = Celery("no-backend", broker="memory://", set_as_current=False)

    @bare.task(name="lesson.square")
    def square(x: int) -> int:
        return x * x

    @bare.task(name="lesson.total")
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    print(f"an app with no result backend: {bare.conf.result_backend}")
    try:
        chord(square.s(n) for n in range(3))(total.s())
    except NotImplementedError as error:
        print(f"chord(...)(...) raised NotImplementedError: {str(error).splitlines()[0]}")


def link() -> None:
    add, note_result = task("tasks.basic.add"), task("tasks.execution.note_result")
    key = f"demo:notes:{uuid.uuid4().hex}"
    result = add.apply_async((2, 3), link=note_result.s(key))
    print(f"add.apply_async((2, 3), link=note_result.s(key)) -> {result.get(timeout=TIMEOUT)}")
    print(f"the link callback: {notes(key, 1)[0]}")


def link_error() -> None:
    fails = task("tasks.basic.always_fails")
    note_result = task("tasks.execution.note_result")
    note_failure = task("tasks.execution.note_failure")
    key = f"demo:notes:{uuid.uuid4().hex}"
    failed = fails.apply_async(("boom",), link=note_result.s(key), link_error=note_failure.s(key))
    failed.get(timeout=TIMEOUT, propagate=False)
    print(f"always_fails('boom') with link and link_error -> {failed.state}")
    found = notes(key, 1)
    for note in found:
        print(f"link_error got (request, exc, traceback): {note.replace(failed.id, '<id>')}")
    print(f"link ran: {any(note.startswith('callback got') for note in found)}")


def immutable() -> None:
    add, mul = task("tasks.basic.add"), task("tasks.workflows.mul")
    result = chain(add.s(2, 2), mul.si(5, 10))()
    value = result.get(timeout=TIMEOUT)
    print(f"add(2, 2) returned {result.parent.get(timeout=TIMEOUT)}")
    print(f"then mul.si(5, 10) -> {value}: mul got (5, 10) only")


def chord_error() -> None:
    add, fails, xsum = (
        task("tasks.basic.add"),
        task("tasks.basic.always_fails"),
        task("tasks.workflows.xsum"),
    )
    outcome = chord([add.s(1, 1), fails.s("header task failed"), add.s(2, 2)])(xsum.s())
    error = outcome.get(timeout=TIMEOUT, propagate=False)
    print(f"chord with a failing header task -> the callback's state: {outcome.state}")
    if isinstance(error, ChordError):
        print(f"its error: ChordError: ... raised {str(error).split(' raised ')[-1]}")
    print(f"the callback xsum ran: {outcome.state == 'SUCCESS'}")


def chord_errback() -> None:
    add, fails, xsum = (
        task("tasks.basic.add"),
        task("tasks.basic.always_fails"),
        task("tasks.workflows.xsum"),
    )
    note_failure = task("tasks.execution.note_failure")
    key = f"demo:notes:{uuid.uuid4().hex}"
    body = xsum.s().on_error(note_failure.s(key))
    outcome = chord([add.s(1, 1), fails.s("header task failed")])(body)
    outcome.get(timeout=TIMEOUT, propagate=False)
    print("chord(header)(xsum.s().on_error(note_failure.s(key))), one header task fails")
    for note in notes(key, 1):
        print(f"the errback on the body ran: it was told that {note.split()[0]} failed")


def chunks() -> None:
    add = task("tasks.basic.add")
    pairs = [(n, n) for n in range(10)]
    result = add.chunks(pairs, 4)()
    values = result.get(timeout=TIMEOUT)
    print(f"add.chunks(10 pairs, 4) sent {len(result.results)} task messages")
    print(f"each message returned a list: {values}")


def starmap() -> None:
    add = task("tasks.basic.add")
    items = [(1, 2), (3, 4), (5, 6)]
    with idle_queue(str(app.conf.broker_url), prefix="lesson-starmap") as queue:
        add.starmap(items).apply_async(queue=queue)
        client = broker_client(str(app.conf.broker_url))
        names = [json.loads(raw)["headers"]["task"] for raw in client.lrange(queue, 0, -1)]
        client.close()
    print(f"add.starmap({items}) sent {len(names)} message(s): {', '.join(names)}")
    print(f"its result: {add.starmap(items).delay().get(timeout=TIMEOUT)}")


COMMANDS: dict[str, Callable[[], None]] = {
    "signature": signature,
    "partial": partial,
    "chain": chain_steps,
    "pipe": pipe,
    "group-order": group_order,
    "chord-backend": chord_needs_backend,
    "link": link,
    "link-error": link_error,
    "immutable": immutable,
    "chord-error": chord_error,
    "chord-errback": chord_errback,
    "chunks": chunks,
    "starmap": starmap,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: python -m lessons.canvas {{{'|'.join(COMMANDS)}}}", file=sys.stderr)
        return 2
    app.loader.import_default_modules()
    COMMANDS[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
