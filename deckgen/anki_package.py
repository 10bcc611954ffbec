"""Cards and their HTML -> an Anki package: genanki models with fixed ids, notes with
deterministic GUIDs and their own modification times, and the .apkg written atomically.

Model ids are fixed constants: bump the version (and the id) whenever a model's fields
change, so Anki never maps old notes onto a different field layout.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import genanki

from deckgen.atomic import atomic_path
from deckgen.cardformat.model import Card, CardError, CardKind
from deckgen.media import MediaFile

MODEL_VERSION = 1
BASIC_MODEL_ID = 1_731_000_000 + MODEL_VERSION
REVERSED_MODEL_ID = 1_731_000_100 + MODEL_VERSION
CLOZE_MODEL_ID = 1_731_000_200 + MODEL_VERSION
GUID_NAMESPACE = "deckgen"

# No colours here: the card inherits Anki's light or dark theme; code blocks bring their own.
CSS = """\
.card { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 20px;
        text-align: left; line-height: 1.45; max-width: 46em; margin: 0 auto; }
.card code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
             font-size: 0.9em; }
.card table { border-collapse: collapse; }
.card th, .card td { border: 1px solid rgba(128, 128, 128, 0.6); padding: 0.2em 0.5em; }
.card img { max-width: 100%; }
.deckgen-run { margin-top: 1.2em; padding-top: 0.4em;
               border-top: 1px dashed rgba(128, 128, 128, 0.7); font-size: 0.85em; }
.deckgen-run-label { font-weight: bold; opacity: 0.8; margin-top: 0.6em; }
.deckgen-run-notes { opacity: 0.7; font-size: 0.9em; }
.deckgen-output { margin-top: 0.8em; }
/* A transcript is read, not copied: wrap long lines instead of hiding them. */
.deckgen-output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
"""

RUN_BLOCK = "{{#Run}}{{Run}}{{/Run}}"
FIELDS = [{"name": "Front"}, {"name": "Back"}, {"name": "Run"}]


def template(name: str, question: str, answer: str, answer_top: str = "") -> dict[str, str]:
    """A card template: the `question` field; on the answer side the question again (or
    `answer_top`), then the `answer` field, then the Run part."""
    top = answer_top or "{{FrontSide}}"
    return {
        "name": name,
        "qfmt": "{{" + question + "}}",
        "afmt": top + '<hr id="answer">{{' + answer + "}}" + RUN_BLOCK,
    }


BASIC_MODEL = genanki.Model(
    BASIC_MODEL_ID,
    f"deckgen Basic v{MODEL_VERSION}",
    fields=FIELDS,
    templates=[template("Card 1", "Front", "Back")],
    css=CSS,
)

REVERSED_MODEL = genanki.Model(
    REVERSED_MODEL_ID,
    f"deckgen Basic and reversed v{MODEL_VERSION}",
    fields=FIELDS,
    templates=[template("Card 1", "Front", "Back"), template("Card 2", "Back", "Front")],
    css=CSS,
)

CLOZE_MODEL = genanki.Model(
    CLOZE_MODEL_ID,
    f"deckgen Cloze v{MODEL_VERSION}",
    fields=[{"name": "Text"}, {"name": "Extra"}, {"name": "Run"}],
    templates=[template("Cloze", "cloze:Text", "Extra", answer_top="{{cloze:Text}}")],
    css=CSS,
    model_type=genanki.Model.CLOZE,
)

MODELS = {
    CardKind.BASIC: BASIC_MODEL,
    CardKind.REVERSED: REVERSED_MODEL,
    CardKind.CLOZE: CLOZE_MODEL,
}


def model_for(kind: CardKind) -> genanki.Model:
    return MODELS[kind]


def note_guid(card_id: str) -> str:
    return str(genanki.guid_for(GUID_NAMESPACE, card_id))


def deck_id(name: str) -> int:
    """Deterministic, positive, below 2**53 (Anki's JavaScript side uses doubles)."""
    digest = hashlib.sha256(f"{GUID_NAMESPACE}-deck:{name}".encode()).digest()
    return 1 + int.from_bytes(digest[:8], "big") % (2**52)


class StampedNote(genanki.Note):
    """A note whose `mod` is its own (last content change), not the build time.

    genanki stamps every note with the package timestamp; Anki then treats every note
    as changed on each import. We pass the note's own time down instead.
    """

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        # genanki's own checks run as published: its HTML-tag check passes on our fields,
        # which markdown-it and Pygments always escape (tests/deckgen/test_deckgen_anki.py).
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def make_note(
    card: Card, fields: tuple[str, ...], mod: int, guid: str = "", position: int = 0
) -> StampedNote:
    """`position`: the card's place in source (course) order, its new-card position in
    Anki, so "Ascending position" order follows the course across sub-decks."""
    return StampedNote(
        mod,
        model=model_for(card.kind),
        fields=list(fields),
        tags=list(card.tags),
        guid=guid or note_guid(card.id),
        due=position,
    )


# --- the package ---


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
    """Collects notes in their decks, then writes the .apkg with genanki's
    `Package.write_to_file`, atomically."""

    def __init__(self, now: int) -> None:
        self.now = now  # the package's time (genanki's card ids count from it)
        self.decks: dict[str, genanki.Deck] = {}
        self.media: dict[str, Path] = {}  # name in the package -> the image
        self.notes = 0

    def add(
        self, card: Card, fields: tuple[str, ...], guid: str, mod: int, media: tuple[MediaFile, ...]
    ) -> None:
        """One note; `mod` is its last content change (see note_stamps.py)."""
        deck = self.decks.get(card.deck)
        if deck is None:
            deck = self.decks[card.deck] = genanki.Deck(deck_id(card.deck), card.deck)
        deck.add_note(make_note(card, fields, mod, guid, self.notes))
        self.media.update((m.name, m.source) for m in media)
        self.notes += 1

    def write(self, output: Path) -> None:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="deckgen-") as temp:
            # genanki names a media file in the package by its file name: link each image
            # under its content-hash name. genanki also leaves its temporary collection in
            # the default temp folder, so that folder is ours while it writes.
            media = [Path(temp) / name for name in sorted(self.media)]
            for link in media:
                link.symlink_to(self.media[link.name].resolve())
            package = genanki.Package(list(self.decks.values()), [str(m) for m in media])
            previous, tempfile.tempdir = tempfile.tempdir, temp
            try:
                with atomic_path(output) as target:
                    package.write_to_file(str(target), timestamp=self.now)
            finally:
                tempfile.tempdir = previous
