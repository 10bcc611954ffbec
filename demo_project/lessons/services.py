"""The demo's start scripts as services: ``python -m lessons.services roles|exec``.

``roles``: starts worker/start.sh, beat/start.sh and flower/start.sh (production mode, on a
queue, schedule and port of the lesson's own) side by side, and shows each one doing its
job: the worker runs a task, beat sends a due periodic task, Flower lists the worker.
``exec``: starts worker/start.sh and shows that its process became the worker itself.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from config.celery_app import app
from lessons.flower_auth import events_binding_restored
from lessons.idle_queue import idle_queue

from demo_project.contract import DEMO_DIR
from demo_project.launch import free_port, ping_workers, stop_group
from demo_project.signals import exit_on_sigterm

WAIT_SECONDS = 40.0
LOGIN = "learner:s3cret-pass"


@contextmanager
def service(script: str, env: dict[str, str], logs: Path) -> Iterator[tuple[int, Path]]:
    """``bash SCRIPT`` in a session of its own; yields its pid and log file, stops it after."""
    log = logs / f"{script.replace('/', '-')}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", script],
            cwd=DEMO_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield process.pid, log
    finally:
        stop_group(process, grace=5)


def wait_for(check, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"no sign of {what} within {WAIT_SECONDS:g} s")


def flower_workers(port: int) -> list[str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/workers?refresh=1")
    request.add_header("Authorization", "Basic " + base64.b64encode(LOGIN.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return sorted(json.load(response))
    except OSError:
        return []


def roles() -> None:
    node = f"lesson-roles@{socket.gethostname()}"
    port = free_port()
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-roles") as queue,
        tempfile.TemporaryDirectory(prefix="lesson-roles-") as scratch,
        events_binding_restored(),
        ExitStack() as services,
    ):
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWER_")}
        env.update(
            DEMO_ENV="production",
            DEMO_VAR_DIR=scratch,  # beat's lock, pid and schedule: the lesson's own
            CELERY_BEAT_SCHEDULE_FILE=f"{scratch}/celerybeat-schedule",
            CELERY_DEMO_HEARTBEAT_SECONDS="1",
            WORKER_QUEUES=queue,
            WORKER_NAME=node,
            WORKER_CONCURRENCY="1",
            CELERY_FLOWER_USER=LOGIN.split(":")[0],
            CELERY_FLOWER_PASSWORD=LOGIN.split(":")[1],
            FLOWER_PORT=str(port),
        )
        logs = Path(scratch)
        services.enter_context(service("worker/start.sh", env, logs))
        _, beat_log = services.enter_context(service("beat/start.sh", env, logs))
        services.enter_context(service("flower/start.sh", env, logs))

        result = app.send_task("tasks.basic.add", args=(2, 2), queue=queue)
        value = result.get(timeout=WAIT_SECONDS)
        print(f"worker/start.sh: the worker {node.split('@')[0]} ran add(2, 2) -> {value}")

        def beat_sent() -> str:
            lines = beat_log.read_text(errors="replace").splitlines()
            sent = [line.split("] ", 1)[-1] for line in lines if "Sending due task" in line]
            return sent[0] if sent else ""

        print(f"beat/start.sh: {wait_for(beat_sent, 'beat sending a task')}")
        listed = wait_for(lambda: node in flower_workers(port), "Flower listing the worker")
        print(f"flower/start.sh: GET /api/workers lists {node.split('@')[0]}: {listed}")


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()


def exec_() -> None:
    node = f"lesson-exec@{socket.gethostname()}"
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-exec") as queue,
        tempfile.TemporaryDirectory(prefix="lesson-exec-") as scratch,
    ):
        env = dict(os.environ, DEMO_ENV="production", WORKER_QUEUES=queue, WORKER_NAME=node)
        with service("worker/start.sh", env, Path(scratch)) as (pid, _):
            print(f"started: bash worker/start.sh (pid {pid})")
            broker = str(app.conf.broker_url)
            wait_for(lambda: ping_workers(broker, [node], timeout=0.5), "the worker")
            words = [Path(word).name for word in command_line(pid).split()[:6]]
            print(f"pid {pid} now runs: {' '.join(words)} ...")
            between = words[0] == "bash"
            print(f"a bash process still stands between its parent and the worker: {between}")


def main(argv: list[str]) -> int:
    commands = {"roles": roles, "exec": exec_}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m lessons.services roles|exec", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still runs the cleanup
    sys.exit(main(sys.argv[1:]))
