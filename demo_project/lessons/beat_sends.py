"""Beat only *sends* periodic tasks; a worker executes them.

Starts a real ``celery beat`` (heartbeat entry every second, private schedule file), waits for
it to log the send, then for the worker's trace of the run, and stops beat.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from config.celery_app import app

from demo_project.launch import stop_group
from demo_project.signals import exit_on_sigterm

HEARTBEAT_KEY = "demo:beat:heartbeat"  # tasks.periodic.heartbeat appends here


def _wait_for(predicate_text: str, log: Path, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if predicate_text in line:
                return line
        time.sleep(0.1)
    return None


def main() -> int:
    traces = redis.Redis.from_url(str(app.conf.result_backend), decode_responses=True)
    started_at = time.time()
    with tempfile.TemporaryDirectory(prefix="beat-lesson-") as tmp:
        log = Path(tmp) / "beat.log"
        env = dict(os.environ, CELERY_DEMO_HEARTBEAT_SECONDS="1")
        command = ["celery", "-A", "config.celery_app", "beat", "--loglevel=info"]
        command += [f"--schedule={tmp}/schedule", "--max-interval=1"]
        print("$", " ".join(command).replace(tmp, "<tmp>"))
        with log.open("w") as out:
            beat = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            sent = _wait_for("Sending due task heartbeat-interval", log, timeout=30)
            if sent is None:
                print("beat sent nothing:", log.read_text(errors="replace")[-1500:])
                return 1
            print("beat log:", sent.split("] ", 1)[-1])
            deadline = time.monotonic() + 20
            ran: str | None = None
            while ran is None and time.monotonic() < deadline:
                entries = [str(entry) for entry in traces.lrange(HEARTBEAT_KEY, 0, -1)]
                newer = [entry for entry in entries if float(entry.split()[0]) >= started_at]
                ran = newer[0] if newer else None
                time.sleep(0.1)
            if ran is None:
                print("no worker ran the heartbeat: is a worker consuming 'celery'?")
                return 1
            print(f"a worker ran it and left the trace: {ran}")
            print(f"beat (pid {beat.pid}) only sent the message; it runs no task code")
        finally:
            stop_group(beat)
            traces.close()
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still runs the cleanup below
    sys.exit(main())
