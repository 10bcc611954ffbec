"""Unit tests of a task by mocking, the testing guide's preferred way.

``python -m lessons.mock_task`` runs the two tests below with pytest.

The task below is called directly, as a function, in the test process: no broker, no worker,
not even eager mode. What it talks to (the warehouse) is patched, and so is its ``retry``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any
from unittest.mock import patch

import pytest
from celery import Task, shared_task
from celery.exceptions import Retry


class Warehouse:
    """Stands for a real service the task talks to."""

    def reserve(self, order_id: int, quantity: int) -> None:
        raise AssertionError("a unit test must never reach the real warehouse")


warehouse = Warehouse()


@shared_task(bind=True, name="lessons.mock_task.reserve_stock")
def reserve_stock(self: Task, order_id: int, quantity: int) -> str:
    try:
        warehouse.reserve(order_id, quantity)
    except ConnectionError as exc:
        raise self.retry(exc=exc) from exc
    return f"reserved {quantity} for order {order_id}"


# patch.object, not patch("lessons.mock_task...."): pytest imports this file under a module
# name of its own, so a dotted path would patch another copy of it.
@patch.object(warehouse, "reserve")
def test_reserves_stock(reserve: Any) -> None:
    assert reserve_stock(7, 3) == "reserved 3 for order 7"  # the task, called as a function
    reserve.assert_called_once_with(7, 3)


@patch.object(reserve_stock, "retry", side_effect=Retry())
@patch.object(warehouse, "reserve", side_effect=ConnectionError("down"))
def test_retries_when_the_warehouse_is_down(reserve: Any, retry: Any) -> None:
    with pytest.raises(Retry):
        reserve_stock(7, 3)
    assert isinstance(retry.call_args.kwargs["exc"], ConnectionError)


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only pytest itself, no plugins
    # A pytest of its own: this process already holds the module as __main__, and a second
    # copy in the same process would register a second task under the same name.
    args = ["lessons/mock_task.py", "-c", os.devnull, "--rootdir", ".", "-p", "no:cacheprovider"]
    args += ["-v", "--no-header", "-W", "ignore::DeprecationWarning"]
    return subprocess.run([sys.executable, "-m", "pytest", *args], env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
