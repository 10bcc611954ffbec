"""A bench-only experiment: kombu's Redis transport with one redis-py client per channel for
synchronous commands. The demo itself runs kombu's stock transport (it is teaching material);
``celery_bench.py --breakdown`` measures this variant next to it, selected through Celery's
``broker_transport`` setting (``client_reuse_transport:Transport``, with bench/ on sys.path).
Everything on the wire (keys, lists, pub/sub channels) is what kombu's own transport does.

Why: kombu (5.7 included) builds a new ``redis.Redis`` object for every synchronous command a
channel sends (each publish, each task event, each delivery's unacked record and each ack), and
redis-py fills a table of ~170 response callbacks in every constructor. The object holds no
connection of its own (it borrows one from the channel's pool per command), so one object per
pool serves every command just as well. bench/celery_bench.py measures the difference.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    # (pool, client): the client is rebuilt when kombu replaces the pool (after a fork or a
    # connection error), so it never refers to a discarded pool.
    _sync_client: tuple[Any, Any] | None = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool
        cached = self._sync_client
        if cached is None or cached[0] is not pool:
            cached = self._sync_client = (pool, self._create_client())
        yield cached[1]


class Transport(kombu_redis.Transport):
    Channel = Channel
