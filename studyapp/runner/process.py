"""Run a prepared command as its own process group and stream its merged output.

Every process starts in a new session (so it leads its own process group); stopping sends
SIGTERM to the whole group, then SIGKILL after a grace period, so children die too. Live
groups are tracked so an `atexit` hook can kill whatever is left if the program ends early.
"""

from __future__ import annotations

import asyncio
import atexit
import codecs
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import psutil

from studyapp.runner.command import PreparedCommand

STOP_GRACE_SECONDS = 3.0
_READ_CHUNK = 65536

_live_groups: set[int] = set()


def live_process_groups() -> frozenset[int]:
    return frozenset(_live_groups)


def group_members(pgid: int) -> list[int]:
    """PIDs of the live (non-zombie) processes in process group `pgid`.

    Zombies are left out on purpose: an orphan's zombie may wait a while for init to reap
    it, but it holds no resources and cannot run again.
    """
    members = []
    for proc in psutil.process_iter(["status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        # psutil has no process-group field; getpgid works for any pid on Linux.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.getpgid(proc.pid) == pgid:
                members.append(proc.pid)
    return members


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return bool(group_members(pgid))


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def kill_all_groups_now(grace: float = 1.0) -> None:
    """Stop every process group this program started and has not stopped yet."""
    for pgid in list(_live_groups):
        _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(group_alive(g) for g in _live_groups):
        time.sleep(0.05)
    for pgid in list(_live_groups):
        _signal_group(pgid, signal.SIGKILL)
    _live_groups.clear()


atexit.register(kill_all_groups_now)


class RunningProcess:
    """One started command. Iterate `lines()` once to consume its output."""

    def __init__(self, proc: asyncio.subprocess.Process, command: PreparedCommand) -> None:
        self._proc = proc
        self.command = command
        self.pid = proc.pid
        self.pgid = proc.pid  # start_new_session: the process leads its own group
        self.started_at = time.monotonic()
        self.stop_requested = False
        _live_groups.add(self.pgid)

    @classmethod
    async def start(cls, command: PreparedCommand) -> RunningProcess:
        proc = await asyncio.create_subprocess_exec(
            *command.argv,
            cwd=command.cwd,
            env=dict(command.env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        return cls(proc, command)

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    async def lines(self) -> AsyncIterator[str]:
        """Output lines without their newline, as they arrive, until the pipe closes."""
        stream = self._proc.stdout
        assert stream is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            chunk = await stream.read(_READ_CHUNK)
            if not chunk:
                break
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n")
            for line in complete:
                yield line.rstrip("\r")
        pending += decoder.decode(b"", final=True)
        if pending:
            yield pending.rstrip("\r")

    async def wait(self) -> int:
        """Wait for the group leader to exit. (asyncio's own `wait()` in 3.11 also waits for
        the pipe to close, which a leftover child can hold open.)"""
        while self._proc.returncode is None:
            await asyncio.sleep(0.02)
        return self._proc.returncode

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """End the whole process group: SIGTERM, then SIGKILL after `grace` seconds."""
        self.stop_requested = True
        _signal_group(self.pgid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wait(), grace)
        await self.reap_group(grace)

    async def reap_group(self, grace: float) -> None:
        """The leader is gone; end any child left in the group (SIGTERM, then SIGKILL)."""
        if group_alive(self.pgid):
            _signal_group(self.pgid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and group_alive(self.pgid):
                await asyncio.sleep(0.05)
            _signal_group(self.pgid, signal.SIGKILL)
        await self.wait()
        _live_groups.discard(self.pgid)


@dataclass
class RunOutcome:
    exit_code: int | None  # None when it never ended by itself (timeout or stop)
    elapsed: float
    timed_out: bool = False
    stopped: bool = False
    output: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.stopped

    def status_text(self) -> str:
        if self.timed_out:
            return f"timed out after {self.elapsed:.2f}s"
        if self.stopped:
            return f"stopped after {self.elapsed:.2f}s"
        return f"exit {self.exit_code} in {self.elapsed:.2f}s"


LineCallback = Callable[[str], None]


async def run_to_completion(
    command: PreparedCommand,
    timeout: float | None,
    on_line: LineCallback | None = None,
    until: Callable[[str], bool] | None = None,
    on_start: Callable[[RunningProcess], None] | None = None,
) -> RunOutcome:
    """Run `command`, streaming lines to `on_line`, until it exits or `timeout` passes.

    `until(line)` returning True ends the run early and stops the command (a service whose
    Expect lines have shown up). `process.stop()` called from elsewhere (a stop key) ends
    it too. Whatever happens, including cancellation, the process group is gone on return.
    """
    process = await RunningProcess.start(command)
    if on_start is not None:
        on_start(process)
    outcome = RunOutcome(exit_code=None, elapsed=0.0)
    satisfied = False

    async def consume() -> None:
        nonlocal satisfied
        async for line in process.lines():
            outcome.output.append(line)
            if on_line is not None:
                on_line(line)
            if until is not None and until(line):
                satisfied = True
                return

    async def leader_then_group() -> None:
        await process.wait()
        # A one-shot command is over when its leader exits; children it left behind
        # would keep the pipe open, so end them too.
        await process.reap_group(STOP_GRACE_SECONDS)

    reader = asyncio.ensure_future(consume())
    watcher = asyncio.ensure_future(leader_then_group())
    try:
        async with asyncio.timeout(timeout):
            await reader
            if not satisfied:
                await watcher
    except TimeoutError:
        outcome.timed_out = True
    finally:
        if not watcher.done():
            await asyncio.shield(process.stop())
        for task in (reader, watcher):
            task.cancel()
        await asyncio.gather(reader, watcher, return_exceptions=True)
    outcome.stopped = (satisfied or process.stop_requested) and not outcome.timed_out
    outcome.exit_code = process.returncode
    outcome.elapsed = time.monotonic() - process.started_at
    return outcome
