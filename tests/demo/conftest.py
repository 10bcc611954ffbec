"""Shared fixtures for the demo_project tests: a private Redis, the demo env, real workers.

``redis_server`` is module scoped (one redis-server per test module); ``demo_env`` points the
broker at db 0 and the results at db 1 of it. ``worker`` is a factory: each call starts a real
``celery -A config.celery_app worker`` (waiting until it answers a ping) and every worker it
started is stopped after the test. ``module_worker`` is one ready worker shared by a module.
Workers consume contract.DEMO_QUEUES (``celery`` and ``reports``) unless given ``queues``.
``demo_app`` is an in-process Celery app with the demo's settings and tasks, sending to
``redis_server`` (for ``delay()``, ``send_task()`` and result checks from a test).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest
from celery import Celery

from demo_project.app_loader import make_app
from demo_project.launch import RedisServer, Worker
from demo_project.launch import demo_env as make_demo_env

WorkerFactory = Callable[..., Worker]


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def demo_env(redis_server: RedisServer) -> dict[str, str]:
    return make_demo_env(redis_server.url(0), redis_server.url(1))


def _factory(default_env: Mapping[str, str], started: list[Worker]) -> WorkerFactory:
    def start(
        env: Mapping[str, str] | None = None,
        queues: Sequence[str] | None = None,
        concurrency: int = 2,
        name: str | None = None,
        extra_args: Sequence[str] = (),
        ready_timeout: float = 30.0,
        wait: bool = True,
    ) -> Worker:
        worker = Worker(
            env if env is not None else default_env,
            queues=queues,
            concurrency=concurrency,
            name=name,
            extra_args=extra_args,
        )
        started.append(worker)
        worker.start()
        if wait:
            worker.wait_ready(ready_timeout)
        return worker

    return start


def _stop_all(started: list[Worker]) -> None:
    for worker in reversed(started):
        worker.stop(grace=5.0)
        worker.log_path.unlink(missing_ok=True)


@pytest.fixture
def worker(demo_env: dict[str, str]) -> Iterator[WorkerFactory]:
    """Factory: ``worker(queues=..., concurrency=..., env=..., wait=True)``; stopped after."""
    started: list[Worker] = []
    try:
        yield _factory(demo_env, started)
    finally:
        _stop_all(started)


@pytest.fixture(scope="module")
def module_worker(demo_env: dict[str, str]) -> Iterator[Worker]:
    """One ready worker on the demo queues, shared by every test of a module."""
    started: list[Worker] = []
    try:
        yield _factory(demo_env, started)()
    finally:
        _stop_all(started)


def pytest_report_header(config: Any) -> str:
    return "demo tests: private redis-server per module, real celery workers"


@pytest.fixture(scope="module")
def demo_app(redis_server: RedisServer) -> Iterator[Celery]:
    """An in-process app with the demo's settings and tasks, pointed at ``redis_server``.

    Celery lets the CELERY_BROKER_URL / CELERY_RESULT_BACKEND environment variables win
    over the app's configuration, so they are set to the same URLs while the module runs.
    """
    broker, backend = redis_server.url(0), redis_server.url(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CELERY_BROKER_URL", broker)
        patch.setenv("CELERY_RESULT_BACKEND", backend)
        app = make_app(broker, backend, name="demo-tests")
        try:
            yield app
        finally:
            app.close()
