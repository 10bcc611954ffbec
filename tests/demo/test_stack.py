"""stack.sh: one command starts Redis, two workers, beat and Flower under honcho; Ctrl-C (SIGINT),
SIGTERM or a hang-up (SIGHUP) to it stops every process it started."""

import base64
import os
import re
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from celery import Celery
from kombu.exceptions import OperationalError
from script_procs import (
    ScriptProcess,
    kill_sessions,
    process_family,
    script_env,
    still_alive,
    wait_until,
)

from demo_project.contract import DEMO_DIR
from demo_project.launch import free_port, ping_workers, redis_reachable

SERVICES = ("redis", "worker", "reports", "beat", "flower")
# stack.sh's local-only Flower login, used when no credentials are set.
FLOWER_LOGIN = ("demo", "demo-local-only")


def _flower_status(url: str) -> int:
    token = base64.b64encode(":".join(FLOWER_LOGIN).encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _workers_answer(broker_url: str, names: list[str]) -> bool:
    try:
        return ping_workers(broker_url, names, timeout=0.5) == sorted(names)
    except (redis.RedisError, OperationalError):
        return False  # Redis itself may still be starting


@pytest.mark.parametrize(
    ("mode", "stop_signal", "exit_code", "through_tee"),
    [
        ("development", signal.SIGINT, 130, False),
        ("production", signal.SIGTERM, 143, False),
        # A closed terminal: honcho itself has no SIGHUP handler, stack.sh passes it on as TERM.
        ("development", signal.SIGHUP, 143, False),
        # `stack.sh | tee log`: the same Ctrl-C ends tee first; honcho must not die of the
        # broken pipe before it has stopped the services.
        ("development", signal.SIGINT, 130, True),
    ],
    ids=["development-ctrl-c", "production-sigterm", "development-hangup", "ctrl-c-piped-to-tee"],
)
def test_stack_starts_every_service_and_stops_without_leftovers(
    tmp_path: Path, mode: str, stop_signal: signal.Signals, exit_code: int, through_tee: bool
) -> None:
    redis_port, flower_port = free_port(), free_port()
    env = script_env(redis_port, tmp_path / "var", DEMO_ENV=mode, FLOWER_PORT=str(flower_port))
    # Let the scripts derive the Celery URLs from REDIS_PORT, as they do for a learner.
    del env["CELERY_BROKER_URL"], env["CELERY_RESULT_BACKEND"]
    broker_url = f"redis://127.0.0.1:{redis_port}/0"
    host = socket.gethostname()

    # "-e /dev/null": a developer's demo_project/.env must not redirect the test's stack.
    stack = ScriptProcess(
        "stack.sh", env, tmp_path / "stack.log", args=["-e", "/dev/null"], through_tee=through_tee
    )
    family: set[tuple[int, float]] = set()
    try:
        stack.start()
        wait_until(
            lambda: _workers_answer(broker_url, [f"celery@{host}", f"reports@{host}"]),
            90,
            "both workers to answer",
            interval=0.5,
        )
        flower = f"http://127.0.0.1:{flower_port}/api/workers"
        wait_until(lambda: _flower_status(flower) == 200, 60, "Flower", interval=0.5)
        stack.wait_for_output(r"beat\.1\s+\|.*beat: Starting\.\.\.", 30)

        output = stack.output()
        for service in SERVICES:
            assert re.search(rf"^\d\d:\d\d:\d\d {service}\.1\s+\| ", output, re.MULTILINE)

        # The second worker serves its own queue.
        client = Celery("stack-client", broker=broker_url, backend=broker_url[:-1] + "1")
        try:
            report = client.send_task(
                "tasks.advanced.build_report", args=("weekly",), queue="reports"
            ).get(timeout=30)
        finally:
            client.close()
        assert report["worker"] == f"reports@{host}"

        family = process_family(stack.pid)
        assert len(family) >= 10, family  # honcho, its helpers, 5 services and their children

        assert stack.process is not None
        if through_tee:
            stack.stop_tee(signal.SIGINT)
        stack.process.send_signal(stop_signal)
        assert stack.process.wait(timeout=60) == exit_code
        wait_until(lambda: not still_alive(family), 10, "every stack process to exit")
    finally:
        # On a failure before the snapshot, honcho still knows its services: let it stop them,
        # then kill whatever is left of every session it started.
        if stack.running():
            family |= process_family(stack.pid)
        stack.stop(grace=15)
        kill_sessions(family)


@pytest.mark.parametrize(
    ("stop_signal", "exit_code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 143)],
    ids=["sigint", "sigterm", "sighup"],
)
def test_stack_started_in_the_background_by_a_script_stops_on_each_signal(
    tmp_path: Path, stop_signal: signal.Signals, exit_code: int
) -> None:
    # Only the redis service: what is tested is stack.sh's own signal handling. A script runs
    # it as a background job, which bash starts with SIGINT ignored.
    redis_port = free_port()
    env = script_env(redis_port, tmp_path / "var")
    launcher = subprocess.Popen(
        ["bash", "-c", 'bash "$0" -e /dev/null redis >"$1" 2>&1 & echo $!; wait $!',
         str(DEMO_DIR / "stack.sh"), str(tmp_path / "stack.log")],
        env=env, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    family: set[tuple[int, float]] = set()
    try:
        assert launcher.stdout is not None
        stack_pid = int(launcher.stdout.readline())
        url = f"redis://127.0.0.1:{redis_port}/0"
        wait_until(lambda: redis_reachable(url), 30, "the stack's Redis", interval=0.2)
        family = process_family(stack_pid)
        assert len(family) >= 3, family  # stack.sh, honcho, redis-server
        os.kill(stack_pid, stop_signal)
        assert launcher.wait(timeout=30) == exit_code
        wait_until(lambda: not still_alive(family), 10, "every stack process to exit")
        assert not redis_reachable(url)
    finally:
        if launcher.poll() is None:
            family |= process_family(launcher.pid)
            os.killpg(launcher.pid, signal.SIGTERM)
            launcher.wait(timeout=30)
        kill_sessions(family)


@pytest.mark.parametrize(
    ("stop_signal", "exit_code", "tee_too"),
    [(signal.SIGINT, 130, True), (signal.SIGTERM, 143, False), (signal.SIGHUP, 143, True)],
    ids=["ctrl-c", "sigterm", "hangup"],
)
def test_stack_piped_into_tee_stops_on_each_signal(
    tmp_path: Path, stop_signal: signal.Signals, exit_code: int, tee_too: bool
) -> None:
    # `bash stack.sh redis | tee log`; Ctrl-C and a closed terminal reach tee as well.
    redis_port = free_port()
    env = script_env(redis_port, tmp_path / "var")
    stack = ScriptProcess(
        "stack.sh", env, tmp_path / "stack.log", args=["-e", "/dev/null", "redis"],
        through_tee=True,
    )  # fmt: skip
    family: set[tuple[int, float]] = set()
    try:
        stack.start()
        url = f"redis://127.0.0.1:{redis_port}/0"
        wait_until(lambda: redis_reachable(url), 30, "the stack's Redis", interval=0.2)
        family = process_family(stack.pid)
        assert stack.process is not None
        if tee_too:
            stack.stop_tee(stop_signal)
        stack.process.send_signal(stop_signal)
        assert stack.process.wait(timeout=30) == exit_code
        wait_until(lambda: not still_alive(family), 10, "every stack process to exit")
        assert not redis_reachable(url)
    finally:
        if stack.running():
            family |= process_family(stack.pid)
        stack.stop(grace=15)
        kill_sessions(family)
