"""Examples of calling tasks: delay, apply_async, send_task, AsyncResult, states, slow."""

import subprocess
import sys
import time

from celery.result import AsyncResult

from demo_project.client.events import TaskEventLog
from demo_project.client.report import DemoError, say, show_sent, watch_and_show
from demo_project.client.session import Session

BARE_SENDER_SECONDS = 30.0


def delay(session: Session) -> None:
    say("calling add.delay(2, 3): the message goes to the broker, a worker runs it")
    result = session.task("tasks.basic.add").delay(2, 3)
    show_sent(result)
    watch_and_show(result)


def apply_async(session: Session) -> None:
    say("calling add.apply_async((4, 6), countdown=2, priority=0)")
    say("countdown=2: the worker holds the task until 2 s from now")
    say("priority=0: on Redis 0 is the most urgent and 9 the least (no priority counts as 0)")
    result = session.task("tasks.basic.add").apply_async((4, 6), countdown=2, priority=0)
    show_sent(result)
    watch_and_show(result)


def send_task(session: Session) -> None:
    say('calling app.send_task("tasks.basic.add", args=(7, 8)): by name, no task code imported')
    say("(from a fresh Python process that imports celery but none of the demo's tasks)")
    sender = subprocess.run(
        [sys.executable, "-m", "demo_project.client.bare_sender", "tasks.basic.add", "7", "8"],
        env=session.demo_env(),
        stdout=subprocess.PIPE,
        text=True,
        timeout=BARE_SENDER_SECONDS,
        check=False,
    )
    for line in sender.stdout.splitlines():
        say(line)
    if sender.returncode != 0:
        raise DemoError("the bare sender did not get its result", sender.returncode)


def inspect_result(session: Session) -> None:
    say("calling add.apply_async((20, 22), countdown=1), then inspecting AsyncResult(task_id)")
    say("(the countdown keeps it unfinished for a moment, so ready() starts False)")
    sent = session.task("tasks.basic.add").apply_async((20, 22), countdown=1)
    result = AsyncResult(sent.id, app=session.app)
    say(f"task id: {result.id}")
    say(f"ready() right after sending: {result.ready()}")
    say(f"get(timeout=10): {result.get(timeout=10)}")
    say(f"ready() now: {result.ready()}")
    say(f"state: {result.state}")
    say(f"successful(): {result.successful()}")


def states(session: Session) -> None:
    say("calling slow.apply_async((1.5,), countdown=1): PENDING while it waits, STARTED while")
    say("it runs (task_track_started=True), then SUCCESS")
    started = time.monotonic()
    result = session.task("tasks.basic.slow").apply_async((1.5,), countdown=1)
    show_sent(result)
    watch_and_show(result, started_at=started)


def slow(session: Session) -> None:
    say("calling slow.delay(2): a task that takes 2 s")
    with TaskEventLog(session.app) as events:
        started = time.monotonic()
        result = session.task("tasks.basic.slow").delay(2)
        waited = time.monotonic() - started
        say(f"delay() returned after {waited:.3f} s: the caller is free at once")
        show_sent(result)
        watch_and_show(result, started_at=started)
        (done,) = events.wait_for(result.id, "task-succeeded")
    say(f"runtime in the worker: {done.runtime:.2f} s (task-succeeded event from {done.hostname})")
    say(f"the caller waited {waited:.3f} s of it")


def log_message(session: Session) -> None:
    say('calling log_message.delay("hello from the client"): look at the worker log')
    result = session.task("tasks.basic.log_message").delay("hello from the client")
    show_sent(result)
    watch_and_show(result)
