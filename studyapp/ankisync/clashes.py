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


def renumber_clashes(col: Collection, store: Store, clashing: Iterable[int]) -> int:
    """Renumber the terminal's clashing reviews; how many were renumbered."""
    wanted = sorted(clashing)
    if not wanted:
        return 0
    used = {review_id for review_id, _ in store.review_index()}
    new_ids: dict[int, int] = {}
    for old in wanted:
        new_ids[old] = _free_id(col, old + 1, used)
        used.add(new_ids[old])
    store.renumber_reviews(new_ids)
    return len(new_ids)


def _free_id(col: Collection, start: int, used: set[int]) -> int:
    while True:
        window = [candidate for candidate in range(start, start + SEARCH_AHEAD)]
        taken = taken_revlog_ids(col, window)
        for candidate in window:
            if candidate not in used and candidate not in taken:
                return candidate
        start += SEARCH_AHEAD


def adopt_orphan_reviews(col: Collection, store: Store, view: AnkiDeckView) -> int:
    """Give back to their card the terminal's reviews that Anki still keeps under a card
    deleted there (Anki keeps a deleted card's log): a course note deleted in Anki and
    brought back gets new card ids, and its reviews must not be written a second time
    under a new id. How many were given back."""
    owner = dict(store.review_index())  # review id -> card id
    wanted = sorted(
        review_id
        for review_id, card_id in owner.items()
        if card_id in view.cards and review_id not in view.review_ids.get(card_id, ())
    )
    orphans: list[int] = []
    for part in chunks(wanted):
        orphans += db(col).list(
            f"select id from revlog where id in ({marks(len(part))}) "
            "and cid not in (select id from cards)",
            *part,
        )
    if not orphans:
        return 0
    # The library has no call that moves a review-log row.
    db(col).executemany(
        "update revlog set cid = ? where id = ?",
        [(view.cards[owner[review_id]].cid, review_id) for review_id in orphans],
    )
    return len(orphans)
