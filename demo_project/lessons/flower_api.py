"""Flower at work: ``python -m lessons.flower_api tasks|default-port``.

``tasks``: starts Flower (``celery -A config.celery_app flower``) on a free loopback port,
sends one task to the demo worker and prints what Flower's HTTP API knows about it.
``default-port``: starts Flower without ``--port`` and asks its health check on port 5555.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from config.celery_app import app
from lessons.flower_auth import events_binding_restored

from demo_project.launch import free_port, stop_group
from demo_project.signals import exit_on_sigterm

WAIT_SECONDS = 30.0
# Flower 2 answers its /api only with authentication (or FLOWER_UNAUTHENTICATED_API=true).
LOGIN = "learner:s3cret-pass"


def get(url: str, login: str | None = None) -> Any:
    request = urllib.request.Request(url)
    if login is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(login.encode()).decode())
    with urllib.request.urlopen(request, timeout=3) as response:
        body = response.read().decode()
    try:
        return json.loads(body)
    except ValueError:
        return body


@contextmanager
def flower(extra: list[str], probe: str) -> Iterator[str]:
    """Flower with ``extra`` options; yields its log once ``probe`` answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWER_")}
    command = ["celery", "-A", "config.celery_app", "flower", "--address=127.0.0.1", *extra]
    with tempfile.TemporaryFile() as log, events_binding_restored():
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while True:
                try:
                    get(probe)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(log.read().decode(errors="replace")[-1500:]) from None
                    time.sleep(0.1)
            log.seek(0)
            yield log.read().decode(errors="replace")
        finally:
            stop_group(process)


def tasks() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with flower([f"--port={port}", f"--basic-auth={LOGIN}"], f"{base}/healthcheck"):
        print("$ celery -A config.celery_app flower ...   (on a free port, with a login)")
        time.sleep(1.0)  # Flower's event receiver subscribes just after it listens
        result = app.send_task("tasks.basic.add", args=(20, 22))
        result.get(timeout=WAIT_SECONDS)
        deadline = time.monotonic() + WAIT_SECONDS
        info: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                info = get(f"{base}/api/task/info/{result.id}", LOGIN)
            except urllib.error.HTTPError:
                info = {}
            if info.get("state") == "SUCCESS":
                break
            time.sleep(0.2)
        print("sent add(20, 22); GET /api/task/info/<id> answers:")
        for field in ("name", "args", "state", "result", "worker"):
            print(f"  {field}: {info.get(field)}")
        runtime = info.get("runtime")
        print(f"  runtime: {runtime:.3f} s" if runtime else "  runtime: None")
        result.forget()


def default_port() -> None:
    with flower([], "http://127.0.0.1:5555/healthcheck") as log:
        banner = [line.split("] ", 1)[-1] for line in log.splitlines() if "Visit me at" in line]
        print("$ celery -A config.celery_app flower --address=127.0.0.1   (no --port)")
        print(f"Flower's banner: {banner[0] if banner else '(none)'}")
        print(
            f"GET http://127.0.0.1:5555/healthcheck -> {get('http://127.0.0.1:5555/healthcheck')}"
        )


def main(argv: list[str]) -> int:
    commands = {"tasks": tasks, "default-port": default_port}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m lessons.flower_api tasks|default-port", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops Flower
    sys.exit(main(sys.argv[1:]))
