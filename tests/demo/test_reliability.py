"""What survives failures, with real processes started by the project's own scripts: tasks sent
while no worker runs, a worker killed with SIGKILL mid-task, a Redis restart."""

import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from kombu.exceptions import OperationalError
from script_procs import ScriptProcess, script_env, wait_until

from demo_project.launch import free_port, ping_workers, redis_reachable

# Short enough for a test, longer than the gap between delivery and the kill below.
VISIBILITY_TIMEOUT_SECONDS = 2


class ScriptRedis:
    """redis/start.sh on one fixed port, so it can be stopped and started again in place."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.port = int(env["REDIS_PORT"])
        self.log_dir = log_dir
        self.process: ScriptProcess | None = None
        self.starts = 0

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"redis-{self.starts}.log"
        self.process = ScriptProcess("redis/start.sh", self.env, log).start()
        wait_until(lambda: redis_reachable(self.url(0)), 15, f"redis on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="module")
def env(var_dir: Path) -> dict[str, str]:
    return script_env(free_port(), var_dir)


@pytest.fixture(scope="module")
def broker(env: dict[str, str], var_dir: Path) -> Iterator[ScriptRedis]:
    server = ScriptRedis(env, var_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(broker: ScriptRedis) -> Iterator[Celery]:
    """A plain producer: tasks are sent by name, as any other program on the broker would."""
    app = Celery("reliability-client", broker=broker.url(0), backend=broker.url(1))
    try:
        yield app
    finally:
        app.close()


class Workers:
    """Starts workers through worker/start.sh; stops every one of them at the end."""

    def __init__(self, env: dict[str, str], broker: ScriptRedis, log_dir: Path) -> None:
        self.env = env
        self.broker = broker
        self.log_dir = log_dir
        self.started: list[ScriptProcess] = []

    def start(self, prefix: str, **extra_env: str) -> tuple[ScriptProcess, str]:
        nodename = f"{prefix}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        env = {**self.env, **extra_env, "WORKER_NAME": nodename, "WORKER_CONCURRENCY": "1"}
        worker = ScriptProcess(
            "worker/start.sh",
            env,
            self.log_dir / f"{prefix}.log",
            args=["--without-mingle", "--without-gossip"],
        )
        self.started.append(worker.start())
        return worker, nodename

    def wait_ready(self, worker: ScriptProcess, nodename: str) -> None:
        def answers() -> bool:
            if not worker.running():
                raise RuntimeError(f"worker {nodename} exited:\n{worker.output()[-3000:]}")
            try:
                return bool(ping_workers(self.broker.url(0), [nodename], timeout=0.5))
            except (redis.RedisError, OperationalError):
                # After the Redis restart test the first broadcast of this process can hit a
                # pooled connection to the old server; the next attempt opens a fresh one.
                return False

        wait_until(answers, 45, f"worker {nodename} to answer a ping")

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def workers(env: dict[str, str], broker: ScriptRedis, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(env, broker, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def test_tasks_sent_while_no_worker_runs_all_run_once_a_worker_starts(
    client: Celery, broker: ScriptRedis, workers: Workers
) -> None:
    results = [client.send_task("tasks.basic.add", args=(n, n)) for n in range(25)]
    # Nothing consumes yet: every message waits in the broker's list for the default queue.
    queued = redis.Redis.from_url(broker.url(0))
    assert queued.llen("celery") == 25
    queued.close()
    assert {result.state for result in results} == {"PENDING"}

    workers.start("late")
    assert [result.get(timeout=60) for result in results] == [2 * n for n in range(25)]


def test_task_of_a_sigkilled_worker_runs_again_on_a_new_worker(
    client: Celery, broker: ScriptRedis, workers: Workers
) -> None:
    # tasks.advanced.idempotent_job is acks_late: the broker keeps the message as "unacked"
    # until the task finishes. Two ways lead back to the queue on Redis:
    # * only the pool process dies: reject_on_worker_lost makes the (living) worker parent
    #   requeue at once;
    # * the whole worker dies (SIGKILL to its process group, as when a machine or container
    #   disappears): nobody is left to requeue. kombu's Redis transport then restores the
    #   unacked message once it is older than the visibility timeout; a worker sweeps for such
    #   messages when it starts (and every ~100 s afterwards).
    # This test shows the second, harder case; the demo's visibility timeout (1 h) is shortened
    # through CELERY_VISIBILITY_TIMEOUT so that a fresh worker finds the message at start-up.
    timeout_env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS)}
    first, first_name = workers.start("doomed", **timeout_env)
    workers.wait_ready(first, first_name)

    key = uuid.uuid4().hex
    result = client.send_task("tasks.advanced.idempotent_job", kwargs={"key": key, "seconds": 3})
    traces = redis.Redis.from_url(broker.url(1), decode_responses=True)
    wait_until(lambda: traces.llen(f"demo:runs:{key}") == 1, 30, "the first run to start")
    delivered_at = time.monotonic()
    first.kill()  # SIGKILL to the worker's whole process group, mid-task
    assert result.state == "STARTED"
    assert traces.get(f"demo:done:{key}") is None

    # Start the next worker only once the message counts as abandoned.
    time.sleep(max(0.0, delivered_at + VISIBILITY_TIMEOUT_SECONDS + 0.5 - time.monotonic()))
    _second, second_name = workers.start("rescuer", **timeout_env)

    assert result.get(timeout=60) == 2  # the second run of the task, as it reports itself
    runs = [str(run) for run in traces.lrange(f"demo:runs:{key}", 0, -1)]
    assert [run.split(" pid ")[0] for run in runs] == [first_name, second_name]
    assert traces.get(f"demo:done:{key}") == "1"
    traces.close()


def test_task_of_a_sigkilled_pool_process_is_requeued_at_once(
    client: Celery, broker: ScriptRedis, workers: Workers
) -> None:
    # The first case described above: only the pool process running the task dies, the worker's
    # parent process sees it (WorkerLostError) and, because of reject_on_worker_lost, requeues the
    # message at once: no visibility timeout involved (the demo's 1 h default stays in force).
    worker, nodename = workers.start("survivor")
    workers.wait_ready(worker, nodename)

    key = uuid.uuid4().hex
    result = client.send_task("tasks.advanced.idempotent_job", kwargs={"key": key, "seconds": 2})
    traces = redis.Redis.from_url(broker.url(1), decode_responses=True)
    wait_until(lambda: traces.llen(f"demo:runs:{key}") == 1, 30, "the first run to start")
    first_run = str(traces.lindex(f"demo:runs:{key}", 0))
    pool_pid = int(first_run.split(" pid ")[1])
    assert pool_pid != worker.pid
    os.kill(pool_pid, signal.SIGKILL)

    assert result.get(timeout=60) == 2
    runs = [str(run) for run in traces.lrange(f"demo:runs:{key}", 0, -1)]
    assert [run.split(" pid ")[0] for run in runs] == [nodename, nodename]
    assert int(runs[1].split(" pid ")[1]) != pool_pid  # a fresh pool process ran it again
    assert worker.running()
    traces.close()


def test_worker_reconnects_after_redis_restarts(
    client: Celery, broker: ScriptRedis, workers: Workers
) -> None:
    worker, nodename = workers.start("steady")
    workers.wait_ready(worker, nodename)
    assert client.send_task("tasks.basic.add", args=(1, 2)).get(timeout=30) == 3

    broker.stop()
    broker.start()  # a new redis-server process on the same port

    # A fresh producer: the point is the worker's reconnection, not the client's.
    after = Celery("after-restart", broker=broker.url(0), backend=broker.url(1))
    try:
        assert after.send_task("tasks.basic.add", args=(20, 22)).get(timeout=60) == 42
    finally:
        after.close()
    assert worker.running(), "the same worker process must have reconnected"
    assert "Connection to broker lost" in worker.output()
