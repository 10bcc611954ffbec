"""Process checks shared by the runner tests (zombies count as gone)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"


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
Proc = tuple[int, int]


def _stat_fields(pid: int | str) -> list[str] | None:
    """The /proc/PID/stat fields after the command name (state, ppid, pgrp, ...)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()


def descendants(root: int) -> set[Proc]:
    """Every live process below `root` by parent links, whatever its session or group."""
    children: dict[int, list[Proc]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry.name)
        if fields is None or fields[0] == "Z":
            continue
        # fields[19] is field 22 of stat(5): the start time.
        children.setdefault(int(fields[1]), []).append((int(entry.name), int(fields[19])))
    found: set[Proc] = set()
    todo = [root]
    while todo:
        for proc in children.get(todo.pop(), []):
            if proc not in found:
                found.add(proc)
                todo.append(proc[0])
    return found


def proc_alive(proc: Proc) -> bool:
    fields = _stat_fields(proc[0])
    return fields is not None and fields[0] != "Z" and int(fields[19]) == proc[1]


def kill_leftovers(procs: set[Proc]) -> None:
    """Test cleanup: SIGKILL whatever of `procs` is still alive, by PID."""
    for proc in procs:
        if proc_alive(proc):
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc[0], signal.SIGKILL)
