"""The backup a sync makes first: beside the collection, timestamped, and kept as the
progress backups are (all of the last day, then one a day for a week, then one a week)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from anki.collection import Collection
from anki_support import new_profile

from studyapp.ankisync.collection import backup, open_collection


def test_backups_are_timestamped_beside_the_collection_and_kept_for_weeks(
    tmp_path: Path,
) -> None:
    path = new_profile(tmp_path / "Anki2")
    Collection(str(path)).close()
    now = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)
    moments = [now - timedelta(days=day, hours=hour) for day in range(12, 0, -1) for hour in (9, 3)]
    moments += [now - timedelta(minutes=10 * n) for n in range(7, -1, -1)]  # 8 today
    made = []
    for moment in moments:  # one sync each
        with open_collection(path) as col:
            made.append(backup(col, moment, UTC))

    folder = path.parent / "celery-srs-backups"
    kept = sorted(folder.iterdir())
    assert made[-1].name == "collection-20260320-180000-000000.colpkg"
    assert made[-8:] == kept[-8:]  # every backup of the last day, more than five
    older = kept[:-8]
    weekly = ["20260308"]  # the newest of the ISO week before the daily ones
    assert [p.name[11:19] for p in older] == weekly + [f"202603{d:02d}" for d in range(13, 20)]
    assert all(p.name[20:26] == "150000" for p in older)  # each day's newest
    assert zipfile.is_zipfile(made[-1])  # a collection package, as Anki's own backups
