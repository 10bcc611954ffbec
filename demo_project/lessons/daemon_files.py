"""Running workers in the background: ``celery multi`` with pid and log files per node and
per process, and how node names expand in file paths.

`multi` detaches a real worker into a scratch folder (its pid file tells `stopwait` whom to
stop); `node-format` expands file-name templates the way a worker does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from celery.utils.nodenames import node_format
from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.subcommands import run_subcommand

from demo_project.contract import APP_MODULE, DEMO_DIR
from demo_project.launch import ping_workers
from demo_project.signals import exit_on_sigterm

NODE = "lesson@lesson"


def _multi(*args: str) -> list[str]:
    command = [sys.executable, "-m", "celery", "--no-color", "multi", *args]
    shown = subprocess.run(
        command, cwd=DEMO_DIR, capture_output=True, text=True, timeout=60, check=True
    )
    return [line.strip() for line in shown.stdout.splitlines() if line.strip()]


def _wait_ready(broker_url: str, timeout: float = 30.0) -> None:
    """Until the detached worker answers a ping (a ping sent before it listens is lost)."""
    deadline = time.monotonic() + timeout
    while not ping_workers(broker_url, [NODE], timeout=0.5) and time.monotonic() < deadline:
        time.sleep(0.1)


def _multi_start_stopwait() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="lesson-multi-") as folder,
        idle_queue(str(app.conf.broker_url), prefix="lesson-multi") as queue,
    ):
        pidfile = f"--pidfile={folder}/%n.pid"
        options = [pidfile, f"--logfile={folder}/%n%I.log", "-c", "2", "-Q", queue]
        options += ["--without-mingle", "--without-gossip"]
        print(
            f"$ celery multi start {NODE} -A {APP_MODULE} -c 2 --pidfile=%n.pid --logfile=%n%I.log"
        )
        try:
            for line in _multi("start", NODE, "-A", APP_MODULE, *options)[1:]:
                print(f"  {line}")
            _wait_ready(str(app.conf.broker_url))
            pid = (Path(folder) / "lesson.pid").read_text().strip()
            print(f"files: {sorted(p.name for p in Path(folder).iterdir())}")
            print(f"lesson.pid holds the detached worker's pid: {pid}")
            print(f"$ celery multi stopwait {NODE} --pidfile=%n.pid")
            for line in _multi("stopwait", NODE, pidfile)[1:]:
                print(f"  {line}")
            print(f"files: {sorted(p.name for p in Path(folder).iterdir())}")
        finally:
            leftover = Path(folder) / "lesson.pid"
            if leftover.exists():  # stopwait did not run: stop the worker by its pid
                os.kill(int(leftover.read_text()), signal.SIGTERM)


def _node_format() -> None:
    node = "george@foo.example.com"
    for option in ("--pidfile=%n.pid", "--logfile=%h.log", "--logfile=%d.log", "--logfile=%p.log"):
        print(f"{option} for {node} -> {node_format(option.split('=')[1], node)}")


COMMANDS: dict[str, Callable[[], None]] = {
    "multi": _multi_start_stopwait,
    "node-format": _node_format,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.daemon_files", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the detached worker
    sys.exit(main(sys.argv[1:]))
