"""Redis as Celery's broker, looked at directly: one sub-command per card of
``cards/Celery/04-brokers-and-redis.md``.

``python -m lessons.queue_in_redis role``       a message waits in the broker until taken
``python -m lessons.queue_in_redis list``       what a waiting message looks like in Redis
``python -m lessons.queue_in_redis types``      one Redis server, several kinds of values
``python -m lessons.queue_in_redis unacked``    a message taken but never acknowledged comes back
``python -m lessons.queue_in_redis db-number``  the number at the end of a Redis URL
``python -m lessons.queue_in_redis client``     the client library under kombu's Redis transport
``python -m lessons.queue_in_redis sentinel``   reaching the broker through Redis Sentinel

Messages go to queues no worker consumes (``idle_queue``), removed afterwards.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from celery import Celery
from config.celery_app import app
from kombu import Connection
from kombu.transport.redis import Channel
from lessons.idle_queue import broker_client, idle_queue
from lessons.subcommands import run_subcommand

from demo_project import contract
from demo_project.launch import free_port, stop_group
from demo_project.signals import exit_on_sigterm


def _broker_url() -> str:
    return str(app.conf.broker_url)


def _connection(**options: Any) -> Connection:
    return Connection(
        _broker_url(), transport_options={**contract.client_transport_options(), **options}
    )


def role() -> int:
    with idle_queue(_broker_url()) as queue:
        result = app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        client = broker_client(_broker_url())
        print("the sender sent add(2, 3) and went on; no worker consumes that queue")
        time.sleep(0.5)
        print(f"0.5 s later the broker still holds it: LLEN = {client.llen(queue)},"
              f" state {result.state}")  # fmt: skip
        with _connection() as connection:
            message = connection.SimpleQueue(queue).get(timeout=5)
            message.ack()
            print(f"a consumer connecting later took it: {message.headers['task']}"
                  f"{tuple(message.payload[0])}; LLEN = {client.llen(queue)}")  # fmt: skip
        client.close()
    return 0


def list_() -> int:
    with idle_queue(_broker_url()) as queue:
        app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        client = broker_client(_broker_url())
        print(f"TYPE {queue} -> {client.type(queue)}, LLEN = {client.llen(queue)}")
        message = json.loads(client.lindex(queue, 0) or "{}")
        print(f"the item is JSON with the keys {sorted(message)}")
        print(f"  headers['task'] = {message['headers']['task']}")
        encoding = message["properties"]["body_encoding"]
        print(f"  body ({encoding}): {message['body'][:24]}...")
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        print(f"  body decoded: args {args}, kwargs {kwargs}")
        app.send_task("tasks.basic.add", args=(4, 5), queue=queue, priority=6)
        keys = client.scan_iter(match=f"{queue}*")
        lists = sorted(key for key in keys if client.type(key) == "list")
        print(f"after one more message with priority=6, the queue's lists: {lists}")
        client.close()
    return 0


def types() -> int:
    client = broker_client(_broker_url())
    cache_key = f"lesson:cache:{uuid.uuid4().hex[:8]}"
    client.set(cache_key, "rendered page", ex=30)
    with idle_queue(_broker_url()) as queue:
        app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        print(f"a cached page (SET ... EX 30): TYPE {client.type(cache_key)}, "
              f"TTL {client.ttl(cache_key)} s")  # fmt: skip
        print(f"a waiting task message: TYPE {client.type(queue)}")
        binding = next(iter(client.scan_iter(match=f"*binding*{queue}*")), None)
        if binding is not None:
            print(f"kombu's record of the queue's binding: TYPE {client.type(binding)}")
    client.delete(cache_key)
    client.close()
    return 0


def unacked() -> int:
    tag = uuid.uuid4().hex[:8]
    # Keys of its own, so that this lesson never touches the workers' unacknowledged messages.
    options = {
        "visibility_timeout": 1,
        "unacked_key": f"lesson-unacked-{tag}",
        "unacked_index_key": f"lesson-unacked-index-{tag}",
        "unacked_mutex_key": f"lesson-unacked-mutex-{tag}",
    }
    client = broker_client(_broker_url())
    try:
        with idle_queue(_broker_url()) as queue, _connection(**options) as taker:
            app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
            default = Channel.visibility_timeout
            print(f"visibility_timeout = 1 s here (kombu's default: {default} s)")
            taken = taker.SimpleQueue(queue)
            key, index = options["unacked_key"], options["unacked_index_key"]
            for round_ in (1, 2):
                taken.get(timeout=5)  # taken, and never acknowledged
                print(f"taken without an ack: LLEN {client.llen(queue)}, HLEN unacked "
                      f"{client.hlen(key)} (hash), ZCARD unacked_index {client.zcard(index)}"
                      " (sorted set)")  # fmt: skip
                time.sleep(1.2)
                with _connection(**options) as other:
                    other.default_channel.qos.restore_visible()
                print(f"{round_ * 1.2:.1f} s: visibility timeout passed, restored: "
                      f"LLEN {client.llen(queue)}, HLEN unacked {client.hlen(key)}")  # fmt: skip
    finally:
        for name in options.values():
            if isinstance(name, str):
                client.delete(name)
    client.close()
    return 0


def db_number() -> int:
    server = _broker_url().rsplit("/", 1)[0]
    key = f"lesson:db:{uuid.uuid4().hex[:8]}"
    writer = redis.Redis.from_url(f"{server}/3", decode_responses=True)
    writer.set(key, "hello", ex=30)
    print("SET through redis://<host>:<port>/3")
    for db in (3, 0):
        reader = redis.Redis.from_url(server, db=db, decode_responses=True)
        print(f"GET in database {db}: {reader.get(key)!r}")
        reader.close()
    writer.delete(key)
    writer.close()
    return 0


def client() -> int:
    with _connection() as connection:
        redis_client = connection.default_channel.client
        kind = type(redis_client)
        print(f"kombu's Redis channel talks through {kind.__module__}.{kind.__name__}")
        print(f"a redis-py client: {isinstance(redis_client, redis.Redis)};"
              f" PING -> {redis_client.ping()}")  # fmt: skip
        print(f"redis-py version {redis.__version__}")
    return 0


def sentinel() -> int:
    server = redis.Redis.from_url(_broker_url())
    kwargs = server.connection_pool.connection_kwargs
    host, port = kwargs["host"], kwargs["port"]
    server.close()
    sentinel_port = free_port()
    with tempfile.TemporaryDirectory(prefix="lesson-sentinel-") as scratch:
        config = Path(scratch) / "sentinel.conf"
        config.write_text(
            f"port {sentinel_port}\nbind 127.0.0.1\ndir {scratch}\n"
            f"sentinel monitor lesson-master {host} {port} 1\n"
        )
        watcher = subprocess.Popen(
            ["redis-server", str(config), "--sentinel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            probe = redis.Redis(port=sentinel_port, decode_responses=True)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    probe.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.1)
            print("a Redis Sentinel watches the broker as master 'lesson-master'")
            url = f"sentinel://127.0.0.1:{sentinel_port}/0"
            sender = Celery("via-sentinel", broker=url, set_as_current=False)
            sender.conf.broker_transport_options = {
                **contract.client_transport_options(),
                "master_name": "lesson-master",
            }
            with idle_queue(_broker_url()) as queue:
                sender.send_task("tasks.basic.add", args=(2, 3), queue=queue)
                waiting = broker_client(_broker_url()).llen(queue)
                print("sent through broker_url = 'sentinel://<sentinel host>:<port>/0'")
                print(f"the message arrived in the master Redis: LLEN = {waiting}")
            sender.close()
            probe.close()
        finally:
            stop_group(watcher)
    return 0


COMMANDS: dict[str, Callable[[], int]] = {
    "role": role,
    "list": list_,
    "types": types,
    "unacked": unacked,
    "db-number": db_number,
    "client": client,
    "sentinel": sentinel,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.queue_in_redis", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops what this lesson started
    sys.exit(main(sys.argv[1:]))
