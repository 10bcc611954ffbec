"""Reading the deck's cards and their review logs out of an Anki collection.

Plain queries through the library's own connection (`col.db`); there is no higher API for
listing many cards' GUIDs and review logs at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from studyapp.ankisync.matching import DeckKeys
from studyapp.ankisync.revlog import REVLOG_COLUMNS, AnkiReview

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

CHUNK = 500  # values per `IN (...)`, well under SQLite's limit on bound parameters
T = TypeVar("T")


@dataclass(frozen=True)
class AnkiCardRef:
    cid: int
    nid: int
    card_id: str  # the terminal's id


@dataclass
class AnkiDeckView:
    """The collection's cards that belong to the deck files, and their answers."""

    cards: dict[str, AnkiCardRef] = field(default_factory=dict)  # by terminal card id
    reviews: dict[str, list[AnkiReview]] = field(default_factory=dict)  # oldest first
    guids_present: set[str] = field(default_factory=set)
    notes_total: int = 0

    @property
    def notes_matched(self) -> int:
        return len({ref.nid for ref in self.cards.values()})


def db(col: Collection) -> DBProxy:
    """The collection's connection (None only after `close`)."""
    if col.db is None:
        raise RuntimeError("the Anki collection is closed")
    return col.db


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def marks(count: int) -> str:
    return ", ".join("?" * count)


def read_deck(col: Collection, keys: DeckKeys) -> AnkiDeckView:
    view = AnkiDeckView(notes_total=int(db(col).scalar("select count() from notes")))
    for part in chunks(sorted(keys.guids)):
        rows = db(col).all(
            "select c.id, c.nid, n.guid, c.ord from cards c join notes n on n.id = c.nid "
            f"where n.guid in ({marks(len(part))})",
            *part,
        )
        for cid, nid, guid, ordinal in rows:
            view.guids_present.add(guid)
            card_id = keys.card_id(guid, ordinal)
            if card_id is not None:
                view.cards[card_id] = AnkiCardRef(cid, nid, card_id)
    view.reviews = reviews_of(col, view.cards.values())
    return view


def reviews_of(col: Collection, refs: Iterable[AnkiCardRef]) -> dict[str, list[AnkiReview]]:
    by_cid = {ref.cid: ref.card_id for ref in refs}
    found: dict[str, list[AnkiReview]] = defaultdict(list)
    for part in chunks(sorted(by_cid)):
        rows: list[Any] = db(col).all(
            f"select {REVLOG_COLUMNS} from revlog where cid in ({marks(len(part))}) order by id",
            *part,
        )
        for row in rows:
            review = AnkiReview(*row)
            if review.is_answer:
                found[by_cid[review.cid]].append(review)
    for reviews in found.values():
        reviews.sort(key=lambda review: review.id)
    return dict(found)


def taken_revlog_ids(col: Collection, ids: Sequence[int]) -> dict[int, int]:
    """Which of these revlog ids Anki already has, with the card each belongs to."""
    taken: dict[int, int] = {}
    for part in chunks(sorted(ids)):
        for review_id, cid in db(col).all(
            f"select id, cid from revlog where id in ({marks(len(part))})", *part
        ):
            taken[review_id] = cid
    return taken
