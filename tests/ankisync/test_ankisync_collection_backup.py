"""The backup a sync makes first: beside the collection, timestamped, the newest kept."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from anki.collection import Collection
from anki_support import new_profile

from studyapp.ankisync.collection import BACKUPS_KEPT, backup, open_collection


def test_backups_are_timestamped_beside_the_collection_and_pruned(tmp_path: Path) -> None:
    path = new_profile(tmp_path / "Anki2")
    Collection(str(path)).close()
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    made = []
    for minute in range(BACKUPS_KEPT + 2):
        with open_collection(path) as col:
            made.append(backup(col, start + timedelta(minutes=minute)))

    folder = path.parent / "celery-srs-backups"
    assert sorted(folder.iterdir()) == made[-BACKUPS_KEPT:]
    assert made[-1].name == "collection-20260101-090600-000000.colpkg"
    assert zipfile.is_zipfile(made[-1])  # a collection package, as Anki's own backups
