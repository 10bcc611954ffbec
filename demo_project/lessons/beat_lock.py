"""``worker --beat`` next to ``beat/start.sh``: the start script's lock does not stop it.

The lesson holds the lock beat/start.sh takes (a flock on ``celerybeat.lock`` in the demo's
state folder), as a running ``bash beat/start.sh`` would. A second ``beat/start.sh`` is refused;
``celery worker --beat`` (on a queue of its own, with a private schedule file) starts its
embedded beat anyway, because the lock belongs to the script, not to Celery. The lesson stops
that worker as soon as its beat has started, before it sends anything.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lessons.idle_queue import idle_queue

from demo_project import contract
from demo_project.launch import Worker
from demo_project.signals import exit_on_sigterm


def main() -> int:
    env = contract.run_environment()
    lock_path = contract.state_dir(env, create=True) / "celerybeat.lock"
    with open(lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            print("holding the beat lock, as a running beat/start.sh does")
        except BlockingIOError:
            print("a beat started by beat/start.sh already holds the lock")
        refused = subprocess.run(
            ["bash", "beat/start.sh"], capture_output=True, text=True, timeout=60
        )
        said = refused.stderr.strip().replace(str(lock_path.parent), "<demo state folder>")
        print(f"bash beat/start.sh: exit {refused.returncode}: {said}")
        with (
            idle_queue(env["CELERY_BROKER_URL"], prefix="lesson-beat") as queue,
            tempfile.TemporaryDirectory(prefix="beat-lock-") as tmp,
        ):
            schedule = Path(tmp) / "schedule"
            args = ["--beat", f"--schedule={schedule}", "--without-heartbeat"]
            with Worker(env, [queue], concurrency=1, extra_args=args) as worker:
                deadline = time.monotonic() + 60
                while "beat: Starting..." not in worker.output():
                    if not worker.running() or time.monotonic() > deadline:
                        print("the worker's beat did not start:", worker.output()[-1500:])
                        return 1
                    time.sleep(0.1)
                print("celery worker --beat: beat: Starting... (a second scheduler)")
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still stops the worker
    sys.exit(main())
