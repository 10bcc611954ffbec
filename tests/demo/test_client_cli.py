"""``python -m demo_project.client COMMAND`` as a card runs it: cwd demo_project/, real worker.

The expected lines are what cards match (in order, like a card's **Expect:**), so a change
of wording shows up here first.
"""

import subprocess
import sys
from collections.abc import Iterator, Mapping

import pytest

from demo_project.client.cli import COMMANDS
from demo_project.contract import DEMO_DIR
from demo_project.launch import RedisServer, Worker, demo_env, free_port

EXPECTED: dict[str, list[str]] = {
    "ping": ["pong from ", "1 worker(s) answered"],
    "delay": ["calling add.delay(2, 3)", "task id: ", "state: SUCCESS", "result: 5"],
    "apply-async": ["countdown=2", "task id: ", "state: PENDING", "state: SUCCESS", "result: 10"],
    "send-task": [
        'app.send_task("tasks.basic.add", args=(7, 8))',
        "task modules imported by the sender: none",
        "the sender's app has the code of tasks.basic.add: False",
        "result: 15",
    ],
    "inspect-result": [
        "ready() right after sending: False",
        "get(timeout=10): 42",
        "ready() now: True",
        "state: SUCCESS",
        "successful(): True",
    ],
    "states": ["state: PENDING", "state: STARTED", "state: SUCCESS", "result: slept 1.5 s"],
    "slow": [
        "delay() returned after",
        "state: STARTED",
        "state: SUCCESS",
        "result: slept 2 s",
        "runtime in the worker: 2.",
        "(task-succeeded event from cli@",
    ],
    "log": ["result: logged: hello from the client"],
    "signature": [
        "tasks.basic.add(2, 3)",
        "result: 5",
        "tasks.basic.add(10)",
        "partial.delay(5) sends tasks.basic.add(5, 10)",
        "result: 15",
    ],
    "chain": [
        "the | operator built: tasks.basic.add(2, 2) | tasks.workflows.mul(10) | add(1)",
        "equal to chain(add.s(2, 2), mul.s(10), add.s(1)): True",
        "task id: ",
        "result: 41",
    ],
    "group": [
        "completed: 10 of 10 tasks",
        "results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]",
        "pieces done: 8 of 8, ",
        "they ran in 2 pool processes: cli@",
        "at most 2 pieces were running at the same moment",
    ],
    "chord": [
        "task id: ",
        "result: 285",
        "header results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]",
        "sum of the header results: 285, callback result: 285",
        "the callback started 1 time(s), ",
    ],
    "failing": ["state: FAILURE", "error: ValueError: boom"],
    "retrying": [
        "state: RETRY",
        "state: SUCCESS",
        'result: {"attempts": 3, "retries": 2}',
        "attempt 1 started at ",
        "retry 1 sent with an ETA 1.0 s ahead",
        "attempt 2 started at ",
        "retry 2 sent with an ETA 2.0 s ahead",
        "attempt 3 started at ",
        "state: FAILURE",
        "error: ConnectionError: attempt 3 failed",
    ],
    "time-limit": [
        "result: soft time limit reached: cleaned up and stopped",
        "state: FAILURE",
        "error: TimeLimitExceeded: 2",
        "was running it",
        "is gone from the pool of cli@",
        "(2 of 2 processes)",
    ],
    "revoke": ["state: STARTED", "revoke(terminate=True)", "state: REVOKED"],
    "unregistered": ["task id: ", "error: NotRegistered: tasks.basic.does_not_exist"],
    "route": ["task id: ", "state: SUCCESS", "ran on worker: cli@", "from queue: reports"],
    "priority": [
        "execution order: urgent(0), high(2), normal-a(5), normal-b(5), low-a(9), low-b(9)"
    ],
    "offline": [
        "state: PENDING",
        "is ready",
        "state: SUCCESS result: 8",
        "all 5 tasks ran once a worker consumed the queue",
    ],
}


def run_client(command: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "demo_project.client", command],
        cwd=DEMO_DIR,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_in_order(output: str, expected: list[str]) -> None:
    position = 0
    for line in expected:
        found = output.find(line, position)
        assert found >= 0, f"{line!r} not found (in order) in:\n{output}"
        position = found + len(line)


@pytest.fixture(scope="module")
def cli_worker(demo_env: dict[str, str]) -> Iterator[Worker]:
    with Worker(demo_env, name="cli") as worker:
        worker.wait_ready(timeout=30)
        yield worker


def test_every_command_has_expected_output() -> None:
    assert set(EXPECTED) == set(COMMANDS)


@pytest.mark.parametrize("command", list(EXPECTED))
def test_command_prints_what_a_learner_should_see(
    command: str, demo_env: dict[str, str], cli_worker: Worker
) -> None:
    done = run_client(command, demo_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert_in_order(done.stdout, EXPECTED[command])


def test_unreachable_redis_is_one_clear_line_and_exit_2() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    done = run_client("delay", demo_env(dead, dead))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"error: cannot reach Redis (broker) at {dead}")
    assert done.stderr.count("\n") == 1


def test_no_worker_is_one_clear_line_and_exit_3() -> None:
    with RedisServer() as lonely:
        done = run_client("delay", demo_env(lonely.url(0), lonely.url(1)))
    assert done.returncode == 3
    assert done.stderr.startswith("error: no Celery worker answered a ping within 3 s")
    assert "celery -A config.celery_app worker" in done.stderr
    assert done.stderr.count("\n") == 1


def test_console_script_runs_the_same_client(demo_env: dict[str, str], cli_worker: Worker) -> None:
    script = DEMO_DIR.parent / ".venv" / "bin" / "celery-demo"
    executable = script if script.exists() else None
    assert executable is not None, "celery-demo is not installed (pip install -e .)"
    done = subprocess.run(
        [str(executable), "send-task"], cwd=DEMO_DIR, env=demo_env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "result: 15" in done.stdout
