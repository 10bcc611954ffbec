"""Run a beat command (``celery ... beat`` or ``worker --beat``) with a schedule file that is
gone afterwards.

Usage: ``python -m lessons.throwaway_schedule celery -A config.celery_app beat --loglevel=info``

Beat keeps its schedule in a shelve file; a lesson must not reuse the demo's own (var/) nor
leave one behind. This appends ``--schedule=<tmp>/celerybeat-schedule`` in a fresh temporary
folder, sets the heartbeat entry to every second, and removes the folder when the command ends,
also when the study app stops it: the command stays in this process group, so the group's
SIGTERM reaches it, and this process waits for it to exit before cleaning up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from demo_project.signals import exit_on_sigterm

SHUTDOWN_WAIT_SECONDS = 2.5  # below the study app's stop grace (3 s) before it sends SIGKILL


def main(command: list[str]) -> int:
    if not command:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    env = dict(os.environ, CELERY_DEMO_HEARTBEAT_SECONDS="1")
    with tempfile.TemporaryDirectory(prefix="lesson-beat-") as tmp:
        full = [*command, f"--schedule={tmp}/celerybeat-schedule"]
        print("$", " ".join(full).replace(tmp, "<tmp>"), flush=True)
        child = subprocess.Popen(full, env=env)
        try:
            return child.wait()
        except KeyboardInterrupt:  # Ctrl-C in a terminal reached the command as well
            return 130
        finally:
            if child.poll() is None:
                # Stopped from outside: the group's signal reached the command too; let it
                # finish writing its schedule before the folder goes.
                try:
                    child.wait(timeout=SHUTDOWN_WAIT_SECONDS)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still removes the folder
    sys.exit(main(sys.argv[1:]))
