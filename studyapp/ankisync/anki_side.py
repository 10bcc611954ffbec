"""Reading the deck's cards and their review logs out of an Anki collection.

Plain queries through the library's own connection (`col.db`); there is no higher API for
listing many cards' GUIDs and review logs at once. Only review ids are read for the whole
deck (enough for the merge rule); whole rows only for the reviews that move.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from studyapp.ankisync.matching import DeckKeys
from studyapp.ankisync.revlog import ANSWER_TYPES, REVLOG_COLUMNS, AnkiRow

if TYPE_CHECKING:
    from anki.collection import Collection
    from anki.dbproxy import DBProxy

CHUNK = 2000  # values per `IN (...)`, well under SQLite's limit on bound parameters
T = TypeVar("T")
# Answers only: Anki's manual and rescheduling rows (type 4, 5; ease 0) are not reviews.
IS_ANSWER = f"ease between 1 and 4 and type in ({', '.join(map(str, sorted(ANSWER_TYPES)))})"


@dataclass(frozen=True)
class AnkiCardRef:
    cid: int
    nid: int
    card_id: str  # the terminal's id


@dataclass
class AnkiDeckView:
    """The collection's cards that belong to the deck files, and their answers' ids."""

    cards: dict[str, AnkiCardRef] = field(default_factory=dict)  # by terminal card id
    review_ids: dict[str, list[int]] = field(default_factory=dict)  # oldest first
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
    view.review_ids = review_ids_of(col, view.cards.values())
    return view


def review_ids_of(col: Collection, refs: Iterable[AnkiCardRef]) -> dict[str, list[int]]:
    by_cid = {ref.cid: ref.card_id for ref in refs}
    found: dict[str, list[int]] = defaultdict(list)
    for part in chunks(sorted(by_cid)):
        rows = db(col).all(
            f"select cid, id from revlog where cid in ({marks(len(part))}) and {IS_ANSWER}",
            *part,
        )
        for cid, review_id in rows:
            found[by_cid[cid]].append(review_id)
    for ids in found.values():
        ids.sort()
    return dict(found)


def reviews_by_id(col: Collection, ids: Sequence[int]) -> dict[int, AnkiRow]:
    """Whole revlog rows (REVLOG_COLUMNS) by id."""
    found: dict[int, AnkiRow] = {}
    for part in chunks(sorted(ids)):
        rows = db(col).all(
            f"select {REVLOG_COLUMNS} from revlog where id in ({marks(len(part))})", *part
        )
        found.update((row[0], tuple(row)) for row in rows)
    return found


def taken_revlog_ids(col: Collection, ids: Sequence[int]) -> set[int]:
    """Which of these revlog ids Anki already uses (for any card)."""
    taken: set[int] = set()
    for part in chunks(sorted(ids)):
        taken.update(db(col).list(f"select id from revlog where id in ({marks(len(part))})", *part))
    return taken
