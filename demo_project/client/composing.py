"""Examples of composing tasks: signatures, partials, chains, groups, chords."""

import time
from collections.abc import Iterable

from celery import chain as celery_chain
from celery import chord as celery_chord
from celery import group as celery_group
from celery.result import AsyncResult

from demo_project.client.events import TaskEvent, TaskEventLog
from demo_project.client.report import DemoError, format_value, say, show_sent, watch_and_show
from demo_project.client.session import Session

RESULT_TIMEOUT = 15.0
PIECES = 8
PIECE_SECONDS = 0.25  # long enough for the pool to run pieces side by side, short in total
POLL_SECONDS = 0.02


def signature(session: Session) -> None:
    add = session.task("tasks.basic.add")
    full = add.s(2, 3)
    say(f"signature: add.s(2, 3) is {full!r}: a call packed up to send later")
    result = full.delay()
    show_sent(result)
    watch_and_show(result)
    partial = add.s(10)
    say(f"partial: add.s(10) is {partial!r}: one argument still missing")
    # delay(5) merges its arguments the way clone(args=...) does: new ones go in front.
    say(f"partial.delay(5) sends {partial.clone(args=(5,))!r}: the new argument goes first")
    result = partial.delay(5)
    show_sent(result)
    watch_and_show(result)


def chain(session: Session) -> None:
    add, mul = session.task("tasks.basic.add"), session.task("tasks.workflows.mul")
    say("chain: add.s(2, 2) | mul.s(10) | add.s(1): each result feeds the next task")
    say("computes ((2 + 2) * 10) + 1")
    piped = add.s(2, 2) | mul.s(10) | add.s(1)
    spelled_out = celery_chain(add.s(2, 2), mul.s(10), add.s(1))
    say(f"the | operator built: {piped!r}")
    say(f"equal to chain(add.s(2, 2), mul.s(10), add.s(1)): {piped == spelled_out}")
    result = piped.delay()
    say(f"task id: {result.id} (the last task of the chain)")
    watch_and_show(result)


def group(session: Session) -> None:
    square = session.task("tasks.workflows.square")
    say("group: square.s(n) for n in 0..9, all sent at once and run in parallel")
    result = celery_group(square.s(n) for n in range(10)).delay()
    say(f"group id: {result.id}")
    values = result.get(timeout=RESULT_TIMEOUT)
    say(f"completed: {result.completed_count()} of {len(result)} tasks")
    say(f"results: {format_value(values)}")
    split_job(session)


def split_job(session: Session) -> None:
    """A job cut into small slow pieces: who ran them, and how much ran at the same time."""
    slow = session.task("tasks.basic.slow")
    say(
        f"one job of {PIECES * PIECE_SECONDS:g} s cut into {PIECES} small tasks:"
        f" group(slow.s({PIECE_SECONDS:g}) x {PIECES})"
    )
    with TaskEventLog(session.app) as events:
        sent_at = time.time()
        pieces = celery_group(slow.s(PIECE_SECONDS) for _ in range(PIECES)).delay()
        processes = pool_processes_of(pieces.results)
        pieces.get(timeout=RESULT_TIMEOUT)
        starts = [events.wait_for(piece.id, "task-started")[0] for piece in pieces.results]
        ends = [events.wait_for(piece.id, "task-succeeded")[0] for piece in pieces.results]
    busy = sum(end.runtime for end in ends)
    done_after = max(end.timestamp for end in ends) - sent_at
    say(
        f"pieces done: {len(ends)} of {PIECES}, {done_after:.2f} s after sending;"
        f" their run times add up to {busy:.2f} s"
    )
    say(f"they ran in {len(processes)} pool processes: {', '.join(sorted(processes))}")
    say(f"at most {most_at_once(starts, ends)} pieces were running at the same moment")


def pool_processes_of(results: Iterable[AsyncResult]) -> set[str]:
    """``host pid N`` of the pool process each task ran in, read from its STARTED state."""
    waiting = list(results)
    seen: set[str] = set()
    deadline = time.monotonic() + RESULT_TIMEOUT
    while waiting and time.monotonic() < deadline:
        for result in list(waiting):
            meta = result.backend.get_task_meta(result.id)
            info = meta.get("result")
            if meta.get("status") == "STARTED" and isinstance(info, dict):
                seen.add(f"{info.get('hostname')} pid {info.get('pid')}")
                waiting.remove(result)
            elif meta.get("status") in ("SUCCESS", "FAILURE", "REVOKED"):
                waiting.remove(result)  # finished between two polls: pid not seen
        time.sleep(POLL_SECONDS)
    return seen


def most_at_once(starts: Iterable[TaskEvent], ends: Iterable[TaskEvent]) -> int:
    """The largest number of tasks running at one moment, from their start/end events."""
    # At equal times an end counts before a start: back-to-back pieces did not overlap.
    marks = sorted([(e.timestamp, -1) for e in ends] + [(s.timestamp, 1) for s in starts])
    running = most = 0
    for _, change in marks:
        running += change
        most = max(most, running)
    return most


def chord(session: Session) -> None:
    square, xsum = session.task("tasks.workflows.square"), session.task("tasks.workflows.xsum")
    say("chord: a group of square.s(n) for n in 0..9, then xsum.s() on the list of results")
    with TaskEventLog(session.app) as events:
        result = celery_chord(square.s(n) for n in range(10))(xsum.s())
        show_sent(result)
        watch_and_show(result)
        events.wait_for(result.id, "task-succeeded")
        callback_starts = events.of(result.id, "task-started")
    header = result.parent
    if header is None or not callback_starts:
        raise DemoError("cannot see the chord's header group or its callback starting", 1)
    values = header.get(timeout=RESULT_TIMEOUT)
    say(f"header results: {format_value(values)}")
    say(f"sum of the header results: {sum(values)}, callback result: {result.result}")
    if result.result != sum(values):
        raise DemoError("the callback's result is not the sum of the header's results", 1)
    last_header_done = max(part.date_done.timestamp() for part in header.results)
    lag = callback_starts[0].timestamp - last_header_done
    say(
        f"the callback started {len(callback_starts)} time(s),"
        f" {lag:.3f} s after the last header task stored its result"
    )
