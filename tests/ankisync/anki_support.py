"""A learner's Anki played through the official `anki` library, for the ankisync tests.

Not in conftest.py: several test folders have one, and `from conftest import` would get
whichever folder's conftest was imported first.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

from deckgen.anki_package import note_guid
from deckgen.build import build
from studyapp.cli import main

if TYPE_CHECKING:  # anki.cards must not be imported before anki.collection
    from anki.cards import Card as AnkiCard

DECK = """\
# Sync Basics

## Card 1: Broker
**ID:** sync-broker
**Front:** Which component holds task messages?
**Back:** The broker.

## Card 2: Worker
**ID:** sync-worker
**Front:** What runs the tasks?
**Back:** A worker process.

## Card 3: Beat
**ID:** sync-beat
**Front:** What sends periodic tasks?
**Back:** celery beat.

## Card 4: Result
**ID:** sync-result
**Front:** Where do results go?
**Back:** The result backend.

## Card 5: Both ways
**ID:** sync-both
**Type:** reversed
**Front:** delay()
**Back:** apply_async() with defaults

## Card 6: Retry
**ID:** sync-retry
**Front:** A task calls {{c1::self.retry()}} to try again.
**Back:** Later, after a countdown.
"""

OTHER_DECK = """\
# Other Deck

## Card 1: Elsewhere
**ID:** other-card
**Front:** A card from somebody else's deck?
**Back:** Left alone.
"""

# Every grade, learning and review answers, and one lapse (see `study_in_anki`).
ANKI_GRADES = (3, 1, 4, 2, 3, 3, 3)


@dataclass(frozen=True)
class AnkiReviewRow:
    id: int
    guid: str
    ordinal: int
    ease: int


@dataclass(frozen=True)
class StudiedAnki:
    cards: Path  # the deck files
    collection: Path  # the profile's collection.anki2, closed
    exports: dict[str, Path]  # colpkg, apkg, apkg-legacy
    reviews: frozenset[AnkiReviewRow]  # the deck's answers in Anki


def write_deck(folder: Path, text: str = DECK, name: str = "sync.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def new_profile(base: Path, name: str = "User 1") -> Path:
    folder = base / name
    folder.mkdir(parents=True)
    return folder / "collection.anki2"


def import_deck(col: Collection, cards: Path, work: Path) -> None:
    """What a learner does with deckgen's package: File > Import."""
    package = work / f"{cards.stem}.apkg"
    report = build([cards], package)
    assert report.ok, report.errors
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)
    )
    col.import_anki_package(request)


def deck_id_of(col: Collection, name: str) -> int:
    found = col.decks.id_for_name(name)
    assert found is not None
    return int(found)


def answer(col: Collection, deck: str, grades: Sequence[int]) -> list[int]:
    """Answer the deck's next cards as a learner would; the card ids answered."""
    col.decks.select(deck_id_of(col, deck))  # type: ignore[arg-type]
    answered = []
    for ease in grades:
        card = col.sched.getCard()
        assert card is not None, "Anki has no card to show"
        card.start_timer()
        col.sched.answerCard(card, ease)  # type: ignore[arg-type]
        answered.append(int(card.id))
    return answered


def lapse(col: Collection, deck: str) -> int:
    """Bring a review card due today (Anki's Set Due Date) and forget it: a lapse."""
    cid = col.db.scalar(
        "select id from cards where type = 2 and did = ? order by id limit 1",
        deck_id_of(col, deck),
    )
    assert cid, "no review card to lapse"
    col.sched.set_due_date([cid], "0")
    col.decks.select(deck_id_of(col, deck))  # type: ignore[arg-type]
    card = col.sched.getCard()
    assert card is not None and card.id == cid
    card.start_timer()
    col.sched.answerCard(card, 1)
    return int(cid)


def study_in_anki(col: Collection) -> None:
    col.set_config("fsrs", True)
    answer(col, "Sync Basics", ANKI_GRADES)
    lapse(col, "Sync Basics")


def deck_reviews(col: Collection, deck: str = "Sync Basics") -> set[AnkiReviewRow]:
    """The answers (not Set Due Date's manual rows) of the deck's cards."""
    rows = col.db.all(
        "select r.id, n.guid, c.ord, r.ease from revlog r join cards c on c.id = r.cid "
        "join notes n on n.id = c.nid where c.did = ? and r.ease > 0",
        deck_id_of(col, deck),
    )
    return {AnkiReviewRow(*row) for row in rows}


def card_by_key(col: Collection, guid: str, ordinal: int) -> AnkiCard:
    cid = col.db.scalar(
        "select c.id from cards c join notes n on n.id = c.nid where n.guid = ? and c.ord = ?",
        guid,
        ordinal,
    )
    return col.get_card(cid)


def key_of(card_id: str) -> tuple[str, int]:
    if card_id.endswith(":reverse"):
        return note_guid(card_id.removesuffix(":reverse")), 1
    return note_guid(card_id), 0


def snapshot(col: Collection, deck: str) -> tuple[list[object], list[object]]:
    """A deck's cards and review rows exactly as stored, to show they were not touched."""
    did = deck_id_of(col, deck)
    cards = col.db.all("select * from cards where did = ? order by id", did)
    revlog = col.db.all(
        "select r.* from revlog r join cards c on c.id = r.cid where c.did = ? order by r.id",
        did,
    )
    return cards, revlog


def export(col: Collection, out: Path, kind: str) -> Path:
    """Anki's own exporters: `colpkg`, `apkg` (current format) or `apkg-legacy`."""
    if kind == "colpkg":
        target = out / "export.colpkg"
        col.export_collection_package(str(target), include_media=True, legacy=False)
        col.reopen()
        return target
    target = out / f"export-{kind}.apkg"
    col.export_anki_package(
        out_path=str(target),
        options=ExportAnkiPackageOptions(
            with_scheduling=True,
            with_deck_configs=True,
            with_media=True,
            legacy=kind == "apkg-legacy",
        ),
        limit=None,
    )
    return target


def copy_collection(source: Path, target_folder: Path) -> Path:
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / "collection.anki2"
    shutil.copy(source, target)
    return target


def studyapp(capsys: object, *args: str | Path) -> tuple[int, str, str]:
    """Run the real command line in this process; (status, stdout, stderr)."""
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    return status, captured.out, captured.err
