"""How a task executes: its request, its process, its log, its rate limit and its acknowledgement.

The lessons in ``lessons/`` call these to show what happens inside a worker; each task
reports what it saw (or leaves a trace in Redis via ``tasks.store``) instead of doing real work.
"""

import os
import sqlite3
import threading
import time
from typing import Any

from celery import Task, shared_task
from celery.utils.log import get_task_logger
from tasks import store

logger = get_task_logger(__name__)


@shared_task(bind=True)
def whoami(self: Task, label: str = "", seconds: float = 0.0) -> dict[str, Any]:
    """``bind=True`` passes the task itself as ``self``; ``self.request`` describes this call.

    ``seconds`` keeps the worker busy that long, for lessons about who takes the next task."""
    request = self.request
    started = time.time()
    time.sleep(seconds)
    return {
        "label": label,
        "task_id": request.id,
        "hostname": request.hostname,
        "pid": os.getpid(),
        "thread": threading.current_thread().name,
        "retries": request.retries,
        "queue": (request.delivery_info or {}).get("routing_key"),
        "args": list(request.args or ()),
        "started": started,
    }


@shared_task
def arg_types(*args: Any) -> list[str]:
    """The Python types the worker got after the message was decoded."""
    return [f"{type(arg).__name__} {arg!r}" for arg in args]


@shared_task(rate_limit="2/s")
def rate_limited(label: str) -> float:
    """At most two starts per second on each worker (a token bucket in the worker)."""
    return time.time()


@shared_task(bind=True, rate_limit="2/s")
def rate_limited_here(self: Task) -> dict[str, Any]:
    """Like ``rate_limited``, and says which worker started it, for the per-worker lesson."""
    return {"started": time.time(), "worker": self.request.hostname}


@shared_task(bind=True)
def waits_inside(self: Task, seconds: float = 0.1) -> str:
    """Calls ``get()`` on another task from inside a task, which Celery refuses by default."""
    return str(self.app.send_task("tasks.basic.slow", args=(seconds,)).get(timeout=10))


class CallCounter(Task):
    """A task class whose instance keeps a count: one instance serves every call in a process."""

    calls = 0


@shared_task(bind=True, base=CallCounter)
def counts_calls(self: CallCounter) -> dict[str, int]:
    """Counts its calls on the task instance, as a task caching a connection would keep it."""
    self.calls += 1
    return {"pid": os.getpid(), "calls_seen_by_this_instance": self.calls}


@shared_task(bind=True)
def reports_progress(self: Task, steps: int = 3, seconds: float = 0.4) -> str:
    """Stores a custom PROGRESS state with how far it got, which a caller can poll."""
    for done in range(1, steps + 1):
        time.sleep(seconds)
        self.update_state(state="PROGRESS", meta={"done": done, "of": steps})
    return f"{steps} steps done"


@shared_task(bind=True)
def retries_later(self: Task) -> str:
    """Asks for one retry without a countdown, so Celery's default_retry_delay applies."""
    if self.request.retries == 0:
        raise self.retry(exc=ConnectionError("the service is down"))
    return "second attempt"


class RecordsFailures(Task):
    """A task class with an ``on_failure`` handler: the worker calls it after the task raised."""

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        store.append(kwargs["trace_key"], f"on_failure({exc!r}) in pid {os.getpid()}")


@shared_task(base=RecordsFailures)
def fails_with_handler(trace_key: str) -> None:
    raise ValueError("payment declined")


@shared_task
def log_progress(order_id: int) -> str:
    logger.info("packing order %s", order_id)
    return f"order {order_id} packed"


def _attempt(key: str, seconds: float) -> int:
    """Count the attempt and record the pool process running it; the first attempt then
    works for ``seconds`` (time for a lesson to kill that process), later ones return."""
    attempt = store.count(f"demo:attempts:{key}")
    store.append(f"demo:pids:{key}", str(os.getpid()))
    if attempt == 1:
        time.sleep(seconds)
    return attempt


@shared_task
def early_ack_job(key: str, seconds: float = 0.0) -> int:
    """Default acknowledgement: the message is acked as the task starts."""
    return _attempt(key, seconds)


@shared_task(acks_late=True)
def late_ack_only_job(key: str, seconds: float = 0.0) -> int:
    """Acked after the task ends; a lost pool process still counts as the task's end."""
    return _attempt(key, seconds)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def late_ack_job(key: str, seconds: float = 0.0) -> int:
    """Acked after the task ends; if its pool process dies the message goes back to the queue."""
    return _attempt(key, seconds)


@shared_task
def read_order(db_path: str, order_id: int) -> str:
    """Read a row another process wrote: visible only once that process committed."""
    with sqlite3.connect(db_path, timeout=5) as connection:
        row = connection.execute("SELECT item FROM orders WHERE id = ?", (order_id,)).fetchone()
    return f"order {order_id}: {row[0]}" if row else f"order {order_id}: not found"


@shared_task
def note_failure(request: Any, exc: BaseException, traceback: str, key: str) -> None:
    """An errback (``link_error``): the worker calls it with the failed task's request."""
    store.append(key, f"{request.task} {request.id} failed: {exc!r}")


@shared_task
def note_result(value: Any, key: str) -> None:
    """A success callback (``link``): it receives the parent's return value first."""
    store.append(key, f"callback got {value!r}")
