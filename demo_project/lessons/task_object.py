"""What a task is and how it is called: one sub-command per card of ``03-tasks.md``.

``python -m lessons.task_object decorator``     what ``@app.task`` made of a function
``python -m lessons.task_object delay-is-apply-async``  the messages the two calls send
``python -m lessons.task_object celery-call``   ``celery call`` prints an id and does not wait
``python -m lessons.task_object arg-check``     wrong arguments fail in the caller, before sending
``python -m lessons.task_object expires``       a message past its expiry is not run
``python -m lessons.task_object broker-down``   sending while the broker is unreachable
``python -m lessons.task_object instance``      one task instance per pool process
``python -m lessons.task_object progress``      a custom state with progress information
``python -m lessons.task_object on-failure``    a task class's on_failure handler runs in the worker
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from celery import Celery, Task
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.subcommands import run_subcommand

from demo_project import contract


def decorator() -> int:
    lesson_app = Celery("lesson", set_as_current=False)

    @lesson_app.task
    def add(x: int, y: int) -> int:
        return x + y

    print(f"@app.task returned a Task instance, not the function: {isinstance(add, Task)}")
    print(f"registered in the app's task registry: {add.name in lesson_app.tasks}")
    print(f"add(2, 3) called directly runs here, in this process: {add(2, 3)}")
    print(f"it has .delay and .apply_async to send it instead: {callable(add.delay)}")
    return 0


def _message(raw: str) -> dict[str, Any]:
    envelope = json.loads(raw)
    args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
    headers = envelope["headers"]
    return {"task": headers["task"], "args": args, "kwargs": kwargs, "id": headers["id"]}


def delay_is_apply_async() -> int:
    broker_url = str(app.conf.broker_url)
    with idle_queue(broker_url, prefix="lesson-delay") as queue:
        # An app whose default queue nobody consumes, so both messages stay to be read.
        sender = Celery("sender", broker=broker_url, set_as_current=False)
        sender.conf.broker_transport_options = contract.client_transport_options()
        sender.conf.task_default_queue = queue

        @sender.task(name="tasks.basic.add")
        def add(x: int, y: int) -> int:
            return x + y

        add.delay(2, 3)
        add.apply_async((2, 3))
        client = broker_client(broker_url)
        first, second = (_message(raw) for raw in reversed(client.lrange(queue, 0, -1)))
        client.close()
        sender.close()
    for label, message in (("add.delay(2, 3)", first), ("add.apply_async((2, 3))", second)):
        print(f"{label}: task {message['task']}, args {message['args']}, "
              f"kwargs {message['kwargs']}")  # fmt: skip
    same = {k: v for k, v in first.items() if k != "id"} == {
        k: v for k, v in second.items() if k != "id"
    }
    print(f"the same message apart from the task id: {same}")
    return 0


def celery_call() -> int:
    command = ["celery", "-A", "config.celery_app", "call", "tasks.basic.add"]
    command += ["--args", "[2, 3]", "--countdown", "10"]
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False, env=dict(os.environ)
    )
    took = time.monotonic() - started
    task_id = done.stdout.strip()
    print("$ " + " ".join(command).replace("[2, 3]", "'[2, 3]'"))
    print(done.stdout.strip() or done.stderr.strip())
    result = app.AsyncResult(task_id)
    state = result.state
    print(f"the command exited after {took:.1f} s; the task, due 10 s after sending, is {state}")
    result.revoke()  # it has not started: nothing of it is left to run
    return done.returncode


def arg_check() -> int:
    app.loader.import_default_modules()
    add = app.tasks["tasks.basic.add"]
    with idle_queue(str(app.conf.broker_url), prefix="lesson-args") as queue:
        client = broker_client(str(app.conf.broker_url))
        try:
            add.apply_async((1,), queue=queue)
        except TypeError as error:
            print(f"add.delay(1) raised in the caller: TypeError: {error}")
        print(f"messages sent: {client.llen(queue)}")
        client.close()
    return 0


def expires() -> int:
    result = app.send_task("tasks.basic.add", args=(2, 3), countdown=2, expires=1)
    print("add.apply_async((2, 3), countdown=2, expires=1)")
    result.get(timeout=20, propagate=False)
    print(f"state: {result.state} ({type(result.result).__name__}: {result.result})")
    result.forget()
    return 0


def broker_down() -> int:
    os.environ.pop("CELERY_BROKER_URL", None)  # it would win over the broker given here
    unreachable = Celery("no-broker", broker="redis://127.0.0.1:1/0", set_as_current=False)
    policy = unreachable.conf.task_publish_retry_policy
    print(f"task_publish_retry={unreachable.conf.task_publish_retry}, retry policy {policy}")
    started = time.monotonic()
    try:
        unreachable.send_task("tasks.basic.add", args=(2, 3))
    except Exception as error:  # kombu's OperationalError, whatever the transport
        kind = f"{type(error).__module__}.{type(error).__name__}"
        print(f"delay() to a broker nobody listens on raised {kind}")
        print(f"after {time.monotonic() - started:.1f} s of retries: {error}")
    unreachable.close()
    return 0


def instance() -> int:
    runs = [app.send_task("tasks.execution.counts_calls").get(timeout=20) for _ in range(4)]
    by_pid: dict[int, list[int]] = {}
    for run in runs:
        by_pid.setdefault(run["pid"], []).append(run["calls_seen_by_this_instance"])
    for pid, counts in by_pid.items():
        print(f"pool process {pid}: self.calls after each call = {counts}")
    growing = all(counts == sorted(counts) and len(set(counts)) == len(counts)
                  for counts in by_pid.values())  # fmt: skip
    print(f"the count grows from call to call in each process: {growing}")
    return 0


def progress() -> int:
    result = app.send_task("tasks.execution.reports_progress", args=(3, 0.4))
    seen: list[str] = []
    deadline = time.monotonic() + 20
    while not result.ready() and time.monotonic() < deadline:
        if result.state == "PROGRESS":
            line = f"state PROGRESS, result.info = {result.info}"
            if not seen or seen[-1] != line:
                seen.append(line)
                print(line)
        time.sleep(0.05)
    print(f"state {result.state}: {result.get(timeout=5)!r}")
    result.forget()
    return 0


def on_failure() -> int:
    trace_key = f"demo:lesson:on-failure:{uuid.uuid4().hex[:8]}"
    result = app.send_task("tasks.execution.fails_with_handler", kwargs={"trace_key": trace_key})
    result.get(timeout=20, propagate=False)
    print(f"fails_with_handler raised in the worker: {result.state}, {result.result!r}")
    traces = redis.Redis.from_url(str(app.conf.result_backend), decode_responses=True)
    time.sleep(0.2)  # the handler runs right after the failure is stored
    for line in (str(item) for item in traces.lrange(trace_key, 0, -1)):
        print(f"its task class's handler left: {line.split(' in pid')[0]}")
        elsewhere = f" in pid {os.getpid()}" not in line
        print(f"written by a worker process, not this one: {elsewhere}")
    traces.delete(trace_key)
    traces.close()
    result.forget()
    return 0


COMMANDS: dict[str, Callable[[], int]] = {
    "decorator": decorator,
    "delay-is-apply-async": delay_is_apply_async,
    "celery-call": celery_call,
    "arg-check": arg_check,
    "expires": expires,
    "broker-down": broker_down,
    "instance": instance,
    "progress": progress,
    "on-failure": on_failure,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.task_object", COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
