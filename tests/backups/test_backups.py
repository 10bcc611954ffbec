"""Progress backups: made at most hourly, pruned by schedule, restored; damaged db refused.

Real SQLite files and the real `studyapp` command (in-process); the schedule runs on a
manual clock.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_support import run_studyapp

from studyapp.backups import (
    Backup,
    BackupError,
    backup_if_changed,
    backup_if_due,
    backups_to_prune,
    list_backups,
    make_backup,
    progress_fingerprint,
    prune,
)
from studyapp.clock import ManualClock
from studyapp.locations import DataFolder
from studyapp.records import ReviewKind, RevlogEntry
from studyapp.store import Store, StoreError

STUDYAPP = Path(sys.executable).parent / "studyapp"  # the pty test runs the real entry point
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday


def _add_reviews(store: Store, count: int, first_ms: int = 1_700_000_000_000) -> None:
    store.bulk_insert_revlog(
        RevlogEntry(first_ms + i, f"card-{i % 7}", 3, 1, 0, 5.0, 2.0, 900, ReviewKind.REVIEW)
        for i in range(count)
    )


def _review_ids(data_dir: Path) -> list[int]:
    with sqlite3.connect(DataFolder(data_dir).progress) as db:
        return [row[0] for row in db.execute("SELECT id FROM revlog ORDER BY id")]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    store = Store.open(folder)
    _add_reviews(store, 500)
    store.close()
    return folder


def test_backup_at_most_once_an_hour(data_dir: Path) -> None:
    clock = ManualClock(START)
    first = backup_if_due(data_dir, clock)
    assert first is not None and first.parent == data_dir / "backups"
    clock.advance(timedelta(minutes=59))
    assert backup_if_due(data_dir, clock) is None
    clock.advance(timedelta(minutes=1))
    second = backup_if_due(data_dir, clock)
    assert second is not None and second != first
    assert [b.path for b in list_backups(data_dir)] == [first, second]
    # A standalone copy: nothing but the backup files themselves in the folder.
    assert sorted(p.name for p in (data_dir / "backups").iterdir()) == [first.name, second.name]


def test_no_database_no_backup(tmp_path: Path) -> None:
    assert backup_if_due(tmp_path / "empty", ManualClock(START)) is None
    assert not (tmp_path / "empty" / "backups").exists()


def test_backup_sees_what_an_open_instance_committed(data_dir: Path) -> None:
    # The app keeps its connection open in WAL mode; the online backup copies committed
    # pages still in the WAL too, not only what reached the main file.
    store = Store.open(data_dir)
    try:
        _add_reviews(store, 25, first_ms=1_800_000_000_000)
        backup = make_backup(data_dir, START)
    finally:
        store.close()
    with sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True) as copy:
        (count,) = copy.execute("SELECT count(*) FROM revlog").fetchone()
    assert count == 525


def _hourly(start: datetime, hours: int) -> list[Backup]:
    return [Backup(Path(f"b{i}"), start - timedelta(hours=i)) for i in range(hours)]


def test_pruning_keeps_the_last_day_then_days_then_weeks() -> None:
    now = START
    backups = _hourly(now, 24 * 60)  # one an hour for 60 days back
    pruned = set(backups_to_prune(backups, now, UTC))
    kept = sorted((b for b in backups if b not in pruned), key=lambda b: b.made, reverse=True)
    recent = [b for b in kept if now - b.made < timedelta(days=1)]
    assert len(recent) == 24  # every one of the last 24 hours
    older = kept[len(recent) :]
    daily, weekly = older[:7], older[7:]
    # Then the newest of each of 7 days: the rest of yesterday, then each day's last (23:30).
    assert len({b.made.date() for b in daily}) == 7
    assert daily[0].made == now - timedelta(days=1)
    assert all(b.made.hour == 23 for b in daily[1:])
    # Then one a week for 4 weeks, never two in one ISO week, nothing older than that.
    weeks = [b.made.isocalendar()[:2] for b in weekly]
    assert len(weekly) == 4 and len(set(weeks)) == 4
    assert not set(weeks) & {b.made.isocalendar()[:2] for b in daily}
    assert now - weekly[-1].made < timedelta(days=42)
    assert len(kept) == 24 + 7 + 4


def test_a_long_break_does_not_empty_the_folder() -> None:
    # Like Anki, the schedule counts days and weeks that have a backup, not calendar dates:
    # back after three months away, the old backups are still the dailies and weeklies.
    old = _hourly(START - timedelta(days=90), 24 * 12)
    pruned = set(backups_to_prune(old, START, UTC))
    kept = [b for b in old if b not in pruned]
    assert old[0] in kept  # the newest
    assert len({b.made.date() for b in kept}) == len(kept) == 7 + 1


def test_prune_deletes_the_files_the_schedule_drops(data_dir: Path) -> None:
    clock = ManualClock(START - timedelta(days=40))
    made = []
    while clock.now() <= START:  # one backup every 10 hours for 40 days, each a real copy
        made.append(make_backup(data_dir, clock.now()))
        clock.advance(timedelta(hours=10))
    expected = set(backups_to_prune(list_backups(data_dir), START, UTC))
    gone = prune(data_dir, START, UTC)
    assert set(gone) == expected and gone
    left = {b.path for b in list_backups(data_dir)}
    assert left == set(made) - {b.path for b in gone}
    assert all(path.exists() for path in left) and not any(b.path.exists() for b in gone)


def test_backup_if_due_prunes_after_backing_up(data_dir: Path) -> None:
    clock = ManualClock(START - timedelta(days=60))
    while clock.now() < START:
        backup_if_due(data_dir, clock)
        clock.advance(timedelta(hours=5))
    # 5-hourly for 60 days leaves the last day, 7 daily and 4 weekly ones.
    assert 24 // 5 + 7 + 4 <= len(list_backups(data_dir)) <= 24 // 5 + 1 + 7 + 4


def _truncate(path: Path) -> bytes:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return data[: len(data) // 2]


def test_damaged_database_is_refused_naming_the_backup_and_restore_brings_it_back(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _review_ids(data_dir)
    backup = backup_if_due(data_dir, ManualClock(START))
    assert backup is not None
    truncated = _truncate(DataFolder(data_dir).progress)

    # Any path: the database is opened first.
    refused = run_studyapp(capsys, "stats", "--data-dir", data_dir, data_dir)
    assert refused.returncode == 1
    assert refused.stdout == ""
    line = refused.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "malformed" in line or "not a database" in line
    assert str(backup) in line and f"studyapp restore --data-dir {data_dir}" in line

    # A damaged database is never backed up over the good copies.
    with pytest.raises(BackupError, match="not backed up"):
        backup_if_due(data_dir, ManualClock(START + timedelta(hours=2)))
    assert [b.path for b in list_backups(data_dir)] == [backup]

    restored = run_studyapp(capsys, "restore", "--data-dir", data_dir)
    assert restored.returncode == 0, restored.stderr
    assert backup.name in restored.stdout and "500 reviews" in restored.stdout
    assert _review_ids(data_dir) == before
    aside = list(data_dir.glob("progress-replaced-*.sqlite3"))  # (its -wal/-shm beside it)
    assert [p.read_bytes() for p in aside] == [truncated]
    assert str(aside[0]) in restored.stdout
    assert backup.exists()  # restoring copies; the backup stays for another time
    Store.open(data_dir).close()  # and the study app opens it again


def test_restore_a_named_backup_and_list_them(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = ManualClock(START)
    first = backup_if_due(data_dir, clock)
    store = Store.open(data_dir)
    _add_reviews(store, 40, first_ms=1_800_000_000_000)
    store.close()
    clock.advance(timedelta(hours=2))
    second = backup_if_due(data_dir, clock)
    assert first is not None and second is not None

    listing = run_studyapp(capsys, "backups", "--data-dir", data_dir)
    assert listing.returncode == 0, listing.stderr
    rows = listing.stdout.splitlines()[1:]
    assert [row.split()[-1] for row in rows] == [second.name, first.name]  # newest first
    assert [row.split()[2] for row in rows] == ["540", "500"]

    result = run_studyapp(capsys, "restore", first.name, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr
    assert len(_review_ids(data_dir)) == 500
    unknown = run_studyapp(capsys, "restore", "progress-1999.sqlite3", "--data-dir", data_dir)
    assert unknown.returncode == 1 and "no backup named" in unknown.stderr


def test_store_error_without_backups_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    DataFolder(folder).progress.write_bytes(b"\0" * 4096)
    with pytest.raises(StoreError, match=r"not a database \(no backup in .*backups\)"):
        Store.open(folder)


def _text(screen: bytes) -> bytes:
    """What a terminal shows, roughly: the output without its escape sequences."""
    return re.sub(rb"\x1b\[[0-9;?$>]*[A-Za-z]", b"", screen)


def test_the_study_app_backs_up_when_it_closes(tmp_path: Path, data_dir: Path) -> None:
    import pty
    import select

    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "deck.md").write_text("# Deck\n\n## One?\n\nYes.\n", encoding="utf-8")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real app in a real terminal
        os.environ["TERM"] = "xterm-256color"
        os.execv(str(STUDYAPP), [str(STUDYAPP), "--data-dir", str(data_dir), str(cards)])
    seen = b""
    try:
        deadline = datetime.now() + timedelta(seconds=30)
        while b"palette" not in _text(seen) and datetime.now() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 65536)
        assert b"palette" in _text(seen)  # the footer is drawn: the app is up
        os.write(fd, b"q")
        while datetime.now() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    if not os.read(fd, 65536):
                        break
                except OSError:  # the child closed the terminal
                    break
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    backups = list_backups(data_dir)
    assert len(backups) == 1 and abs(datetime.now(UTC) - backups[0].made) < timedelta(minutes=1)


def test_backup_after_an_import_only_when_progress_changed(data_dir: Path) -> None:
    clock = ManualClock(START)
    before = progress_fingerprint(data_dir)
    assert before is not None
    Store.open(data_dir).close()  # opened and closed, nothing changed
    assert backup_if_changed(data_dir, clock, before) is None
    store = Store.open(data_dir)
    _add_reviews(store, 3, first_ms=1_900_000_000_000)  # as an import adds reviews
    store.close()
    made = backup_if_changed(data_dir, clock, before)
    assert made is not None and [b.path for b in list_backups(data_dir)] == [made]
