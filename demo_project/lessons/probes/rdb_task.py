"""A task with an rdb break-point, for ``lessons.remote_debug`` (loaded with ``--include``)."""

from celery import shared_task
from celery.contrib import rdb


@shared_task(name="lessons.probes.rdb_task.order_total")
def order_total(prices: list[int]) -> int:
    total = sum(prices)
    rdb.set_trace()  # the pool process stops here until a client connects and continues
    return total
