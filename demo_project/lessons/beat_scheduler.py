"""Celery beat's own scheduler classes, ticking inside this process against the demo's Redis.

``python -m lessons.beat_scheduler entry``          beat sends a task by the name in ``task``
``python -m lessons.beat_scheduler arguments``      ``args`` and ``kwargs`` go into every message
``python -m lessons.beat_scheduler options``        ``options`` are apply_async's options
``python -m lessons.beat_scheduler two-beats``      two schedulers send every entry twice
``python -m lessons.beat_scheduler schedule-file``  what the schedule file remembers
``python -m lessons.beat_scheduler add-periodic-task``  an entry added in code, at configuration

``celery beat`` runs the same ``Scheduler.tick()`` in a loop; here the loop runs for a second
or so, and the messages land in queues no worker consumes, where the lesson reads them.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import Celery
from celery.beat import PersistentScheduler, Scheduler
from lessons.idle_queue import broker_client, idle_queue
from lessons.subcommands import run_subcommand

from demo_project.signals import exit_on_sigterm


@contextmanager
def beat_app(schedule: dict[str, dict[str, Any]]) -> Iterator[tuple[Celery, str]]:
    """The demo's settings with ``schedule`` as beat_schedule; tasks go to a queue of their own."""
    app = Celery("beat-lesson", set_as_current=False)
    app.config_from_object("config.settings:CELERY")
    with idle_queue(str(app.conf.broker_url), prefix="lesson-beat") as queue:
        app.conf.task_default_queue = queue
        app.conf.beat_schedule = schedule
        yield app, queue
        app.close()


def run_beat(
    schedulers: list[Scheduler], seconds: float, until: Callable[[], bool] | None = None
) -> None:
    """What ``celery beat`` does, for ``seconds`` (or, given ``until``, until it says so, at
    most 10 s): tick, then sleep until the next entry is due."""
    end = time.monotonic() + (10.0 if until else seconds)
    while time.monotonic() < end and not (until and until()):
        wait = min(scheduler.tick() for scheduler in schedulers)
        time.sleep(max(0.0, min(wait, 0.05)))


def messages(app: Celery, queue: str) -> list[dict[str, Any]]:
    client = broker_client(str(app.conf.broker_url))
    found = []
    for raw in reversed(client.lrange(queue, 0, -1)):
        envelope = json.loads(raw)
        args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
        found.append({"task": envelope["headers"]["task"], "args": args, "kwargs": kwargs})
    client.close()
    return found


def entry() -> int:
    schedule = {
        "add-every-half-second": {"task": "tasks.basic.add", "schedule": 0.5, "args": (2, 3)},
        "misspelt": {"task": "tasks.basic.ad", "schedule": 0.5, "args": (2, 3)},
    }
    with beat_app(schedule) as (app, queue):
        run_beat([Scheduler(app, lazy=False)], 0, until=lambda: len(messages(app, queue)) >= 2)
        sent = messages(app, queue)
    print("entries: 'task': 'tasks.basic.add' and 'task': 'tasks.basic.ad' (misspelt)")
    print(f"beat sent messages naming the tasks: {sorted({m['task'] for m in sent})}")
    print("the misspelt name left beat like any other; only a worker would reject it")
    return 0


def arguments() -> int:
    schedule = {
        "weekly-summary": {
            "task": "tasks.periodic.weekly_summary",
            "schedule": 0.5,
            "args": ("celery-learners",),
            "kwargs": {"include_failures": True},
        }
    }
    with beat_app(schedule) as (app, queue):
        run_beat([Scheduler(app, lazy=False)], 0, until=lambda: len(messages(app, queue)) >= 2)
        sent = messages(app, queue)
    print("entry: 'args': ('celery-learners',), 'kwargs': {'include_failures': True}")
    for message in sent:
        print(f"beat sent {message['task']} with args {message['args']}, "
              f"kwargs {message['kwargs']}")  # fmt: skip
    return 0


def options() -> int:
    with ExitStack() as stack:
        app, default_queue = stack.enter_context(beat_app({}))
        other = stack.enter_context(idle_queue(str(app.conf.broker_url), prefix="lesson-reports"))
        app.conf.beat_schedule = {
            "report": {
                "task": "tasks.advanced.build_report",
                "schedule": 0.5,
                "args": ("weekly",),
                "options": {"queue": other, "expires": 60},
            }
        }
        client = broker_client(str(app.conf.broker_url))
        run_beat([Scheduler(app, lazy=False)], 0, until=lambda: client.llen(other) >= 1)
        print(f"entry: 'options': {{'queue': '{other}', 'expires': 60}}")
        print(f"messages in the app's default queue: {client.llen(default_queue)}")
        print(f"messages in {other}: {client.llen(other)}")
        raw = client.lindex(other, 0)
        expires = json.loads(raw)["headers"]["expires"] if raw else None
        print(f"the message carries an expiry (apply_async's expires): {expires is not None}")
        client.close()
    return 0


def two_beats() -> int:
    schedule = {"heartbeat": {"task": "tasks.periodic.heartbeat", "schedule": 0.5, "args": ("x",)}}
    with beat_app(schedule) as (one, one_queue), beat_app(schedule) as (two, two_queue):
        # One beat for the first app, two for the second, ticking side by side.
        schedulers = [Scheduler(one, lazy=False)] + [Scheduler(two, lazy=False) for _ in "ab"]
        run_beat(schedulers, 1.3)
        counts = {1: len(messages(one, one_queue)), 2: len(messages(two, two_queue))}
    for count, sent in counts.items():
        print(f"{count} beat(s), one entry every 0.5 s, for 1.3 s: {sent} messages sent")
    return 0


def schedule_file() -> int:
    schedule = {"every-10-s": {"task": "tasks.basic.add", "schedule": 10.0, "args": (2, 3)}}
    with beat_app(schedule) as (app, queue), tempfile.TemporaryDirectory() as scratch:
        path = str(Path(scratch) / "celerybeat-schedule")
        first = PersistentScheduler(app, schedule_filename=path, lazy=False)
        last_run = first.schedule["every-10-s"].last_run_at
        first.close()  # writes the file, as beat does when it stops
        second = PersistentScheduler(app, schedule_filename=path, lazy=False)
        kept = second.schedule["every-10-s"]
        same = kept.last_run_at == last_run
        print("beat stopped; a new beat read celerybeat-schedule: every-10-s last ran at "
              f"{kept.last_run_at:%H:%M:%S}, the stopped beat's time: {same}")  # fmt: skip
        # As if that beat had been down for an hour: 360 runs of this entry were missed.
        kept.last_run_at = kept.last_run_at - timedelta(hours=1)
        run_beat([second], 0, until=lambda: len(messages(app, queue)) >= 1)
        second.close()
        print("after an hour down (360 runs missed), the next tick sent "
              f"{len(messages(app, queue))} message; then every 10 s again")  # fmt: skip
    return 0


def add_periodic_task() -> int:
    with beat_app({}) as (app, queue):

        @app.on_after_configure.connect
        def schedule_cleanup(sender: Celery, **kwargs: Any) -> None:
            sender.add_periodic_task(0.5, sender.signature("tasks.basic.add", (2, 3)), name="sum")

        # The first read of the configuration fires on_after_configure, which adds the entry.
        print(f"beat_schedule after add_periodic_task: {sorted(app.conf.beat_schedule)}")
        run_beat([Scheduler(app, lazy=False)], 0, until=lambda: len(messages(app, queue)) >= 1)
        sent = messages(app, queue)[0]
    print(f"beat sent {sent['task']}{tuple(sent['args'])} for the entry added in code")
    return 0


COMMANDS: dict[str, Callable[[], int]] = {
    "entry": entry,
    "arguments": arguments,
    "options": options,
    "two-beats": two_beats,
    "schedule-file": schedule_file,
    "add-periodic-task": add_periodic_task,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.beat_scheduler", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
