"""watchfiles in development: ``python -m lessons.watchfiles_restart [argv|python|css]``.

Starts ``watchfiles --filter python demo_target.main --args '...'`` in a temporary folder and
shows one thing: ``argv`` what the target function finds in ``sys.argv``; ``python`` that an
edit of a .py file restarts it; ``css`` that an edit of a .css file does not. Without an
argument: all three, in that order.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_project.launch import stop_group
from demo_project.signals import exit_on_sigterm

TARGET_SOURCE = """\
import sys
import time


def main() -> None:
    # watchfiles put the words of --args into sys.argv before calling this function.
    print("target started with sys.argv[1:] =", sys.argv[1:], flush=True)
    time.sleep(120)
"""
START_LINE = "target started"


def _starts(log: Path) -> int:
    return log.read_text(errors="replace").count(START_LINE)


def _wait_for_starts(log: Path, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _starts(log) >= count:
            return True
        time.sleep(0.1)
    return False


def main(mode: str) -> int:
    if mode not in ("", "argv", "python", "css"):
        print("usage: python -m lessons.watchfiles_restart [argv|python|css]", file=sys.stderr)
        return 2
    watchfiles = Path(sys.executable).with_name("watchfiles")
    with tempfile.TemporaryDirectory(prefix="watchfiles-lesson-") as tmp:
        folder = Path(tmp)
        (folder / "demo_target.py").write_text(TARGET_SOURCE)
        (folder / "style.css").write_text("body { color: black; }\n")
        log = folder / "output.log"
        # The watched path defaults to the current folder; a path written after --args
        # would be rejected by watchfiles' argument parser ("unrecognized arguments").
        command = [
            str(watchfiles),
            "--filter",
            "python",
            "demo_target.main",
            "--args",
            "-A config.celery_app worker --loglevel=info",
        ]
        print("$ watchfiles", " ".join(command[1:5]), repr(command[5]))
        with log.open("w") as out:
            process = subprocess.Popen(
                command,
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            if not _wait_for_starts(log, 1, timeout=20):
                print("the target never started:", log.read_text(errors="replace"))
                return 1
            if mode in ("", "argv"):
                print(log.read_text(errors="replace").strip().splitlines()[-1])
            if mode == "argv":
                return 0
            time.sleep(0.5)  # let the watcher settle before the first edit
            if mode in ("", "css"):
                (folder / "style.css").write_text("body { color: red; }\n")
                time.sleep(2.5)  # longer than watchfiles' 1.6 s debounce
                starts = _starts(log)
                print(f"after editing style.css: {starts} start(s), {RESTARTED[starts > 1]}")
            if mode in ("", "python"):
                with (folder / "demo_target.py").open("a") as source:
                    source.write("# an edit\n")
                _wait_for_starts(log, 2, timeout=20)
                starts = _starts(log)
                print(f"after editing demo_target.py: {starts} start(s), {RESTARTED[starts > 1]}")
            return 0
        finally:
            stop_group(process)


RESTARTED = {True: "restarted", False: "no restart"}


if __name__ == "__main__":
    exit_on_sigterm()  # a stop from the study app still runs the cleanup below
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
