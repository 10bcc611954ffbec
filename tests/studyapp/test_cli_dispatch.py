"""Command dispatch in-process: subcommands reach their owners, failures are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp import cli
from studyapp.clock import SystemClock


def test_verify_and_run_reach_the_runner(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("verify", "run"):
        with pytest.raises(SystemExit) as stopped:
            cli.main([command, "--help"])
        assert stopped.value.code == 0
        assert f"studyapp {command}" in capsys.readouterr().out


def test_a_missing_subcommand_module_fails_only_that_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = cli._delegate("studyapp.no_such_module", "main", "run", [])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("studyapp run: not available in this installation")
    assert err.count("\n") == 1


def test_missing_card_path_stops_before_the_ui(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-cards-here"
    assert cli.main(["--data-dir", str(tmp_path / "data"), str(missing)]) == 2
    assert capsys.readouterr().err == f"{missing}: no such file or folder\n"
    assert not (tmp_path / "data").exists()


def test_system_clock_is_utc_and_honours_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    clock = SystemClock()
    assert clock.now().utcoffset() is not None and clock.now().utcoffset().total_seconds() == 0
    assert str(clock.local_tz()) == "Asia/Tokyo"
