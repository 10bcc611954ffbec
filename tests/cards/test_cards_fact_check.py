"""The claims the cards make, checked against the installed Celery, kombu, Flower and Redis."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.app.task import Task
from celery.platforms import create_pidlock
from celery.schedules import crontab
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis

from demo_project.launch import RedisServer


@pytest.fixture
def app() -> Celery:
    return Celery("fact-check", broker="memory://", set_as_current=False)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(data_dir=tmp_path_factory.mktemp("redis")) as server:
        yield server


def test_redis_has_sixteen_databases_by_default(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url())
    try:
        assert client.config_get("databases") == {"databases": "16"}
    finally:
        client.close()


def test_redis_default_port_is_6379() -> None:
    assert kombu_redis.Transport.default_port == 6379
    assert redis.Redis().connection_pool.connection_kwargs["port"] == 6379


def test_flower_default_port_is_5555() -> None:
    from flower.options import options

    assert options.port == 5555  # nothing in this process parses a --port


def test_flower_accepts_both_basic_auth_spellings_and_env_options() -> None:
    from flower.command import ENV_VAR_PREFIX, is_flower_envvar
    from flower.options import options

    saved = options.basic_auth
    try:
        options.parse_command_line(["flower", "--basic_auth=ann:one"], final=False)
        assert options.basic_auth == ["ann:one"]
        options.parse_command_line(["flower", "--basic-auth=bob:two,cy:three"], final=False)
        assert options.basic_auth == ["bob:two", "cy:three"]
    finally:
        options.basic_auth = saved  # Flower's options are process-wide
    assert ENV_VAR_PREFIX == "FLOWER_"
    assert is_flower_envvar("FLOWER_BASIC_AUTH") and is_flower_envvar("FLOWER_PORT")
    assert not is_flower_envvar("FLOWER_NOT_AN_OPTION")  # ignored, not an error


def test_default_worker_concurrency_is_the_cpu_count() -> None:
    # In a child: building a worker marks its process as "inside a worker", after which
    # result.get() refuses to block, and only a Celery internal would reset that here.
    script = (
        "from celery import Celery\n"
        "app = Celery('fact-check', broker='memory://')\n"
        "print(app.WorkController(concurrency=None, pool_cls='solo').concurrency)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert int(done.stdout.strip()) == os.cpu_count()


def test_configuration_defaults(app: Celery) -> None:
    conf = app.conf
    assert conf.task_default_queue == "celery"
    assert conf.task_track_started is False
    assert conf.result_expires == timedelta(days=1)
    assert conf.worker_prefetch_multiplier == 4
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert tuple(conf.accept_content) == ("json",)
    assert conf.task_always_eager is False and conf.task_eager_propagates is False
    assert conf.beat_schedule_filename == "celerybeat-schedule"
    assert app.Task.max_retries == 3


def test_redis_visibility_timeout_is_one_hour() -> None:
    assert kombu_redis.Channel.visibility_timeout == 3600


def test_environment_broker_url_beats_configuration(
    app: Celery, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.conf.broker_url = "redis://from-config:6379/0"
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://from-env:6379/0")
    assert app.conf.broker_url == "redis://from-env:6379/0"


def test_delay_is_apply_async_with_args_and_kwargs() -> None:
    assert "return self.apply_async(args, kwargs)" in inspect.getsource(Task.delay)


def test_partial_signature_prepends_new_arguments(app: Celery) -> None:
    @app.task(name="fact.add")
    def add(x: int, y: int) -> int:
        return x + y

    assert add.s(10).clone(args=(5,)).args == (5, 10)


def test_crontab_day_of_week_one_is_monday() -> None:
    wednesday_noon = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    entry = crontab(hour=7, minute=30, day_of_week=1, nowfun=lambda: wednesday_noon)
    next_run = wednesday_noon + entry.remaining_estimate(wednesday_noon)
    assert (next_run.strftime("%A"), next_run.hour, next_run.minute) == ("Monday", 7, 30)
    assert sorted(crontab(minute=0, hour="*/3").hour) == list(range(0, 24, 3))


def test_celery_command_is_celery_main() -> None:
    (script,) = entry_points(group="console_scripts", name="celery")
    assert script.value == "celery.__main__:main"


def test_watchfiles_python_filter_extensions() -> None:
    from watchfiles import PythonFilter

    assert PythonFilter().extensions == (".py", ".pyx", ".pyd")


def test_pidfile_naming_a_live_process_blocks_beat_a_dead_one_does_not(tmp_path: Path) -> None:
    live = tmp_path / "live.pid"
    live.write_text(f"{os.getppid()}\n")  # another process that is alive: our parent
    with pytest.raises(SystemExit):
        create_pidlock(str(live))
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = tmp_path / "dead.pid"
    dead.write_text(finished.stdout)
    lock = create_pidlock(str(dead))  # stale: removed and taken over
    try:
        assert int(dead.read_text()) == os.getpid()
    finally:
        lock.release()


def test_transports_the_cards_name_exist() -> None:
    for alias in ("redis", "sentinel", "amqp", "sqs", "confluentkafka", "mongodb", "sqlalchemy"):
        assert alias in TRANSPORT_ALIASES
