"""The learner's Anki collection: finding it (Anki's data folder and profiles on Linux,
macOS and Windows), opening it safely, and backing it up; and the one error type of the
Anki commands, whose message is the whole line the user sees.

Everything goes through the official `anki` library; its `Collection` holds the same lock
Anki desktop does, so a collection Anki has open is refused rather than written under it.
The library upgrades an older collection (schema 11: older Anki, AnkiDroid) as it opens
it, so its schema version is read beforehand, read-only, and a reader that must change
nothing opens a copy of such a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from studyapp.ankisync.anki_format import db
from studyapp.backups import Backup, backups_to_prune

if TYPE_CHECKING:
    from anki.collection import Collection


class AnkiSyncError(Exception):
    """Bad input or a refused collection; nothing was written."""


# Finding the collection ---------------------------------------------------------------

COLLECTION_FILE = "collection.anki2"
BASE_ENV = "ANKI_BASE"  # Anki's own override of its data folder


def anki_base(
    platform: str = sys.platform,
    environ: Mapping[str, str] = os.environ,
    home: Path | None = None,
) -> Path:
    if environ.get(BASE_ENV):
        return Path(environ[BASE_ENV]).expanduser()
    home = home or Path.home()
    if platform.startswith("win"):
        return Path(environ.get("APPDATA", home / "AppData" / "Roaming")) / "Anki2"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    data_home = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(data_home) / "Anki2"


def profiles(base: Path) -> dict[str, Path]:
    """Profile name -> its collection file, for every profile folder in `base`."""
    if not base.is_dir():
        return {}
    found = {}
    for folder in sorted(base.iterdir()):
        collection = folder / COLLECTION_FILE
        if folder.is_dir() and collection.is_file():
            found[folder.name] = collection
    return found


def names_a_collection(given: str, base: Path) -> bool:
    """Whether `sync-anki`'s first argument is its COLLECTION rather than a card PATH:
    a collection file, a profile folder or a profile's name."""
    path = Path(given).expanduser()
    if path.is_dir():
        return (path / COLLECTION_FILE).is_file()
    if path.exists():
        return path.suffix != ".md"
    return given in profiles(base) or path.suffix in (".anki2", ".anki21")


def find_collection(
    given: str | None, base: Path, ask: Callable[[list[str]], str | None] | None
) -> Path:
    """`given` may be a collection file, a profile folder or a profile's name; with none,
    the only profile, or the one `ask` picks when there are several."""
    if given:
        path = Path(given).expanduser()
        if path.is_dir():
            path = path / COLLECTION_FILE
        if path.exists():
            return path
        named = profiles(base).get(given)
        if named is not None:
            return named
        known = ", ".join(map(shlex.quote, profiles(base))) or "none"
        raise AnkiSyncError(
            f"{shlex.quote(given)}: no such Anki collection or profile (profiles in {base}: "
            f"{known})"
        )
    found = profiles(base)
    if not found:
        raise AnkiSyncError(
            f"no Anki profile found in {base}; name the collection file (collection.anki2)"
        )
    if len(found) == 1:
        return next(iter(found.values()))
    names = list(found)
    choice = ask(names) if ask is not None else None
    if choice in found:
        return found[choice]
    raise AnkiSyncError(
        f"several Anki profiles in {base}: {', '.join(map(shlex.quote, names))}; name one, "
        f"e.g. `studyapp sync-anki {shlex.quote(names[0])}`"
    )


def ask_on_terminal(names: list[str]) -> str | None:
    """Let the learner pick a profile when a person is at the terminal."""
    if not sys.stdin.isatty():
        return None
    for number, name in enumerate(names, start=1):
        print(f"  {number}. {name}", file=sys.stderr)
    try:
        answer = input("Which Anki profile? ").strip()
    except EOFError:
        return None
    if answer.isdigit() and 1 <= int(answer) <= len(names):
        return names[int(answer) - 1]
    return answer or None


# Opening it safely, backing it up -----------------------------------------------------

BACKUP_FOLDER = "celery-srs-backups"  # beside the collection, apart from Anki's own backups
BACKUP_STAMP = "%Y%m%d-%H%M%S-%f"  # UTC
OPEN_ELSEWHERE = "Anki already open"
CURRENT_SCHEMA = 18  # what this library writes; it upgrades older collections on opening
SQLITE_HEADER = b"SQLite format 3\x00"


@contextmanager
def open_collection(path: Path, read_only: bool = False) -> Iterator[Collection]:
    """The collection at `path`, closed afterwards; AnkiSyncError when it cannot be used.

    `read_only`: the file is left exactly as it is (an older collection is read from a
    copy, which the library upgrades instead)."""
    if read_only and schema_on_disk(path) < CURRENT_SCHEMA:
        with tempfile.TemporaryDirectory(prefix="studyapp-anki-") as folder:
            copy = Path(folder) / path.name
            _copy_collection_file(path, copy)
            with _opened(copy, shown_as=path) as collection:
                yield collection
        return
    schema_on_disk(path)  # an empty or foreign file is refused before the library sees it
    with _opened(path, shown_as=path) as collection:
        yield collection


@contextmanager
def _opened(path: Path, shown_as: Path) -> Iterator[Collection]:
    from anki.collection import Collection
    from anki.errors import DBError

    try:
        collection = Collection(str(path))
    except DBError as exc:
        raise AnkiSyncError(_open_failure(shown_as, str(exc))) from None
    try:
        yield collection
    finally:
        collection.close()


@contextmanager
def sync_lock(collection: Path) -> Iterator[None]:
    """One sync of a collection at a time, told apart from Anki having it open: a lock
    file in the system's temporary folder, named after the collection (nothing beside it),
    that the system lets go when the process ends, even when it is killed."""
    try:
        import fcntl
    except ImportError:  # Windows: the library's own lock still refuses a second opener
        yield
        return
    name = hashlib.sha256(str(collection.resolve()).encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"studyapp-sync-{name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnkiSyncError(
                f"{collection}: another studyapp sync of this collection is running; wait "
                "for it to finish (nothing written)"
            ) from None
        yield


def schema_on_disk(path: Path) -> int:
    """The collection file's schema version, read without the library (which would
    upgrade an older file as it opens it) and without writing anything, not even SQLite's
    side files (`immutable`). Refuses a missing, empty or foreign file."""
    if not path.is_file():  # the library would create a collection there
        raise AnkiSyncError(f"{path}: no such Anki collection")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise AnkiSyncError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not head:
        raise AnkiSyncError(
            f"{path}: the file is empty, not an Anki collection (a failed copy or cloud "
            "sync?); restore it from Anki's backups (nothing written)"
        )
    if head != SQLITE_HEADER:
        raise AnkiSyncError(_not_a_collection(path))
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return int(connection.execute("select ver from col").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        damaged = "malformed" in str(exc)
        raise AnkiSyncError(damaged_message(path) if damaged else _not_a_collection(path)) from None
    except (sqlite3.Error, TypeError, ValueError):
        raise AnkiSyncError(_not_a_collection(path)) from None


def _not_a_collection(path: Path) -> str:
    return f"{path}: not an Anki collection (nothing written)"


def damaged_message(path: Path) -> str:
    return (
        f"{path}: the collection is damaged (SQLite finds it malformed); restore it from one "
        "of Anki's own backups (nothing written)"
    )


def _copy_collection_file(source: Path, target: Path) -> None:
    """The file and, if Anki left one, its write-ahead log (part of the collection)."""
    shutil.copy2(source, target)
    log = source.with_name(source.name + "-wal")
    if log.is_file():
        shutil.copy2(log, target.with_name(target.name + "-wal"))


def keep_before_upgrade(path: Path, version: int, now: datetime) -> Path:
    """A byte-for-byte copy of an older collection, beside the other backups, before the
    library upgrades it (Anki's own backup needs the collection opened, i.e. upgraded)."""
    folder = path.parent / BACKUP_FOLDER
    folder.mkdir(exist_ok=True)
    target = folder / f"collection-{now.strftime('%Y%m%d-%H%M%S-%f')}-schema{version}.anki2"
    _copy_collection_file(path, target)
    return target


def _open_failure(path: Path, detail: str) -> str:
    """The library's error (a `DbError {...}` dump) in words."""
    if OPEN_ELSEWHERE in detail:
        return f"{path}: Anki has this collection open; close Anki and try again (nothing written)"
    if "FileTooNew" in detail:
        return f"{path}: made by a newer Anki than this library reads; update the anki package"
    if "NotADatabase" in detail:
        return _not_a_collection(path)
    if "DatabaseCorrupt" in detail or "malformed" in detail:
        return damaged_message(path)
    if "ReadOnly" in detail or "readonly" in detail:
        return f"{path}: the collection or its folder is read-only; nothing written"
    if "CannotOpen" in detail or "PermissionDenied" in detail:
        return f"{path}: cannot open the file (no permission?); nothing written"
    said = re.search(r'Some\(\\?"([^"\\]+)', detail)
    return f"{path}: cannot open the Anki collection: {said.group(1) if said else detail}"


def schema_version(col: Collection) -> int:
    return int(db(col).scalar("select ver from col"))


def backup(col: Collection, now: datetime, tz: tzinfo) -> Path:
    """A timestamped copy of the collection next to it, written by Anki's own exporter of
    a consistent snapshot; older ones are kept as the progress backups are (every one of
    the last day, then one a day for a week, then one a week for a month)."""
    folder = Path(col.path).parent / BACKUP_FOLDER
    folder.mkdir(exist_ok=True)
    target = folder / f"collection-{now.astimezone(UTC).strftime(BACKUP_STAMP)}.colpkg"
    col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    made = sorted(folder.glob("backup-*.colpkg"), key=os.path.getmtime)
    if made:
        os.replace(made[-1], target)
    if not target.exists():
        raise AnkiSyncError(f"{col.path}: Anki made no backup; nothing written")
    for old in backups_to_prune(collection_backups(folder), now, tz):
        old.path.unlink(missing_ok=True)
    return target


def collection_backups(folder: Path) -> list[Backup]:
    """The sync's backups of a collection in `folder`, by the UTC time in their names."""
    found = []
    for path in folder.glob("collection-*.colpkg"):
        try:
            made = datetime.strptime(path.stem.removeprefix("collection-"), BACKUP_STAMP)
        except ValueError:
            continue  # not one of ours
        found.append(Backup(path, made.replace(tzinfo=UTC)))
    return found
