"""The deck on both sides: the terminal's deck files and progress, deckgen's package of
them, what Anki's importer does with it, and the course's notes Anki already has.

What `import-anki` reads: an `.apkg` or `.colpkg` exported by Anki (current or legacy
format), imported with its scheduling into a scratch collection, or a profile's
`collection.anki2`.

The course's notes that Anki already has: the course's changes go in, the learner's stay.
Anki's importer is asked only to add the notes Anki lacks (`update_notes` and
`update_notetypes` NEVER), so it never replaces a learner's fields, tags, CSS or templates.
For a note Anki has, three versions meet: Anki's, the course's now (read from deckgen's
package through a scratch import) and the course's as last brought into this collection
(a digest per note, kept in the data folder beside `synced-decks.json`):
  - only the course changed it: the course's text goes in;
  - only the learner changed it: it stays as it is;
  - both changed it: the course's text goes in, and the learner's is kept under the
    answer, the note tagged `KEPT_TAG` and named in the report.
Without a digest (a deck imported by hand, a fresh data folder) a note counts as changed
in Anki when it was modified after the package it came from was built (its `mod` is later
than its id, which deckgen's package gave it at build time); whether the course changed
it too cannot be known, so it stays as the learner left it and the report names it.
The learner's tags are always kept; the course's tags are added to them.
"""

from __future__ import annotations

import hashlib
import html
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckgen.atomic import write_atomic
from deckgen.cardformat.digests import deckgen_fingerprint
from studyapp.ankisync.anki_format import DeckKeys, chunks, db, marks
from studyapp.ankisync.collection import SQLITE_HEADER, AnkiSyncError, open_collection
from studyapp.locations import DataFolder
from studyapp.settings import SettingsError
from studyapp.store import StoreError
from studyapp.study import Study, no_cards_message

if TYPE_CHECKING:
    from anki.collection import Collection


@contextmanager
# The terminal's deck and deckgen's package --------------------------------------------

def opened_study(paths: Sequence[Path], data_dir: Path) -> Iterator[Study]:
    """The study app on these card files; AnkiSyncError on any problem in them."""
    from deckgen.render import ANKI_HTML  # late, as deckgen.build below: Pygments

    try:
        # Rendered as they are parsed: the package build reads them from the card cache.
        study = Study.open(paths, data_dir, renderer=ANKI_HTML)
    except (SettingsError, StoreError) as exc:
        raise AnkiSyncError(str(exc)) from None
    try:
        if study.errors:
            raise AnkiSyncError(f"{study.errors[0]} (fix the card files first; nothing written)")
        if not study.cards:
            raise AnkiSyncError(no_cards_message(paths))
        yield study
    finally:
        study.close()


def deck_keys(study: Study) -> DeckKeys:
    return DeckKeys.of(card.id for card in study.cards)


def build_deck_package(study: Study) -> Path:
    """The deck's `.apkg`, exactly as `deckgen build` makes it (its cards come from the
    card cache the study app filled; an unchanged package is left as it is)."""
    from deckgen.build import build

    output = DataFolder(study.data_dir).anki_package
    report = build(study.searched_paths, output)
    if report.errors:
        raise AnkiSyncError(f"{report.errors[0]} (nothing written)")
    return output


def deck_digest(study: Study) -> str:
    """What the deck's package depends on: every card as parsed, the other files beside
    them (images a card shows) and deckgen itself. Equal digests give equal packages."""
    digest = hashlib.sha256(deckgen_fingerprint().encode())
    for card in study.cards:
        run = card.run.command if card.run else ""
        fields = (card.id, card.deck, card.title, card.front, card.back, card.kind, run)
        digest.update("\0".join((*fields, *card.tags)).encode())
        digest.update(b"\1")
    for root in study.searched_paths:
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.is_file() and path.suffix != ".md":
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\1".encode())
    return digest.hexdigest()


def last_synced_digest(study: Study, collection: Path) -> str | None:
    value = per_collection(DataFolder(study.data_dir).anki_synced).get(str(collection.resolve()))
    return value if isinstance(value, str) else None


def remember_synced_digest(study: Study, collection: Path, digest: str) -> None:
    remember_per_collection(DataFolder(study.data_dir).anki_synced, collection, digest, indent=2)


def per_collection(path: Path) -> dict[str, Any]:
    """A data-folder file keyed by collection path (empty when missing or unreadable)."""
    try:
        known = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def remember_per_collection(
    path: Path, collection: Path, value: object, indent: int | None = None
) -> None:
    known = per_collection(path)
    known[str(collection.resolve())] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(known, indent=indent, sort_keys=True) + "\n")


# Packages into collections ------------------------------------------------------------

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
    fields, tags, CSS and templates stay; see `plan_notes`)."""
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


# The course's notes that Anki has -----------------------------------------------------

KEPT_TAG = "studyapp-kept-your-edit"
KEPT_FIELD = 1  # Back (Basic, Reversed) or Extra (Cloze): the answer side
FIELD_SEPARATOR = "\x1f"  # Anki's, between a note's fields


@dataclass(frozen=True)
class StoredNote:
    """A note as one side holds it: its id, fields, tags and note type's field names."""

    nid: int
    mod: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class NoteChange:
    nid: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass
class NotesPlan:
    changes: list[NoteChange] = field(default_factory=list)
    from_course: list[str] = field(default_factory=list)  # card ids: the course's text goes in
    kept_edits: list[str] = field(default_factory=list)  # both changed: the learner's kept
    edited_unknown: list[str] = field(default_factory=list)  # edited in Anki, never synced
    other_type: list[str] = field(default_factory=list)  # note type changed in Anki: untouched
    record: dict[str, str] = field(default_factory=dict)  # GUID -> course digest


def digest(fields: Sequence[str]) -> str:
    return hashlib.sha1(FIELD_SEPARATOR.join(fields).encode()).hexdigest()[:16]


def load_record(path: Path, collection: Path) -> dict[str, str]:
    """The course's notes as last brought into `collection` (empty when never synced);
    `path` is the data folder's `anki_course_notes`."""
    entry = per_collection(path).get(str(collection.resolve()))
    if not isinstance(entry, dict):
        return {}
    return {str(guid): str(value) for guid, value in entry.items()}


def save_record(path: Path, collection: Path, record: dict[str, str]) -> None:
    remember_per_collection(path, collection, dict(sorted(record.items())))


def stored_notes(col: Collection, guids: Iterable[str]) -> dict[str, StoredNote]:
    """The notes with these GUIDs, by GUID (one query per chunk, not a Note per note)."""
    found: dict[str, StoredNote] = {}
    names: dict[int, tuple[str, ...]] = {}
    for part in chunks(sorted(guids)):
        rows = db(col).all(
            f"select guid, id, mod, flds, tags, mid from notes where guid in ({marks(len(part))})",
            *part,
        )
        for guid, nid, mod, flds, tags, mid in rows:
            if mid not in names:
                notetype = col.models.get(mid)
                names[mid] = tuple(f["name"] for f in notetype["flds"]) if notetype else ()
            found[guid] = StoredNote(
                nid, mod, tuple(flds.split(FIELD_SEPARATOR)), tuple(tags.split()), names[mid]
            )
    return found


def course_notes(package: Path, guids: Iterable[str]) -> dict[str, StoredNote]:
    """The package's notes with these GUIDs, as Anki's importer writes them."""
    wanted = set(guids)
    if not wanted:
        return {}
    with (
        tempfile.TemporaryDirectory(prefix="studyapp-anki-") as folder,
        scratch_collection(Path(folder)) as scratch,
    ):
        import_package(scratch, package, with_scheduling=False)
        return stored_notes(scratch, wanted)


def plan_notes(
    keys: DeckKeys,
    anki: dict[str, StoredNote],
    course: dict[str, StoredNote],
    record: dict[str, str],
    today: date,
) -> NotesPlan:
    """What to write to the notes Anki has (`anki`), given the course's (`course`)."""
    plan = NotesPlan(record=dict(record))
    for guid in sorted(anki.keys() & course.keys(), key=keys.note_card_id):
        mine, theirs = anki[guid], course[guid]
        card_id = keys.note_card_id(guid)
        if mine.names != theirs.names:
            plan.other_type.append(card_id)
            continue
        base = record.get(guid)
        plan.record[guid] = digest(theirs.fields)
        tags = mine.tags + tuple(tag for tag in theirs.tags if tag not in mine.tags)
        fields = mine.fields
        if mine.fields != theirs.fields:
            if base is None:
                learner_changed = mine.mod > mine.nid // 1000
                course_changed = None  # unknown
            else:
                learner_changed = digest(mine.fields) != base
                course_changed = digest(theirs.fields) != base
            if not learner_changed:
                fields = theirs.fields
                plan.from_course.append(card_id)
            elif course_changed is None:
                plan.edited_unknown.append(card_id)
            elif course_changed:
                fields = with_kept_text(theirs.fields, mine, today)
                tags = tags if KEPT_TAG in tags else (*tags, KEPT_TAG)
                plan.kept_edits.append(card_id)
        if (fields, tags) != (mine.fields, mine.tags):
            plan.changes.append(NoteChange(mine.nid, fields, tags))
    return plan


def with_kept_text(course: Sequence[str], mine: StoredNote, today: date) -> tuple[str, ...]:
    """The course's fields with the learner's changed ones kept under the answer."""
    kept = "".join(
        f"<div><b>{html.escape(name)}:</b> {old}</div>"
        for name, old, new in zip(mine.names, mine.fields, course, strict=True)
        if old != new
    )
    note = (
        f'<div class="studyapp-kept"><hr><i>Your text in Anki before the course changed this '
        f"card (kept by studyapp sync-anki on {today.isoformat()}):</i>{kept}</div>"
    )
    fields = list(course)
    fields[KEPT_FIELD] += note
    return tuple(fields)


def apply_changes(col: Collection, changes: Sequence[NoteChange]) -> None:
    """Through Anki's own note update (its checks and card generation), never the tables."""
    notes = []
    for change in changes:
        note = col.get_note(change.nid)  # type: ignore[arg-type]
        note.fields = list(change.fields)
        note.tags = list(change.tags)
        notes.append(note)
    if notes:
        col.update_notes(notes, skip_undo_entry=True)
