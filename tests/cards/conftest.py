"""Fixtures for the deck tests: the course built once, imported into a fresh Anki collection."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportLogWithChanges,
)
from cards_support import REPO, VENV_BIN


@pytest.fixture(scope="session")
def course_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`deckgen build cards/` run once for every test that imports the course."""
    package = tmp_path_factory.mktemp("course") / "celery.apkg"
    built = subprocess.run(
        [str(VENV_BIN / "deckgen"), "build", "cards/", "-o", str(package), "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return package


@pytest.fixture
def imported_course(
    tmp_path: Path, course_package: Path
) -> Iterator[tuple[Collection, ImportLogWithChanges]]:
    """A fresh Anki collection with the course imported, and the import's log."""
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(course_package),
            options=ImportAnkiPackageOptions(with_scheduling=True),
        )
        yield collection, collection.import_anki_package(request)
    finally:
        collection.close()
