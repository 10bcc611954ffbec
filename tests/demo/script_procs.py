"""Run demo_project's start scripts as real processes for the operations tests.

Each script runs in its own session, its output goes to a log file, and it is stopped through its
process group (never by name). Helpers here also snapshot process trees, so a test can prove
that stopping a service left nothing behind.
"""

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from demo_project.launch import DEMO_DIR, demo_env

STOP_GRACE_SECONDS = 10.0


# Settings the start scripts read; a developer's own values must not leak into the tests.
SCRIPT_SETTINGS = (
    "CELERY_FLOWER_USER",
    "CELERY_FLOWER_PASSWORD",
    "CELERY_BEAT_SCHEDULE_FILE",
    "CELERY_VISIBILITY_TIMEOUT",
    "CELERY_DEMO_HEARTBEAT_SECONDS",
    "DEMO_ENV",
    "WORKER_QUEUES",
    "WORKER_CONCURRENCY",
    "WORKER_NAME",
    "WORKER_LOGLEVEL",
    "BEAT_LOGLEVEL",
    "PING_WAIT_SECONDS",
    "REDIS_SERVER",
    "REDIS_CLI",
)


def script_env(redis_port: int, var_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for the start scripts: a private Redis, a private data folder, production
    mode unless overridden (tests that need watchfiles ask for development explicitly)."""
    env = demo_env(f"redis://127.0.0.1:{redis_port}/0", f"redis://127.0.0.1:{redis_port}/1")
    for name in list(env):
        if name in SCRIPT_SETTINGS or name.startswith("FLOWER_"):
            del env[name]
    env.update({"REDIS_PORT": str(redis_port), "DEMO_VAR_DIR": str(var_dir)})
    env.update({"DEMO_ENV": "production", **extra})
    return env


def run_script(
    script: str, env: Mapping[str, str], args: Sequence[str] = (), timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run a script that is expected to finish on its own (e.g. a refusal)."""
    return subprocess.run(
        ["bash", str(DEMO_DIR / script), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class ScriptProcess:
    """A long-running start script (a service) in its own session, output in ``log_path``."""

    def __init__(
        self,
        script: str | Path,
        env: Mapping[str, str],
        log_path: Path,
        args: Sequence[str] = (),
        demo_dir: Path = DEMO_DIR,
        through_tee: bool = False,
    ) -> None:
        self.command = ["bash", str(demo_dir / script), *args]
        self.env = dict(env)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        # `script | tee log`, as a learner may run it: the script's output is a pipe.
        self.through_tee = through_tee
        self.tee: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self) -> "ScriptProcess":
        if self.through_tee:
            self.tee = subprocess.Popen(
                ["tee", "-a", str(self.log_path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
            assert self.tee.stdin is not None
            self._start(self.tee.stdin)
            self.tee.stdin.close()  # the script holds the pipe's only write end now
            return self
        with open(self.log_path, "ab") as log:
            self._start(log)
        return self

    def _start(self, output: IO[bytes]) -> None:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_for_output(self, pattern: str, timeout: float, count: int = 1) -> None:
        """Wait until ``pattern`` (a regex) occurs ``count`` times in the output."""

        def seen() -> bool:
            if len(re.findall(pattern, self.output())) >= count:
                return True
            if not self.running():
                raise RuntimeError(f"{self.command} exited early:\n{self.output()[-3000:]}")
            return False

        try:
            wait_until(seen, timeout, f"{pattern!r} in the output of {self.command}")
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n--- output ---\n{self.output()[-3000:]}") from None

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signum)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM to the group, SIGKILL after ``grace`` seconds, then reap."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        self.signal_group(signal.SIGKILL)  # pool children may outlive the leader
        self.process.wait()
        self.stop_tee()

    def stop_tee(self, signum: int = signal.SIGTERM) -> None:
        """End the `| tee` reader (SIGINT is what a Ctrl-C gives it), if there is one."""
        if self.tee is not None and self.tee.poll() is None:
            self.tee.send_signal(signum)
            self.tee.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL the whole group at once (no shutdown of any kind)."""
        if self.process is not None:
            self.signal_group(signal.SIGKILL)
            self.process.wait()


# --- process trees (Linux /proc) ------------------------------------------------------------

ProcessKey = tuple[int, int]  # (pid, start time in clock ticks): survives PID reuse


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may hold spaces; everything after its ")" is space-separated.
    return raw[raw.rindex(")") + 2 :].split()


def _all_processes() -> dict[int, tuple[int, int, int, str]]:
    """pid -> (ppid, session id, start time, state) for every visible process."""
    table: dict[int, tuple[int, int, int, str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                # after the name: state ppid pgrp session ... starttime is field 22 overall
                table[int(entry)] = (int(fields[1]), int(fields[3]), int(fields[19]), fields[0])
    return table


def process_family(root: int) -> set[ProcessKey]:
    """``root``, its descendants and every process sharing a session with any of them (this
    catches children that were re-parented to init when their parent died)."""
    table = _all_processes()
    family = {root}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _sid, _start, _state) in table.items():
            if ppid in family and pid not in family:
                family.add(pid)
                grew = True
    sessions = {table[pid][1] for pid in family if pid in table}
    sessions.discard(os.getsid(0))  # never the test runner's own session
    family |= {pid for pid, (_p, sid, _s, _st) in table.items() if sid in sessions}
    return {(pid, table[pid][2]) for pid in family if pid in table}


def still_alive(processes: Iterable[ProcessKey]) -> set[ProcessKey]:
    """The processes of ``processes`` that still exist (zombies count as gone)."""
    alive: set[ProcessKey] = set()
    for pid, start in processes:
        fields = _stat_fields(pid)
        if fields is not None and int(fields[19]) == start and fields[0] != "Z":
            alive.add((pid, start))
    return alive


def kill_sessions(processes: Iterable[ProcessKey]) -> None:
    """Safety net for teardown: SIGKILL the process group of every process still alive."""
    for pid, _start in still_alive(processes):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)
