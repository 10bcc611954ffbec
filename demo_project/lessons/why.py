"""Why background tasks: one sub-command per card of ``cards/Celery/01-why-background-tasks.md``.

``python -m lessons.why needs-result``  a view that needs the task's value waits just as long
``python -m lessons.why upload``        the upload view answers at once; the page polls a status
``python -m lessons.why decoupled``     a sender with no task code and no worker in sight
``python -m lessons.why processes``     app + Redis only store a message; a worker runs it
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from celery import Celery
from config.celery_app import app
from lessons.idle_queue import broker_client, idle_queue
from lessons.subcommands import run_subcommand

from demo_project.contract import client_transport_options
from demo_project.signals import exit_on_sigterm

WORK_SECONDS = 0.5


def needs_result() -> int:
    """A view whose response needs the task's value gains nothing from a worker."""
    started = time.monotonic()
    time.sleep(WORK_SECONDS)  # the work done inline, in the request
    inline = time.monotonic() - started
    started = time.monotonic()
    value = app.send_task("tasks.basic.slow", args=(WORK_SECONDS,)).get(timeout=20)
    waited = time.monotonic() - started
    started = time.monotonic()
    result = app.send_task("tasks.basic.slow", args=(WORK_SECONDS,))
    sent = time.monotonic() - started
    print(f"a job of {WORK_SECONDS} s; the response needs its value:")
    print(f"  done inline in the view: the user waits {inline:.2f} s")
    print(f"  delay() then get() in the view: the user waits {waited:.2f} s ({value!r})")
    print("a job whose outcome the user can learn later:")
    print(f"  delay() and answer at once: the user waits {sent:.2f} s")
    result.get(timeout=20)
    return 0


def upload() -> int:
    """The upload view queues the processing and answers; a status page reads the state."""
    started = time.monotonic()
    # Stand-in for process_video(upload_id): a task that works for 1.5 s.
    result = app.send_task("tasks.basic.slow", args=(1.5,))
    answer = f"202 upload received, processing as task {result.id[:8]}..."
    print(f"upload view answered after {time.monotonic() - started:.2f} s: {answer}")
    seen: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        state = result.state
        if not seen or seen[-1] != state:
            seen.append(state)
            print(f"status page polled at {time.monotonic() - started:.1f} s: {state}")
        if result.ready():
            break
        time.sleep(0.1)
    print(f"the worker finished: {result.get(timeout=5)!r}; now tell the user it is ready")
    return 0


def decoupled() -> int:
    """A sender that holds only the broker's address, the task's name and JSON arguments."""
    sender = Celery(
        "sender",
        broker=os.environ["CELERY_BROKER_URL"],
        backend=os.environ["CELERY_RESULT_BACKEND"],
        set_as_current=False,
    )
    sender.conf.broker_transport_options = client_transport_options()
    own = sorted(name for name in sender.tasks if not name.startswith("celery."))
    print(f"the sender's app: a broker URL and a result backend; tasks of its own: {own or 'none'}")
    print(f"serializer both sides accept: {sender.conf.task_serializer}")
    result = sender.send_task("tasks.basic.add", args=(7, 8))
    print("sent the name 'tasks.basic.add' with the arguments [7, 8]")
    print(f"a worker the sender never addressed ran it: {result.get(timeout=20)}")
    sender.close()
    return 0


def processes() -> int:
    """Sender and Redis only keep a message; a worker is the process that runs it."""
    broker_url = str(app.conf.broker_url)
    client = broker_client(broker_url)
    with idle_queue(broker_url, prefix="lesson-roles") as queue:
        result = app.send_task("tasks.basic.add", args=(2, 3), queue=queue)
        time.sleep(1.0)
        print("web app + Redis, no worker on the queue:")
        waiting = client.llen(queue)
        print(f"  1 s after sending: {result.state}, messages waiting in Redis: {waiting}")
        # A running worker starts consuming the queue (remote control), then stops again.
        app.control.add_consumer(queue, reply=True, limit=1, timeout=5)
        try:
            value = result.get(timeout=20)
            print("a worker consuming that queue:")
            print(f"  {result.state}, result {value}, messages waiting: {client.llen(queue)}")
        finally:
            app.control.cancel_consumer(queue, reply=True, limit=1, timeout=5)
    client.close()
    return 0


COMMANDS: dict[str, Callable[[], int]] = {
    "needs-result": needs_result,
    "upload": upload,
    "decoupled": decoupled,
    "processes": processes,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.why", COMMANDS, argv)


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
