"""Process checks shared by the runner tests (zombies count as gone)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import psutil


def pid_alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def read_pid(path: Path, timeout: float = 10.0) -> int:
    assert wait_until(lambda: path.exists() and path.read_text().strip() != "", timeout)
    return int(path.read_text().split()[0])


# A process is named by (pid, start time): a PID reused by a newcomer is not "still alive".
Proc = tuple[int, float]


def descendants(root: int) -> set[Proc]:
    """Every live process below `root` by parent links, whatever its session or group."""
    try:
        children = psutil.Process(root).children(recursive=True)
    except psutil.NoSuchProcess:
        return set()
    found: set[Proc] = set()
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            if child.status() != psutil.STATUS_ZOMBIE:
                found.add((child.pid, child.create_time()))
    return found


def proc_alive(proc: Proc) -> bool:
    try:
        process = psutil.Process(proc[0])
        return process.create_time() == proc[1] and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def kill_leftovers(procs: set[Proc]) -> None:
    """Test cleanup: SIGKILL whatever of `procs` is still alive, by PID."""
    for proc in procs:
        if proc_alive(proc):
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc[0], signal.SIGKILL)
