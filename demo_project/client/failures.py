"""Examples of things going wrong: failures, retries, time limits, revoke, unknown names."""

import time

from celery.exceptions import NotRegistered
from celery.exceptions import TimeoutError as CeleryTimeoutError

from demo_project.client.report import (
    DemoError,
    format_exception,
    say,
    show_sent,
    watch,
    watch_and_show,
)
from demo_project.client.session import Session

UNKNOWN_TASK = "tasks.basic.does_not_exist"
UNKNOWN_WAIT_SECONDS = 5.0


def failing(session: Session) -> None:
    say('calling always_fails.delay("boom"): the task raises ValueError')
    result = session.task("tasks.basic.always_fails").delay("boom")
    show_sent(result)
    watch_and_show(result, expect="FAILURE")
    say("result.get() would re-raise that exception here; get(propagate=False) returns it")


def retrying(session: Session) -> None:
    flaky = session.task("tasks.advanced.flaky")
    doomed = session.task("tasks.advanced.always_retrying")
    say("calling flaky.delay(succeed_on_attempt=3): autoretry_for=(ConnectionError,)")
    say("with retry_backoff=1: retries wait 1 s, then 2 s (doubling each time)")
    started = time.monotonic()
    recovering = flaky.delay(succeed_on_attempt=3)
    say("and always_retrying.delay(): max_retries=2, then Celery gives up")
    giving_up = doomed.delay()
    say("flaky:")
    show_sent(recovering)
    watch_and_show(recovering, started_at=started)
    say("each failed attempt stored RETRY; the same task id ran again after its backoff")
    say("always_retrying:")
    show_sent(giving_up)
    watch_and_show(giving_up, started_at=started, expect="FAILURE")
    say("after max_retries the task is FAILURE with the last exception")


def time_limit(session: Session) -> None:
    task = session.task("tasks.advanced.time_limited")
    say("time_limited has soft_time_limit=1 and time_limit=2 (seconds); it wants 5 s")
    started = time.monotonic()
    polite = task.delay(5, clean_up=True)
    stubborn = task.delay(5, clean_up=False)
    say("time_limited.delay(5, clean_up=True): catches SoftTimeLimitExceeded, cleans up")
    show_sent(polite)
    watch_and_show(polite, started_at=started)
    say("time_limited.delay(5, clean_up=False): ignores it, the hard limit kills its process")
    show_sent(stubborn)
    watch_and_show(stubborn, started_at=started, expect="FAILURE")
    say("the worker killed that pool process after 2 s and started a fresh one")


def revoke(session: Session) -> None:
    say("calling slow.delay(10), then revoking it once it runs")
    started = time.monotonic()
    result = session.task("tasks.basic.slow").delay(10)
    show_sent(result)
    deadline = time.monotonic() + 10
    while result.state == "PENDING":
        if time.monotonic() > deadline:
            raise DemoError("the task did not start within 10 s: no free worker", 3)
        time.sleep(0.02)
    state = str(result.state)
    say(f"state: {state} (at {time.monotonic() - started:.2f} s)")
    say("calling result.revoke(terminate=True): the worker kills the process running it")
    result.revoke(terminate=True)
    if watch(result, timeout=10, started_at=started, shown=state) != "REVOKED":
        raise DemoError(f"task {result.id} was not revoked", 1)
    say("without terminate=True, revoke only skips a task that has not started yet")


def unregistered(session: Session) -> None:
    say(f'calling app.send_task("{UNKNOWN_TASK}"): a name no worker has registered')
    result = session.app.send_task(UNKNOWN_TASK)
    show_sent(result)
    try:
        result.get(timeout=UNKNOWN_WAIT_SECONDS)
    except NotRegistered as exc:
        say(f"error: {format_exception(exc)}")
        say("the worker rejected the message and stored the NotRegistered error")
        return
    except CeleryTimeoutError:
        registered = session.app.control.inspect(timeout=1.0).registered() or {}
        known = any(UNKNOWN_TASK in names for names in registered.values())
        if known:
            raise DemoError(f"{UNKNOWN_TASK} is registered but did not finish", 1) from None
        say(f"error: no result after {UNKNOWN_WAIT_SECONDS:g} s and no worker registers it")
        return
    raise DemoError(f"{UNKNOWN_TASK} unexpectedly succeeded", 1)
