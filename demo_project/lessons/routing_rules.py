"""Where a task message lands: task_routes, router functions, precedence, missing queues.

Each sub-command sends real messages to the demo's broker, to queues with a fresh suffix
that no worker consumes, then shows which Redis list holds each message (`LLEN`) and removes
those lists. Only `worker-queues` starts a worker: a private one, on one queue of its own.
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery
from celery.exceptions import QueueNotFound
from config.celery_app import app as demo_app
from kombu import Exchange, Queue
from lessons.idle_queue import broker_client, idle_queue
from lessons.private_worker import private_worker
from lessons.subcommands import run_subcommand

from demo_project.contract import client_transport_options

BROKER_URL = str(demo_app.conf.broker_url)


@contextmanager
def lesson_app(**settings: Any) -> Iterator[tuple[Celery, str]]:
    """A bare app on the demo's broker and a fresh suffix; its queues are removed after."""
    suffix = uuid.uuid4().hex[:6]
    app = Celery("routing", broker=BROKER_URL, set_as_current=False)
    app.conf.broker_transport_options = client_transport_options()
    app.conf.update(settings)
    client = broker_client(BROKER_URL)
    try:
        yield app, suffix
    finally:
        for key in client.scan_iter(match=f"*{suffix}*"):
            client.delete(key)
        client.close()
        app.close()


def landed(call: Callable[[], Any], suffix: str) -> str:
    """Run `call` (it sends one task) and say which of this run's queues grew."""
    client = broker_client(BROKER_URL)
    before = {k: client.llen(k) for k in client.scan_iter(match=f"*{suffix}", _type="list")}
    call()
    after = {k: client.llen(k) for k in client.scan_iter(match=f"*{suffix}", _type="list")}
    client.close()
    grown = [k for k, size in after.items() if size > before.get(k, 0)]
    return ", ".join(k.removesuffix(f"-{suffix}") for k in grown) or "(no queue)"


def sent(app: Celery, name: str, **options: Any) -> Callable[[], Any]:
    return lambda: app.send_task(name, **options)


def _glob() -> None:
    with lesson_app() as (app, s):
        app.conf.task_routes = {
            "billing.tasks.*": {"queue": f"billing-{s}"},
            re.compile(r"(video|image)\.tasks\..*"): {"queue": f"media-{s}"},
        }
        app.conf.task_default_queue = f"celery-{s}"
        names = ("billing.tasks.charge", "video.tasks.encode", "image.tasks.thumb", "mail.send")
        for name in names:
            print(f"{name} -> {landed(sent(app, name), s)}")


def _items_order() -> None:
    with lesson_app() as (app, s):
        app.conf.task_default_queue = f"celery-{s}"
        app.conf.task_routes = (
            [
                ("feed.tasks.import_*", {"queue": f"imports-{s}"}),
                ("feed.tasks.*", {"queue": f"feeds-{s}"}),
            ],
        )
        for name in ("feed.tasks.import_rss", "feed.tasks.refresh"):
            print(f"{name} -> {landed(sent(app, name), s)}")


def _router_function() -> None:
    with lesson_app() as (app, s):

        def by_size(
            name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any
        ) -> dict[str, str] | None:
            if kwargs.get("megabytes", 0) > 100:
                return {"queue": f"bulk-{s}"}
            return None  # no opinion: the next router, or the default queue

        app.conf.task_routes = (by_size,)
        app.conf.task_default_queue = f"celery-{s}"
        for size in (5, 500):
            where = landed(sent(app, "media.tasks.upload", kwargs={"megabytes": size}), s)
            print(f"upload(megabytes={size}) -> {where}")


def _precedence() -> None:
    with lesson_app() as (app, s):
        app.conf.task_routes = {"reports.*": {"queue": f"from-task_routes-{s}"}}

        @app.task(name="reports.plain")
        def plain() -> None: ...

        @app.task(name="reports.pinned", queue=f"from-task-attribute-{s}")
        def pinned() -> None: ...

        print(f"plain.delay() -> {landed(plain.delay, s)}")
        print(f"pinned.delay() -> {landed(pinned.delay, s)}")
        call = lambda: pinned.apply_async(queue=f"from-apply_async-{s}")  # noqa: E731
        print(f"pinned.apply_async(queue=...) -> {landed(call, s)}")


def _bindings() -> None:
    with lesson_app() as (app, s):
        media = Exchange(f"media-{s}", type="direct")
        queues = [
            Queue(f"video-{s}", media, routing_key="media.video"),
            Queue(f"image-{s}", media, routing_key="media.image"),
        ]
        app.conf.task_queues = queues
        with app.connection_for_write() as connection:  # what a worker does at start
            for queue in queues:
                queue.bind(connection.default_channel).declare()
        print("declared queues video and image on exchange media, as a worker does at start")
        call = sent(app, "media.tasks.thumbnail", exchange=media.name, routing_key="media.image")
        print(f"sent to exchange 'media' with routing key 'media.image' -> {landed(call, s)}")
        members = broker_client(BROKER_URL).smembers(f"_kombu.binding.media-{s}")
        print("the exchange in Redis, the set _kombu.binding.media (routing key, pattern, queue):")
        for member in sorted(members):
            print(f"  {member.replace(f'-{s}', '')}")


def _default_queue() -> None:
    with lesson_app() as (app, s):
        print(f"task_default_queue unset: {app.conf.task_default_queue!r}")
        app.conf.task_default_queue = f"default-{s}"
        print(f"task_default_queue = 'default': mail.send -> {landed(sent(app, 'mail.send'), s)}")


def _missing_queues() -> None:
    with lesson_app() as (app, s):
        print(f"task_create_missing_queues: {app.conf.task_create_missing_queues}")
        print(f"send to queue 'adhoc' -> {landed(sent(app, 'mail.send', queue=f'adhoc-{s}'), s)}")
    with lesson_app(task_create_missing_queues=False) as (app, s):
        try:
            app.send_task("mail.send", queue=f"adhoc-{s}")
        except QueueNotFound as error:
            shown = str(error).replace(f"-{s}", "")
            print(f"with task_create_missing_queues=False: QueueNotFound: {shown}")


def _worker_queues() -> None:
    with (
        idle_queue(BROKER_URL, prefix="lesson-feeds") as feeds,
        idle_queue(BROKER_URL, prefix="lesson-other") as other,
        private_worker(feeds, f"{feeds}@lesson") as worker,
    ):
        print(f"a private worker consumes only lesson-feeds ({worker.nodename})")
        on_feeds = demo_app.send_task("tasks.basic.add", args=(1, 2), queue=feeds)
        on_other = demo_app.send_task("tasks.basic.add", args=(3, 4), queue=other)
        print(f"sent add(1, 2) to lesson-feeds: {on_feeds.get(timeout=20)} ({on_feeds.state})")
        time.sleep(1.0)
        waiting = broker_client(BROKER_URL).llen(other)
        print(f"sent add(3, 4) to lesson-other: {on_other.state}, {waiting} message waiting")
        for result in (on_feeds, on_other):
            result.forget()


COMMANDS: dict[str, Callable[[], None]] = {
    "glob": _glob,
    "items-order": _items_order,
    "router-function": _router_function,
    "precedence": _precedence,
    "bindings": _bindings,
    "default-queue": _default_queue,
    "missing-queues": _missing_queues,
    "worker-queues": _worker_queues,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.routing_rules", COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
