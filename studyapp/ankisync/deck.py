"""The terminal's side: the deck files parsed by the study app, its progress store, and the
deck's package as deckgen builds it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from deckgen.atomic import write_atomic
from deckgen.cardformat.digests import deckgen_fingerprint
from studyapp.ankisync.errors import AnkiSyncError
from studyapp.ankisync.matching import DeckKeys
from studyapp.locations import DataFolder
from studyapp.settings import SettingsError
from studyapp.store import StoreError
from studyapp.study import Study, no_cards_message


@contextmanager
def opened_study(paths: Sequence[Path], data_dir: Path) -> Iterator[Study]:
    """The study app on these card files; AnkiSyncError on any problem in them."""
    try:
        study = Study.open(paths, data_dir)
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
    try:
        known = json.loads(DataFolder(study.data_dir).anki_synced.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = known.get(str(collection.resolve())) if isinstance(known, dict) else None
    return value if isinstance(value, str) else None


def remember_synced_digest(study: Study, collection: Path, digest: str) -> None:
    path = DataFolder(study.data_dir).anki_synced
    try:
        known = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    known[str(collection.resolve())] = digest
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(known, indent=2, sort_keys=True) + "\n")
