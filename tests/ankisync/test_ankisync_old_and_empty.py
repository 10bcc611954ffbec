"""An empty collection file is refused; an older collection (schema 11) is read without a
change by `--dry-run` and `import-anki`, and upgraded by `sync-anki` only after a backup."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_support import studyapp
from sync_support import Learner, sync

BACKUPS = "celery-srs-backups"


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def schema_of(path: Path) -> int:
    """Read-only and immutable: this look changes nothing (the library would upgrade)."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return int(connection.execute("select ver from col").fetchone()[0])
    finally:
        connection.close()


def moved_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("  to Anki", "  to the term"))]


@pytest.mark.parametrize("extra", [(), ("--dry-run",)])
def test_an_empty_collection_file_is_refused_and_left_as_it_is(
    learner: Learner, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    learner.collection.write_bytes(b"")
    folder_before = sorted(learner.collection.parent.iterdir())

    status, out, err = studyapp(
        capsys, "sync-anki", learner.collection, "--data-dir", learner.data, learner.cards, *extra
    )

    assert (status, out) == (1, "")
    assert err.startswith(f"{learner.collection}: the file is empty, not an Anki collection")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert learner.collection.stat().st_size == 0
    assert sorted(learner.collection.parent.iterdir()) == folder_before


@pytest.fixture
def old_collection(learner: Learner) -> Learner:
    """The learner's collection as an older Anki or AnkiDroid keeps it: schema 11."""
    Collection(str(learner.collection)).close(downgrade=True)
    assert schema_of(learner.collection) == 11
    return learner


def test_an_old_collection_is_read_without_a_change(
    old_collection: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    learner = old_collection
    before = fingerprint(learner.collection)
    folder_before = sorted(learner.collection.parent.iterdir())

    planned = sync(capsys, learner, "--dry-run")
    status, imported, err = studyapp(
        capsys, "import-anki", learner.collection, "--data-dir", learner.data, learner.cards
    )

    assert "collection would be upgraded from schema 11 to 18" in planned, planned
    assert (status, err) == (0, "") and "imported 8 reviews" in imported, imported
    assert fingerprint(learner.collection) == before
    assert sorted(learner.collection.parent.iterdir()) == folder_before


def test_sync_upgrades_an_old_collection_only_after_keeping_it_and_says_so(
    old_collection: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    learner = old_collection
    before = fingerprint(learner.collection)

    planned = sync(capsys, learner, "--dry-run")
    done = sync(capsys, learner)

    kept = sorted((learner.collection.parent / BACKUPS).glob("*-schema11.anki2"))
    assert len(kept) == 1 and fingerprint(kept[0]) == before
    assert "  collection upgraded from schema 11 to 18" in done
    assert f"; as it was: {kept[0]}" in done, done
    assert schema_of(learner.collection) == 18
    assert moved_lines(planned) == moved_lines(done)
