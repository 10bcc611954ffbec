"""Unit tests of the demo's task functions in eager mode (no worker), plus its configuration.

Eager mode runs a task in the calling process: ``task.apply()`` always, and ``delay()`` too
when ``task_always_eager`` is on. Tasks that leave traces in Redis use the module's private
redis-server as their result backend.
"""

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery, states
from celery.app.defaults import DEFAULTS
from celery.schedules import crontab
from kombu.transport import redis as kombu_redis

from demo_project import contract


@pytest.fixture(scope="module")
def eager_app(demo_app: Celery) -> Iterator[Celery]:
    demo_app.conf.task_always_eager = True
    demo_app.conf.task_eager_propagates = False
    yield demo_app
    demo_app.conf.task_always_eager = False


@pytest.fixture(scope="module")
def traces(demo_app: Celery) -> "redis.Redis":
    return redis.Redis.from_url(str(demo_app.conf.result_backend), decode_responses=True)


def test_add_with_apply_and_with_delay_in_always_eager_mode(eager_app: Celery) -> None:
    add = eager_app.tasks["tasks.basic.add"]
    assert add.apply((2, 3)).get() == 5
    result = add.delay(40, 2)
    assert result.state == states.SUCCESS
    assert result.get() == 42


def test_workflow_building_blocks(eager_app: Celery) -> None:
    tasks = eager_app.tasks
    assert tasks["tasks.basic.add"].apply((1, 2)).get() == 3
    assert tasks["tasks.workflows.mul"].apply((6, 7)).get() == 42
    assert tasks["tasks.workflows.square"].apply((9,)).get() == 81
    assert tasks["tasks.workflows.xsum"].apply(([1, 2, 3],)).get() == 6


def test_slow_returns_what_it_slept(eager_app: Celery) -> None:
    assert eager_app.tasks["tasks.basic.slow"].apply((0.01,)).get() == "slept 0.01 s"


def test_log_message_prints_and_returns(eager_app: Celery, capsys: pytest.CaptureFixture) -> None:
    result = eager_app.tasks["tasks.basic.log_message"].apply(("hi",))
    assert result.get() == "logged: hi"
    assert "print from the task: hi" in capsys.readouterr().out


def test_always_fails_stores_its_value_error(eager_app: Celery) -> None:
    result = eager_app.tasks["tasks.basic.always_fails"].apply(("boom",))
    assert result.state == states.FAILURE
    assert isinstance(result.result, ValueError)
    assert str(result.result) == "boom"


def test_flaky_succeeds_on_the_third_attempt_after_two_retries(eager_app: Celery) -> None:
    # Eager retries run at once (no backoff wait); the attempt counter lives in Redis.
    result = eager_app.tasks["tasks.advanced.flaky"].apply(kwargs={"succeed_on_attempt": 3})
    assert result.get() == {"attempts": 3, "retries": 2}


def test_always_retrying_fails_with_the_last_connection_error(eager_app: Celery) -> None:
    result = eager_app.tasks["tasks.advanced.always_retrying"].apply()
    assert result.state == states.FAILURE
    assert isinstance(result.result, ConnectionError)
    assert "attempt 3 failed" in str(result.result)  # first run + max_retries=2


def test_idempotent_job_records_every_run_and_marks_done(
    eager_app: Celery, traces: "redis.Redis"
) -> None:
    job = eager_app.tasks["tasks.advanced.idempotent_job"]
    assert job.apply(("eager-key",)).get() == 1
    assert job.apply(("eager-key",)).get() == 2
    assert traces.llen("demo:runs:eager-key") == 2
    assert traces.get("demo:done:eager-key") == "1"


def test_prioritized_appends_labels_in_call_order(eager_app: Celery, traces: "redis.Redis") -> None:
    task = eager_app.tasks["tasks.advanced.prioritized"]
    for label in ("first", "second"):
        task.apply((label, "eager-order"))
    assert traces.lrange("demo:order:eager-order", 0, -1) == ["first", "second"]


def test_periodic_tasks(eager_app: Celery, traces: "redis.Redis") -> None:
    heartbeat = eager_app.tasks["tasks.periodic.heartbeat"]
    assert heartbeat.apply(("test",), {"note": "n"}).get() == "heartbeat from test"
    assert traces.lrange("demo:beat:heartbeat", -1, -1)[0].endswith("test n")
    summary = eager_app.tasks["tasks.periodic.weekly_summary"].apply(("team",), {})
    assert summary.get() == "weekly summary for team (successes only)"


def test_time_limits_are_declared_on_the_time_limit_task(eager_app: Celery) -> None:
    task = eager_app.tasks["tasks.advanced.time_limited"]
    assert (task.soft_time_limit, task.time_limit) == (1, 2)
    assert task.time_limit < eager_app.conf.task_time_limit


# --- configuration ---------------------------------------------------------------------


def demo_task_names(app: Celery) -> list[str]:
    return sorted(name for name in app.tasks if name.startswith("tasks."))


def test_every_theme_is_registered_under_its_top_level_name(demo_app: Celery) -> None:
    names = demo_task_names(demo_app)
    for theme in ("basic", "workflows", "advanced", "periodic"):
        assert any(name.startswith(f"tasks.{theme}.") for name in names)
    assert not [name for name in demo_app.tasks if name.startswith("demo_project.")]


def test_every_setting_name_is_a_real_celery_setting(demo_app: Celery) -> None:
    # A misspelt setting is silently ignored by Celery, so check each against its defaults.
    settings = importlib.import_module("config.settings")
    names = [name for name in vars(settings) if name.startswith("CELERY_")]
    assert len(names) > 15
    assert [name for name in names if name.removeprefix("CELERY_").lower() not in DEFAULTS] == []
    assert demo_app.conf.task_track_started is True  # read through the CELERY namespace


def test_acks_late_only_where_a_lesson_is_about_it(demo_app: Celery) -> None:
    # The default stays early ack; the idempotent task and the two acknowledgement lessons
    # (lessons.ack_timing) opt in per task.
    late = [name for name in demo_task_names(demo_app) if demo_app.tasks[name].acks_late]
    assert sorted(late) == [
        "tasks.advanced.idempotent_job",
        "tasks.execution.late_ack_job",
        "tasks.execution.late_ack_only_job",
    ]
    assert not demo_app.tasks["tasks.execution.late_ack_only_job"].reject_on_worker_lost
    assert demo_app.tasks["tasks.advanced.idempotent_job"].reject_on_worker_lost
    assert not demo_app.conf.task_acks_late


def test_serialization_is_json_only_and_started_and_events_are_on(demo_app: Celery) -> None:
    conf = demo_app.conf
    assert (conf.task_serializer, conf.result_serializer) == ("json", "json")
    assert list(conf.accept_content) == ["json"]
    assert conf.task_track_started and conf.worker_send_task_events and conf.task_send_sent_event
    assert conf.result_expires == 86400


def test_visibility_timeout_outlasts_countdowns_and_time_limits(demo_app: Celery) -> None:
    options = demo_app.conf.broker_transport_options
    assert options["sep"] == contract.KEY_SEPARATOR  # what every client of the broker uses
    assert options["visibility_timeout"] > demo_app.conf.task_time_limit
    # Stock priorities: no default priority, kombu's own steps, so a waiting task is in `celery`.
    assert "priority_steps" not in options and "queue_order_strategy" not in options
    assert demo_app.conf.task_default_priority is None


def test_report_task_is_routed_to_the_reports_queue(demo_app: Celery) -> None:
    route = demo_app.amqp.router.route({}, "tasks.advanced.build_report")
    assert route["queue"].name == "reports"
    assert demo_app.amqp.router.route({}, "tasks.basic.add")["queue"].name == "celery"


def test_beat_schedule_has_an_interval_and_a_monday_crontab_entry(demo_app: Celery) -> None:
    entries = demo_app.conf.beat_schedule
    interval = entries["heartbeat-interval"]
    assert interval["schedule"] == 10.0 and interval["args"] and interval["kwargs"]
    weekly = entries["weekly-report-monday-0730"]
    assert weekly["schedule"] == crontab(hour=7, minute=30, day_of_week=1)
    assert weekly["args"] and weekly["kwargs"]
    for entry in entries.values():
        assert entry["task"] in demo_app.tasks
    schedule = Path(demo_app.conf.beat_schedule_filename)
    assert schedule == contract.state_dir() / "celerybeat-schedule"


def test_the_demo_runs_kombus_stock_redis_transport(demo_app: Celery) -> None:
    assert demo_app.conf.broker_transport is None  # chosen by the URL's scheme
    with demo_app.connection_for_write() as connection:
        assert type(connection.transport) is kombu_redis.Transport


def test_the_demo_packages_refuse_a_second_import_name() -> None:
    for name in ("demo_project.config", "demo_project.tasks"):
        with pytest.raises(ImportError, match="second"):
            importlib.import_module(name)
