"""The worker's shutdown stages: cold (SIGQUIT), Ctrl-C twice, soft shutdown, REMAP_SIGTERM.

Each sub-command starts a private worker (one pool process) on a queue of its own, gives it a
task that sleeps, signals the worker's main process (as `kill` would) once the task runs, and
reports how long the worker took to exit, its shutdown log lines and the task's state.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence

from celery.result import AsyncResult
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.private_worker import private_worker
from lessons.subcommands import run_subcommand

from demo_project.launch import Worker
from demo_project.signals import exit_on_sigterm

SHUTDOWN_WORDS = ("shutdown", "Shutdown", "Hitting Ctrl+C", "Restoring")


def _started(result: AsyncResult, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while result.state != "STARTED" and time.monotonic() < deadline:
        time.sleep(0.05)


def _exited(worker: Worker, since: float, timeout: float = 15.0) -> float:
    while worker.running() and time.monotonic() - since < timeout:
        time.sleep(0.05)
    return time.monotonic() - since


def _log_lines(worker: Worker) -> list[str]:
    return [
        line.split("] ", 1)[-1].strip()
        for line in worker.output().splitlines()
        if any(word in line for word in SHUTDOWN_WORDS)
    ]


def run(
    seconds: float,
    signals: Sequence[signal.Signals],
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    task: str = "tasks.execution.whoami",
) -> None:
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-stop") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=extra_args, env=env) as worker,
    ):
        key = f"lesson-{queue}"  # the ack jobs' own key; whoami takes it as its label
        result = app.send_task(task, args=(key, seconds), queue=queue)
        _started(result)
        assert worker.pid is not None
        print(f"task started ({seconds:g} s of work)")
        sent = time.monotonic()
        for number, signum in enumerate(signals):
            if number:
                time.sleep(0.5)
            os.kill(worker.pid, signum)
            print(f"sent {signum.name} to the worker's main process")
        print(f"the worker exited {_exited(worker, sent):.1f} s after the first signal")
        for line in _log_lines(worker):
            print(f"worker log: {line}")
        print(f"the task: {result.state}")
        waiting = broker_client(str(app.conf.broker_url)).llen(queue)
        print(f"messages back in its queue: {waiting}")
        result.forget()


def _acks_late() -> None:
    print("tasks.execution.late_ack_only_job has acks_late=True")
    run(5.0, [signal.SIGQUIT], task="tasks.execution.late_ack_only_job")


def _remote() -> None:
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-remote") as queue,
        private_worker(queue, f"{queue}@lesson") as worker,
    ):
        result = app.send_task("tasks.execution.whoami", args=("", 2.0), queue=queue)
        _started(result)
        print("task started (2 s of work)")
        sent = time.monotonic()
        app.control.shutdown(destination=[worker.nodename])
        print("app.control.shutdown(destination=[the worker]) sent")
        print(f"the worker exited {_exited(worker, sent):.1f} s later")
        for line in _log_lines(worker):
            print(f"worker log: {line}")
        print(f"the task: {result.state}")
        result.forget()


def _cold() -> None:
    run(5.0, [signal.SIGQUIT])


def _ctrl_c_twice() -> None:
    run(5.0, [signal.SIGINT, signal.SIGINT])


def _soft() -> None:
    run(1.0, [signal.SIGQUIT], extra_args=["worker_soft_shutdown_timeout=2"])


def _remap_sigterm() -> None:
    run(5.0, [signal.SIGTERM], env={"REMAP_SIGTERM": "SIGQUIT"})


COMMANDS: dict[str, Callable[[], None]] = {
    "cold": _cold,
    "ctrl-c-twice": _ctrl_c_twice,
    "soft": _soft,
    "remap-sigterm": _remap_sigterm,
    "acks-late": _acks_late,
    "remote": _remote,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.shutdown_modes", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the private worker
    sys.exit(main(sys.argv[1:]))
