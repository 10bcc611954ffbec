"""Examples of things going wrong: failures, retries, time limits, revoke, unknown names."""

import time
from typing import Any

from celery.exceptions import NotRegistered
from celery.exceptions import TimeoutError as CeleryTimeoutError

from demo_project.client.events import TaskEventLog
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
FLAKY_ATTEMPTS = 3  # flaky.delay(succeed_on_attempt=3)
POOL_WAIT_SECONDS = 5.0


def failing(session: Session) -> None:
    say('calling always_fails.delay("boom"): the task raises ValueError')
    result = session.task("tasks.basic.always_fails").delay("boom")
    show_sent(result)
    watch_and_show(result, expect="FAILURE")
    say("result.get() would re-raise that exception here; get(propagate=False) returns it")


def retrying(session: Session) -> None:
    flaky = session.task("tasks.advanced.flaky")
    doomed = session.task("tasks.advanced.always_retrying")
    retry_on = ", ".join(exc.__name__ for exc in flaky.autoretry_for)
    say(f"calling flaky.delay(succeed_on_attempt=3): autoretry_for=({retry_on},)")
    backoff = flaky.retry_backoff
    say(f"with retry_backoff={backoff}: retries wait 1 s, then 2 s (doubling each time)")
    with TaskEventLog(session.app) as events:
        started = time.monotonic()
        sent_at = time.time()
        recovering = flaky.delay(succeed_on_attempt=FLAKY_ATTEMPTS)
        say(f"and always_retrying.delay(): max_retries={doomed.max_retries}, then Celery gives up")
        giving_up = doomed.delay()
        say("flaky:")
        show_sent(recovering)
        watch_and_show(recovering, started_at=started)
        say("each failed attempt stored RETRY; the same task id ran again after its backoff")
        show_attempts(events, recovering.id, sent_at)
    say("always_retrying:")
    show_sent(giving_up)
    watch_and_show(giving_up, started_at=started, expect="FAILURE")
    say("after max_retries the task is FAILURE with the last exception")


def show_attempts(events: TaskEventLog, task_id: str, sent_at: float) -> None:
    """When each attempt started (worker clock) and how far ahead each retry's ETA was set."""
    attempts = events.wait_for(task_id, "task-started", count=FLAKY_ATTEMPTS)
    # One task-sent event per message of the task: the first one, then one per retry.
    sent = events.wait_for(task_id, "task-sent", count=FLAKY_ATTEMPTS)
    retry_messages = {int(event.fields.get("retries") or 0): event for event in sent}
    say("flaky's attempts, timed by the worker's task events:")
    for number, attempt in enumerate(attempts, start=1):
        line = f"attempt {number} started at {attempt.timestamp - sent_at:.2f} s"
        if number > 1:
            gap = attempt.timestamp - attempts[number - 2].timestamp
            line += f", {gap:.2f} s after attempt {number - 1}"
        say(line)
        retry = retry_messages.get(number)
        if retry is not None:
            ahead = (retry.eta or retry.timestamp) - retry.timestamp
            say(f"retry {number} sent with an ETA {ahead:.1f} s ahead")


def time_limit(session: Session) -> None:
    task = session.task("tasks.advanced.time_limited")
    say(
        f"time_limited has soft_time_limit={task.soft_time_limit:g} and"
        f" time_limit={task.time_limit:g} (seconds); it wants 5 s"
    )
    started = time.monotonic()
    polite = task.delay(5, clean_up=True)
    stubborn = task.delay(5, clean_up=False)
    say("time_limited.delay(5, clean_up=True): catches SoftTimeLimitExceeded, cleans up")
    show_sent(polite)
    watch_and_show(polite, started_at=started)
    say("time_limited.delay(5, clean_up=False): ignores it, the hard limit kills its process")
    show_sent(stubborn)
    runner: dict[str, Any] = {}

    def note_process(state: str) -> None:
        info = stubborn.info
        if state == "STARTED" and isinstance(info, dict):
            runner.update(info)  # what STARTED stores: the pool process's pid and hostname

    watch_and_show(stubborn, started_at=started, expect="FAILURE", on_state=note_process)
    if "pid" not in runner:
        raise DemoError("did not see the task STARTED, so its pool process is unknown", 1)
    pid, hostname = int(runner["pid"]), str(runner["hostname"])
    say(f"pool process {pid} of {hostname} was running it")
    pool, size = pool_after_kill(session, hostname, pid)
    say(f"pool process {pid} is gone from the pool of {hostname}")
    say(f"pool of {hostname} now: {', '.join(map(str, pool))} ({len(pool)} of {size} processes)")


def pool_after_kill(session: Session, hostname: str, pid: int) -> tuple[list[int], int]:
    """The worker's pool processes once ``pid`` has left it, and the pool's size (polled)."""
    deadline = time.monotonic() + POOL_WAIT_SECONDS
    pool: list[int] = []
    size = 0
    while time.monotonic() < deadline:
        inspect = session.app.control.inspect(destination=[hostname], timeout=1.0, limit=1)
        stats = (inspect.stats() or {}).get(hostname, {}).get("pool", {})
        pool, size = sorted(stats.get("processes", [])), int(stats.get("max-concurrency", 0))
        if pid not in pool and len(pool) == size:
            return pool, size
        time.sleep(0.1)
    if pid in pool:
        raise DemoError(f"pool process {pid} still serves {hostname} after the hard limit", 1)
    return pool, size


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
