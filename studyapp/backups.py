"""Automatic backups of the progress database, kept the way Anki keeps its collection's.

A backup is a whole copy of `progress.sqlite3` made with SQLite's online backup API (consistent
even while another instance writes, WAL content included) into `backups/` in the data folder,
named after the UTC moment it was made. `backup_if_due` makes one at most once an hour (the app
calls it on close, imports and syncs after changing anything) and then prunes: every backup of
the last day stays, then the newest of each day for a week, then the newest of each week for a
month. As in Anki, those are counts of days and weeks that have a backup, not dates, so a long
break from studying does not empty the folder. `restore`
moves the current database aside (never deletes it) and puts a backup's copy in its place.

Plain Python with an injected clock; the commands are `cli/backups.py` and `cli/restore.py`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from deckgen.atomic import atomic_path
from studyapp.clock import Clock
from studyapp.locations import DataFolder

MIN_INTERVAL = timedelta(hours=1)
KEEP_ALL_WITHIN = timedelta(days=1)
DAILY_KEEP = 7  # days with a backup, after the last day
WEEKLY_KEEP = 4  # weeks with a backup, after those days
_STAMP = "%Y-%m-%dT%H-%M-%SZ"
_NAME = re.compile(r"^progress-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)\.sqlite3$")
# SQLite's primary result codes for a damaged file and for a file that is no database.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


class BackupError(Exception):
    """A backup or restore that could not be done, as one line for the user."""


@dataclass(frozen=True)
class Backup:
    path: Path
    made: datetime  # UTC, from the file name

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BackupInfo:
    backup: Backup
    reviews: int | None  # None: the copy cannot be read
    size: int


@dataclass(frozen=True)
class Restored:
    backup: Backup
    moved_aside: list[Path]  # the previous database (and its WAL files), renamed


def backup_dir(data_dir: Path) -> Path:
    return DataFolder(data_dir).backups


def backup_path(data_dir: Path, made: datetime) -> Path:
    return backup_dir(data_dir) / f"progress-{made.astimezone(UTC).strftime(_STAMP)}.sqlite3"


def list_backups(data_dir: Path) -> list[Backup]:
    """The backups in `data_dir`, oldest first; files not named like a backup are ignored."""
    try:
        entries = list(backup_dir(data_dir).iterdir())
    except OSError:
        return []
    found = []
    for path in entries:
        match = _NAME.match(path.name)
        if match and path.is_file():
            made = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
            found.append(Backup(path, made))
    return sorted(found, key=lambda backup: backup.made)


def newest_backup(data_dir: Path) -> Backup | None:
    backups = list_backups(data_dir)
    return backups[-1] if backups else None


def describe(backup: Backup) -> BackupInfo:
    """Reviews and size of one backup, read without writing anything next to it."""
    size = backup.path.stat().st_size
    try:
        with _open_read_only(backup.path) as db:
            (reviews,) = db.execute("SELECT count(*) FROM revlog").fetchone()
    except sqlite3.Error:
        return BackupInfo(backup, None, size)
    return BackupInfo(backup, int(reviews), size)


def backup_if_due(data_dir: Path, clock: Clock, interval: timedelta = MIN_INTERVAL) -> Path | None:
    """Back up the progress database unless the newest backup is under `interval` old.

    Returns the new backup's path, or None when none was due or there is no database yet.
    Raises BackupError (one line) when the copy fails; the database is never changed.
    """
    if not DataFolder(data_dir).progress.exists():
        return None
    now = clock.now()
    newest = newest_backup(data_dir)
    if newest is not None and abs(now - newest.made) < interval:
        return None
    made = make_backup(data_dir, now)
    prune(data_dir, now, clock.local_tz())
    return made


def progress_fingerprint(data_dir: Path) -> tuple[float, ...] | None:
    """A cheap summary of the progress (review log and card states), to tell whether a
    command changed anything; None when there is no readable database."""
    try:
        db = _open_read_only(DataFolder(data_dir).progress, immutable=False)
    except sqlite3.Error:
        return None
    try:
        reviews = db.execute("SELECT count(*), coalesce(max(id), 0) FROM revlog").fetchone()
        states = db.execute(
            "SELECT count(*), total(due), total(reps), total(lapses), total(suspended), "
            "total(buried_until), total(stability) FROM card_state"
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return (*reviews, *states)


def backup_if_changed(
    data_dir: Path, clock: Clock, before: tuple[float, ...] | None
) -> Path | None:
    """After an import or sync: `backup_if_due` when the progress differs from `before`
    (a `progress_fingerprint` taken first)."""
    if progress_fingerprint(data_dir) == before:
        return None
    return backup_if_due(data_dir, clock)


def make_backup(data_dir: Path, now: datetime) -> Path:
    """Copy the database into `backups/` now (checked whole before it gets its name)."""
    source_path = DataFolder(data_dir).progress
    target = backup_path(data_dir, now)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as partial:  # synced, then renamed: never half a backup
            _copy_database(_open_read_only(source_path, immutable=False), partial)
    except sqlite3.Error as exc:
        raise BackupError(f"{source_path}: not backed up: {exc}") from None
    except OSError as exc:
        raise BackupError(f"{target.parent}: cannot write a backup: {exc.strerror}") from None
    return target


def backups_to_prune(backups: Iterable[Backup], now: datetime, tz: tzinfo) -> list[Backup]:
    """Which backups the schedule lets go. Kept: every backup of the last KEEP_ALL_WITHIN;
    older ones, the newest of each (local) day for DAILY_KEEP days; older still, the newest
    of each ISO week not already covered, for WEEKLY_KEEP weeks (so the newest always stays)."""
    newest_first = sorted(backups, key=lambda backup: backup.made, reverse=True)
    days: set[date] = set()
    weeks: set[tuple[int, int]] = set()  # (ISO year, week) covered by a kept day or week
    weekly_kept = 0
    obsolete = []
    for backup in newest_first:
        day = backup.made.astimezone(tz).date()
        week = (day.isocalendar().year, day.isocalendar().week)
        if now - backup.made < KEEP_ALL_WITHIN:
            continue
        if len(days) < DAILY_KEEP:
            if day not in days:
                days.add(day)
                weeks.add(week)
                continue
        elif week not in weeks and weekly_kept < WEEKLY_KEEP:
            weeks.add(week)
            weekly_kept += 1
            continue
        obsolete.append(backup)
    return obsolete


def prune(data_dir: Path, now: datetime, tz: tzinfo) -> list[Backup]:
    """Delete the backups the schedule no longer keeps; returns them."""
    obsolete = backups_to_prune(list_backups(data_dir), now, tz)
    for backup in obsolete:
        backup.path.unlink(missing_ok=True)
    return obsolete


def find_backup(data_dir: Path, wanted: str | None) -> Backup:
    """The newest backup, or the one named `wanted` (file name or path)."""
    backups = list_backups(data_dir)
    if not backups:
        raise BackupError(f"{backup_dir(data_dir)}: no backups yet")
    if wanted is None:
        return backups[-1]
    name = Path(wanted).name
    for backup in backups:
        if backup.name == name:
            return backup
    raise BackupError(f"{backup_dir(data_dir)}: no backup named {name!r} (see `studyapp backups`)")


def restore(data_dir: Path, backup: Backup, now: datetime) -> Restored:
    """Put `backup` in place of the progress database; the current one is renamed, not deleted.

    Close the study app first: an instance with the old file open would keep writing to it.
    """
    folder = DataFolder(data_dir)
    database = folder.progress
    incoming = database.with_name(f".{database.name}.restoring")
    try:
        incoming.unlink(missing_ok=True)
        _copy_database(_open_read_only(backup.path), incoming, journal_mode="WAL")
    except sqlite3.Error as exc:
        incoming.unlink(missing_ok=True)
        raise BackupError(f"{backup.path}: cannot restore from it: {exc}") from None
    stamp = now.astimezone(UTC).strftime(_STAMP)
    aside = folder.replaced_progress(stamp)
    moved = []
    try:
        # The WAL files go along under the matching name: SQLite finds them by the db's name.
        for suffix in ("", "-wal", "-shm"):
            current = Path(f"{database}{suffix}")
            if current.exists():
                target = Path(f"{aside}{suffix}")
                os.replace(current, target)
                moved.append(target)
        os.replace(incoming, database)
    except OSError as exc:
        raise BackupError(f"{database}: cannot restore: {exc.strerror}") from None
    return Restored(backup, moved)


def damage_hint(data_dir: Path, error: sqlite3.Error) -> str:
    """For a database SQLite reports as damaged: the newest backup and how to restore it."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return ""
    newest = newest_backup(data_dir)
    if newest is None:
        return f" (no backup in {backup_dir(data_dir)})"
    command = "studyapp restore"
    if not DataFolder(data_dir).is_default:
        command += f" --data-dir {data_dir}"
    return f"; newest backup: {newest.path}; restore it with `{command}`"


def _open_read_only(path: Path, immutable: bool = True) -> sqlite3.Connection:
    # `immutable` for backups: nothing (no -wal/-shm) is created next to them. The live
    # database is opened read-only but mutable, so a writer's WAL content is seen.
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    if not path.exists():
        raise sqlite3.OperationalError(f"no such file: {path}")
    return sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True)


def _copy_database(source: sqlite3.Connection, target: Path, journal_mode: str = "DELETE") -> None:
    """Online-backup `source` into the new file `target` and check the copy; closes both."""
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # A backup is a standalone file (no WAL beside it); a restored database is WAL again.
        copy.execute(f"PRAGMA journal_mode = {journal_mode}")
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"the copy fails SQLite's check: {verdict}")
    finally:
        copy.close()
        source.close()
