"""The command line: one parser with subcommands, options anywhere, failures in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run_studyapp
from core_support import titled, write_deck

from studyapp import cli
from studyapp.clock import SystemClock


def test_help_names_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: studyapp [-h] [--version] [--data-dir DIR] [PATH ...]")
    for command in cli.COMMANDS:
        assert f"    {command.name}" in out and command.summary in out


@pytest.mark.parametrize("command", [command.name for command in cli.COMMANDS])
def test_each_subcommand_has_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main([command, "--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: studyapp {command} [-h] [--data-dir DIR]")


def test_options_and_paths_may_come_in_any_order(
    cards_dir: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    # The path after --yes used to be "unrecognized arguments"; now the card lookup runs.
    for argv in (
        ["run", "no-such-card", "--yes", str(cards_dir), "--data-dir", str(data_dir)],
        ["--data-dir", str(data_dir), "run", "--yes", "no-such-card", str(cards_dir)],
    ):
        assert cli.main(argv) == 2
        assert capsys.readouterr().err == "studyapp run: no card with id 'no-such-card'\n"


def test_the_value_of_a_global_option_is_not_a_subcommand() -> None:
    args = ["--data-dir", "run", "stats", "--json"]
    found = cli.find_command(args, cli.COMMANDS)
    assert found is not None and found[0] == 2 and found[1].name == "stats"
    assert cli.find_command(["cards/", "stats"], cli.COMMANDS) is None
    assert cli.find_command(["--", "stats"], cli.COMMANDS) is None


def test_a_missing_subcommand_module_fails_only_that_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = cli.Command("broken", "cannot load", "studyapp.cli.no_such_module")
    assert cli.dispatch(["broken", "--json"], [*cli.COMMANDS, broken]) == 1
    err = capsys.readouterr().err
    assert err.startswith("studyapp broken: not available in this installation")
    assert err.count("\n") == 1


def test_usage_errors_are_one_line_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for args, message in (
        (["--bogus"], "studyapp: unrecognized arguments: --bogus"),
        (["run"], "studyapp run: the following arguments are required: CARD_ID"),
        (["verify", "--jobs", "0"], "studyapp verify: --jobs must be at least 1"),
    ):
        result = run_studyapp(capsys, *args)
        assert result.returncode == 2, result.stderr
        assert result.stderr == message + "\n"


def test_missing_card_path_stops_before_the_ui(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-cards-here"
    assert cli.main([str(missing), "--data-dir", str(tmp_path / "data")]) == 2
    assert capsys.readouterr().err == f"{missing}: no such file or folder\n"
    assert not (tmp_path / "data").exists()


def test_system_clock_is_utc_and_honours_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    clock = SystemClock()
    assert clock.now().utcoffset() is not None and clock.now().utcoffset().total_seconds() == 0
    assert str(clock.local_tz()) == "Asia/Tokyo"
