"""Start and stop the demo's real processes: a private redis-server and Celery workers.

Used by the tests, by ``studyapp verify`` and by the client's self-contained examples. Which
folder, URLs and queues: :mod:`demo_project.contract`.
Every process is started in its own session (process group) and stopped through that group,
never by name. Workers run ``celery -A config.celery_app worker`` with ``cwd=DEMO_DIR``, the
same command a learner types.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from demo_project.contract import (
    APP_MODULE,
    DEFAULT_BROKER_URL,
    DEMO_DIR,
    DEMO_QUEUES,
    client_transport_options,
    run_environment,
    venv_bin_dir,
)

STOP_GRACE_SECONDS = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_reachable(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis server answers PING at ``url``."""
    import redis  # late: keeps the study app's start-up free of redis-py and celery

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def _server_pid(url: str, timeout: float) -> int | None:
    """The process id of the Redis server answering at ``url``, if any."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return int(client.info("server")["process_id"])
    except (redis.RedisError, OSError, KeyError, ValueError):
        return None
    finally:
        client.close()


def demo_env(broker_url: str, result_backend: str, **extra: str) -> dict[str, str]:
    """``os.environ`` plus the demo variables (never the learner's ``.env``: these processes
    use the given Redis), with the venv's ``bin/`` first on PATH and output unbuffered (worker
    logs reach the log file as they happen)."""
    return run_environment(
        {"CELERY_BROKER_URL": broker_url, "CELERY_RESULT_BACKEND": result_backend, **extra},
        dotenv=None,
    )


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # group already gone
        os.killpg(pid, signum)


def stop_group(process: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """SIGTERM to the process group, SIGKILL after ``grace`` seconds, then reap."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # Children (e.g. prefork pool processes) may outlive the leader: kill what is left.
    _signal_group(process.pid, signal.SIGKILL)
    process.wait()


class StartedProcess(ABC):
    """A child process that `with` starts and, on leaving, stops, then removes the files it
    left (a data folder, a log)."""

    @abstractmethod
    def start(self) -> Self: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def remove_files(self) -> None: ...

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.remove_files()


class RedisServer(StartedProcess):
    """A private ``redis-server`` on 127.0.0.1, no persistence, in its own session."""

    def __init__(self, port: int | None = None, data_dir: Path | None = None) -> None:
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port()
        self._own_dir = data_dir is None
        self.data_dir = data_dir if data_dir is not None else Path(tempfile.mkdtemp("-redis"))
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 10.0) -> Self:
        """Start the server and wait until it answers. A port picked by us that another
        process took in the meantime is replaced by a fresh one (a few attempts)."""
        if self._process is not None and self._process.poll() is None:
            return self
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            if self._launch(timeout):
                return self
            if attempt + 1 < attempts:
                self.port = free_port()
        raise RuntimeError(f"redis-server did not start on port {self.port} (see {self.log})")

    @property
    def log(self) -> Path:
        return self.data_dir / "redis.log"

    def _launch(self, timeout: float) -> bool:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.data_dir), "--daemonize", "no"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self._process = process
        deadline = time.monotonic() + timeout
        # Wait for OUR server: a PING could also be answered by someone else's on this port.
        while _server_pid(self.url(), timeout=0.2) != process.pid:
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                return False
            time.sleep(0.02)
        return True

    def stop(self) -> None:
        """Stop the server (its data folder stays until the context exits)."""
        if self._process is not None:
            stop_group(self._process, grace=5.0)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def remove_files(self) -> None:
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def ping_workers(
    broker_url: str,
    destination: Sequence[str] | None = None,
    timeout: float = 1.0,
    limit: int | None = None,
) -> list[str]:
    """Names of the workers answering a ping within ``timeout`` (all, or ``destination``);
    empty when none answers or the broker is unreachable (checked first: kombu would retry).
    The wait ends early once ``limit`` workers (default: all of ``destination``) answered."""
    from celery import Celery
    from kombu.exceptions import OperationalError

    if broker_url.startswith("redis") and not redis_reachable(broker_url, timeout=timeout):
        return []
    probe = Celery("demo-probe", broker=broker_url, set_as_current=False)
    probe.conf.broker_transport_options = client_transport_options()
    try:
        if limit is None and destination:
            limit = len(destination)
        try:
            replies = probe.control.ping(
                destination=list(destination) if destination else None,
                timeout=timeout,
                limit=limit,
            )
        except (OperationalError, ConnectionError, OSError):
            return []  # e.g. the first call after a Redis restart finds a stale connection
        return sorted(name for reply in replies for name in reply)
    finally:
        probe.close()


class Worker(StartedProcess):
    """A real ``celery -A config.celery_app worker`` subprocess (cwd ``DEMO_DIR``).

    ``queues=None`` consumes all of ``DEMO_QUEUES`` (so one worker serves every card);
    pass a list to bind it to specific queues. Its output goes to ``log_path``.
    Mingle and gossip are off: they only sync with neighbours and cost start-up time.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        queues: Sequence[str] | None = None,
        concurrency: int = 2,
        name: str | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.env = dict(env)
        self.queues = list(queues) if queues is not None else list(DEMO_QUEUES)
        self.concurrency = concurrency
        base = name or f"demo-{uuid.uuid4().hex[:8]}"
        self.nodename = base if "@" in base else f"{base}@{socket.gethostname()}"
        self.extra_args = list(extra_args)
        self.log_path = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def broker_url(self) -> str:
        return self.env.get("CELERY_BROKER_URL", DEFAULT_BROKER_URL)

    def command(self) -> list[str]:
        celery = venv_bin_dir() / "celery"
        launcher = [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]
        return [
            *launcher,
            "-A",
            APP_MODULE,
            "worker",
            "--loglevel=info",
            "--hostname",
            self.nodename,
            "--concurrency",
            str(self.concurrency),
            "--queues",
            ",".join(self.queues),
            "--without-mingle",
            "--without-gossip",
            *self.extra_args,
        ]

    def start(self) -> Self:
        if self._process is None or self._process.poll() is not None:
            with open(self.log_path, "ab") as log:
                self._process = subprocess.Popen(
                    self.command(),
                    cwd=DEMO_DIR,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
        return self

    def output(self) -> str:
        """Everything the worker printed so far."""
        return self.log_path.read_text(errors="replace")

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait_ready(self, timeout: float = 30.0) -> Self:
        """Block until this worker answers a ping; raise if it exits or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError(f"worker {self.nodename} exited:\n{self.output()[-2000:]}")
            if ping_workers(self.broker_url, [self.nodename], timeout=0.5):
                return self
            time.sleep(0.05)
        raise TimeoutError(f"worker {self.nodename} not ready after {timeout} s")

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Warm shutdown (SIGTERM to the group), SIGKILL after ``grace`` seconds."""
        if self._process is not None:
            stop_group(self._process, grace=grace)

    def kill(self) -> None:
        """SIGKILL the whole group at once: no warm shutdown, unacked messages stay unacked."""
        if self._process is not None:
            _signal_group(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def remove_files(self) -> None:
        self.log_path.unlink(missing_ok=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The log goes first: a lesson the study app stops gets SIGKILL 3 s after SIGTERM,
        # often while the worker's warm shutdown still runs. The worker keeps its open file;
        # nothing is left in the temporary folder either way.
        self.remove_files()
        self.stop()
