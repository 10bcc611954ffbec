"""Basic tasks: a quick sum, a slow job, a task that logs, a task that fails."""

import time

from celery import shared_task
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)


@shared_task
def add(x: int, y: int) -> int:
    return x + y


@shared_task
def slow(seconds: float = 3.0) -> str:
    """Stands for slow work (an e-mail, a report) the caller must not wait for."""
    time.sleep(seconds)
    return f"slept {seconds:g} s"


@shared_task
def log_message(text: str) -> str:
    # print() lands in the worker log too (the worker redirects stdout to its logger).
    print(f"print from the task: {text}")
    logger.info("log line from the task: %s", text)
    return f"logged: {text}"


@shared_task
def always_fails(message: str = "this task always fails") -> None:
    raise ValueError(message)
