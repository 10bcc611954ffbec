"""Rendered notes -> one .apkg via genanki, with per-note mod times, written atomically."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from deckgen.anki import deck_id, make_note
from deckgen.atomic import atomic_path
from deckgen.cache import BuildCache
from deckgen.model import CardError
from deckgen.parts import RenderedPart


@dataclass
class BuildReport:
    errors: list[CardError] = field(default_factory=list)
    output: Path | None = None
    decks: int = 0
    cards: int = 0
    notes_changed: int = 0
    cards_rendered: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"built {self.output}: {plural(self.decks, 'deck')}, {plural(self.cards, 'card')} "
            f"in {self.seconds:.2f} s ({plural(self.notes_changed, 'note')} changed)"
        )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class PackageWriter:
    """Writes notes into the package's collection (SQLite) as parts arrive in source
    order, so the writing overlaps the rendering of later cards; `finish` puts the
    zipped package in place. What genanki's `Package.write_to_file` does, in steps."""

    def __init__(self, cache: BuildCache) -> None:
        self.cache = cache
        self.now = int(time.time())
        fd, name = tempfile.mkstemp(prefix="deckgen-", suffix=".anki2")
        os.close(fd)
        self.db_path = Path(name)
        self.connection = sqlite3.connect(name)
        self.cursor = self.connection.cursor()
        self.cursor.executescript(APKG_SCHEMA)
        self.cursor.executescript(APKG_COL)
        self.ids = itertools.count(self.now * 1000)  # genanki's note and card ids
        self.decks: dict[str, genanki.Deck] = {}
        self.media: dict[str, Path] = {}
        self.report = BuildReport()

    def add(self, part: RenderedPart) -> None:
        for card, rendered in zip(part.cards, part.notes, strict=True):
            deck = self.decks.get(card.deck)
            if deck is None:
                deck = self.decks[card.deck] = genanki.Deck(deck_id(card.deck), card.deck)
            mod, changed = self.cache.stamp(card.id, rendered.digest, self.now)
            note = make_note(card, rendered.fields, mod, rendered.guid, self.report.cards)
            deck.add_model(note.model)
            note.write_to_db(self.cursor, self.now, deck.deck_id, self.ids)
            self.media.update((m.name, m.source) for m in rendered.media)
            self.report.cards += 1
            self.report.notes_changed += changed

    def finish(self, output: Path) -> BuildReport:
        for deck in self.decks.values():
            # Its notes are in already (its list is empty): this adds the deck and models.
            deck.write_to_db(self.cursor, self.now, self.ids)
        self.connection.commit()
        self.connection.close()
        output.parent.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_path(output) as temp:
                self.zip_to(temp)
        finally:
            self.db_path.unlink(missing_ok=True)
        self.report.output = output
        self.report.decks = len(self.decks)
        return self.report

    def zip_to(self, target: Path) -> None:
        # genanki's layout: the collection, a JSON index of the media, then the media.
        media = sorted(self.media.items())
        with zipfile.ZipFile(target, "w") as archive:
            archive.write(self.db_path, "collection.anki2")
            archive.writestr("media", json.dumps({i: n for i, (n, _) in enumerate(media)}))
            for index, (_, source) in enumerate(media):
                archive.write(source, str(index))

    def discard(self) -> None:
        self.connection.close()
        self.db_path.unlink(missing_ok=True)
