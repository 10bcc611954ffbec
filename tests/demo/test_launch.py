"""demo_project.launch against real processes: redis-server and celery workers."""

import os
import socket
import sys
import time
from pathlib import Path

import psutil
import pytest
from celery import Celery

from demo_project.contract import DEMO_DIR, DEMO_QUEUES
from demo_project.launch import (
    RedisServer,
    Worker,
    demo_env,
    free_port,
    ping_workers,
    redis_reachable,
)


def process_alive(pid: int) -> bool:
    # A zombie still "exists"; a reaped process does not. Popen.wait() reaps ours.
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def group_members(pgid: int) -> list[int]:
    """Live members of process group ``pgid`` (psutil has no group field: getpgid)."""
    members = []
    for proc in psutil.process_iter(["status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                members.append(proc.pid)
        except ProcessLookupError:
            continue
    return members


def all_gone(pids: list[int], timeout: float = 3.0) -> bool:
    """Killed processes disappear asynchronously (orphans are reaped by init)."""
    deadline = time.monotonic() + timeout
    while any(process_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_free_port_can_be_bound_on_loopback() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_redis_server_starts_answers_stops_and_restarts_on_its_port(tmp_path: Path) -> None:
    server = RedisServer(data_dir=tmp_path)
    with server:
        assert server.url(2) == f"redis://127.0.0.1:{server.port}/2"
        assert redis_reachable(server.url())
        first_pid = server.pid
        assert first_pid is not None and os.getpgid(first_pid) == first_pid  # own session
        server.stop()
        assert not redis_reachable(server.url(), timeout=0.2)
        assert not process_alive(first_pid)
        server.start()  # same port again, as a Redis restart
        assert redis_reachable(server.url())
        assert server.pid != first_pid
    assert not redis_reachable(server.url(), timeout=0.2)
    assert tmp_path.exists()  # a caller's folder is left in place


def test_redis_server_never_mistakes_another_server_on_its_port_for_its_own() -> None:
    with RedisServer() as first:
        second = RedisServer(port=first.port)
        with pytest.raises(RuntimeError, match="did not start"):
            second.start(timeout=5)
        assert second.pid is None
        assert redis_reachable(first.url())  # the first one is untouched
        second.__exit__(None, None, None)
    assert not first.data_dir.exists()  # a folder it made itself goes with it


def test_redis_reachable_and_ping_workers_with_a_closed_port() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    assert not redis_reachable(url, timeout=0.2)
    assert ping_workers(url, timeout=0.2) == []  # no exception, no retry loop


def test_demo_env_sets_urls_and_puts_the_venv_first_on_path() -> None:
    env = demo_env("redis://a/0", "redis://a/1", CELERY_FLOWER_USER="u")
    assert env["CELERY_BROKER_URL"] == "redis://a/0"
    assert env["CELERY_RESULT_BACKEND"] == "redis://a/1"
    assert env["CELERY_FLOWER_USER"] == "u"
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert env["FLOWER_PORT"] == os.environ.get("FLOWER_PORT", "5555")


def test_worker_runs_the_documented_command_in_demo_dir(demo_env: dict[str, str]) -> None:
    command = Worker(demo_env, name="cmd").command()
    assert command[command.index("-A") + 1 : command.index("-A") + 3] == [
        "config.celery_app",
        "worker",
    ]
    assert command[command.index("--queues") + 1] == ",".join(DEMO_QUEUES)
    assert DEMO_DIR.name == "demo_project" and (DEMO_DIR / "config" / "celery_app.py").exists()


def test_worker_answers_pings_runs_tasks_and_stop_ends_its_whole_group(
    demo_env: dict[str, str], demo_app: Celery, redis_server: RedisServer
) -> None:
    with Worker(demo_env, name="launch-test", concurrency=2) as worker:
        worker.wait_ready(timeout=30)
        assert worker.nodename == f"launch-test@{socket.gethostname()}"
        assert ping_workers(redis_server.url(0)) == [worker.nodename]
        assert demo_app.send_task("tasks.basic.add", (1, 2)).get(timeout=10) == 3
        members = group_members(worker.pid or -1)
        assert len(members) >= 3  # the main process and two prefork children
        worker.stop(grace=10)
        assert all_gone(members)
        assert "ready." in worker.output()
    assert ping_workers(redis_server.url(0), timeout=0.3) == []


def test_worker_kill_sends_sigkill_to_the_group(demo_env: dict[str, str]) -> None:
    worker = Worker(demo_env, concurrency=1).start()
    try:
        worker.wait_ready(timeout=30)
        members = group_members(worker.pid or -1)
        worker.kill()
        assert all_gone(members)
        assert "warm shutdown" not in worker.output().lower()
    finally:
        worker.stop(grace=1)
        worker.log_path.unlink(missing_ok=True)


def test_wait_ready_reports_a_worker_that_cannot_start(demo_env: dict[str, str]) -> None:
    with (
        Worker(demo_env, extra_args=["--no-such-option"]) as worker,
        pytest.raises(RuntimeError, match="exited"),
    ):
        worker.wait_ready(timeout=30)


def test_a_worker_pointed_at_a_dead_broker_is_not_ready() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with Worker(demo_env(url, url), concurrency=1) as worker, pytest.raises(TimeoutError):
        worker.wait_ready(timeout=1.0)
        assert worker.running()  # still retrying the broker, just not ready
