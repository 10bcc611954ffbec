"""How many messages a worker takes before it can run them: the prefetch count, prefetch
multiplier 1 with early and late acknowledgement, --disable-prefetch, and the fair strategy.

`count` asks the running worker; the others start private workers on queues of their own
and give them slow tasks.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from functools import partial
from typing import Any

from celery.result import AsyncResult
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.private_worker import private_worker
from lessons.remote_control import one, target

from demo_project.launch import Worker
from demo_project.signals import exit_on_sigterm

BROKER_URL = str(app.conf.broker_url)


def _count() -> None:
    name = target()
    stats = one(app.control.inspect([name]).stats(), name)
    processes = stats["pool"]["max-concurrency"]
    multiplier = one(app.control.inspect([name]).conf(), name)["worker_prefetch_multiplier"]
    print(f"pool processes {processes} x worker_prefetch_multiplier {multiplier}")
    print(f"prefetch_count the worker asks for: {stats['prefetch_count']}")


def _wait_started(result: AsyncResult, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while result.state != "STARTED" and time.monotonic() < deadline:
        time.sleep(0.05)


def _held(worker: Worker) -> tuple[int, int]:
    """(active, reserved) task counts the worker reports."""
    inspect = app.control.inspect([worker.nodename], timeout=1.0)
    active = (inspect.active() or {}).get(worker.nodename, [])
    reserved = (inspect.reserved() or {}).get(worker.nodename, [])
    return len(active), len(reserved)


def _backlog(queue: str, task: str, args: Callable[[int], Sequence[Any]]) -> list[AsyncResult]:
    results = [app.send_task(task, args=args(n), queue=queue) for n in range(3)]
    _wait_started(results[0])
    time.sleep(0.5)  # time for the worker to take more, if it is allowed to
    return results


def _job_args(queue: str, number: int) -> tuple[str, float]:
    """Arguments of the ack jobs: a key of its own per task, 3 s of work."""
    return f"{queue}-{number}", 3.0


def _finish(results: list[AsyncResult]) -> None:
    app.control.revoke([r.id for r in results], terminate=True)
    for result in results:
        result.forget()


def _multiplier_one() -> None:
    jobs = (
        ("early ack (default)", "tasks.execution.early_ack_job"),
        ("acks_late=True", "tasks.execution.late_ack_only_job"),
    )
    with ExitStack() as stack:
        started = []
        for label, task in jobs:  # both workers start side by side
            queue = stack.enter_context(idle_queue(BROKER_URL, prefix="lesson-prefetch"))
            worker = Worker(
                os.environ,
                queues=[queue],
                concurrency=1,
                name=f"{queue}@lesson",
                extra_args=("--prefetch-multiplier", "1"),
            )
            stack.callback(worker.log_path.unlink, missing_ok=True)
            stack.callback(worker.stop, grace=5)
            started.append((label, task, queue, worker.start()))
        print("-c 1 --prefetch-multiplier 1, three 3 s tasks each:")
        for label, task, queue, worker in started:
            worker.wait_ready(timeout=30)
            results = _backlog(queue, task, partial(_job_args, queue))
            active, reserved = _held(worker)
            waiting = broker_client(BROKER_URL).llen(queue)
            print(f"  {label}: {active} running, {reserved} reserved, {waiting} left in Redis")
            _finish(results)


def _disable_prefetch() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-noprefetch") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=["--disable-prefetch"]) as worker,
    ):
        results = _backlog(queue, "tasks.execution.whoami", lambda n: ("", 3.0))
        active, reserved = _held(worker)
        waiting = broker_client(BROKER_URL).llen(queue)
        print("-c 1 --disable-prefetch, three 3 s tasks:")
        print(f"  {active} running, {reserved} reserved, {waiting} left in Redis")
        _finish(results)


def _fair() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-fair") as queue,
        private_worker(queue, f"{queue}@lesson", concurrency=2),
    ):
        long = app.send_task("tasks.execution.whoami", args=("long", 2.0), queue=queue)
        _wait_started(long)
        shorts = [
            app.send_task("tasks.execution.whoami", args=(f"short-{n}", 0.1), queue=queue)
            for n in range(4)
        ]
        done = [s.get(timeout=20) for s in shorts]
        print("-c 2 (prefork, default -O): one 2 s task, then four 0.1 s tasks")
        print(f"all four short tasks were done while the long one still ran: {long.state}")
        pids = {entry["pid"] for entry in done}
        print(
            f"short tasks ran in {len(pids)} pool process(es), all in a process other than "
            f"the long one's: {long.get(timeout=20)['pid'] not in pids}"
        )
        for result in [long, *shorts]:
            result.forget()


COMMANDS: dict[str, Callable[[], None]] = {
    "count": _count,
    "multiplier-one": _multiplier_one,
    "disable-prefetch": _disable_prefetch,
    "fair": _fair,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        usage = "|".join(COMMANDS)
        print(f"usage: python -m lessons.prefetch_limits {{{usage}}}", file=sys.stderr)
        return 2
    COMMANDS[argv[0]]()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the private workers
    sys.exit(main(sys.argv[1:]))
