"""`studyapp stats` and the command line's error cases, run in-process (tests/cli_support.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run_studyapp
from core_support import CardSpec, titled, write_deck

from studyapp import cli
from studyapp.session import ReviewSession
from studyapp.study import Study


def test_stats_json_reports_what_was_studied(
    cards_dir: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(3))
    study = Study.open([cards_dir], data_dir)
    session = ReviewSession(study, None)
    session.grade(4)  # Easy: a review card due in a few days
    session.grade(1)  # Again: learning
    study.close()

    result = run_studyapp(capsys, "stats", "--json", "--data-dir", data_dir, cards_dir)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    stats = json.loads(result.stdout)
    assert stats["by_state"] == {
        "new": 1,
        "learning": 1,
        "review": 1,
        "relearning": 0,
        "suspended": 0,
    }
    assert list(stats["reviews_per_day"].values())[-1] == 2
    assert len(stats["reviews_per_day"]) == 26 * 7
    assert len(stats["forecast"]) == 30 and stats["forecast"][0] == 1
    assert stats["true_retention"] is None  # no review-kind answers yet
    assert stats["review_answers"] == {"passed": 0, "answered": 0}
    assert stats["learning_answers"] == {"passed": 1, "answered": 2}
    assert stats["errors"] == []

    text = run_studyapp(capsys, "stats", "--data-dir", data_dir, cards_dir)
    assert text.returncode == 0, text.stderr
    assert "3 (1 new, 1 learning, 1 review, 0 relearning, 0 suspended)" in text.stdout
    # Right under "Reviews: 2 today", a retention of none must not read as a bug.
    assert (
        "True retention (review cards only, last 30 days): none yet (no review card answered);"
        " learning cards: 50.0% of 2 passed"
    ) in text.stdout


def test_no_cards_names_where_it_looked(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_studyapp(capsys, "stats", "--data-dir", data_dir, empty)
    assert result.returncode == 1
    assert result.stdout == ""
    *problems, last = result.stderr.splitlines()
    assert last == f"no cards found; looked in: {empty}"
    assert all(line.startswith(f"{empty}:") for line in problems)


def test_bad_card_files_are_listed_and_stats_still_computed(
    cards_dir: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_deck(cards_dir / "good.md", "Celery", [CardSpec("Fine"), CardSpec("Also fine")])
    bad = cards_dir / "bad.md"
    bad.write_text("# Broken\n\n## Card 1: Missing back\n**Front:** only a front\n")
    result = run_studyapp(capsys, "stats", "--json", "--data-dir", data_dir, cards_dir)
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert errors and all(line.startswith(f"{bad}:") for line in errors)
    assert "Traceback" not in result.stderr
    stats = json.loads(result.stdout)
    assert stats["by_state"]["new"] == 2
    assert stats["errors"] == errors


def test_bad_data_folder_and_missing_path_are_one_line(
    tmp_path: Path, cards_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_studyapp(capsys, "stats", "--data-dir", blocker / "data", cards_dir)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"cannot create data folder {blocker / 'data'}: Not a directory\n"

    missing = tmp_path / "nowhere"
    result = run_studyapp(capsys, "stats", "--data-dir", tmp_path / "data", missing)
    assert result.returncode == 2
    assert result.stderr == f"{missing}: no such file or folder\n"

    result = run_studyapp(capsys, "stats", "--bogus")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "unrecognized arguments: --bogus" in result.stderr


def test_settings_file_that_is_not_utf8_is_one_line(
    cards_dir: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    data_dir.mkdir()
    settings = data_dir / "settings.toml"
    settings.write_bytes(b"fuzz = true\nnew_per_day = 10 # \xff\n")
    result = run_studyapp(capsys, "stats", "--data-dir", data_dir, cards_dir)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"{settings}:2: not UTF-8 text (byte 0xff); save it as UTF-8\n"


def test_stats_names_the_data_folder_it_read(
    cards_dir: Path,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    assert cli.main(["stats", "--data-dir", str(data_dir), str(cards_dir)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"Progress read from {data_dir}"

    assert cli.main(["stats", "--json", "--data-dir", str(data_dir), str(cards_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["data_dir"] == str(data_dir)

    # Studied with --data-dir, asked without it: the default folder is read, and said so.
    default = tmp_path / "default-data"
    monkeypatch.setenv("STUDYAPP_DATA_DIR", str(default))
    assert cli.main(["stats", str(cards_dir)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"Progress read from {default} (the default; --data-dir DIR reads another)"
