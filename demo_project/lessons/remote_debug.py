"""Debugging inside a worker: an rdb break-point reached over a socket, and SIGUSR1's
traceback dump.

Both start a private worker; `rdb` loads ``lessons.probes.rdb_task`` with ``--include`` and
plays the part of `telnet`: it reads the port from the worker's log, prints a variable,
changes it and continues.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
from collections.abc import Callable

from config.celery_app import app
from lessons.idle_queue import idle_queue
from lessons.private_worker import private_worker
from lessons.subcommands import run_subcommand

from demo_project.launch import Worker
from demo_project.signals import exit_on_sigterm

BROKER_URL = str(app.conf.broker_url)
PROMPT = b"(Pdb) "


def _wait_for_line(worker: Worker, pattern: str, timeout: float = 20.0) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, worker.output())
        if found:
            return found
        time.sleep(0.1)
    raise SystemExit(f"no line matching {pattern!r} in the worker's log")


def _until_prompt(connection: socket.socket) -> str:
    seen = b""
    while not seen.endswith(PROMPT):
        chunk = connection.recv(4096)
        if not chunk:
            break
        seen += chunk
    return seen.decode().removesuffix(PROMPT.decode()).strip()


def _rdb() -> None:
    hooks = ["--include", "lessons.probes.rdb_task"]
    with (
        idle_queue(BROKER_URL, prefix="lesson-rdb") as queue,
        private_worker(queue, f"{queue}@lesson", extra_args=hooks) as worker,
    ):
        name = "lessons.probes.rdb_task.order_total"
        result = app.send_task(name, args=([40, 50],), queue=queue)
        ready = _wait_for_line(worker, r"Remote Debugger:(\d+): Ready to connect: telnet (\S+) \d+")
        print(f"worker log: {ready[0]}")
        with socket.create_connection((ready[2], int(ready[1])), timeout=10) as connection:
            _until_prompt(connection)  # where it stopped: the task's file and line
            for command in ("p total", "total = 1000", "continue"):
                connection.sendall(command.encode() + b"\n")
                answer = _until_prompt(connection) if command != "continue" else ""
                print(f"(Pdb) {command}" + (f"\n{answer}" if answer else ""))
        print(f"the task returned: {result.get(timeout=20)}")
        result.forget()


def _usr1() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-usr1") as queue,
        private_worker(queue, f"{queue}@lesson") as worker,
    ):
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGUSR1)
        print("sent SIGUSR1 to the worker's main process")
        _wait_for_line(worker, r"LOCAL VARIABLES", timeout=10)
        time.sleep(0.3)
        lines = worker.output().splitlines()
        separator = "=" * 49
        threads = [
            name
            for name, rule, first in zip(lines, lines[1:], lines[2:], strict=False)
            if rule == separator and first.startswith("  File")
        ]
        calls = re.findall(r'File ".*?celery/(\S+)", line \d+, in (\w+)', "\n".join(lines))
        print(f"the worker's log now holds a stack for each thread: {threads}")
        module, function = calls[-3]  # the last two frames are the signal handler's own
        print(f"MainThread was in celery/{module}, {function}() (the worker's event loop)")
        print(f"the worker still runs: {worker.running()}")


COMMANDS: dict[str, Callable[[], None]] = {
    "rdb": _rdb,
    "usr1": _usr1,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.remote_debug", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the private worker
    sys.exit(main(sys.argv[1:]))
