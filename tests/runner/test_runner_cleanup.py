"""Stopping a card's command leaves nothing behind, not even helpers in other sessions.

The runner signals the command's process group; the demo client and lessons start workers
in sessions of their own, so they must clean up on SIGTERM themselves, and a `timeout` in a
start script must stay in the group (`--foreground`) for the signal to reach its child.
Every process below the command is recorded (psutil) while it runs, then checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from runner_procs import Proc, descendants, kill_leftovers, proc_alive, wait_until

from demo_project.launch import RedisServer, free_port
from studyapp.runner.command import prepare
from studyapp.runner.process import RunningProcess, RunOutcome, run_to_completion


@pytest.fixture(scope="module")
def redis_urls() -> Iterator[dict[str, str]]:
    with RedisServer() as server:
        yield {"CELERY_BROKER_URL": server.url(0), "CELERY_RESULT_BACKEND": server.url(1)}


async def run_and_stop_when(
    command: str, env: dict[str, str], ready: Callable[[str, set[Proc]], bool]
) -> tuple[RunOutcome, set[Proc]]:
    """Run `command`; once `ready(line, processes so far)` holds, the runner stops it."""
    started: list[RunningProcess] = []
    seen: set[Proc] = set()

    def until(line: str) -> bool:
        seen.update(descendants(started[0].pid))
        return ready(line, seen)

    outcome = await run_to_completion(
        prepare(command, env), 60, until=until, on_start=started.append
    )
    return outcome, seen


async def test_stopping_the_client_stops_the_worker_it_started(
    redis_urls: dict[str, str],
) -> None:
    outcome, seen = await run_and_stop_when(
        "python -m demo_project.client offline",
        redis_urls,
        lambda line, _procs: line.startswith("worker ") and line.endswith(" is ready"),
    )
    try:
        assert outcome.stopped and not outcome.timed_out, outcome.output
        assert len(seen) >= 2  # the worker and its pool processes
        gone = await asyncio.to_thread(wait_until, lambda: not any(proc_alive(p) for p in seen), 15)
        assert gone, [p for p in seen if proc_alive(p)]
    finally:
        kill_leftovers(seen)


async def test_stopping_flower_start_while_it_waits_ends_the_timed_ping() -> None:
    broker = f"redis://127.0.0.1:{free_port()}/0"  # down: each ping retries for seconds
    env = {
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CELERY_FLOWER_USER": "u",
        "CELERY_FLOWER_PASSWORD": "p",
        "PING_WAIT_SECONDS": "30",
    }
    started: list[RunningProcess] = []
    seen: set[Proc] = set()
    task = asyncio.ensure_future(
        run_to_completion(prepare("bash flower/start.sh", env), 60, on_start=started.append)
    )
    try:

        def ping_running() -> bool:
            if started:
                seen.update(descendants(started[0].pid))
            return any(_is_celery(p) for p in seen)

        assert await asyncio.to_thread(wait_until, ping_running, 20), seen
        await started[0].stop()
        outcome = await task
        assert outcome.stopped
        # The ping retries for about 7 s; only a signal makes it go at once.
        gone = await asyncio.to_thread(wait_until, lambda: not any(proc_alive(p) for p in seen), 2)
        assert gone, [p for p in seen if proc_alive(p)]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        kill_leftovers(seen)


def _is_celery(proc: Proc) -> bool:
    """The timed `celery ... inspect ping` itself (not `timeout`, not bash)."""
    try:
        argv = psutil.Process(proc[0]).cmdline()
    except psutil.Error:
        return False
    return "inspect" in argv and not argv[0].endswith("timeout")


async def test_stopping_a_lesson_stops_the_watcher_it_started() -> None:
    outcome, seen = await run_and_stop_when(
        "python -m lessons.watchfiles_restart",
        {},
        lambda line, _procs: line.startswith("target started"),
    )
    try:
        assert outcome.stopped, outcome.output
        assert len(seen) >= 2  # watchfiles and the target it runs
        gone = await asyncio.to_thread(wait_until, lambda: not any(proc_alive(p) for p in seen), 10)
        assert gone, [p for p in seen if proc_alive(p)]
    finally:
        kill_leftovers(seen)


@pytest.mark.parametrize(
    ("lesson", "first_line"),
    [
        ("worker_loop 1", "sent 6 tasks"),  # lessons.private_worker
        ("beat_lock", "celery worker --beat"),  # `with Worker(...)`, stopped as it ends
    ],
)
async def test_stopping_a_lesson_stops_its_worker_and_removes_its_log(
    redis_urls: dict[str, str], tmp_path: Path, lesson: str, first_line: str
) -> None:
    """A learner grading a card (or pressing x) while its lesson still runs."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    outcome, seen = await run_and_stop_when(
        f"python -m lessons.{lesson}",
        {**redis_urls, "TMPDIR": str(scratch), "DEMO_VAR_DIR": str(tmp_path / "var")},
        lambda line, _procs: line.startswith(first_line),
    )
    try:
        assert outcome.stopped, outcome.output
        assert len(seen) >= 2  # its worker and the pool process below it
        gone = await asyncio.to_thread(wait_until, lambda: not any(proc_alive(p) for p in seen), 10)
        assert gone, [p for p in seen if proc_alive(p)]
        assert list(scratch.iterdir()) == [], "the worker's log file is removed too"
    finally:
        kill_leftovers(seen)
