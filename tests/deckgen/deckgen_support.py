"""Sample deck, paths and the CLI runner shared by the deckgen tests (no tests here).

Not in conftest.py: several test folders have one, and `from conftest import` would get
whichever folder's conftest was imported first.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportLogWithChanges,
)

from deckgen.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SEED_FORMAT_DECK = FIXTURES / "seed_format_deck.txt"  # the course deck's shape, our words

# 1x1 transparent PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# A small deck in the seed's format, written for these tests.
SAMPLE_DECK = textwrap.dedent(
    """\
    # Task Queue Basics

    ## Card 1: What a broker does
    **Front:** Which component holds the messages between a client and the workers?
    **Back:**
    The **broker** (Redis or RabbitMQ) stores each task message until a worker takes it.

    ## Card 2: Starting a worker
    **Front:** Which command starts a worker for the app in `config.celery_app`?
    **Back:**
    ```bash
    celery -A config.celery_app worker -l info
    ```
    - `-A` names the application module
    - `-l info` sets the log level
    **Tags:** worker, cli

    ## Card 3: Comparing result backends
    **Front:** How do the Redis and RPC result backends differ?
    **Back:**
    | Backend | Keeps results after restart |
    |---------|-----------------------------|
    | Redis   | yes                         |
    | RPC     | ~~yes~~ no                  |

    ## Card 4: Pinging the workers
    **ID:** celery-ping
    **Front:** How do you check that at least one worker answers?
    **Back:** Ask every worker to reply with `celery inspect ping`; `x < y && z` stays text.
    **Run:** `celery -A config.celery_app inspect ping`
    **Expect:**
    ```
    pong
    ```
    **Timeout:** 20

    ## Card 5: Retry countdown
    **Front:** A task calls {{c1::self.retry(countdown=10)}} to try again later.
    **Back:** The countdown is in seconds.
    """
)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_deckgen(
    *args: str | Path, cwd: Path | None = None, fresh_process: bool = False
) -> CliResult:
    """Run the real command line and capture what it prints: in this process (a fresh
    interpreter per call costs seconds), or with `fresh_process` as `python -m deckgen`,
    for the tests whose subject is the process itself."""
    if fresh_process:
        completed = subprocess.run(
            [sys.executable, "-m", "deckgen", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd or REPO,
            timeout=120,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(cwd or REPO),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            status = main([str(arg) for arg in args])
        except SystemExit as stopped:  # argparse's usage errors
            code = stopped.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
    return CliResult(status, out.getvalue(), err.getvalue())


def import_apkg(
    col: Collection, package: Path, with_scheduling: bool = True
) -> ImportLogWithChanges.Log:
    """Import a package with the official anki library; Anki's own import log."""
    request = ImportAnkiPackageRequest(
        package_path=str(package),
        options=ImportAnkiPackageOptions(with_scheduling=with_scheduling),
    )
    return col.import_anki_package(request).log
