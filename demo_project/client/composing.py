"""Examples of composing tasks: signatures, partials, chains, groups, chords."""

from celery import chain as celery_chain
from celery import chord as celery_chord
from celery import group as celery_group

from demo_project.client.report import format_value, say, show_sent, watch_and_show
from demo_project.client.session import Session

RESULT_TIMEOUT = 15.0


def signature(session: Session) -> None:
    add = session.task("tasks.workflows.add")
    full = add.s(2, 3)
    say(f"signature: add.s(2, 3) is {full!r}: a call packed up to send later")
    result = full.delay()
    show_sent(result)
    watch_and_show(result)
    partial = add.s(10)
    say(f"partial: add.s(10) is {partial!r}: one argument still missing")
    say("partial.delay(5) prepends the new argument: add(5, 10)")
    result = partial.delay(5)
    show_sent(result)
    watch_and_show(result)


def chain(session: Session) -> None:
    add, mul = session.task("tasks.workflows.add"), session.task("tasks.workflows.mul")
    say("chain: add.s(2, 2) | mul.s(10) | add.s(1): each result feeds the next task")
    say("computes ((2 + 2) * 10) + 1")
    result = celery_chain(add.s(2, 2), mul.s(10), add.s(1)).delay()
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


def chord(session: Session) -> None:
    square, xsum = session.task("tasks.workflows.square"), session.task("tasks.workflows.xsum")
    say("chord: a group of square.s(n) for n in 0..9, then xsum.s() on the list of results")
    result = celery_chord(square.s(n) for n in range(10))(xsum.s())
    show_sent(result)
    watch_and_show(result)
    say("the callback ran once, after all 10 tasks of the header finished")
