"""Which Redis list a message lands in for each priority, with kombu's stock priority steps.

A stock Celery app (no transport options, no default priority) sends one message per priority
0-9, and one without a priority, to a queue no worker consumes; the lesson reports which list
grew each time. The queue's name is shown as ``Q`` and kombu's stock separator (two control
characters) as ``<sep>``.
"""

from __future__ import annotations

import redis
from celery import Celery
from config.celery_app import app as demo_app
from kombu.transport.redis import Channel
from lessons.idle_queue import broker_client, idle_queue


def list_sizes(client: redis.Redis, queue: str) -> dict[str, int]:
    keys = [str(key) for key in client.scan_iter(match=f"{queue}*")]
    return {key: int(client.llen(key)) for key in keys}


def main() -> None:
    broker_url = str(demo_app.conf.broker_url)
    stock = Celery("stock", broker=broker_url, set_as_current=False)
    print(f"kombu's default priority_steps: {Channel.priority_steps}")
    print(f"stock task_default_priority: {stock.conf.task_default_priority}")
    print(f"stock list separator <sep>: {Channel.sep!r}")
    with idle_queue(broker_url, prefix="lesson-priority") as queue:
        client = broker_client(broker_url)
        lists: dict[str, list[str]] = {}
        for priority in [*range(10), None]:
            before = list_sizes(client, queue)
            options = {} if priority is None else {"priority": priority}
            stock.send_task("tasks.basic.add", args=(1, 1), queue=queue, **options)
            after = list_sizes(client, queue)
            grew = next(key for key, size in after.items() if size > before.get(key, 0))
            label = "no priority" if priority is None else str(priority)
            name = grew.replace(queue, "Q").replace(Channel.sep, "<sep>")
            lists.setdefault(name, []).append(label)
        for name, labels in sorted(lists.items(), key=lambda item: item[1][0]):
            numbers = [label for label in labels if label != "no priority"]
            if numbers:
                print(f"priority {', '.join(numbers)} -> list {name!r}")
        for name, labels in lists.items():
            if "no priority" in labels:
                print(f"no priority -> list {name!r}")
        print(f"{len(lists)} lists for 10 priorities; the worker reads 'Q' first")
        client.close()
    stock.close()


if __name__ == "__main__":
    main()
