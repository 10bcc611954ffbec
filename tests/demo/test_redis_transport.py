"""The demo's broker transport (config/redis_transport.py): kombu's Redis transport with one
redis-py client per channel, proven against a real redis-server and a real worker."""

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import Celery
from kombu import Connection

from demo_project.client.events import TaskEventLog
from demo_project.launch import RedisServer, Worker

TRANSPORT = "config.redis_transport:Transport"


@pytest.fixture
def client_constructions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Every redis-py client the demo transport's channels build in this process (the value
    is the ``asynchronous`` flag: True for kombu's BRPOP/pub-sub clients)."""
    channel_cls: Any = importlib.import_module("config.redis_transport").Channel
    original = channel_cls._create_client
    built: list[bool] = []

    def create_client(self: Any, asynchronous: bool = False) -> Any:
        built.append(asynchronous)
        return original(self, asynchronous)

    monkeypatch.setattr(channel_cls, "_create_client", create_client)
    yield built


def test_demo_app_selects_the_demo_transport(demo_app: Celery) -> None:
    assert demo_app.conf.broker_transport == TRANSPORT
    with demo_app.connection_for_write() as connection:
        transport = connection.transport
        assert type(transport).__module__ == "config.redis_transport"
        assert transport.driver_type == "redis"  # what Celery and Flower check


def test_a_channel_reuses_one_client_and_rebuilds_it_with_a_new_pool(
    redis_server: RedisServer, client_constructions: list[bool]
) -> None:
    with Connection(redis_server.url(2), transport=TRANSPORT) as connection:
        queue = connection.SimpleQueue("transport-probe")
        try:
            for n in range(20):
                queue.put({"n": n})
            received = []
            for _ in range(20):
                message = queue.get(timeout=5)
                received.append(message.payload["n"])
                message.ack()
            assert received == list(range(20))
            sync_clients = client_constructions.count(False)
            assert sync_clients == 1  # 20 LPUSHes, 20 unacked records and 20 acks: one client

            # kombu drops its pool after a connection error (and after a fork): the next
            # command must get a client of the new pool, not one bound to the old pool.
            channel: Any = queue.channel
            old_pool = channel.pool
            channel._pool = None
            queue.put({"n": 20})
            message = queue.get(timeout=5)
            message.ack()
            assert message.payload == {"n": 20}
            assert channel.pool is not old_pool
            assert client_constructions.count(False) == sync_clients + 1
        finally:
            queue.close()
    assert redis.Redis.from_url(redis_server.url(2)).hlen("unacked") == 0


def test_worker_runs_the_demo_transport_end_to_end(
    redis_server: RedisServer, demo_app: Celery, module_worker: Worker
) -> None:
    # The worker's own report names the transport class its broker connection uses.
    inspect = demo_app.control.inspect(destination=[module_worker.nodename], timeout=5)
    report = inspect.report()
    assert report and f"transport:{TRANSPORT} " in report[module_worker.nodename]["ok"]

    add = demo_app.tasks["tasks.basic.add"]
    with TaskEventLog(demo_app) as events:
        results = [add.delay(n, n) for n in range(50)]
        assert [result.get(timeout=10) for result in results] == [n + n for n in range(50)]
        # Every task event still reaches a listener (Flower sees the same PUBLISHes).
        for kind in ("task-received", "task-started", "task-succeeded"):
            events.wait_for(results[-1].id, kind)
    # Every delivery's unacked record was removed again by its ack.
    assert redis.Redis.from_url(redis_server.url(0)).hlen("unacked") == 0
