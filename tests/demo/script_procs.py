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

import psutil

from demo_project.contract import DEMO_DIR
from demo_project.launch import demo_env

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


# --- process trees (psutil) -----------------------------------------------------------------

ProcessKey = tuple[int, float]  # (pid, start time): survives PID reuse


def _session_of(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except (ProcessLookupError, PermissionError):
        return None


def process_family(root: int) -> set[ProcessKey]:
    """``root``, its descendants and every process sharing a session with any of them (this
    catches children that were re-parented to init when their parent died)."""
    family: dict[int, psutil.Process] = {}
    with contextlib.suppress(psutil.NoSuchProcess):
        top = psutil.Process(root)
        family = {p.pid: p for p in [top, *top.children(recursive=True)]}
    sessions = {_session_of(pid) for pid in family} - {None, os.getsid(0)}  # never ours
    for proc in psutil.process_iter():
        if proc.pid not in family and _session_of(proc.pid) in sessions:
            family[proc.pid] = proc
    keys: set[ProcessKey] = set()
    for pid, proc in family.items():
        with contextlib.suppress(psutil.NoSuchProcess):
            keys.add((pid, proc.create_time()))
    return keys


def still_alive(processes: Iterable[ProcessKey]) -> set[ProcessKey]:
    """The processes of ``processes`` that still exist (zombies count as gone)."""
    alive: set[ProcessKey] = set()
    for pid, start in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc = psutil.Process(pid)
            if proc.create_time() == start and proc.status() != psutil.STATUS_ZOMBIE:
                alive.add((pid, start))
    return alive


def kill_sessions(processes: Iterable[ProcessKey]) -> None:
    """Safety net for teardown: SIGKILL the process group of every process still alive."""
    for pid, _start in still_alive(processes):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)
