"""Celery's signals: the order a task's signals fire in, where they run, senders, weak refs.

`order` and `process-init` start a private worker that loads `lessons.probes.signal_hooks`
(one print per signal) and read its log; the others only publish to a queue nobody consumes
and inspect the message in Redis.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from celery import Celery, signals
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.private_worker import private_worker
from lessons.subcommands import run_subcommand

from demo_project.signals import exit_on_sigterm

BROKER_URL = str(app.conf.broker_url)
HOOKS = ["--include", "lessons.probes.signal_hooks"]


def _signal_lines(log: str, main_pid: int) -> list[str]:
    """The hooks' lines, with the pid replaced by which process of the worker it was."""
    lines = []
    for match in re.finditer(r"signal (.+) \(pid (\d+)\)", log):
        where = "worker main process" if int(match[2]) == main_pid else "pool process"
        lines.append(f"{match[1]}  [{where}]")
    return lines


def _order() -> None:
    def before(sender: str, **kwargs: Any) -> None:
        print(f"before_task_publish {sender}  [caller]")

    signals.before_task_publish.connect(before, weak=False)
    signals.after_task_publish.connect(
        lambda sender, **kw: print(f"after_task_publish {sender}  [caller]"), weak=False
    )
    with (
        idle_queue(BROKER_URL, prefix="lesson-signals") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=HOOKS) as worker,
    ):
        result = app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        result.get(timeout=20)
        time.sleep(0.3)  # the postrun line follows the result by a moment
        assert worker.pid is not None
        for line in _signal_lines(worker.output(), worker.pid):
            if "worker_process_init" not in line:
                print(line)
        result.forget()


def _process_init() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-init") as queue,
        private_worker(queue, f"{queue}@lesson", concurrency=2, extra_args=HOOKS) as worker,
    ):
        assert worker.pid is not None
        log = worker.output()
        pids = re.findall(r"signal worker_process_init \(pid (\d+)\)", log)
        print(f"worker started with -c 2 (main process pid {worker.pid})")
        for pid in pids:
            where = "the main process" if int(pid) == worker.pid else "a pool process"
            print(f"worker_process_init ran in {where} (pid {pid})")


def _publish_headers() -> None:
    def stamp(headers: dict[str, Any], **kwargs: Any) -> None:
        headers["x-origin"] = "web-checkout"
        print(f"before_task_publish in the caller: adding header x-origin to {headers['task']}")

    signals.before_task_publish.connect(stamp, weak=False)
    with idle_queue(BROKER_URL, prefix="lesson-headers") as queue:
        app.send_task("tasks.basic.add", args=(1, 2), queue=queue)
        message = json.loads(broker_client(BROKER_URL).lindex(queue, 0) or "{}")
        print(f"the message in Redis carries x-origin={message['headers'].get('x-origin')!r}")


def _sender() -> None:
    seen: list[str] = []

    def only_add(sender: str, **kwargs: Any) -> None:
        seen.append(sender)

    signals.before_task_publish.connect(only_add, sender="tasks.basic.add", weak=False)
    with idle_queue(BROKER_URL, prefix="lesson-sender") as queue:
        for name, args in (("tasks.basic.add", (1, 2)), ("tasks.workflows.mul", (3, 4))):
            app.send_task(name, args=args, queue=queue)
            print(f"sent {name}")
    print(f"the handler ran for: {seen}")


def _weak() -> None:
    calls = {"weak": 0, "strong": 0}
    with idle_queue(BROKER_URL, prefix="lesson-weak") as queue:
        signals.before_task_publish.connect(lambda **kw: calls.update(weak=calls["weak"] + 1))
        signals.before_task_publish.connect(
            lambda **kw: calls.update(strong=calls["strong"] + 1), weak=False
        )
        gc.collect()
        app.send_task("tasks.basic.add", args=(1, 2), queue=queue)
    print("one task sent after connecting two lambdas")
    print(f"the lambda connected with the default (weak=True) ran {calls['weak']} times")
    print(f"the lambda connected with weak=False ran {calls['strong']} times")


def _logging_case(with_receiver: bool) -> None:
    """One start-up of Celery's logging; Celery sets logging up once per process."""
    if with_receiver:

        def own_logging(**kwargs: Any) -> None:
            logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")

        signals.setup_logging.connect(own_logging, weak=False)  # an inner function: keep it
    # app.log.setup() is what `celery worker` calls to configure logging at start-up.
    Celery("logging", set_as_current=False).log.setup(loglevel="INFO")
    root = logging.getLogger()
    sample = logging.LogRecord("shop", logging.WARNING, __file__, 1, "stock low", None, None)
    shown = [h.format(sample) for h in root.handlers]
    label = "with a setup_logging receiver" if with_receiver else "without a receiver"
    print(f"{label}: root level {logging.getLevelName(root.level)}, a line looks like {shown}")


def _setup_logging() -> None:
    for case in ("logging-plain", "logging-receiver"):  # a fresh process for each
        command = [sys.executable, "-m", "lessons.signal_order", case]
        subprocess.run(command, check=True)


COMMANDS: dict[str, Callable[[], None]] = {
    "order": _order,
    "process-init": _process_init,
    "publish-headers": _publish_headers,
    "sender": _sender,
    "weak": _weak,
    "setup-logging": _setup_logging,
    "logging-plain": lambda: _logging_case(with_receiver=False),
    "logging-receiver": lambda: _logging_case(with_receiver=True),
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.signal_order", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the private worker
    sys.exit(main(sys.argv[1:]))
