"""A small Redis helper for tasks that leave traces a learner or a test can read back.

Traces go to the result-backend Redis (already required by the demo) under ``demo:*`` keys,
each with an expiry so demo runs never accumulate.
"""

from functools import lru_cache

import redis
from celery import current_app, current_task

TRACE_TTL_SECONDS = 24 * 60 * 60


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True)


def client() -> redis.Redis:
    """The Redis client for the running task's result backend (one pool per process)."""
    app = current_task.app if current_task else current_app
    return _client_for(str(app.conf.result_backend))


def count(key: str) -> int:
    """Increment a counter and return its new value."""
    pipe = client().pipeline()
    pipe.incr(key)
    pipe.expire(key, TRACE_TTL_SECONDS)
    value, _ = pipe.execute()
    return int(value)


def append(key: str, value: str) -> int:
    """Append ``value`` to the list at ``key``; return the list's new length."""
    pipe = client().pipeline()
    pipe.rpush(key, value)
    pipe.expire(key, TRACE_TTL_SECONDS)
    length, _ = pipe.execute()
    return int(length)


def read_list(key: str) -> list[str]:
    return [str(item) for item in client().lrange(key, 0, -1)]
