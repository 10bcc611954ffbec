"""SQLite storage of card states and the review log.

One file, `progress.sqlite3`, in the data folder. WAL journal plus a busy timeout lets two app
instances share it; every write is its own `BEGIN IMMEDIATE` transaction, committed before the
call returns (WAL with synchronous=NORMAL survives a killed process; only a power cut can lose
the very last commits). The schema evolves through numbered migrations kept in
`PRAGMA user_version`; a database from a newer app is refused without touching it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from studyapp.locations import DataFolder
from studyapp.records import (
    CardState,
    Phase,
    ReviewKind,
    RevlogEntry,
    datetime_to_ms,
    ms_to_datetime,
)

BUSY_TIMEOUT_MS = 10_000

# Each entry upgrades the schema by one version; never edit a released one, append instead.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE card_state (
        card_id TEXT PRIMARY KEY,
        phase INTEGER NOT NULL DEFAULT 0,
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due INTEGER,
        last_review INTEGER,
        reps INTEGER NOT NULL DEFAULT 0,
        lapses INTEGER NOT NULL DEFAULT 0,
        suspended INTEGER NOT NULL DEFAULT 0,
        buried_until INTEGER,
        first_seen INTEGER,
        last_seen_in_sources INTEGER,
        first_review INTEGER,
        extra_tags TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    CREATE TABLE revlog (
        id INTEGER PRIMARY KEY,
        card_id TEXT NOT NULL,
        rating INTEGER NOT NULL,
        interval INTEGER NOT NULL,
        last_interval INTEGER NOT NULL,
        difficulty REAL,
        stability REAL,
        duration_ms INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        previous_state TEXT
    );
    CREATE INDEX revlog_by_card ON revlog (card_id, id);
    """,
    # Reviews taken back with undo: a sync removes them from Anki's log if they reached it.
    """
    CREATE TABLE undone_review (
        id INTEGER PRIMARY KEY,
        card_id TEXT NOT NULL
    );
    """,
    # v3: facts about the data as a whole, e.g. which engine computed the memory states
    # (studyapp.memory_states recomputes them once from the review log when that changes).
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # v4: when the learner last changed a card other than by grading it (suspend, bury,
    # forget): the Anki sync lets the later of such a change and Anki's own win.
    """
    CREATE TABLE state_change (
        card_id TEXT PRIMARY KEY,
        changed_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_STATE_COLUMNS = (
    "card_id, phase, step, stability, difficulty, due, last_review, reps, lapses, suspended, "
    "buried_until, first_seen, last_seen_in_sources, first_review, extra_tags"
)
_REVLOG_COLUMNS = (
    "id, card_id, rating, interval, last_interval, difficulty, stability, duration_ms, kind"
)


class StoreError(Exception):
    """A problem with the data folder or database, as one line for the user."""


class ConflictError(StoreError):
    """Another instance changed the card since this one wrote it; nothing was changed."""


Schedule = Callable[[CardState], tuple[CardState, RevlogEntry]]


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, data_dir: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Store:
        _ensure_writable_dir(data_dir)
        path = DataFolder(data_dir).progress
        try:
            db = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open database: {exc}{_hint(path, exc)}") from None
        with _store_errors(path, undo=db.close):
            _refuse_newer_schema(db, path)
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            _migrate(db, path)
        return cls(db, path)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: committed on success, rolled back on any error."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: {exc} (is another instance busy?)") from None
        with _store_errors(self.path, undo=self._rollback):
            yield self._db
            self._db.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with _store_errors(self.path):
            yield self._db

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    # card states ---------------------------------------------------------------------------

    def load_states(self) -> dict[str, CardState]:
        with self._reading() as db:
            rows = db.execute(f"SELECT {_STATE_COLUMNS} FROM card_state").fetchall()
        # Cards first seen together share their times: each distinct time converted once
        # (a 10,000-card collection has a few thousand, not 60,000).
        times: dict[int, datetime] = {}

        def when(ms: int | None) -> datetime | None:
            if ms is None:
                return None
            moment = times.get(ms)
            if moment is None:
                moment = times[ms] = ms_to_datetime(ms)
            return moment

        return {row[0]: _row_to_state(row, when) for row in rows}

    def load_state(self, card_id: str) -> CardState | None:
        with self._reading() as db:
            return self._load_state(db, card_id)

    def save_states(self, states: Iterable[CardState]) -> None:
        """Overwrite whole rows (imports, benchmarks); the app itself writes by `modify_state`."""
        with self._write() as db:
            db.executemany(_UPSERT_STATE, (_state_to_row(state) for state in states))

    def save_state(self, state: CardState) -> None:
        self.save_states((state,))

    def record_sightings(
        self, first_seen: Iterable[CardState], seen_again: Iterable[str], when: datetime
    ) -> None:
        """Add rows for new cards and stamp `last_seen_in_sources` on known ones.

        Touches nothing else, so rows another instance graded meanwhile keep their progress.
        """
        with self._write() as db:
            db.executemany(
                _UPSERT_STATE.replace("OR REPLACE", "OR IGNORE"),
                (_state_to_row(state) for state in first_seen),
            )
            db.executemany(
                "UPDATE card_state SET last_seen_in_sources = ? WHERE card_id = ?",
                ((datetime_to_ms(when), card_id) for card_id in seen_again),
            )

    def modify_state(
        self,
        fallback: CardState,
        change: Callable[[CardState], CardState],
        when: datetime | None = None,
    ) -> tuple[CardState, CardState]:
        """Apply `change` to the card's stored row (or `fallback` if none): (before, after).

        Reading inside the write transaction means a change another instance committed
        meanwhile is built upon, not overwritten. `when`: the learner changed the card at
        that moment (see `change_times`).
        """
        with self._write() as db:
            before = self._load_state(db, fallback.card_id) or fallback
            after = change(before)
            db.execute(_UPSERT_STATE, _state_to_row(after))
            self._stamp_change(db, fallback.card_id, when)
        return before, after

    def restore_state(
        self, written: CardState, previous: CardState, when: datetime | None = None
    ) -> None:
        """Undo a change: put `previous` back if the card is still as `written` left it,
        else ConflictError and nothing is touched."""
        with self._write() as db:
            self._refuse_if_changed(db, written)
            db.execute(_UPSERT_STATE, _state_to_row(previous))
            self._stamp_change(db, written.card_id, when)

    @staticmethod
    def _stamp_change(db: sqlite3.Connection, card_id: str, when: datetime | None) -> None:
        if when is not None:
            db.execute(
                "INSERT OR REPLACE INTO state_change (card_id, changed_at) VALUES (?, ?)",
                (card_id, datetime_to_ms(when)),
            )

    def change_times(self) -> dict[str, datetime]:
        """When the learner last suspended, buried, forgot (or undid that for) each card."""
        with self._reading() as db:
            rows = db.execute("SELECT card_id, changed_at FROM state_change").fetchall()
        return {card_id: ms_to_datetime(ms) for card_id, ms in rows}

    @classmethod
    def _refuse_if_changed(cls, db: sqlite3.Connection, written: CardState) -> None:
        stored = cls._load_state(db, written.card_id)
        if stored is None or not same_progress(stored, written):
            raise ConflictError(
                f"not undone: card {written.card_id} was changed by another studyapp instance since"
            )

    @staticmethod
    def _load_state(db: sqlite3.Connection, card_id: str) -> CardState | None:
        row = db.execute(
            f"SELECT {_STATE_COLUMNS} FROM card_state WHERE card_id = ?", (card_id,)
        ).fetchone()
        return None if row is None else _row_to_state(row)

    # review log ----------------------------------------------------------------------------

    def record_review(
        self, fallback: CardState, schedule: Schedule
    ) -> tuple[CardState, CardState, RevlogEntry]:
        """Store a grade scheduled from the card's stored state: (previous, new state, entry).

        `schedule` runs inside the write transaction on the row as stored (`fallback` if there
        is none), so when another instance graded the card since this one loaded it, both
        grades count in order instead of the later one overwriting the earlier. The log row's
        id is the review time in ms, nudged forward if already taken (or once undone).
        """
        with self._write() as db:
            previous = self._load_state(db, fallback.card_id) or fallback
            new_state, entry = schedule(previous)
            # An undone review's id stays its own: a sync may still have to take it out of Anki.
            (last_id,) = db.execute(
                "SELECT max((SELECT coalesce(max(id), 0) FROM revlog), "
                "(SELECT coalesce(max(id), 0) FROM undone_review))"
            ).fetchone()
            entry = replace(entry, id=max(entry.id, last_id + 1))
            db.execute(
                f"INSERT INTO revlog ({_REVLOG_COLUMNS}, previous_state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_entry_to_row(entry), json.dumps(_state_to_row(previous))),
            )
            db.execute(_UPSERT_STATE, _state_to_row(new_state))
        return previous, new_state, entry

    def undo_review(self, revlog_id: int, written: CardState) -> CardState | None:
        """Delete one review and put the card back as it was; None if the row is gone.

        `written` is the state that review stored; if the card has changed since (another
        instance graded, suspended or buried it), ConflictError and nothing is touched.
        """
        with self._write() as db:
            found = db.execute(
                "SELECT previous_state FROM revlog WHERE id = ?", (revlog_id,)
            ).fetchone()
            if found is None or found[0] is None:
                return None
            self._refuse_if_changed(db, written)
            previous = _row_to_state(json.loads(found[0]))
            db.execute("DELETE FROM revlog WHERE id = ?", (revlog_id,))
            db.execute(
                "INSERT OR IGNORE INTO undone_review (id, card_id) VALUES (?, ?)",
                (revlog_id, written.card_id),
            )
            db.execute(_UPSERT_STATE, _state_to_row(previous))
        return previous

    def bulk_insert_revlog(self, entries: Iterable[RevlogEntry]) -> None:
        """Fast load of many rows at once (imports, benchmarks); no undo data is kept."""
        with self._write() as db:
            db.executemany(
                f"INSERT INTO revlog ({_REVLOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_entry_to_row(entry) for entry in entries),
            )

    def load_revlog(self) -> list[RevlogEntry]:
        """Every review, oldest first, as entries (the Anki sync itself moves raw rows, see
        `review_index` and `review_rows`)."""
        with self._reading() as db:
            rows = db.execute(f"SELECT {_REVLOG_COLUMNS} FROM revlog ORDER BY id").fetchall()
        return [_row_to_entry(row) for row in rows]

    def answers_by_card(self) -> list[tuple[str, int, int, int]]:
        """(card id, time in ms, rating 1-4, kind) of every graded review, by card, oldest
        first within a card: what FSRS learns from. Raw rows: fitting FSRS reads the whole
        log, and an object per review would cost more than the fit itself."""
        with self._reading() as db:
            return db.execute(
                "SELECT card_id, id, rating, kind FROM revlog WHERE rating BETWEEN 1 AND 4 "
                "ORDER BY card_id, id"
            ).fetchall()

    def review_index(self) -> list[tuple[int, str]]:
        """(review id, card id) of every review, oldest first: all a sync needs to compare."""
        with self._reading() as db:
            return db.execute("SELECT id, card_id FROM revlog ORDER BY id").fetchall()

    def review_rows(self, ids: Iterable[int]) -> list[tuple[Any, ...]]:
        """The reviews with these ids as raw rows (the columns of `RevlogEntry`, `kind` an
        int), oldest first; unknown ids are left out. Moving tens of thousands of reviews
        at once (Anki sync) should not build an object per review only to take it apart."""
        wanted = set(ids)
        if not wanted:
            return []
        with self._reading() as db:
            if len(wanted) < _SCAN_FROM:
                rows = []
                ordered = sorted(wanted)
                for start in range(0, len(ordered), 900):  # below the bound-variable limit
                    part = ordered[start : start + 900]
                    marks = ", ".join("?" * len(part))
                    rows += db.execute(
                        f"SELECT {_REVLOG_COLUMNS} FROM revlog WHERE id IN ({marks})", part
                    ).fetchall()
                return sorted(rows)
            # Many ids: one pass over the whole log beats thousands of lookups.
            rows = db.execute(f"SELECT {_REVLOG_COLUMNS} FROM revlog ORDER BY id").fetchall()
        return [row for row in rows if row[0] in wanted]

    def renumber_reviews(self, new_ids: dict[int, int]) -> None:
        """Give reviews new ids (old -> new), in one transaction; the new ids must be free."""
        with self._write() as db:
            db.executemany(
                "UPDATE revlog SET id = ? WHERE id = ?",
                ((new, old) for old, new in new_ids.items()),
            )

    def answer_counts(self) -> dict[str, tuple[int, int]]:
        """Each card's answers and lapses (Again on a review) in the log, as Anki counts
        its card's reps and lapses."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT card_id, count(*), sum(rating = 1 AND kind = ?) FROM revlog "
                "WHERE kind != ? GROUP BY card_id",
                (int(ReviewKind.REVIEW), int(ReviewKind.MANUAL)),
            ).fetchall()
        return {card_id: (reps, lapses) for card_id, reps, lapses in rows}

    def undone_reviews(self) -> dict[int, str]:
        """Review id -> card id of every review taken back with undo."""
        with self._reading() as db:
            return dict(db.execute("SELECT id, card_id FROM undone_review").fetchall())

    def card_ids(self) -> set[str]:
        """Every card the store has a row for, in the sources or not."""
        with self._reading() as db:
            return {row[0] for row in db.execute("SELECT card_id FROM card_state")}

    def merge_review_rows(self, rows: Iterable[Sequence[Any]], states: Iterable[CardState]) -> int:
        """Add reviews made elsewhere (Anki), as raw rows in `review_rows`' form, and the card
        states they lead to, in one transaction; a review whose id is already in the log is
        skipped, so merging the same reviews again adds nothing. Returns how many were added."""
        with self._write() as db:
            before = db.total_changes
            db.executemany(
                f"INSERT OR IGNORE INTO revlog ({_REVLOG_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            added = db.total_changes - before
            db.executemany(_UPSERT_STATE, (_state_to_row(state) for state in states))
        return added

    def history(self, card_id: str) -> list[RevlogEntry]:
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {_REVLOG_COLUMNS} FROM revlog WHERE card_id = ? ORDER BY id", (card_id,)
            ).fetchall()
        return [_row_to_entry(row) for row in rows]

    def reviews_since(self, since: datetime) -> list[tuple[int, ReviewKind, int]]:
        """(id, kind, rating) of every review at or after `since`, oldest first."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT id, kind, rating FROM revlog WHERE id >= ? ORDER BY id",
                (datetime_to_ms(since),),
            ).fetchall()
        return [(row[0], ReviewKind(row[1]), row[2]) for row in rows]

    def count_reviews_since(self, since: datetime, kinds: Sequence[ReviewKind]) -> int:
        marks = ", ".join("?" for _ in kinds)
        with self._reading() as db:
            (count,) = db.execute(
                f"SELECT count(*) FROM revlog WHERE id >= ? AND kind IN ({marks})",
                (datetime_to_ms(since), *(int(kind) for kind in kinds)),
            ).fetchone()
        return int(count)

    # facts about the whole store ----------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def reviewed_cards(self) -> list[tuple[str, int, int | None]]:
        """(card id, last review, first review) in epoch ms of every card not new."""
        with self._reading() as db:
            return db.execute(
                "SELECT card_id, last_review, first_review FROM card_state "
                "WHERE phase != 0 AND last_review IS NOT NULL"
            ).fetchall()

    def rewrite_memory_states(
        self, memory: Iterable[tuple[str, int, float, float]], key: str, value: str
    ) -> int:
        """Set (card id, last review in ms, stability, difficulty) and the fact `key` =
        `value` in one transaction. A card reviewed since its last review was read is left
        as it is (its new grade already has a state from the current engine). Returns cards
        changed."""
        with self._write() as db:
            before = db.total_changes
            db.executemany(
                "UPDATE card_state SET stability = ?, difficulty = ? "
                "WHERE card_id = ? AND last_review = ?",
                (
                    (stability, difficulty, card_id, last_review)
                    for card_id, last_review, stability, difficulty in memory
                ),
            )
            changed = db.total_changes - before
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return changed

    def integrity_check(self) -> str:
        (result,) = self._db.execute("PRAGMA integrity_check").fetchone()
        return str(result)


_SCAN_FROM = 5000  # `review_rows` reads the whole log for this many ids or more
_UPSERT_STATE = (
    f"INSERT OR REPLACE INTO card_state ({_STATE_COLUMNS}) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def same_progress(one: CardState, other: CardState) -> bool:
    """Equal as stored (times in whole ms), apart from `last_seen_in_sources`, which any
    instance stamps once a day when it opens."""
    return _state_to_row(replace(one, last_seen_in_sources=None)) == _state_to_row(
        replace(other, last_seen_in_sources=None)
    )


def _ensure_writable_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data folder {data_dir}: {exc.strerror}") from None
    # A real write, not os.access: root passes permission checks but not a read-only mount.
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=data_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StoreError(f"data folder {data_dir} is not writable: {exc.strerror}") from None


@contextmanager
def _store_errors(path: Path, undo: Callable[[], None] | None = None) -> Iterator[None]:
    """An sqlite3 error becomes a one-line StoreError; on any error `undo` runs first."""
    try:
        yield
    except BaseException as exc:
        if undo is not None:
            undo()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"{path}: {exc}{_hint(path, exc)}") from None
        raise


def _hint(path: Path, error: sqlite3.Error) -> str:
    """For a damaged database: which backup to restore and how (empty for other errors)."""
    from studyapp.backups import damage_hint

    return damage_hint(path.parent, error)


def _refuse_newer_schema(db: sqlite3.Connection, path: Path) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: database schema v{version} is newer than this app (v{SCHEMA_VERSION}); "
            "update the app, the file was left unchanged"
        )


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:  # another, newer app got there between our checks
            db.execute("ROLLBACK")
            _refuse_newer_schema(db, path)
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else datetime_to_ms(moment)


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else ms_to_datetime(ms)


def _state_to_row(state: CardState) -> tuple[Any, ...]:
    return (
        state.card_id,
        int(state.phase),
        state.step,
        state.stability,
        state.difficulty,
        _ms(state.due),
        _ms(state.last_review),
        state.reps,
        state.lapses,
        int(state.suspended),
        _ms(state.buried_until),
        _ms(state.first_seen),
        _ms(state.last_seen_in_sources),
        _ms(state.first_review),
        " ".join(state.extra_tags),
    )


_PHASES = tuple(Phase)  # by value: Phase(n) is a slow enum lookup for 10,000 rows


def _row_to_state(
    row: Sequence[Any], when: Callable[[int | None], datetime | None] = _dt
) -> CardState:
    return CardState(
        card_id=row[0],
        phase=_PHASES[row[1]],
        step=row[2],
        stability=row[3],
        difficulty=row[4],
        due=when(row[5]),
        last_review=when(row[6]),
        reps=row[7],
        lapses=row[8],
        suspended=bool(row[9]),
        buried_until=when(row[10]),
        first_seen=when(row[11]),
        last_seen_in_sources=when(row[12]),
        first_review=when(row[13]),
        extra_tags=tuple(row[14].split()) if row[14] else (),
    )


def _entry_to_row(entry: RevlogEntry) -> tuple[Any, ...]:
    return (
        entry.id,
        entry.card_id,
        entry.rating,
        entry.interval,
        entry.last_interval,
        entry.difficulty,
        entry.stability,
        entry.duration_ms,
        int(entry.kind),
    )


def _row_to_entry(row: Sequence[Any]) -> RevlogEntry:
    return RevlogEntry(
        id=row[0],
        card_id=row[1],
        rating=row[2],
        interval=row[3],
        last_interval=row[4],
        difficulty=row[5],
        stability=row[6],
        duration_ms=row[7],
        kind=ReviewKind(row[8]),
    )
