"""What the worker pools do differently: solo blocks remote control, threads skip time limits
and overlap waits, gevent patches the standard library, autoscale resizes prefork.

Each sub-command (but `gevent-patch`) starts a private worker with the pool it is about, on
a queue of its own.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker
from lessons.subcommands import run_subcommand

from demo_project.contract import APP_MODULE, DEMO_DIR
from demo_project.signals import exit_on_sigterm

BROKER_URL = str(app.conf.broker_url)


def _ping(nodename: str) -> str:
    started = time.monotonic()
    replies = app.control.ping(destination=[nodename], timeout=1.0)
    answer = "pong" if replies else "no reply"
    return f"{answer} (waited {time.monotonic() - started:.1f} s)"


def _solo_blocks_control() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-solo") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=["--pool", "solo"]) as worker,
    ):
        print(f"ping while idle: {_ping(worker.nodename)}")
        result = app.send_task("tasks.execution.whoami", args=("", 3.0), queue=queue)
        while result.state != "STARTED":
            time.sleep(0.05)
        print("a 3 s task is running in the solo pool")
        print(f"ping with a 1 s timeout: {_ping(worker.nodename)}")
        result.get(timeout=20)
        # The worker now reads its control queue again; the late answer to the ping above
        # can still be in flight, so ask up to three times.
        for _ in range(3):
            answer = _ping(worker.nodename)
            if answer.startswith("pong"):
                break
        print(f"ping after the task: {answer}")
        result.forget()


def _threads_time_limits() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-threads") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=["--pool", "threads"]) as worker,
    ):
        print("time_limited has soft_time_limit=1, time_limit=2; it sleeps 3 s")
        result = app.send_task("tasks.advanced.time_limited", args=(3.0,), queue=queue)
        value = result.get(timeout=20, propagate=False)
        print(f"-P threads: {result.state}, result {value!r}")
        limits = [line for line in worker.output().splitlines() if "imeLimit" in line]
        print(f"time-limit lines in the worker log: {len(limits)}")
        result.forget()


def _threads_io() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-io") as queue,
        private_worker(queue, f"{queue}@lesson", concurrency=8, extra_args=["--pool", "threads"]),
    ):
        started = time.monotonic()
        results = [
            app.send_task("tasks.execution.whoami", args=(str(n), 1.0), queue=queue)
            for n in range(8)
        ]
        seen = [r.get(timeout=20) for r in results]
        elapsed = time.monotonic() - started
        print(f"-P threads -c 8: 8 tasks that each wait 1 s took {elapsed:.1f} s in all")
        print(
            f"processes used: {len({s['pid'] for s in seen})}, threads used: "
            f"{len({s['thread'] for s in seen})}"
        )
        for result in results:
            result.forget()


def _gevent_patch() -> None:
    command = ["celery", "-A", APP_MODULE, "worker", "--pool", "gevent"]
    print("$ " + " ".join(command))
    # python -m celery: the same entry point as the celery command
    argv = [sys.executable, "-m", *command]
    shown = subprocess.run(
        argv, cwd=DEMO_DIR, capture_output=True, text=True, timeout=30, check=False
    )
    for line in shown.stderr.splitlines():
        frame = re.search(r'celery/(\S+\.py)", line \d+, in (\w+)', line)
        if frame:
            print(f"  in celery/{frame[1]}: {frame[2]}()")
        elif line.startswith("ModuleNotFoundError"):
            print(line)
    print(f"exit status {shown.returncode}")


def _pool_size(nodename: str) -> int:
    stats = app.control.inspect([nodename], timeout=1.0).stats() or {}
    return len(stats.get(nodename, {}).get("pool", {}).get("processes", []))


def _autoscale() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-autoscale") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=["--autoscale", "3,1"]) as worker,
    ):
        print(f"--autoscale=3,1, idle: {_pool_size(worker.nodename)} pool process")
        results = [
            app.send_task("tasks.execution.whoami", args=("", 3.0), queue=queue) for _ in range(3)
        ]
        deadline = time.monotonic() + 8
        size = _pool_size(worker.nodename)
        while size < 3 and time.monotonic() < deadline:
            time.sleep(0.25)
            size = _pool_size(worker.nodename)
        print(f"with 3 tasks waiting: {size} pool processes")
        app.control.revoke([r.id for r in results], terminate=True)
        for result in results:
            result.forget()


COMMANDS: dict[str, Callable[[], None]] = {
    "solo-blocks-control": _solo_blocks_control,
    "threads-time-limits": _threads_time_limits,
    "threads-io": _threads_io,
    "gevent-patch": _gevent_patch,
    "autoscale": _autoscale,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.pool_traits", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the private worker
    sys.exit(main(sys.argv[1:]))
