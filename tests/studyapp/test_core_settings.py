"""Settings file (TOML in the data folder) and interval labels."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from studyapp.intervals import format_interval
from studyapp.settings import (
    Settings,
    SettingsError,
    described_fields,
    load_settings,
    problems,
    save_settings,
)


def test_first_load_writes_the_defaults(data_dir: Path) -> None:
    assert load_settings(data_dir) == Settings()
    written = tomllib.loads((data_dir / "settings.toml").read_text())
    assert written["new_per_day"] == 20
    assert written["learning_steps_minutes"] == [1, 10]
    assert written["day_start_hour"] == 4
    assert [path.name for path in data_dir.iterdir()] == ["settings.toml"], "no temp file left"
    assert (data_dir / "settings.toml").stat().st_mode & 0o777 == 0o644


def test_saved_settings_round_trip(data_dir: Path) -> None:
    custom = replace(
        Settings(), desired_retention=0.85, relearning_steps_minutes=(5, 20), fuzz=False
    )
    save_settings(data_dir, custom)
    assert load_settings(data_dir) == custom


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("new_per_day = 10\nfuzz = maybe\n", ":2: "),
        ("new_per_day = 10\n\nnew_per_dya = 3\n", ":3: unknown setting 'new_per_dya'"),
        ("day_start_hour = 25\n", ":1: day_start_hour must be between 0 and 23"),
        ("fuzz = true\nlearning_steps_minutes = [1, 'x']\n", ":2: learning_steps_minutes must"),
        ("desired_retention = 'high'\n", ":1: desired_retention must be a number"),
    ],
)
def test_bad_settings_name_the_line(data_dir: Path, text: str, expected: str) -> None:
    data_dir.mkdir()
    path = data_dir / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError) as caught:
        load_settings(data_dir)
    message = str(caught.value)
    assert message.startswith(f"{path}{expected}")
    assert "\n" not in message
    assert path.read_text() == text, "a bad file is never overwritten"


def test_settings_that_are_not_utf8_name_the_line_of_the_bad_byte(data_dir: Path) -> None:
    data_dir.mkdir()
    path = data_dir / "settings.toml"
    path.write_bytes("new_per_day = 10\n# caf\u00e9 au lait\n".encode("latin-1"))
    with pytest.raises(SettingsError) as caught:
        load_settings(data_dir)
    assert str(caught.value) == f"{path}:2: not UTF-8 text (byte 0xe9); save it as UTF-8"
    assert path.read_bytes().endswith(b"caf\xe9 au lait\n"), "left as it was"


def test_unreadable_and_unwritable_settings_are_one_line_errors(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "settings.toml").mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(SettingsError) as caught:
        load_settings(data_dir)
    assert str(caught.value) == f"{data_dir / 'settings.toml'}:1: cannot read: Is a directory"

    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(SettingsError) as caught:
        save_settings(blocked / "data", Settings())
    assert str(caught.value) == (
        f"{blocked / 'data' / 'settings.toml'}:1: cannot save: Not a directory"
    )


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(seconds=30), "<1m"),
        (timedelta(minutes=1), "<1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=3), "3h"),
        (timedelta(hours=1, minutes=30), "1.5h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=29), "29d"),
        (timedelta(days=63), "2.1mo"),
        (timedelta(days=365 * 2), "2y"),
    ],
)
def test_interval_labels(delta: timedelta, label: str) -> None:
    assert format_interval(delta) == label


def test_saving_keeps_the_learners_own_comments_and_order(data_dir: Path) -> None:
    load_settings(data_dir)  # the commented file with the defaults
    path = data_dir / "settings.toml"
    text = path.read_text()
    text = "# mine: tuned for evenings\n" + text.replace(
        "new_per_day = 20\n", "new_per_day = 20  # fewer on weekdays\n\n# a note of my own\n"
    )
    text = text.replace("fuzz = true\n", "")  # a setting the learner took out
    path.write_text(text)

    save_settings(data_dir, replace(load_settings(data_dir), new_per_day=7, fuzz=False))

    saved = path.read_text()
    assert saved.startswith("# mine: tuned for evenings\n")
    assert "new_per_day = 7  # fewer on weekdays\n\n# a note of my own\n" in saved
    assert saved.index("new_per_day") < saved.index("max_reviews_per_day")  # order kept
    # The one that was missing comes back at the end, with its description as comment.
    assert saved.endswith(
        "# spread review intervals a little so cards do not clump\nfuzz = false\n"
    )
    assert load_settings(data_dir) == replace(Settings(), new_per_day=7, fuzz=False)
    untouched = [line for line in text.splitlines() if "new_per_day" not in line]
    assert all(line in saved.splitlines() for line in untouched)


def test_every_setting_is_described_in_the_file_and_checked_by_its_range(
    data_dir: Path,
) -> None:
    load_settings(data_dir)
    text = (data_dir / "settings.toml").read_text()
    for name, about in described_fields():
        comment = f"# {about.help}"
        assert f"{comment} {about.range_text()}".strip() + f"\n{name} = " in text
    assert problems(replace(Settings(), learning_steps_minutes=(0, 10))) == [
        ("learning_steps_minutes", "learning_steps_minutes must be at least 1 each")
    ]
    assert problems(replace(Settings(), new_per_day=-1, leech_lapses=0)) == [
        ("new_per_day", "new_per_day must not be negative"),
        ("leech_lapses", "leech_lapses must be at least 1"),
    ]
    assert problems(replace(Settings(), fsrs_parameters=(0.5,))) == [
        ("fsrs_parameters", "fsrs_parameters must be 21 numbers (or none)")
    ]
