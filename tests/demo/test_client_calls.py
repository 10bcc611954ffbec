"""Calling the demo's tasks from Python against a real Redis and real workers.

Two workers share the module: ``main`` consumes only the default ``celery`` queue and
``reports`` only the ``reports`` queue, so routing is visible in who ran a task.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from celery import Celery, chain, chord, group, states
from celery.exceptions import NotRegistered, TimeLimitExceeded
from celery.result import AsyncResult

from demo_project.client.composing import most_at_once
from demo_project.client.events import TaskEvent, TaskEventLog
from demo_project.client.report import DemoError, watch_and_show
from demo_project.launch import Worker


@dataclass
class Workers:
    main: Worker
    reports: Worker


@pytest.fixture(scope="module")
def workers(demo_env: dict[str, str], demo_app: Celery) -> Iterator[Workers]:
    pair = Workers(
        main=Worker(demo_env, queues=["celery"], concurrency=2, name="main"),
        reports=Worker(demo_env, queues=["reports"], concurrency=1, name="reports"),
    )
    try:
        for worker in (pair.main, pair.reports):  # start both, then wait: start-ups overlap
            worker.start()
        for worker in (pair.main, pair.reports):
            worker.wait_ready(timeout=30)
        yield pair
    finally:
        for worker in (pair.main, pair.reports):
            worker.stop(grace=5)
            worker.log_path.unlink(missing_ok=True)


def observed_states(result: AsyncResult, timeout: float = 15.0) -> list[str]:
    """Every distinct state seen while polling until the task is ready."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = result.state
        if not seen or seen[-1] != state:
            seen.append(state)
        if state in states.READY_STATES:
            return seen
        time.sleep(0.01)
    raise AssertionError(f"task not ready after {timeout} s; states seen: {seen}")


def test_delay_get_round_trip(demo_app: Celery, workers: Workers) -> None:
    result = demo_app.tasks["tasks.basic.add"].delay(2, 3)
    assert result.get(timeout=10) == 5
    assert result.state == states.SUCCESS


def test_send_task_by_name_needs_no_task_code(demo_app: Celery, workers: Workers) -> None:
    assert demo_app.send_task("tasks.basic.add", args=(7, 8)).get(timeout=10) == 15


def test_states_go_pending_started_success(demo_app: Celery, workers: Workers) -> None:
    # The countdown keeps it PENDING for a moment, the sleep keeps it STARTED.
    result = demo_app.tasks["tasks.basic.slow"].apply_async((0.5,), countdown=0.3)
    assert observed_states(result) == [states.PENDING, states.STARTED, states.SUCCESS]
    assert result.result == "slept 0.5 s"


def test_chain_group_and_chord_results(demo_app: Celery, workers: Workers) -> None:
    tasks = demo_app.tasks
    add, mul = tasks["tasks.basic.add"], tasks["tasks.workflows.mul"]
    square, xsum = tasks["tasks.workflows.square"], tasks["tasks.workflows.xsum"]
    assert chain(add.s(2, 2), mul.s(10), add.s(1)).delay().get(timeout=10) == 41
    assert group(square.s(n) for n in range(5)).delay().get(timeout=10) == [0, 1, 4, 9, 16]
    assert chord(square.s(n) for n in range(10))(xsum.s()).get(timeout=10) == 285


def test_retry_with_backoff_then_success_and_final_failure(
    demo_app: Celery, workers: Workers
) -> None:
    started = time.monotonic()
    recovering = demo_app.tasks["tasks.advanced.flaky"].delay(succeed_on_attempt=3)
    doomed = demo_app.tasks["tasks.advanced.always_retrying"].delay()
    seen = observed_states(recovering)
    assert states.RETRY in seen and seen[-1] == states.SUCCESS
    assert recovering.result == {"attempts": 3, "retries": 2}
    assert time.monotonic() - started >= 3.0  # backoff waited 1 s, then 2 s
    with pytest.raises(ConnectionError, match="attempt 3 failed"):
        doomed.get(timeout=10)
    assert doomed.state == states.FAILURE


def test_hard_time_limit_kills_the_task_and_soft_limit_can_be_handled(
    demo_app: Celery, workers: Workers
) -> None:
    task = demo_app.tasks["tasks.advanced.time_limited"]
    polite, stubborn = task.delay(5, clean_up=True), task.delay(5, clean_up=False)
    assert polite.get(timeout=10) == "soft time limit reached: cleaned up and stopped"
    with pytest.raises(TimeLimitExceeded):
        stubborn.get(timeout=10)
    # The killed pool process was replaced: the worker keeps serving.
    assert demo_app.tasks["tasks.basic.add"].delay(1, 1).get(timeout=10) == 2


def test_routed_task_runs_on_the_reports_worker(demo_app: Celery, workers: Workers) -> None:
    report = demo_app.tasks["tasks.advanced.build_report"].delay("weekly").get(timeout=10)
    assert report == {"report": "weekly", "worker": workers.reports.nodename, "queue": "reports"}


def test_unregistered_name_fails_fast_with_not_registered(
    demo_app: Celery, workers: Workers
) -> None:
    # The worker stores NotRegistered at once: get() raises it instead of timing out.
    with pytest.raises(NotRegistered, match=r"tasks\.basic\.nope"):
        demo_app.send_task("tasks.basic.nope").get(timeout=10)


def test_revoke_with_terminate_stops_a_running_task(demo_app: Celery, workers: Workers) -> None:
    result = demo_app.tasks["tasks.basic.slow"].delay(10)
    deadline = time.monotonic() + 10
    while result.state != states.STARTED and time.monotonic() < deadline:
        time.sleep(0.01)
    result.revoke(terminate=True)
    assert observed_states(result, timeout=5)[-1] == states.REVOKED


def test_idempotent_job_runs_once_when_nothing_goes_wrong(
    demo_app: Celery, workers: Workers
) -> None:
    assert demo_app.tasks["tasks.advanced.idempotent_job"].delay("calls").get(timeout=10) == 1


def test_client_reports_an_unexpected_final_state_as_a_demo_error(
    demo_app: Celery, workers: Workers, capsys: pytest.CaptureFixture[str]
) -> None:
    result = demo_app.tasks["tasks.basic.always_fails"].delay("boom")
    with pytest.raises(DemoError, match="ended FAILURE, expected SUCCESS") as raised:
        watch_and_show(result)
    assert raised.value.exit_code == 1
    assert capsys.readouterr().out.splitlines()[-1] == "error: ValueError: boom"


def test_task_event_log_has_the_workers_own_timing(demo_app: Celery, workers: Workers) -> None:
    with TaskEventLog(demo_app) as events:
        result = demo_app.tasks["tasks.basic.slow"].delay(0.3)
        assert result.get(timeout=10) == "slept 0.3 s"
        (started,) = events.wait_for(result.id, "task-started")
        (done,) = events.wait_for(result.id, "task-succeeded")
        with pytest.raises(DemoError, match="expected 1 task-failed event"):
            events.wait_for(result.id, "task-failed", timeout=0.2)
    assert done.hostname == workers.main.nodename
    assert 0.3 <= done.runtime < 2.0
    assert done.timestamp - started.timestamp >= 0.3


def test_most_at_once_counts_overlaps_not_back_to_back_runs() -> None:
    def at(kind: str, seconds: float) -> TaskEvent:
        return TaskEvent(kind, "some-id", seconds, {})

    starts = [at("task-started", t) for t in (0.0, 1.0, 1.5)]
    ends = [at("task-succeeded", t) for t in (1.0, 2.0, 2.5)]
    assert most_at_once(starts, ends) == 2  # 0-1 then 1-2 touch; 1-2 and 1.5-2.5 overlap
    assert most_at_once(starts[:2], ends[:2]) == 1


def test_task_event_eta_is_read_as_epoch_seconds() -> None:
    sent = TaskEvent("task-sent", "some-id", 0.0, {"eta": "2026-01-01T00:00:01+00:00"})
    assert sent.eta == 1767225601.0
    assert TaskEvent("task-sent", "some-id", 0.0, {"eta": None}).eta is None
