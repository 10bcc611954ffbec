"""The three commands are listed, and the help says where export-anki stops helping."""

from __future__ import annotations

import pytest

from studyapp.cli import main

NOTE = "Anki ignores the scheduling in a package for notes it already has"


def help_text(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    try:
        status = main([*args, "--help"])
    except SystemExit as stopped:  # argparse's own help exits
        status = int(stopped.code or 0)
    assert status == 0
    return " ".join(capsys.readouterr().out.split())  # unwrapped


def test_help_lists_the_commands_and_points_to_sync(capsys: pytest.CaptureFixture[str]) -> None:
    overview = help_text(capsys)
    for command in ("import-anki", "sync-anki", "export-anki"):
        assert command in overview
    assert NOTE in overview and "studyapp sync-anki" in overview
    export = help_text(capsys, "export-anki")
    assert NOTE in export and "studyapp sync-anki" in export
    sync = help_text(capsys, "sync-anki")
    assert "whichever side reviewed it last" in sync and "--dry-run" in sync
