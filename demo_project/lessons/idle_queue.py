"""A uniquely named queue that no worker consumes, removed from Redis afterwards.

Lessons use it to catch a task message *before* any worker could take it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis


def broker_client(broker_url: str) -> redis.Redis:
    return redis.Redis.from_url(broker_url, decode_responses=True)


def queue_keys(client: redis.Redis, queue: str) -> list[str]:
    """The Redis lists that hold `queue`'s messages: `queue`, plus `queue:N` per priority."""
    return sorted(str(key) for key in client.scan_iter(match=f"{queue}*") if key)


@contextmanager
def idle_queue(broker_url: str, prefix: str = "lesson-idle") -> Iterator[str]:
    client = broker_client(broker_url)
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        # The queue's lists, and kombu's record of the queue's binding to its exchange.
        for key in client.scan_iter(match=f"*{name}*"):
            client.delete(key)
        client.close()
