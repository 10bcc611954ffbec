"""A custom inspect command for ``lessons.bootsteps_demo inspect-command`` (loaded with
``--include``): the worker's current prefetch count, read from its consumer."""

from typing import Any

from celery.worker.control import inspect_command


@inspect_command()
def lesson_prefetch_count(state: Any) -> dict[str, int]:
    return {"prefetch_count": state.consumer.qos.value}
