"""`studyapp run` refuses a card that needs a worker at once when none answers (#11 bug 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from demo_project.launch import RedisServer

STUDYAPP = Path(sys.executable).parent / "studyapp"
CARDS = Path(__file__).resolve().parents[2] / "cards"


def test_a_client_card_without_a_worker_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with RedisServer() as redis:  # Redis up, no worker on it
        env = dict(
            os.environ,
            CELERY_BROKER_URL=redis.url(0),
            CELERY_RESULT_BACKEND=redis.url(1),
            STUDYAPP_DATA_DIR=str(tmp_path / "data"),
        )
        result = subprocess.run(
            [str(STUDYAPP), "run", "canvas-chain", "--yes", str(CARDS)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=CARDS.parent,  # the hint names the start script as typed from here
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        f"No Celery worker answers on {redis.url(0)}; "
        "start one with: bash demo_project/worker/start.sh\n"
    )
