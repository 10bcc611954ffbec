"""Extending a worker: a StartStopStep, a ConsumerStep for non-task messages, a custom
inspect command.

Each sub-command starts a private worker that loads one module of ``lessons.probes`` with
``--include`` (imported before the worker builds its blueprints) and shows what it added.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.private_worker import private_worker
from lessons.probes.consumer_step import AUDIT_QUEUE
from lessons.subcommands import run_subcommand

from demo_project.signals import exit_on_sigterm

BROKER_URL = str(app.conf.broker_url)


def _lines(log: str, marker: str) -> list[str]:
    return [line.split("] ", 1)[-1].strip() for line in log.splitlines() if marker in line]


def _startstop() -> None:
    hooks = ["--include", "lessons.probes.startstop_step"]
    with (
        idle_queue(BROKER_URL, prefix="lesson-steps") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=hooks) as worker,
    ):
        print("worker ready; stopping it (SIGTERM)")
        worker.stop(grace=5)
        for line in _lines(worker.output(), "AuditStep"):
            print(line)


def _consumer_step() -> None:
    hooks = ["--include", "lessons.probes.consumer_step"]

    with (
        idle_queue(BROKER_URL, prefix="lesson-consumer") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=hooks) as worker,
        app.producer_or_acquire() as producer,
    ):
        event = {"event": "login", "user": "ana"}
        producer.publish(
            event,
            serializer="json",
            exchange=AUDIT_QUEUE.exchange,
            routing_key="audit",
            declare=[AUDIT_QUEUE],
        )
        print(f"published a plain JSON message (not a task) to {AUDIT_QUEUE.name}: {event}")
        deadline = time.monotonic() + 10
        while not _lines(worker.output(), "AuditEventsStep") and time.monotonic() < deadline:
            time.sleep(0.1)
        for line in _lines(worker.output(), "AuditEventsStep"):
            print(f"worker log: {line}")
    client = broker_client(BROKER_URL)
    for key in client.scan_iter(match=f"*{AUDIT_QUEUE.name}*"):
        client.delete(key)
    client.close()


def _inspect_command() -> None:
    hooks = ["--include", "lessons.probes.prefetch_command"]
    with (
        idle_queue(BROKER_URL, prefix="lesson-command") as queue,
        private_worker(queue, f"{queue}@lesson", concurrency=2, extra_args=hooks) as worker,
    ):
        replies = app.control.broadcast(
            "lesson_prefetch_count", destination=[worker.nodename], reply=True, timeout=2
        )
        print("worker started with -c 2; broadcast('lesson_prefetch_count') replied:")
        for reply in replies:
            for value in reply.values():
                print(f"  {value}")


COMMANDS: dict[str, Callable[[], None]] = {
    "startstop": _startstop,
    "consumer-step": _consumer_step,
    "inspect-command": _inspect_command,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.bootsteps_demo", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the private worker
    sys.exit(main(sys.argv[1:]))
