"""beat/start.sh against a real Redis and worker: the interval entry fires on time, the data
stays in the data folder, a stale pidfile is cleared and a second beat is refused."""

import os
import re
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
import redis
from script_procs import ScriptProcess, run_script, script_env, wait_until

from demo_project.launch import RedisServer, Worker

PERIOD_SECONDS = 2.0  # the interval entry's period, shortened through the app's env knob
HEARTBEAT_KEY = "demo:beat:heartbeat"  # where tasks.periodic.heartbeat records each run


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("beat-var")


@pytest.fixture(scope="module")
def beat_env(redis_server: RedisServer, var_dir: Path) -> dict[str, str]:
    return script_env(redis_server.port, var_dir, CELERY_DEMO_HEARTBEAT_SECONDS=str(PERIOD_SECONDS))


@pytest.fixture(scope="module")
def beat(module_worker: Worker, beat_env: dict[str, str], var_dir: Path) -> Iterator[ScriptProcess]:
    # A pidfile left by a killed beat, naming a live process (this test run): celery alone would
    # refuse to start ("already running"); the script must clear it.
    (var_dir / "celerybeat.pid").write_text(f"{os.getpid()}\n")
    process = ScriptProcess("beat/start.sh", beat_env, var_dir / "beat.log")
    try:
        process.start()
        process.wait_for_output(r"beat: Starting\.\.\.", 30)
        yield process
    finally:
        process.stop()


LOG_TIME = r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): [^\]]*\] "
SENT = r"Scheduler: Sending due task heartbeat-interval \(tasks\.periodic\.heartbeat\)"


def _logged_at(output: str, message: str) -> list[float]:
    """Epoch seconds of every log line holding ``message`` (celery logs local time)."""
    stamps = re.findall(LOG_TIME + message, output)
    return [datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp() for stamp in stamps]


def test_beat_fires_the_interval_entry_every_period(
    beat: ScriptProcess, redis_server: RedisServer
) -> None:
    results = redis.Redis.from_url(redis_server.url(1), decode_responses=True)
    wait_until(lambda: results.llen(HEARTBEAT_KEY) >= 3, 6 * PERIOD_SECONDS + 15, "3 heartbeats")
    entries = [str(item) for item in results.lrange(HEARTBEAT_KEY, 0, -1)]
    results.close()
    # A worker ran each send, with the entry's args and kwargs: ("beat",), {"note": ...}.
    assert all(entry.endswith(" beat interval entry") for entry in entries)

    # Timing comes from beat's own log, so a busy worker cannot blur it: a new interval entry
    # is first due one period after beat starts, then every period.
    (started_at,) = _logged_at(beat.output(), r"beat: Starting\.\.\.")
    sent_at = _logged_at(beat.output(), SENT)
    assert len(sent_at) >= len(entries)
    assert PERIOD_SECONDS - 0.2 <= sent_at[0] - started_at <= PERIOD_SECONDS + 1.0
    gaps = [later - earlier for earlier, later in pairwise(sent_at)]
    assert all(PERIOD_SECONDS - 0.2 <= gap <= PERIOD_SECONDS + 1.0 for gap in gaps), gaps


def test_beat_keeps_its_state_in_the_data_folder(beat: ScriptProcess, var_dir: Path) -> None:
    # The stale pidfile was replaced by one naming the running beat (exec'd by the script).
    assert (var_dir / "celerybeat.pid").read_text().strip() == str(beat.pid)
    assert list(var_dir.glob("celerybeat-schedule*")), "schedule file not in the data folder"


def test_a_second_beat_is_refused(
    beat: ScriptProcess, beat_env: dict[str, str], var_dir: Path
) -> None:
    result = run_script("beat/start.sh", beat_env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"beat/start.sh: another beat already runs (lock {var_dir}/celerybeat.lock is held)"
    )
    assert beat.running()
    assert (var_dir / "celerybeat.pid").read_text().strip() == str(beat.pid)


def test_beat_starts_without_deprecation_warnings(beat: ScriptProcess) -> None:
    log = beat.output()
    assert "beat: Starting..." in log
    assert "CDeprecationWarning" not in log and "deprecated" not in log
