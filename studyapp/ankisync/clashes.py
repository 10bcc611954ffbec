"""Two different reviews with the same id, one on each side.

A review's id is its time in ms, and on each side ids are unique. The terminal moves a
review's id forward by a millisecond when the time is taken, so its ids can meet one that
Anki gave another card's review (or one of Anki's manual rows). Such a terminal review
cannot be in Anki yet (Anki's id is taken by the other row), so it is safe to renumber it,
in the terminal, to the next id free on both sides; then both reviews travel normally.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from studyapp.ankisync.anki_side import AnkiDeckView, chunks, db, marks, taken_revlog_ids
from studyapp.ankisync.merge import MergePlan
from studyapp.store import Store

if TYPE_CHECKING:
    from anki.collection import Collection

SEARCH_AHEAD = 1000  # ms looked at per query for a free id


def clashing_terminal_ids(col: Collection, plan: MergePlan) -> set[int]:
    """Terminal review ids that Anki uses for something else."""
    return set(plan.clashing) | taken_revlog_ids(col, plan.to_anki)


def renumbering(col: Collection, store: Store, clashing: Iterable[int]) -> dict[int, int]:
    """New ids (old -> new) for the terminal's clashing reviews; nothing is written, so a
    dry run plans with them too."""
    wanted = sorted(clashing)
    if not wanted:
        return {}
    used = {review_id for review_id, _ in store.review_index()} | store.undone_reviews().keys()
    new_ids: dict[int, int] = {}
    for old in wanted:
        new_ids[old] = _free_id(col, old + 1, used)
        used.add(new_ids[old])
    return new_ids


def _free_id(col: Collection, start: int, used: set[int]) -> int:
    while True:
        window = [candidate for candidate in range(start, start + SEARCH_AHEAD)]
        taken = taken_revlog_ids(col, window)
        for candidate in window:
            if candidate not in used and candidate not in taken:
                return candidate
        start += SEARCH_AHEAD


def orphaned_reviews(col: Collection, store: Store, card_ids: Iterable[str]) -> dict[int, str]:
    """The terminal's reviews of these cards that Anki keeps under a card deleted there
    (Anki keeps a deleted card's log), by id: a course note deleted in Anki and brought
    back gets new card ids, and its reviews must not be written there a second time."""
    cards = set(card_ids)
    owner = {review_id: card_id for review_id, card_id in store.review_index() if card_id in cards}
    found: dict[int, str] = {}
    for part in chunks(sorted(owner)):
        for review_id in db(col).list(
            f"select id from revlog where id in ({marks(len(part))}) "
            "and cid not in (select id from cards)",
            *part,
        ):
            found[review_id] = owner[review_id]
    return found


def adopt_orphaned_reviews(col: Collection, orphans: dict[int, str], view: AnkiDeckView) -> None:
    """Give those reviews back to the card they belong to (now in `view`)."""
    # The library has no call that moves a review-log row.
    db(col).executemany(
        "update revlog set cid = ? where id = ?",
        [(view.cards[card_id].cid, review_id) for review_id, card_id in sorted(orphans.items())],
    )
