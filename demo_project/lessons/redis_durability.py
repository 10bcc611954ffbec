"""What happens to task messages inside Redis: restarts with and without persistence, a full
memory under an evicting policy and under noeviction, and kombu's global key prefix.

`persistence`, `evicting` and `noeviction` run against a private redis-server (started and
stopped here, nothing saved to disk unless asked), so the demo's Redis is never restarted
or filled; `keyprefix` uses the demo's Redis with a prefix of its own.
"""

from __future__ import annotations

import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis
from celery import Celery
from config.celery_app import app as demo_app
from kombu.exceptions import OperationalError
from lessons.idle_queue import broker_client
from lessons.private_worker import private_worker

from demo_project.contract import client_transport_options
from demo_project.launch import RedisServer
from demo_project.signals import exit_on_sigterm

PAYLOAD = "x" * 10_000  # a 10 kB argument: Redis fills up after a few hundred messages


class Sender:
    """Sends tasks to the Redis at `url`. CELERY_BROKER_URL in the environment would win over
    an app's broker setting, so the connection is opened for `url` explicitly."""

    def __init__(self, url: str) -> None:
        self.app = Celery("sender", set_as_current=False)
        self.app.conf.broker_transport_options = client_transport_options()
        self.connection = self.app.connection_for_write(url)

    def send(self, *args: object) -> None:
        self.app.send_task("tasks.basic.add", args=args, connection=self.connection)

    def close(self) -> None:
        self.connection.release()
        self.app.close()


@contextmanager
def private_redis() -> Iterator[tuple[RedisServer, redis.Redis]]:
    with RedisServer() as server:
        client = redis.Redis.from_url(server.url(0))
        try:
            yield server, client
        finally:
            client.close()


def _restart(server: RedisServer) -> None:
    server.stop()
    server.start()


def _persistence() -> None:
    with private_redis() as (server, client):
        app = Sender(server.url(0))
        for _ in range(3):
            app.send(1, 2)
        print(f"3 tasks sent, no worker: {client.llen('celery')} messages in the list 'celery'")
        _restart(server)
        print(f"after a restart without persistence: {client.llen('celery')} messages")
        for _ in range(3):
            app.send(1, 2)
        client.save()  # what `save` rules (RDB) or the append-only file do on their own
        print("3 more sent, then SAVE wrote a snapshot (dump.rdb)")
        _restart(server)
        print(f"after a restart: {client.llen('celery')} messages, loaded from the snapshot")
        app.close()


def _fill(app: Sender, count: int) -> str:
    for number in range(count):
        try:
            app.send(PAYLOAD, number)
        except OperationalError as error:
            return f"send #{number + 1} failed: {str(error).split(': ', 1)[-1]}"
    return f"all {count} sends returned without an error"


def _evicting() -> None:
    with private_redis() as (server, client):
        client.config_set("maxmemory", "2mb")
        client.config_set("maxmemory-policy", "allkeys-lru")
        print("maxmemory 2mb, maxmemory-policy allkeys-lru; sending 300 tasks of 10 kB")
        app = Sender(server.url(0))
        print(_fill(app, 300))
        print(f"messages in the list 'celery': {client.llen('celery')} of 300")
        app.close()


def _noeviction() -> None:
    with private_redis() as (server, client):
        client.config_set("maxmemory", "2mb")
        client.config_set("maxmemory-policy", "noeviction")
        print("maxmemory 2mb, maxmemory-policy noeviction; sending 300 tasks of 10 kB")
        app = Sender(server.url(0))
        print(_fill(app, 300))
        print(f"messages in the list 'celery': {client.llen('celery')}, none dropped")
        app.close()


def _keyprefix() -> None:
    prefix = f"shop-{uuid.uuid4().hex[:4]}:"
    url = str(demo_app.conf.broker_url)
    app = Celery("sender", set_as_current=False)
    app.conf.broker_transport_options = {**client_transport_options(), "global_keyprefix": prefix}
    app.conf.result_backend_transport_options = {"global_keyprefix": prefix}
    clients = [broker_client(url), broker_client(str(app.conf.result_backend))]
    try:
        result = app.send_task("tasks.basic.add", args=(1, 2), queue="lesson-prefixed")
        app.backend.store_result(result.id, 3, "SUCCESS")  # as a worker stores a result
        print(f"global_keyprefix={prefix[:5]}… for the broker and the result backend:")
        for where, client in zip(("broker", "results"), clients, strict=True):
            for key in sorted(client.scan_iter(match=f"{prefix}*")):
                shown = key.replace(prefix, "shop-…:").replace(result.id, "<task id>")
                print(f"  {where}: {shown}")
    finally:
        for client in clients:
            for key in client.scan_iter(match=f"{prefix}*"):
                client.delete(key)
            client.close()
        app.close()


def _reconnect() -> None:
    with private_redis() as (server, client):
        url = server.url(0)
        env = {"CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": server.url(1)}
        # This process too: Celery reads CELERY_BROKER_URL before any broker argument, and
        # the readiness ping must reach the private Redis.
        os.environ.update(env)
        with private_worker("celery", "lesson-reconnect@lesson", env=env) as worker:
            app = Sender(url)
            print("a worker consumes 'celery' on a Redis of its own; restarting that Redis")
            _restart(server)
            app.send(20, 22)
            deadline = time.monotonic() + 30
            while client.llen("celery") and time.monotonic() < deadline:
                time.sleep(0.2)
            print(f"a task sent after the restart was taken: {client.llen('celery') == 0}")
            for line in worker.output().splitlines():
                if "Connection to broker lost" in line or "Connected to redis" in line:
                    message = re.sub(r"redis://\S+", "redis://…", line.split("] ", 1)[-1])
                    print(f"worker log: {message.strip()}")
            app.close()


COMMANDS: dict[str, Callable[[], None]] = {
    "persistence": _persistence,
    "evicting": _evicting,
    "noeviction": _noeviction,
    "keyprefix": _keyprefix,
    "reconnect": _reconnect,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        usage = "|".join(COMMANDS)
        print(f"usage: python -m lessons.redis_durability {{{usage}}}", file=sys.stderr)
        return 2
    COMMANDS[argv[0]]()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops what this lesson started
    sys.exit(main(sys.argv[1:]))
