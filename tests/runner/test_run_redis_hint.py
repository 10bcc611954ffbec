"""`studyapp run` on a command that needs Redis when none listens: the command fails as it
must, and the last line says how to get a Redis. The preflight rules cannot tell that such a
command (a demo lesson, `python -m lessons...`) talks to the broker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from runner_support import card_markdown, write_deck

from demo_project.launch import free_port
from studyapp.runner.preflight import preflight, redis_down_message

STUDYAPP = str(Path(sys.executable).parent / "studyapp")
# Fails at once (a lesson retries for ~20 s first): Redis without naming Celery or redis-cli.
LESSON = (
    'python -c "import os, redis; '
    "redis.Redis.from_url(os.environ['CELERY_RESULT_BACKEND']).ping()\""
)


def test_a_failed_run_against_a_missing_redis_ends_with_how_to_get_one(tmp_path: Path) -> None:
    broker = f"redis://127.0.0.1:{free_port()}/0"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker[:-1] + "1")
    assert preflight(LESSON, env) is None  # so the command does run
    deck = write_deck(tmp_path / "lesson.md", card_markdown("lesson", LESSON))
    result = subprocess.run(
        [STUDYAPP, "run", "--yes", "lesson", str(deck)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr.rstrip("\n").splitlines()[-1] == redis_down_message(broker)
    assert "brew install redis" in redis_down_message(broker)
