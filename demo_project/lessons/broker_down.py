"""A broker that does not answer: ``python -m lessons.broker_down retry|late-redis|service-name``.

``retry``: a private worker pointed at a port where nothing listens (127.0.0.1:1) keeps
retrying the connection; the lesson prints its log lines about that, then stops it.
``late-redis``: a worker started before its Redis (as Compose's plain ``depends_on`` allows)
waits, and is ready soon after a Redis comes up on that port. The private port is printed
as ``<port>``.
``service-name``: outside Compose, the URL ``redis://redis:6379/0`` names a host nobody
resolves.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

from celery import Celery

from demo_project.launch import RedisServer, Worker, free_port, ping_workers
from demo_project.signals import exit_on_sigterm

WATCH_SECONDS = 15.0
REDIS_LATE_SECONDS = 3.0


def wait_for_log(worker: Worker, pattern: str, count: int = 1) -> list[str]:
    deadline = time.monotonic() + WATCH_SECONDS
    found: list[str] = []
    while time.monotonic() < deadline:
        found = [line for line in worker.output().splitlines() if re.search(pattern, line)]
        if len(found) >= count:
            break
        time.sleep(0.1)
    return found


def retry() -> None:
    url = "redis://127.0.0.1:1/0"
    env = {**os.environ, "CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": "redis://127.0.0.1:1/1"}
    worker = Worker(env, queues=["lesson-broker-down"], concurrency=1, name="lesson-down@lesson")
    try:
        worker.start()
        print(f"worker started with CELERY_BROKER_URL={url}, where nothing listens")
        # kombu writes the URL without its password, as redis://:**@host: left out here
        for line in wait_for_log(worker, r"Cannot connect to|Trying again in", count=4)[:4]:
            print(re.sub(r"^.*Cannot connect to \S+ ", "consumer: Cannot connect: ", line).strip())
        print(f"still running, still retrying: {worker.running()}")
    finally:
        worker.stop(grace=5)
        worker.remove_files()


def late_redis() -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{port}/1",
    }
    # Celery prefers CELERY_BROKER_URL from the environment over a URL given in code: the
    # lesson's own ping must go to the lesson's Redis too.
    os.environ["CELERY_BROKER_URL"] = url
    worker = Worker(env, queues=["lesson-late-redis"], concurrency=1, name="lesson-late@lesson")
    with tempfile.TemporaryDirectory(prefix="lesson-late-redis-") as scratch:
        try:
            worker.start()
            started = time.monotonic()
            print("worker started; no Redis on its port yet")
            time.sleep(REDIS_LATE_SECONDS)
            print(f"retrying meanwhile: {bool(wait_for_log(worker, r'Cannot connect to'))}")
            with RedisServer(port=port, data_dir=Path(scratch)):
                print(f"Redis up {time.monotonic() - started:.0f} s after the worker")
                deadline = time.monotonic() + WATCH_SECONDS
                while not ping_workers(url, [worker.nodename], timeout=0.5):
                    if time.monotonic() > deadline:
                        raise TimeoutError("the worker never connected")
                ready = time.monotonic() - started
                print(f"worker ready, answering pings {ready:.0f} s after it started")
                worker.stop(grace=5)
        finally:
            worker.stop(grace=5)
            worker.remove_files()


def service_name() -> None:
    url = "redis://redis:6379/0"
    # Celery prefers CELERY_BROKER_URL from the environment over a URL given in code.
    os.environ["CELERY_BROKER_URL"] = url
    print(f"outside Compose, a Celery app with broker {url}:")
    with Celery("outside-compose", broker=url, set_as_current=False) as outside:
        try:
            outside.connection_for_write().ensure_connection(max_retries=1)
        except Exception as error:  # kombu wraps redis-py's error in its own
            print(f"  {type(error).__name__}: {str(error).splitlines()[0]}")
    try:
        socket.getaddrinfo("redis", 6379)
    except socket.gaierror as error:
        print(f"  the host name 'redis' does not resolve here: {error.strerror}")


def main(argv: list[str]) -> int:
    commands = {"retry": retry, "late-redis": late_redis, "service-name": service_name}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m lessons.broker_down {'|'.join(commands)}", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops what this lesson started
    sys.exit(main(sys.argv[1:]))
