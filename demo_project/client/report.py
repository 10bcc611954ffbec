"""What the client prints: task ids, states as they change, results and errors.

The wording is stable on purpose (cards match it): ``task id: <uuid>``, ``state: <STATE> (at
<seconds> s)``, ``result: <value>``, ``error: <ExceptionType>: <message>``.
"""

import json
import time
from collections.abc import Callable
from typing import Any

from celery import states
from celery.result import AsyncResult

POLL_SECONDS = 0.02


class DemoError(Exception):
    """A failure to report as one ``error:`` line with a non-zero exit status."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def say(line: str) -> None:
    print(line, flush=True)


def format_value(value: Any) -> str:
    """Strings as they are, everything else as JSON (what the result backend stored)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def format_exception(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    # The exception's own arguments: str() of some Celery exceptions is their repr.
    message = ", ".join(str(arg) for arg in exc.args) if exc.args else str(exc)
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def show_sent(result: AsyncResult) -> None:
    say(f"task id: {result.id}")


def watch(
    result: AsyncResult,
    timeout: float = 15.0,
    started_at: float | None = None,
    pending_hint: str = "no worker took it",
    shown: str = "",
    on_state: Callable[[str], None] | None = None,
) -> str:
    """Print each new state of ``result`` until it is ready; return the final state.

    ``shown`` is a state the caller already printed; ``on_state`` is called with each new
    state as it is seen (to read what that state stored). Raises DemoError if the task is
    still unfinished after ``timeout`` seconds.
    """
    start = started_at if started_at is not None else time.monotonic()
    deadline = time.monotonic() + timeout
    last = shown
    while True:
        state = str(result.state)
        if state != last:
            say(f"state: {state} (at {time.monotonic() - start:.2f} s)")
            last = state
            if on_state is not None:
                on_state(state)
        if state in states.READY_STATES:
            return state
        if time.monotonic() > deadline:
            hint = pending_hint if state == "PENDING" else "it is still running"
            raise DemoError(f"task {result.id} still {state} after {timeout:g} s: {hint}", 3)
        time.sleep(POLL_SECONDS)


def show_outcome(result: AsyncResult) -> None:
    """Print ``result:`` for a success, ``error:`` for a failure (no traceback)."""
    if result.successful():
        say(f"result: {format_value(result.result)}")
    elif result.failed():
        say(f"error: {format_exception(result.result)}")
    else:
        say(f"outcome: {result.state}")


def watch_and_show(
    result: AsyncResult, timeout: float = 15.0, expect: str = states.SUCCESS, **kwargs: Any
) -> str:
    """Watch, print the outcome, and raise DemoError if the final state is not ``expect``."""
    state = watch(result, timeout=timeout, **kwargs)
    show_outcome(result)
    if state != expect:
        raise DemoError(f"task {result.id} ended {state}, expected {expect}", 1)
    return state
