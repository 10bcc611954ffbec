"""Opening a learner's Anki collection safely: Anki's own lock, a schema guard, a backup.

Everything goes through the official `anki` library; its `Collection` holds the same lock
Anki desktop does, so a collection Anki has open is refused rather than written under it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from studyapp.ankisync.anki_side import db
from studyapp.ankisync.errors import AnkiSyncError

if TYPE_CHECKING:
    from anki.collection import Collection

BACKUP_FOLDER = "celery-srs-backups"  # beside the collection, apart from Anki's own backups
BACKUPS_KEPT = 5
OPEN_ELSEWHERE = "Anki already open"


@contextmanager
def open_collection(path: Path) -> Iterator[Collection]:
    """The collection at `path`, closed afterwards; AnkiSyncError when it cannot be used."""
    collection = _open(path)
    try:
        yield collection
    finally:
        collection.close()


def _open(path: Path) -> Collection:
    from anki.collection import Collection
    from anki.errors import DBError

    if not path.is_file():  # Collection() would create an empty one
        raise AnkiSyncError(f"{path}: no such Anki collection")
    try:
        return Collection(str(path))
    except DBError as exc:
        raise AnkiSyncError(_open_failure(path, str(exc))) from None


def _open_failure(path: Path, detail: str) -> str:
    if OPEN_ELSEWHERE in detail:
        return f"{path}: Anki has this collection open; close Anki and try again (nothing written)"
    if "FileTooNew" in detail:
        return f"{path}: made by a newer Anki than this library reads; update the anki package"
    if "NotADatabase" in detail:
        return f"{path}: not an Anki collection"
    return f"{path}: cannot open the Anki collection: {detail}"


def schema_version(col: Collection) -> int:
    return int(db(col).scalar("select ver from col"))


def backup(col: Collection, now: datetime) -> Path:
    """A timestamped copy of the collection next to it, written by Anki's own exporter of
    a consistent snapshot; only the newest `BACKUPS_KEPT` stay."""
    folder = Path(col.path).parent / BACKUP_FOLDER
    folder.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"collection-{stamp}.colpkg"
    col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    made = sorted(folder.glob("backup-*.colpkg"), key=os.path.getmtime)
    if made:
        os.replace(made[-1], target)
    for old in sorted(folder.glob("collection-*.colpkg"))[:-BACKUPS_KEPT]:
        old.unlink()
    if not target.exists():
        raise AnkiSyncError(f"{col.path}: Anki made no backup; nothing written")
    return target
