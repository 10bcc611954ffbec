"""Store faults: newer schema, unwritable folder, a second instance, migrations."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from core_support import OpenStudy, titled, write_deck

from studyapp.locations import DataFolder
from studyapp.records import CardState, ReviewKind, RevlogEntry
from studyapp.session import ReviewSession
from studyapp.store import SCHEMA_VERSION, Store, StoreError
from studyapp.study import Study

GOOD = 3


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_fresh_store_is_migrated_and_in_wal_mode(data_dir: Path) -> None:
    store = Store.open(data_dir)
    store.close()
    db = sqlite3.connect(DataFolder(data_dir).progress)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {row[1] for row in db.execute("PRAGMA index_list(revlog)")}
        assert "revlog_by_card" in indexes
    finally:
        db.close()


def test_newer_schema_is_refused_and_the_folder_left_unchanged(
    data_dir: Path, cards_dir: Path
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    Study.open([cards_dir], data_dir).close()
    db = sqlite3.connect(DataFolder(data_dir).progress)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = _folder_bytes(data_dir)

    with pytest.raises(StoreError) as caught:
        Study.open([cards_dir], data_dir)
    message = str(caught.value)
    assert f"database schema v{SCHEMA_VERSION + 1} is newer than this app (v{SCHEMA_VERSION})" in (
        message
    )
    assert "\n" not in message
    assert _folder_bytes(data_dir) == before


def test_a_file_that_is_not_a_database_is_reported_and_kept(data_dir: Path) -> None:
    data_dir.mkdir()
    DataFolder(data_dir).progress.write_bytes(b"not a database at all, just some text" * 50)
    before = _folder_bytes(data_dir)
    with pytest.raises(StoreError, match="file is not a database"):
        Store.open(data_dir)
    assert _folder_bytes(data_dir) == before


def test_unwritable_data_folder_gives_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way\n")
    with pytest.raises(StoreError) as caught:
        Store.open(blocker / "data")
    assert str(caught.value) == f"cannot create data folder {blocker / 'data'}: Not a directory"


def test_two_instances_interleave_grades_and_both_commit(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    write_deck(cards_dir / "workers.md", "Workers", titled(2, "Worker"))
    write_deck(cards_dir / "beat.md", "Beat", titled(2, "Beat"))
    first = open_study()
    second = open_study()
    sessions = [ReviewSession(first, "Workers"), ReviewSession(second, "Beat")] * 2
    graded = []
    for session in sessions:
        card = session.current()
        assert card is not None
        session.grade(GOOD)
        graded.append(card.id)

    assert sorted(graded) == ["beat-0", "beat-1", "worker-0", "worker-1"]
    third = open_study()
    assert {card_id: len(third.history(card_id)) for card_id in graded} == dict.fromkeys(graded, 1)
    assert all(third.state(card_id).reps == 1 for card_id in graded)
    assert third.store.integrity_check() == "ok"


def test_a_grade_waits_for_another_writer_instead_of_failing(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study()
    session = ReviewSession(study, None)
    card = session.current()
    assert card is not None
    locked = threading.Event()

    def hold_write_lock() -> None:
        db = sqlite3.connect(study.store.path, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(0.4)
        db.execute("COMMIT")
        db.close()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    assert locked.wait(5)
    started = time.monotonic()
    session.grade(GOOD)
    waited = time.monotonic() - started
    holder.join()
    assert waited >= 0.2, "the grade did not wait for the lock"
    assert [entry.rating for entry in study.history(card.id)] == [GOOD]


def test_a_writer_holding_the_lock_too_long_gives_a_clear_error(data_dir: Path) -> None:
    store = Store.open(data_dir, busy_timeout_ms=100)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        state = CardState("card-1")
        with pytest.raises(StoreError) as caught:
            store.save_state(state)
        assert str(caught.value) == (
            f"{store.path}: database is locked (is another instance busy?)"
        )
        blocker.execute("ROLLBACK")
        store.save_state(state)  # works again once the other writer is done
        assert store.load_states() == {"card-1": state}
    finally:
        blocker.close()
        store.close()


def test_bulk_insert_revlog_and_history(data_dir: Path) -> None:
    store = Store.open(data_dir)
    try:
        rows = [
            RevlogEntry(1_000 + i, f"card-{i % 3}", 3, 5, 2, 5.0, 10.0, 1500, ReviewKind.REVIEW)
            for i in range(30)
        ]
        store.bulk_insert_revlog(rows)
        history = store.history("card-1")
        assert [entry.id for entry in history] == list(range(1_001, 1_030, 3))
        assert history[0] == rows[1]
        assert store.integrity_check() == "ok"
    finally:
        store.close()
