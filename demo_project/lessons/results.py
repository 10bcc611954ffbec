"""Results and states: one sub-command per card of ``cards/Celery/05-results-and-states.md``
(and the result backend card of ``04-brokers-and-redis.md``).

``python -m lessons.results backend-url``   which backend a ``db+`` URL selects
``python -m lessons.results broker-url``    which transport an ``sqs://`` broker URL selects
``python -m lessons.results by-id``         another process reads a result by its id alone
``python -m lessons.results ready``         ready() answers at once, before and after the end
``python -m lessons.results get``           get() waits for the task's end
``python -m lessons.results get-in-task``   get() inside a task is refused
``python -m lessons.results pending``       ids the backend reports as PENDING
``python -m lessons.results untracked``     what a running task reports without track_started
``python -m lessons.results revoke-queued`` revoking a task that still waits
``python -m lessons.results cli``           ``celery result`` waits for an unfinished task
``python -m lessons.results failure``       what the result of a task that raised reports
``python -m lessons.results retry-states``  the states of a task that retries until it gives up
``python -m lessons.results terminate``     revoking a running task with terminate=True
``python -m lessons.results result-key``    what the Redis result backend stores, under which key
``python -m lessons.results pubsub``        get() on Redis listens on a pub/sub channel
``python -m lessons.results retry-delay``   how long self.retry() waits without a countdown
``python -m lessons.results no-backend``    get() in an app without a result backend
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime

import redis
from celery import Celery, states
from celery.app.backends import by_url
from celery.result import AsyncResult
from config.celery_app import TASK_MODULES, app
from kombu import Connection
from lessons.idle_queue import idle_queue
from lessons.setting_up import CELERY, celery_worker
from lessons.subcommands import run_subcommand

from demo_project import contract
from demo_project.signals import exit_on_sigterm

# A worker for this app stores no STARTED state: Celery's default, task_track_started=False.
untracked_app = Celery("untracked", include=TASK_MODULES, set_as_current=False)
untracked_app.config_from_object("config.settings:CELERY")
untracked_app.conf.task_track_started = False


def backend_url() -> int:
    for url in ("redis://db/1", "db+postgresql://user:pw@db/results"):
        try:
            backend, _ = by_url(url)
            print(f"{url} -> {backend.__module__}.{backend.__name__}")
        except ModuleNotFoundError as missing:
            frames = traceback.walk_tb(missing.__traceback__)
            files = [frame.f_code.co_filename for frame, _ in frames]
            module = next(f for f in files if "celery/backends/" in f).split("site-packages/")[-1]
            print(f"{url} -> {module} failed: no module named {missing.name!r}")
    return 0


def broker_url() -> int:
    for url in ("redis://localhost/0", "sqs://"):
        try:
            transport = type(Connection(url).transport)
            print(f"{url} -> {transport.__module__}.{transport.__name__}")
        except ModuleNotFoundError as missing:
            frames = traceback.walk_tb(missing.__traceback__)
            files = [frame.f_code.co_filename for frame, _ in frames]
            module = [f for f in files if "kombu/transport/" in f][-1].split("site-packages/")[-1]
            print(f"{url} -> {module} failed: no module named {missing.name!r}")
    return 0


def by_id() -> int:
    result = app.send_task("tasks.basic.add", args=(20, 22))
    print(f"sent add(20, 22): result.id = {result.id}")
    reader = (
        "import sys; from config.celery_app import app; import os; "
        "r = app.AsyncResult(sys.argv[1]); "
        "print(f'another process (pid {os.getpid()}) with only the id:',"
        " r.get(timeout=20), r.state)"
    )
    done = subprocess.run(
        [sys.executable, "-c", reader, result.id],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=contract.DEMO_DIR,
    )
    print((done.stdout + done.stderr).strip())
    print(f"this process: pid {os.getpid()}")
    result.forget()
    return done.returncode


def ready() -> int:
    result = app.send_task("tasks.basic.slow", args=(1.0,))
    started = time.monotonic()
    answer = result.ready()
    print(f"ready() right after sending: {answer} (answered in {time.monotonic() - started:.3f} s)")
    result.get(timeout=20)
    print(f"ready() once it succeeded: {result.ready()} ({result.state})")
    failed = app.send_task("tasks.basic.always_fails", args=("boom",))
    failed.get(timeout=20, propagate=False)
    print(f"ready() once another one failed: {failed.ready()} ({failed.state})")
    for done in (result, failed):
        done.forget()
    return 0


def get() -> int:
    result = app.send_task("tasks.basic.slow", args=(1.5,))
    started = time.monotonic()
    value = result.get(timeout=10)
    print(f"get() returned {value!r} after {time.monotonic() - started:.1f} s, once the task ended")
    result.forget()
    return 0


def get_in_task() -> int:
    result = app.send_task("tasks.execution.waits_inside")
    result.get(timeout=20, propagate=False)
    print("waits_inside calls get() on another task from inside a task")
    print(f"state: {result.state}")
    print(f"error: {type(result.result).__name__}: {str(result.result).splitlines()[0]}")
    result.forget()
    return 0


def pending() -> int:
    with idle_queue(str(app.conf.broker_url)) as queue:
        waiting = app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        print(f"a task waiting in a queue no worker consumes: {waiting.state}")
        print(f"an id nobody ever sent: {app.AsyncResult(str(uuid.uuid4())).state}")
        done = app.send_task("tasks.basic.add", args=(2, 3))
        done.get(timeout=20)
        done.forget()  # what an expired result looks like too: no record left
        print(f"a task that succeeded, after its result was forgotten: {done.state}")
    return 0


def untracked() -> int:
    with idle_queue(str(app.conf.broker_url), prefix="lesson-untracked") as queue:
        args = ["-A", "lessons.results:untracked_app", "worker", "-Q", queue, "-c", "1"]
        with celery_worker(args, f"{queue}@lesson"):
            print(f"worker with task_track_started = {untracked_app.conf.task_track_started}")
            result = app.send_task("tasks.basic.slow", args=(1.5,), queue=queue)
            inspector = app.control.inspect([f"{queue}@lesson"], timeout=1)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                active = inspector.active() or {}
                if any(task["id"] == result.id for tasks in active.values() for task in tasks):
                    print(f"while the worker runs it (inspect active): its state is {result.state}")
                    break
            result.get(timeout=10)
            print(f"once it returned: {result.state}")
            result.forget()
    return 0


def revoke_queued() -> int:
    result = app.send_task("tasks.basic.add", args=(2, 3), countdown=1)
    print(f"sent add(2, 3) with countdown=1: {result.state}")
    result.revoke()
    print("result.revoke() while it waits")
    time.sleep(1.5)
    print(f"1.5 s later: {result.state}; it never ran: {result.result!r}")
    result.forget()
    return 0


def _states_seen(result: AsyncResult, timeout: float = 20.0) -> list[str]:
    """Each state the result reported, polled every 20 ms until it is ready."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = result.state
        if not seen or seen[-1] != state:
            seen.append(state)
        if state in states.READY_STATES:
            break
        time.sleep(0.02)
    return seen


def failure() -> int:
    result = app.send_task("tasks.basic.always_fails", args=("boom",))
    print("always_fails('boom') raises ValueError in the worker")
    print("states seen: " + " -> ".join(_states_seen(result)))
    print(f"result.result = {result.result!r}")
    last = (result.traceback or "").strip().splitlines()[-1:]
    print(f"result.traceback ends with: {last[0] if last else None}")
    print(f"result.failed() = {result.failed()}")
    result.forget()
    return 0


def _states_seen_until(result: AsyncResult, state: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while result.state != state and time.monotonic() < deadline:
        time.sleep(0.05)


def retry_states() -> int:
    app.loader.import_default_modules()
    task = app.tasks["tasks.advanced.always_retrying"]
    default = Celery(set_as_current=False).Task.max_retries
    print(f"always_retrying fails every attempt; max_retries={task.max_retries} here"
          f" (Celery's default: {default})")  # fmt: skip
    result = app.send_task("tasks.advanced.always_retrying")
    print("states seen: " + " -> ".join(_states_seen(result)))
    error = result.result
    print(f"final error: {type(error).__name__}: {error}")
    result.forget()
    return 0


def terminate() -> int:
    result = app.send_task("tasks.execution.whoami", args=("long job", 10.0))
    started = time.monotonic()
    while result.state != states.STARTED and time.monotonic() - started < 10:
        time.sleep(0.02)
    print(f"a 10 s task is {result.state}")
    result.revoke(terminate=True)
    print("result.revoke(terminate=True)")
    seen = _states_seen(result, timeout=10)
    print(f"{time.monotonic() - started:.1f} s after sending: {seen[-1]}"
          f" ({type(result.result).__name__})")  # fmt: skip
    result.forget()
    return 0


def cli() -> int:
    result = app.send_task("tasks.workflows.mul", args=(6, 7), countdown=1.5)
    started = time.monotonic()
    done = subprocess.run(
        [CELERY, "-A", "config.celery_app", "result", result.id],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    print(f"sent mul(6, 7) with countdown=1.5; celery result <id> printed: {done.stdout.strip()}")
    print(f"after {time.monotonic() - started:.1f} s, once the task had run")
    result.forget()
    return done.returncode


def result_key() -> int:
    result = app.send_task("tasks.basic.add", args=(20, 22))
    result.get(timeout=20)
    backend = redis.Redis.from_url(str(app.conf.result_backend), decode_responses=True)
    key = f"celery-task-meta-{result.id}"
    kind = str(backend.type(key))
    print(f"GET celery-task-meta-<task id> (TYPE {kind}):")
    stored = json.loads(str(backend.get(key) or "{}"))
    for field in ("status", "result", "traceback", "task_id"):
        value = stored.get(field)
        shown = "<the task id>" if field == "task_id" and value == result.id else repr(value)
        print(f"  {field}: {shown}")
    backend.close()
    result.forget()
    return 0


def pubsub() -> int:
    result = app.send_task("tasks.basic.slow", args=(1.0,))
    channel = f"celery-task-meta-{result.id}"
    backend = redis.Redis.from_url(str(app.conf.result_backend), decode_responses=True)
    waiter = threading.Thread(target=result.get, kwargs={"timeout": 20})
    waiter.start()
    time.sleep(0.5)
    listening = channel in backend.pubsub_channels(channel)
    print(f"while get() waits, PUBSUB CHANNELS lists a channel named after the result: {listening}")
    waiter.join()
    print(f"get() returned once the worker published the result: {result.result!r}")
    backend.close()
    result.forget()
    return 0


def retry_delay() -> int:
    with idle_queue(str(app.conf.broker_url), prefix="lesson-retry") as queue:
        name = f"{queue}@lesson"
        args = ["-A", "config.celery_app", "worker", "-Q", queue, "-c", "1"]
        with celery_worker(args, name):
            sent = time.time()
            result = app.send_task("tasks.execution.retries_later", queue=queue)
            _states_seen_until(result, states.RETRY)
            scheduled = app.control.inspect([name], timeout=2).scheduled() or {}
            etas = [
                datetime.fromisoformat(entry["eta"]).timestamp()
                for entries in scheduled.values()
                for entry in entries
                if entry["request"]["id"] == result.id
            ]
            print(f"self.retry() without a countdown: state {result.state}")
            for eta in etas:
                print(f"the worker holds the retry until {eta - sent:.0f} s after sending")
            result.revoke()  # the lesson does not wait three minutes for it
    return 0


def no_backend() -> int:
    os.environ.pop("CELERY_RESULT_BACKEND", None)  # it would give the app a backend
    broker_url = str(app.conf.broker_url)
    sender = Celery("no-results", broker=broker_url, set_as_current=False)
    sender.conf.broker_transport_options = contract.client_transport_options()
    print(f"an app with a broker and no result_backend: {type(sender.backend).__name__}")
    with idle_queue(broker_url) as queue:
        result = sender.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        print(f"send_task() worked: task id {result.id}")
        try:
            result.get(timeout=1)
        except NotImplementedError as error:
            print(f"result.get() raised NotImplementedError: {str(error).splitlines()[0]}")
    sender.close()
    return 0


COMMANDS: dict[str, Callable[[], int]] = {
    "backend-url": backend_url,
    "broker-url": broker_url,
    "by-id": by_id,
    "ready": ready,
    "get": get,
    "get-in-task": get_in_task,
    "pending": pending,
    "untracked": untracked,
    "revoke-queued": revoke_queued,
    "cli": cli,
    "failure": failure,
    "retry-states": retry_states,
    "terminate": terminate,
    "result-key": result_key,
    "pubsub": pubsub,
    "retry-delay": retry_delay,
    "no-backend": no_backend,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.results", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
