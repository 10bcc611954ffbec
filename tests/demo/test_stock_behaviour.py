"""The demo behaves as stock Celery where the course teaches stock behaviour, against a real
redis-server: a waiting task sits in the `celery` list, importing a task module is enough to
reach the demo's Redis, one task per name, an explicit time zone, no deprecation warnings."""

import subprocess
import sys
from collections import Counter

import redis
from celery import Celery

from demo_project.contract import DEMO_DIR
from demo_project.launch import RedisServer, Worker


def _broker(server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(server.url(0), decode_responses=True)


def _lists(client: redis.Redis) -> dict[str, int]:
    return {str(key): int(client.llen(key)) for key in client.scan_iter(_type="list")}


def test_a_waiting_task_sits_in_the_list_named_celery(
    redis_server: RedisServer, demo_app: Celery
) -> None:
    client = _broker(redis_server)
    client.flushdb()
    demo_app.tasks["tasks.basic.add"].delay(2, 2)  # no worker in this module yet
    assert _lists(client) == {"celery": 1}  # not celery:5: stock priorities
    client.flushdb()
    client.close()


def test_a_fresh_interpreter_importing_a_task_module_sends_to_the_demo_redis(
    redis_server: RedisServer, demo_env: dict[str, str]
) -> None:
    client = _broker(redis_server)
    client.flushdb()
    code = "from tasks.basic import add; print(add.delay(2, 2).id)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=DEMO_DIR, env=demo_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _lists(client) == {"celery": 1}  # it reached this Redis, not amqp://localhost
    message = client.lindex("celery", 0)
    assert message is not None and done.stdout.strip() in message
    client.flushdb()
    client.close()


def test_one_task_per_name(demo_app: Celery) -> None:
    short_names = Counter(
        name.rsplit(".", 1)[1] for name in demo_app.tasks if name.startswith("tasks.")
    )
    assert short_names and [name for name, count in short_names.items() if count > 1] == []


def test_the_time_zone_comes_from_the_environment_and_shows_in_celery_report(
    demo_env: dict[str, str],
) -> None:
    celery = [sys.executable, "-m", "celery", "-A", "config.celery_app", "report"]
    default = subprocess.run(
        celery, cwd=DEMO_DIR, env={k: v for k, v in demo_env.items() if k != "CELERY_TIMEZONE"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    paris = subprocess.run(
        celery, cwd=DEMO_DIR, env={**demo_env, "CELERY_TIMEZONE": "Europe/Paris"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "timezone: 'UTC'" in default.stdout
    assert "timezone: 'Europe/Paris'" in paris.stdout


def test_a_worker_starts_without_deprecation_warnings(module_worker: Worker) -> None:
    log = module_worker.output()
    assert " ready." in log  # the whole start-up is in the log
    assert "CDeprecationWarning" not in log and "celery upgrade settings" not in log
