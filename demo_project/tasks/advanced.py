"""Advanced tasks: retries with backoff, time limits, acks_late redelivery, priority, routing."""

import os
import time
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.log import get_task_logger
from tasks import store

logger = get_task_logger(__name__)


def attempts_key(task_id: str) -> str:
    return f"demo:attempts:{task_id}"


def runs_key(key: str) -> str:
    return f"demo:runs:{key}"


def done_key(key: str) -> str:
    return f"demo:done:{key}"


def order_key(key: str) -> str:
    return f"demo:order:{key}"


# A ConnectionError stands for a passing network hiccup: worth retrying. Retries wait
# retry_backoff * 2**n seconds (1 s, 2 s, 4 s, ...), capped at retry_backoff_max; jitter is
# off so the waits a learner sees are exactly these.
@shared_task(
    bind=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=1,
    retry_backoff_max=8,
    retry_jitter=False,
    max_retries=5,
)
def flaky(self: Task, succeed_on_attempt: int = 3) -> dict[str, int]:
    """Fails until its ``succeed_on_attempt``-th attempt; attempts are counted in Redis."""
    attempt = store.count(attempts_key(self.request.id))
    if attempt < succeed_on_attempt:
        logger.warning("attempt %d failed, Celery will retry", attempt)
        raise ConnectionError(f"attempt {attempt} failed (simulated network error)")
    return {"attempts": attempt, "retries": self.request.retries}


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=1,
    retry_jitter=False,
    max_retries=2,
)
def always_retrying(self: Task) -> None:
    """Never succeeds: after max_retries Celery stores FAILURE with the last exception."""
    attempt = store.count(attempts_key(self.request.id))
    raise ConnectionError(f"attempt {attempt} failed (the service stays down)")


@shared_task(soft_time_limit=1, time_limit=2)
def time_limited(seconds: float = 5.0, clean_up: bool = True) -> str:
    """Runs past its limits: at 1 s SoftTimeLimitExceeded is raised inside the task; at 2 s
    the pool process is killed (TimeLimitExceeded) if the task is still running."""
    try:
        time.sleep(seconds)
    except SoftTimeLimitExceeded:
        if clean_up:
            return "soft time limit reached: cleaned up and stopped"
        logger.warning("soft time limit ignored; the hard limit will kill this process")
        time.sleep(seconds)
    return f"finished in {seconds:g} s"


# acks_late: the message is acknowledged only after the task finishes, so if the worker dies
# mid-task the broker hands it to another worker. That means it may run twice, which is only
# safe because the task is idempotent: its effect (marking `key` done) is the same however
# many times it runs. reject_on_worker_lost requeues it when the pool process dies too.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def idempotent_job(self: Task, key: str, seconds: float = 0.0) -> int:
    """Records each run under ``demo:runs:<key>``; returns how many runs there were."""
    runs = store.append(runs_key(key), f"{self.request.hostname} pid {os.getpid()}")
    time.sleep(seconds)
    store.client().set(done_key(key), "1", ex=store.TRACE_TTL_SECONDS)
    return runs


@shared_task
def prioritized(label: str, log_key: str) -> str:
    """Appends ``label`` to ``demo:order:<log_key>`` so the execution order can be read."""
    store.append(order_key(log_key), label)
    return label


@shared_task(bind=True)
def build_report(self: Task, name: str) -> dict[str, Any]:
    """Routed to the ``reports`` queue (CELERY_TASK_ROUTES); says who ran it."""
    delivery = self.request.delivery_info or {}
    return {
        "report": name,
        "worker": self.request.hostname,
        "queue": delivery.get("routing_key"),
    }
