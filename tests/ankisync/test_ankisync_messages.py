"""What the Anki commands say when they cannot do their job, or did less than expected:
one plain line each, never the library's error dump."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from anki_support import StudiedAnki, studyapp
from sync_support import Learner

from studyapp.ankisync.collection import sync_lock


def refused(capsys: pytest.CaptureFixture[str], learner: Learner) -> str:
    status, out, err = studyapp(
        capsys, "sync-anki", learner.collection, "--data-dir", learner.data, learner.cards
    )
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and "DbError" not in err and "Traceback" not in err, err
    return err


def test_a_damaged_collection_is_named_in_words(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    with learner.collection.open("r+b") as handle:  # a disk or cloud-sync hiccup
        handle.seek(4096)
        handle.write(b"\0" * 4096 * 6)
    before = learner.collection.read_bytes()

    err = refused(capsys, learner)

    assert err.startswith(f"{learner.collection}: the collection is damaged"), err
    assert learner.collection.read_bytes() == before


def test_another_sync_is_told_apart_from_an_open_anki(
    learner: Learner, opened: Collection, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "Anki has this collection open" in refused(capsys, learner)
    opened.close()
    with sync_lock(learner.collection):  # a sync started elsewhere, still running
        err = refused(capsys, learner)
    assert "another studyapp sync of this collection is running" in err, err
    assert "Anki has" not in err


def test_a_package_without_scheduling_says_why_nothing_came_in(
    studied_anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "no-scheduling.apkg"
    col = Collection(str(studied_anki.collection))
    try:
        options = ExportAnkiPackageOptions(with_scheduling=False, with_media=True)
        col.export_anki_package(out_path=str(package), options=options, limit=None)
    finally:
        col.close()

    status, out, err = studyapp(
        capsys, "import-anki", package, "--data-dir", tmp_path / "data", studied_anki.cards
    )

    assert (status, err) == (0, "")
    assert out.startswith("imported 0 reviews"), out
    assert "(exported without 'Include scheduling information'?)" in out, out
