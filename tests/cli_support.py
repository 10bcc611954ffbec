"""Run the real `studyapp` command line in this process and see what a shell would see.

In-process is seconds faster than a subprocess per call; tests whose subject is the process
boundary itself (signals, a real terminal, the installed entry point) start one instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from studyapp.cli import main


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_studyapp(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Ran:
    capsys.readouterr()  # only this command's output
    try:
        status = main([str(arg) for arg in args])
    except SystemExit as stopped:  # argparse's usage errors and --help
        code = stopped.code
        status = code if isinstance(code, int) else (0 if code is None else 1)
    captured = capsys.readouterr()
    return Ran(status, captured.out, captured.err)
