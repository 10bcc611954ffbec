"""flower/start.sh over HTTP: it waits for a worker, then serves /api/workers behind basic auth."""

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from script_procs import ScriptProcess, run_script, script_env, wait_until

from demo_project.launch import RedisServer, Worker, demo_env, free_port

USER = "flower-test"
PASSWORD = "not-the-real-one"


@pytest.fixture(scope="module")
def flower_env(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    return script_env(
        redis_server.port,
        tmp_path_factory.mktemp("flower-var"),
        CELERY_FLOWER_USER=USER,
        CELERY_FLOWER_PASSWORD=PASSWORD,
        FLOWER_PORT=str(free_port()),
    )


def _get(url: str, credentials: tuple[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _serving(url: str) -> bool:
    try:
        return _get(url)[0] > 0
    except OSError:
        return False


def test_flower_gives_up_when_no_worker_answers(flower_env: dict[str, str]) -> None:
    # Runs first in this module: no worker consumes from this module's Redis yet.
    result = run_script("flower/start.sh", {**flower_env, "PING_WAIT_SECONDS": "1"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "flower/start.sh: no worker answered a ping within 1s; start one with: bash worker/start.sh"
    )


@pytest.fixture(scope="module")
def flower(
    flower_env: dict[str, str], redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, ScriptProcess, Worker]]:
    """Flower started before any worker: it must wait, then serve once a worker answers.
    Yields (base url, worker node name, Flower's script process, the worker)."""
    base = f"http://127.0.0.1:{flower_env['FLOWER_PORT']}"
    log_dir = tmp_path_factory.mktemp("flower-log")
    flower = ScriptProcess("flower/start.sh", flower_env, log_dir / "flower.log")
    worker = Worker(demo_env(redis_server.url(0), redis_server.url(1)), concurrency=1)
    try:
        flower.start()
        flower.wait_for_output("no worker answers yet, retrying", 30)
        assert not _serving(base), "Flower must not serve before a worker answers"

        worker.start().wait_ready(30)
        flower.wait_for_output("a worker answered; starting Flower", 30)
        wait_until(lambda: _serving(base), 30, "Flower to serve HTTP")
        yield base, worker.nodename, flower, worker
    finally:
        flower.stop()
        worker.stop(grace=5.0)
        worker.log_path.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "credentials", [None, (USER, "wrong-password"), ("someone", PASSWORD)], ids=str
)
def test_api_workers_refuses_missing_or_wrong_credentials(
    flower: tuple[str, str, ScriptProcess, Worker], credentials: tuple[str, str] | None
) -> None:
    base = flower[0]
    status, _body = _get(f"{base}/api/workers", credentials)
    assert status == 401


def test_api_workers_lists_the_worker_with_credentials(
    flower: tuple[str, str, ScriptProcess, Worker],
) -> None:
    base, nodename = flower[:2]
    status, body = _get(f"{base}/api/workers?refresh=1", (USER, PASSWORD))
    assert status == 200
    assert nodename in json.loads(body)


def test_flower_and_its_worker_start_without_deprecation_warnings(
    flower: tuple[str, str, ScriptProcess, Worker],
) -> None:
    _base, _nodename, process, worker = flower
    flower_log, worker_log = process.output(), worker.output()
    assert "starting Flower" in flower_log and " ready." in worker_log  # real start-up logs
    for log in (flower_log, worker_log):
        assert "CDeprecationWarning" not in log and "celery upgrade settings" not in log
