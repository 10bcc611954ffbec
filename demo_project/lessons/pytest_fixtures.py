"""Testing tasks with ``celery.contrib.pytest``: a real worker in a thread, no Redis needed.

``python -m lessons.pytest_fixtures`` runs the test below with pytest and the plugin
(``-p celery.contrib.pytest``). The ``celery_app`` fixture is a fresh app configured by the
``celery_config`` fixture (here an in-memory broker and backend), and ``celery_worker``
runs a worker for it inside the test process, so the task goes through serialization and a
worker, unlike eager mode.
"""

from __future__ import annotations

import os
import sys
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
    return ["celery.contrib.testing.tasks", "tasks.basic"]


def test_add_runs_in_a_real_worker(celery_app: Celery, celery_worker: TestWorkController) -> None:
    result = celery_app.tasks["tasks.basic.add"].delay(2, 3)
    assert result.get(timeout=10) == 5
    assert result.state == "SUCCESS"


def main() -> int:
    # These variables would override celery_config's URLs (Celery reads them first), and the
    # learner's running workers would then take the test's tasks.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the plugin named below
    # -c os.devnull: not the repository's own pytest settings, which name other plugins
    args = [__file__, "-c", os.devnull, "-p", "celery.contrib.pytest", "-p", "no:cacheprovider"]
    return int(pytest.main([*args, "-q", "-W", "ignore::DeprecationWarning"]))


if __name__ == "__main__":
    sys.exit(main())
