"""``task_send_sent_event``: the sender's own ``task-sent`` event, before any worker has the task.

Two apps on the demo's broker send a task to a queue no worker consumes: a stock app
(``task_send_sent_event`` off, Celery's default) and the demo's app (on). An event receiver
lists the ``task-sent`` events that arrive for each.
"""

from __future__ import annotations

import time

from celery import Celery
from config.celery_app import app
from lessons.idle_queue import idle_queue

from demo_project.client.events import TaskEventLog

SETTLE_SECONDS = 1.5  # time for an event to arrive before counting


def main() -> None:
    stock = Celery("stock", broker=str(app.conf.broker_url), set_as_current=False)
    with (
        idle_queue(str(app.conf.broker_url), prefix="lesson-sent") as queue,
        TaskEventLog(app) as events,
    ):
        for name, sender in (("stock app", stock), ("demo app", app)):
            flag = sender.conf.task_send_sent_event
            result = sender.send_task("tasks.basic.add", args=(1, 1), queue=queue)
            time.sleep(SETTLE_SECONDS)
            sent = events.of(result.id, "task-sent")
            print(f"{name}, task_send_sent_event={flag}: task-sent events: {len(sent)}")
        print("no worker consumes that queue: neither task has been received")
    stock.close()


if __name__ == "__main__":
    main()
