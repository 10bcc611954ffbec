"""Flower basic auth, three ways: ``--basic-auth``, ``--basic_auth``, FLOWER_BASIC_AUTH.

Starts a real Flower on a free loopback port, asks for its workers page without and with
the credentials, prints the HTTP status codes and stops Flower again. Flower's event listener
records itself in the broker (kombu's binding of the ``celeryev`` exchange) and a stopped
Flower leaves that record behind, so the lesson removes it: Redis ends as it began.
Usage: ``python -m lessons.flower_auth basic-auth|basic_auth|env``.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from config.celery_app import app

from demo_project.launch import free_port, stop_group
from demo_project.signals import exit_on_sigterm

CREDENTIALS = "learner:s3cret-pass"


def _status(url: str, credentials: str | None) -> int:
    request = urllib.request.Request(url)
    if credentials is not None:
        token = base64.b64encode(credentials.encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _wait_listening(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            _status(url, None)
            return True
        except OSError:
            time.sleep(0.1)
    return False


@contextmanager
def events_binding_restored() -> Iterator[None]:
    """Remove the members a listener adds to kombu's ``celeryev`` binding while open."""
    client = redis.Redis.from_url(str(app.conf.broker_url))
    key = "_kombu.binding.celeryev"
    before = client.smembers(key)
    try:
        yield
    finally:
        added = client.smembers(key) - before
        if added:
            client.srem(key, *added)
        client.close()


def main(way: str) -> int:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWER_")}
    command = ["celery", "-A", "config.celery_app", "flower", "--address=127.0.0.1"]
    command.append(f"--port={port}")
    if way == "basic-auth":
        command.append(f"--basic-auth={CREDENTIALS}")
    elif way == "basic_auth":
        command.append(f"--basic_auth={CREDENTIALS}")
    elif way == "env":
        env["FLOWER_BASIC_AUTH"] = CREDENTIALS
    else:
        print("usage: python -m lessons.flower_auth basic-auth|basic_auth|env", file=sys.stderr)
        return 2
    shown = " ".join(command).replace(f"--port={port}", "--port=<free port>")
    prefix = "FLOWER_BASIC_AUTH=learner:s3cret-pass " if way == "env" else ""
    print(f"$ {prefix}{shown}")
    url = f"http://127.0.0.1:{port}/workers"
    with tempfile.TemporaryFile() as log, events_binding_restored():
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            if not _wait_listening(url, process, timeout=30):
                log.seek(0)
                print("Flower did not start:", log.read().decode(errors="replace")[-1500:])
                return 1
            print(f"GET /workers without credentials -> {_status(url, None)}")
            print(f"GET /workers with a wrong password -> {_status(url, 'learner:wrong')}")
            print(f"GET /workers with {CREDENTIALS} -> {_status(url, CREDENTIALS)}")
        finally:
            stop_group(process)
            log.seek(0)
            banner = [
                line
                for line in log.read().decode(errors="replace").splitlines()
                if "Visit me at" in line
            ]
            if banner:
                shown = banner[0].split("] ", 1)[-1].replace(f":{port}", ":<free port>")
                print("Flower's banner:", shown)
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still runs the cleanup below
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
