"""Remote control of a running worker: inspect stats/conf/scheduled, rate and time limits,
pool size, consumers.

Every sub-command talks to the worker that consumes the demo's default queue (the learner's,
or the one `studyapp verify` started), through the broadcast messages Celery's remote control
uses, and puts back whatever it changed.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker
from lessons.subcommands import run_subcommand

from demo_project.contract import DEFAULT_QUEUE
from demo_project.signals import exit_on_sigterm

# A task the demo sends only from beat's weekly schedule: changing its limits disturbs nobody.
QUIET_TASK = "tasks.periodic.weekly_summary"


def target() -> str:
    """The node name of a worker consuming the default queue (lesson workers excluded)."""
    replies = app.control.inspect(timeout=1.0).active_queues() or {}
    for name, queues in sorted(replies.items()):
        if "@lesson" not in name and any(q["name"] == DEFAULT_QUEUE for q in queues):
            return name
    raise SystemExit("no worker consumes the 'celery' queue: start one (W in the study app)")


def one(reply: dict[str, Any] | None, name: str) -> Any:
    if not reply or name not in reply:
        raise SystemExit(f"{name} did not reply in time")
    return reply[name]


def registered_line(name: str, *items: str) -> str:
    lines = one(app.control.inspect([name]).registered(*items), name)
    return next(line for line in lines if line.split()[0] == QUIET_TASK)


def _stats() -> None:
    name = target()
    before = one(app.control.inspect([name]).stats(), name)
    pool = before["pool"]
    print(f"pool: max-concurrency {pool['max-concurrency']}, processes {len(pool['processes'])}")
    done = before["total"].get(QUIET_TASK, 0)
    app.send_task(QUIET_TASK, args=("lesson",), queue=DEFAULT_QUEUE).get(timeout=20)
    after = one(app.control.inspect([name]).stats(), name)["total"].get(QUIET_TASK, 0)
    print(f"total[{QUIET_TASK}]: {done} before one more ran, {after} after")


def _conf() -> None:
    name = target()
    conf = one(app.control.inspect([name]).conf(), name)
    for key in ("worker_prefetch_multiplier", "task_time_limit", "task_routes"):
        print(f"{key}: {conf.get(key)}")


def _rate_limit() -> None:
    name = target()
    print(f"before: {registered_line(name, 'rate_limit')}")
    reply = app.control.rate_limit(QUIET_TASK, "10/m", destination=[name], reply=True)
    print(f"rate_limit('{QUIET_TASK}', '10/m') -> {one(reply[0], name)}")
    print(f"after:  {registered_line(name, 'rate_limit')}")
    app.control.rate_limit(QUIET_TASK, None, destination=[name], reply=True)


def _time_limit() -> None:
    name = target()
    items = ("soft_time_limit", "time_limit")
    before = registered_line(name, *items)
    print(f"before: {before}")
    fields = before.partition("[")[2].rstrip("]").split()
    old = dict(field.split("=") for field in fields)
    reply = app.control.time_limit(QUIET_TASK, soft=60, hard=120, destination=[name], reply=True)
    print(f"time_limit(soft=60, hard=120) -> {one(reply[0], name)}")
    print(f"after:  {registered_line(name, *items)}")
    soft, hard = (float(old[item]) if item in old else None for item in items)
    app.control.time_limit(QUIET_TASK, soft=soft, hard=hard, destination=[name], reply=True)


def _processes(name: str) -> int:
    return len(one(app.control.inspect([name]).stats(), name)["pool"]["processes"])


def _wait_for(name: str, count: int, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    seen = _processes(name)
    while seen != count and time.monotonic() < deadline:
        time.sleep(0.2)
        seen = _processes(name)
    return seen


def _pool_grow() -> None:
    # A private worker: resizing the learner's (or verify's) worker would disturb other cards.
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-grow") as queue,
        private_worker(queue, f"{queue}@lesson", concurrency=1) as worker,
    ):
        name = worker.nodename
        print(f"pool processes: {_processes(name)}")
        grown = one(app.control.pool_grow(1, destination=[name], reply=True)[0], name)
        print(f"pool_grow(1) -> {grown}")
        print(f"pool processes: {_wait_for(name, 2)}")


def _add_consumer() -> None:
    name = target()
    with idle_queue(str(app.conf.broker_url), prefix="lesson-extra") as queue:
        result = app.send_task("tasks.basic.add", args=(20, 22), queue=queue)
        time.sleep(1.0)
        print(f"task sent to lesson-extra, no worker consumes it: {result.state}")
        reply = app.control.add_consumer(queue, destination=[name], reply=True)
        print(f"add_consumer -> {one(reply[0], name)['ok'].replace(queue, 'lesson-extra')}")
        print(f"the task ran: {result.get(timeout=20)} ({result.state})")
        queues = [q["name"] for q in one(app.control.inspect([name]).active_queues(), name)]
        print(f"active_queues() lists lesson-extra: {queue in queues}")
        app.control.cancel_consumer(queue, destination=[name], reply=True)
        result.forget()


def _scheduled() -> None:
    name = target()
    result = app.send_task("tasks.basic.add", args=(1, 1), countdown=30, queue=DEFAULT_QUEUE)
    try:
        deadline = time.monotonic() + 10
        held: list[dict[str, Any]] = []
        while not held and time.monotonic() < deadline:
            time.sleep(0.2)
            scheduled = one(app.control.inspect([name]).scheduled(), name)
            held = [entry for entry in scheduled if entry["request"]["id"] == result.id]
        entry = held[0]
        print(f"add(1, 1) sent with countdown=30: state {result.state}")
        print(f"in the worker's scheduled list, eta {entry['eta']}")
        print(f"its request: {entry['request']['name']}{tuple(entry['request']['args'])}")
    finally:
        result.revoke()
        result.forget()


def _query_task() -> None:
    name = target()
    result = app.send_task("tasks.basic.slow", args=(2.0,), queue=DEFAULT_QUEUE)
    try:
        deadline = time.monotonic() + 10
        while result.state != "STARTED" and time.monotonic() < deadline:
            time.sleep(0.05)
        found = one(app.control.inspect([name]).query_task(result.id), name)
        state, request = found[result.id]
        print(
            f"query_task({result.id[:8]}…) -> {name}: {state}, {request['name']}"
            f"{tuple(request['args'])}"
        )
        unknown = app.control.inspect([name]).query_task("no-such-id") or {}
        print(f"query_task('no-such-id') -> {unknown.get(name)}")
        result.get(timeout=20)
    finally:
        result.forget()


def _revoked() -> None:
    name = target()
    with idle_queue(str(app.conf.broker_url), prefix="lesson-revoke") as queue:
        result = app.send_task("tasks.basic.add", args=(2, 2), queue=queue)
        print(f"add(2, 2) waits in a queue no worker consumes: id {result.id[:8]}…")
        result.revoke()
        print("result.revoke() broadcast the id to every worker")
        revoked = one(app.control.inspect([name]).revoked(), name)
        print(f"the id is in {name}'s revoked list: {result.id in revoked}")
        result.forget()


def _knows(nodename: str, task_id: str) -> bool:
    return task_id in one(app.control.inspect([nodename]).revoked(), nodename)


def _statedb() -> None:
    task_id = str(uuid.uuid4())
    with (
        tempfile.TemporaryDirectory() as folder,
        idle_queue(str(app.conf.broker_url), prefix="lesson-statedb") as queue,
    ):
        state = ["--statedb", f"{folder}/%n.state"]
        with private_worker(queue, f"{queue}@lesson", extra_args=state) as worker:
            app.control.revoke(task_id, destination=[worker.nodename], reply=True)
            print(
                f"worker started with --statedb=%n.state; revoked a task id: "
                f"known {_knows(worker.nodename, task_id)}"
            )
        print("worker stopped (warm shutdown) and started again with the same --statedb")
        with private_worker(queue, f"{queue}@lesson", extra_args=state) as worker:
            print(
                f"after the restart the worker still knows the id: "
                f"{_knows(worker.nodename, task_id)}"
            )


COMMANDS: dict[str, Callable[[], None]] = {
    "stats": _stats,
    "conf": _conf,
    "rate-limit": _rate_limit,
    "time-limit": _time_limit,
    "pool-grow": _pool_grow,
    "add-consumer": _add_consumer,
    "scheduled": _scheduled,
    "query-task": _query_task,
    "revoked": _revoked,
    "statedb": _statedb,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.remote_control", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still puts back what was changed
    sys.exit(main(sys.argv[1:]))
