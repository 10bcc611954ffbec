"""An import that changed the progress leaves a backup of it (studyapp.backups); one that
changed nothing does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki_support import StudiedAnki, studyapp

from studyapp.backups import list_backups


def test_an_import_that_changed_progress_is_backed_up(
    studied_anki: StudiedAnki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    package = studied_anki.exports["colpkg"]
    command = ("import-anki", package, "--data-dir", data, studied_anki.cards)
    status, _, err = studyapp(capsys, *command)
    assert (status, err) == (0, "")
    (backup,) = list_backups(data)
    backup.path.unlink()  # so the hourly limit cannot be what stops a second one
    status, out, _ = studyapp(capsys, *command)
    assert status == 0 and out.startswith("imported 0 reviews, updated 0 cards")
    assert list_backups(data) == []  # nothing changed: no backup
