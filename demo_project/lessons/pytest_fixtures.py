"""Testing tasks with ``celery.contrib.pytest``: ``python -m lessons.pytest_fixtures MODE``.

MODE is ``worker`` or ``config``: runs that test below with pytest and the plugin
(``-p celery.contrib.pytest``).
``config``: the ``celery_app`` fixture is a fresh app configured by the ``celery_config``
fixture (here an in-memory broker and backend). ``worker``: ``celery_worker`` runs a worker
for it in a thread of the test process, so the task goes through serialization, a broker
and a worker, unlike eager mode.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import TestWorkController


@pytest.fixture(scope="session")
def celery_config() -> dict[str, Any]:
    return {
        "broker_url": "memory://",
        "result_backend": "cache+memory://",
        "broker_transport_options": {"polling_interval": 0.05},  # the default waits 1 s
    }


@pytest.fixture(scope="session")
def celery_includes() -> list[str]:
    """Modules the test worker imports: the plugin's ping task, and the demo's tasks."""
    return ["celery.contrib.testing.tasks", "tasks.execution"]


def test_worker(celery_app: Celery, celery_worker: TestWorkController) -> None:
    result = celery_app.tasks["tasks.execution.whoami"].delay("from the test")
    info = result.get(timeout=10)
    print(f"\nwhoami.delay() in a test using celery_worker -> {result.state}")
    same = info["pid"] == os.getpid()
    print(f"the task ran in thread {info['thread']!r}, in the test's own process: {same}")
    print(f"the test itself runs in thread {threading.current_thread().name!r}")


def test_config(celery_app: Celery) -> None:
    print(f"\ncelery_app.conf.broker_url: {celery_app.conf.broker_url}")
    print(f"celery_app.conf.result_backend: {celery_app.conf.result_backend}")


def main(argv: list[str]) -> int:
    if argv not in (["worker"], ["config"]):
        print("usage: python -m lessons.pytest_fixtures worker|config", file=sys.stderr)
        return 2
    # These variables would override celery_config's URLs (Celery reads them first), and the
    # learner's running workers would then take the test's tasks.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugin named below
    # -c os.devnull: not the repository's own pytest settings, which name other plugins
    args = [__file__, "-c", os.devnull, "-p", "celery.contrib.pytest", "-p", "no:cacheprovider"]
    args += ["-q", "-s", "-k", f"test_{argv[0]}", "-W", "ignore::DeprecationWarning"]
    return int(pytest.main(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
