"""Real subprocesses: streaming order, timeouts and stops end the whole process group."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from runner_procs import pid_alive, read_pid, wait_until

from studyapp.runner.command import prepare
from studyapp.runner.process import (
    RunningProcess,
    group_alive,
    live_process_groups,
    run_to_completion,
)


async def test_lines_arrive_in_order_as_they_are_printed() -> None:
    seen: list[tuple[str, float]] = []
    script = "import time\nfor i in range(3):\n    print(f'line {i}', flush=True); time.sleep(0.2)"
    command = prepare(f'python -c "{script}"')
    outcome = await run_to_completion(
        command, 10, on_line=lambda line: seen.append((line, time.monotonic()))
    )
    assert [line for line, _ in seen] == ["line 0", "line 1", "line 2"]
    assert outcome.exit_code == 0 and outcome.succeeded
    # Streamed, not collected at the end: the first line came well before the last.
    assert seen[2][1] - seen[0][1] > 0.3


async def test_stderr_is_merged_and_the_exit_status_kept() -> None:
    outcome = await run_to_completion(prepare("echo out; echo err >&2; exit 3"), 10)
    assert outcome.output == ["out", "err"]
    assert outcome.exit_code == 3 and not outcome.succeeded
    assert outcome.status_text().startswith("exit 3")


async def test_commands_run_in_the_demo_project(tmp_path: Path) -> None:
    outcome = await run_to_completion(prepare("pwd"), 10)
    assert outcome.output[0].endswith("demo_project")


async def test_timeout_ends_a_hanging_command_and_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    command = prepare(f"sleep 60 & echo $! > {pid_file}; sleep 60")
    started: list[RunningProcess] = []
    outcome = await run_to_completion(command, 1.0, on_start=started.append)
    child = read_pid(pid_file)
    assert outcome.timed_out and not outcome.succeeded
    assert outcome.elapsed < 8
    assert not pid_alive(child) and not pid_alive(started[0].pid)
    assert not group_alive(started[0].pgid)
    assert started[0].pgid not in live_process_groups()


async def test_stop_kills_the_whole_group_even_children_ignoring_sigterm(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    # The child ignores SIGTERM: only the SIGKILL after the grace period ends it.
    command = prepare(f"bash -c 'trap \"\" TERM; sleep 60' & echo $! > {pid_file}; wait")
    process = await RunningProcess.start(command)
    child = await asyncio.to_thread(read_pid, pid_file)
    assert pid_alive(child)
    await process.stop(grace=0.5)
    assert await asyncio.to_thread(wait_until, lambda: not pid_alive(child), 5.0)
    assert not group_alive(process.pgid)


async def test_background_children_of_a_finished_command_are_ended(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    outcome = await run_to_completion(prepare(f"sleep 60 & echo $! > {pid_file}; echo done"), 10)
    assert outcome.exit_code == 0 and outcome.output == ["done"]
    assert outcome.elapsed < 5  # did not wait for the background sleep
    assert not pid_alive(read_pid(pid_file))


async def test_until_stops_a_service_once_it_showed_what_was_expected() -> None:
    script = "import time\nprint('ready', flush=True)\ntime.sleep(60)"
    started: list[RunningProcess] = []
    outcome = await run_to_completion(
        prepare(f'python -c "{script}"'),
        20,
        until=lambda line: line == "ready",
        on_start=started.append,
    )
    assert outcome.stopped and not outcome.timed_out
    assert not group_alive(started[0].pgid)


async def test_cancelling_the_caller_stops_the_group(tmp_path: Path) -> None:
    started: list[RunningProcess] = []
    task = asyncio.ensure_future(
        run_to_completion(prepare("sleep 60"), None, on_start=started.append)
    )
    while not started:
        await asyncio.sleep(0.02)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert not group_alive(started[0].pgid)
