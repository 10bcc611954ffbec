"""What `import-anki` reads: an `.apkg` or `.colpkg` exported by Anki (current or legacy
format), or a profile's `collection.anki2`.

A package is imported with its scheduling into a scratch collection in a temporary folder
(Anki's own importer reads every package format), and read from there.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from studyapp.ankisync.collection import SQLITE_HEADER, open_collection
from studyapp.ankisync.errors import AnkiSyncError

if TYPE_CHECKING:
    from anki.collection import Collection

PACKAGE_MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")


@contextmanager
def opened_source(path: Path) -> Iterator[Collection]:
    kind = source_kind(path)
    if kind == "collection":
        with open_collection(path, read_only=True) as col:
            yield col
        return
    with (
        tempfile.TemporaryDirectory(prefix="studyapp-anki-") as folder,
        scratch_collection(Path(folder)) as col,
    ):
        import_package(col, path, with_scheduling=True)
        yield col


def source_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise AnkiSyncError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head == SQLITE_HEADER:
        return "collection"
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        if names.intersection(PACKAGE_MEMBERS):
            return "package"
    raise AnkiSyncError(
        f"{path}: not an Anki package (.apkg, .colpkg) or collection, or it is truncated"
    )


@contextmanager
def scratch_collection(folder: Path) -> Iterator[Collection]:
    from anki.collection import Collection

    col = Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_package(
    col: Collection, package: Path, with_scheduling: bool, add_only: bool = False
) -> None:
    """`add_only`: notes and note types Anki has already are never updated (the learner's
    fields, tags, CSS and templates stay; see course_notes.py)."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.errors import AnkiException
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

    never = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER
    options = ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    if add_only:
        options.update_notes = never
        options.update_notetypes = never
    request = ImportAnkiPackageRequest(package_path=str(package.resolve()), options=options)
    try:
        col.import_anki_package(request)
    except AnkiException as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AnkiSyncError(f"{package}: Anki cannot import this package: {detail}") from None
