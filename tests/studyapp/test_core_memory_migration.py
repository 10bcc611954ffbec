"""Progress from the old engine: the store migrates, memory states are recomputed once from
the review log with Anki's engine (study days), due dates stay, and the stats say so."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from core_support import START, OpenStudy, titled, write_deck

from studyapp.cli.stats import format_stats
from studyapp.locations import DataFolder
from studyapp.memory_states import ENGINE
from studyapp.records import Phase, ReviewKind, datetime_to_ms
from studyapp.scheduler import Scheduler
from studyapp.settings import Settings
from studyapp.store import MIGRATIONS, SCHEMA_VERSION

GOOD, AGAIN = 3, 1
# Reviews of one card under the old app: learnt on a Monday evening, then reviewed 3 and
# 10 days later in the morning (24-hour periods: 2 and 9 days; study days: 3 and 10).
FIRST = datetime(2026, 2, 2, 22, 0, tzinfo=UTC)
ANSWERS = [
    (FIRST, GOOD, ReviewKind.LEARN),
    (FIRST + timedelta(minutes=10), GOOD, ReviewKind.LEARN),
    (datetime(2026, 2, 5, 9, 0, tzinfo=UTC), GOOD, ReviewKind.REVIEW),
    (datetime(2026, 2, 15, 9, 0, tzinfo=UTC), AGAIN, ReviewKind.REVIEW),
    (datetime(2026, 2, 15, 9, 10, tzinfo=UTC), GOOD, ReviewKind.RELEARN),
]
OLD_STABILITY, OLD_DIFFICULTY = 3.1, 6.2  # what the old engine stored
OLD_DUE = datetime(2026, 2, 18, 9, 10, tzinfo=UTC)  # at the minute, not a day start


def write_version_1_database(data_dir: Path) -> None:
    """A progress database as the app before the memory-state engine change wrote it."""
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(DataFolder(data_dir).progress)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    last = ANSWERS[-1][0]
    db.execute(
        "INSERT INTO card_state (card_id, phase, step, stability, difficulty, due, last_review,"
        " reps, lapses, first_review) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 1, ?)",
        ("topic-0", int(Phase.REVIEW), OLD_STABILITY, OLD_DIFFICULTY, datetime_to_ms(OLD_DUE),
         datetime_to_ms(last), len(ANSWERS), datetime_to_ms(FIRST)),
    )  # fmt: skip
    db.executemany(
        "INSERT INTO revlog (id, card_id, rating, interval, last_interval, difficulty, "
        "stability, duration_ms, kind) VALUES (?, 'topic-0', ?, 0, 0, ?, ?, 3000, ?)",
        [
            (datetime_to_ms(when), rating, OLD_DIFFICULTY, OLD_STABILITY, int(kind))
            for when, rating, kind in ANSWERS
        ],
    )
    db.commit()
    db.close()


def test_old_progress_keeps_its_due_dates_and_gets_anki_memory_states_once(
    open_study: OpenStudy, cards_dir: Path, data_dir: Path
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(2))
    write_version_1_database(data_dir)

    study = open_study()
    state = study.state("topic-0")
    expected = Scheduler(Settings()).replay((when, rating) for when, rating, _ in ANSWERS)
    assert expected is not None
    # One fsrs-rs batch call gives what answering one by one in study days gave.
    assert state.stability == pytest.approx(expected.stability, rel=1e-5)
    assert state.difficulty == pytest.approx(expected.difficulty, rel=1e-5)
    assert state.stability != OLD_STABILITY
    assert (state.due, state.phase, state.reps, state.lapses) == (OLD_DUE, Phase.REVIEW, 5, 1)
    assert study.state("topic-1").is_new
    db = sqlite3.connect(DataFolder(data_dir).progress)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()

    stats = study.stats()
    assert stats.memory_states is not None
    assert (stats.memory_states.cards, stats.memory_states.engine) == (1, ENGINE)
    assert stats.memory_states.at == START
    assert (
        "FSRS: memory states of 1 card recomputed from the review log on 2026-03-02 "
        "(new scheduling engine)" in format_stats(stats)
    )
    study.close()

    # Once only: a later change to the stored state is not recomputed away.
    db = sqlite3.connect(DataFolder(data_dir).progress)
    db.execute("UPDATE card_state SET stability = 99.0 WHERE card_id = 'topic-0'")
    db.commit()
    db.close()
    assert open_study().state("topic-0").stability == 99.0


def test_a_fresh_data_folder_is_marked_as_computed_by_the_current_engine(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    stats = open_study().stats()
    assert stats.memory_states is not None and stats.memory_states.cards == 0
    assert format_stats(stats).splitlines()[-1] == f"FSRS: memory states from {ENGINE}"
