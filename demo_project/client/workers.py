"""Examples about workers and queues: ping, routing, priorities, tasks sent while offline.

``priority`` and ``offline`` are self-contained: they send to a fresh, uniquely named queue
that no running worker consumes, then start their own worker on it (demo_project.launch), so
what they show cannot be disturbed by workers already running. Afterwards they remove that
queue's traces from Redis (its lists and kombu's binding records), leaving the broker as they
found it.
"""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery.result import AsyncResult

from demo_project import launch
from demo_project.client.report import DemoError, format_value, say, show_sent, watch_and_show
from demo_project.client.session import Session

REPORTS_HINT = (
    "no worker consumes the 'reports' queue: start one in demo_project/:"
    " celery -A config.celery_app worker -Q reports -n reports@%h"
)
PRIORITY_PLAN = [("low-a", 9), ("normal-a", 5), ("urgent", 0), ("low-b", 9), ("high", 2),
                 ("normal-b", 5)]  # fmt: skip
OFFLINE_TASKS = 5
REPORT_TASK = "tasks.advanced.build_report"
RESULT_TIMEOUT = 20.0


def ping(session: Session) -> None:
    say("calling app.control.ping(timeout=1.0): every worker on this broker answers")
    replies = session.app.control.ping(timeout=1.0)
    names = sorted(name for reply in replies for name in reply)
    if not names:
        raise DemoError("no Celery worker answered the ping", 3)
    for name in names:
        say(f"pong from {name}")
    say(f"{len(names)} worker(s) answered")


def route(session: Session) -> None:
    say("calling build_report.delay('weekly')")
    routes = session.app.conf.task_routes or {}
    queue = routes.get(REPORT_TASK, {}).get("queue") if isinstance(routes, dict) else None
    say(f"task_routes sends {REPORT_TASK} to the '{queue}' queue, so only a")
    say("worker consuming 'reports' (started with -Q reports) can run it")
    result = session.task(REPORT_TASK).delay("weekly")
    show_sent(result)
    watch_and_show(result, timeout=10.0, pending_hint=REPORTS_HINT)
    info = result.result if isinstance(result.result, dict) else {}
    say(f"ran on worker: {info.get('worker')}")
    say(f"from queue: {info.get('queue')}")


def _unique_queue(kind: str) -> str:
    return f"{kind}-demo-{uuid.uuid4().hex[:8]}"


def _forget_queue(session: Session, queue: str) -> None:
    """Delete every broker key naming ``queue``: its lists and its binding records."""
    client = redis.Redis.from_url(session.broker_url)
    try:
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
    finally:
        client.close()


@contextmanager
def _own_worker(session: Session, queue: str, concurrency: int) -> Iterator[launch.Worker]:
    """A worker consuming only ``queue``, stopped (and its log removed) afterwards; then the
    queue is removed from Redis."""
    worker = launch.Worker(
        session.demo_env(),
        queues=[queue],
        concurrency=concurrency,
        extra_args=["--prefetch-multiplier", "1"],
    )
    try:
        with worker:
            try:
                worker.wait_ready(timeout=30.0)
            except (RuntimeError, TimeoutError) as exc:
                last_line = str(exc).strip().splitlines()[-1]
                raise DemoError(f"the demo worker did not start: {last_line}", 1) from None
            yield worker
    finally:
        _forget_queue(session, queue)


def priority(session: Session) -> None:
    queue = _unique_queue("priority")
    run_key = uuid.uuid4().hex
    task = session.task("tasks.advanced.prioritized")
    say(f"sending {len(PRIORITY_PLAN)} tasks to queue {queue}, which no worker consumes yet:")
    results: list[AsyncResult] = []
    for label, level in PRIORITY_PLAN:
        say(f"  prioritized.apply_async(('{label}',), priority={level})")
        results.append(task.apply_async((label, run_key), queue=queue, priority=level))
    say("starting one worker on that queue: --concurrency 1 --prefetch-multiplier 1")
    with _own_worker(session, queue, concurrency=1) as worker:
        say(f"worker {worker.nodename} is ready")
        for result in results:
            result.get(timeout=RESULT_TIMEOUT)
    client = redis.Redis.from_url(session.result_backend, decode_responses=True)
    order = [str(label) for label in client.lrange(f"demo:order:{run_key}", 0, -1)]
    levels = dict(PRIORITY_PLAN)
    say("execution order: " + ", ".join(f"{label}({levels[label]})" for label in order))
    if [levels[label] for label in order] != sorted(levels[label] for label in order):
        raise DemoError("the tasks did not run in priority order", 1)
    say("on Redis the lowest number ran first: 0 is the highest priority")


def offline(session: Session) -> None:
    queue = _unique_queue("offline")
    add = session.task("tasks.basic.add")
    say(f"sending {OFFLINE_TASKS} add tasks to queue {queue}, which no worker consumes yet")
    results = [add.apply_async((n, n), queue=queue) for n in range(OFFLINE_TASKS)]
    time.sleep(1.0)
    for result in results:
        say(f"task id: {result.id} state: {result.state}")
    say("the messages wait in Redis; starting a worker on that queue")
    with _own_worker(session, queue, concurrency=2) as worker:
        say(f"worker {worker.nodename} is ready")
        for result in results:
            value = result.get(timeout=RESULT_TIMEOUT)
            say(f"task id: {result.id} state: {result.state} result: {format_value(value)}")
    say(f"all {OFFLINE_TASKS} tasks ran once a worker consumed the queue: none was lost")
