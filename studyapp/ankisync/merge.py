"""The merge rule, as plain data: review logs are united (a review, known by its id = its
time in ms, is never added twice) and a card's schedule comes from whichever side reviewed
it last; and two different reviews with the same id, one on each side.

A review's id is its time in ms, and on each side ids are unique. The terminal moves a
review's id forward by a millisecond when the time is taken, so its ids can meet one that
Anki gave another card's review (or one of Anki's manual rows). Such a terminal review
cannot be in Anki yet (Anki's id is taken by the other row), so it is safe to renumber it,
in the terminal, to the next id free on both sides; then both reviews travel normally.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studyapp.ankisync.anki_format import AnkiDeckView, chunks, db, marks, taken_revlog_ids
from studyapp.store import Store

if TYPE_CHECKING:
    from anki.collection import Collection


@dataclass
class MergePlan:
    to_terminal: list[tuple[str, int]] = field(default_factory=list)  # (card id, review id)
    to_anki: list[int] = field(default_factory=list)  # the terminal's review ids
    schedule_from_anki: list[str] = field(default_factory=list)  # card ids
    schedule_from_terminal: list[str] = field(default_factory=list)
    # Ids of Anki reviews that the terminal uses for another card's review (see `renumbering`).
    clashing: list[int] = field(default_factory=list)
    # Anki's copies of reviews the terminal took back with undo: removed from Anki's log.
    undone_in_anki: list[int] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        return not (
            self.to_terminal
            or self.to_anki
            or self.schedule_from_anki
            or self.schedule_from_terminal
            or self.undone_in_anki
        )


def ids_by_card(pairs: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    """(review id, card id) pairs, oldest first -> each card's review ids, oldest first."""
    grouped: dict[str, list[int]] = defaultdict(list)
    for review_id, card_id in pairs:
        grouped[card_id].append(review_id)
    return dict(grouped)


def plan_merge(
    card_ids: Sequence[str],
    terminal: Mapping[str, Sequence[int]],
    anki: Mapping[str, Sequence[int]],
    terminal_owner: Mapping[int, str],
    both_ways: bool = True,
) -> MergePlan:
    """`card_ids`: the cards present on both sides; `terminal`, `anki`: each card's review
    ids, oldest first; `terminal_owner`: the card of every review id the terminal has (its
    ids are unique over the whole log)."""
    plan = MergePlan()
    for card_id in card_ids:
        mine = terminal.get(card_id, ())
        theirs = anki.get(card_id, ())
        if mine == theirs:
            continue  # in step already (the common case on a repeat sync)
        for review_id in theirs:
            owner = terminal_owner.get(review_id)
            if owner is None:
                plan.to_terminal.append((card_id, review_id))
            elif owner != card_id:
                plan.clashing.append(review_id)
        if both_ways:
            theirs_set = set(theirs)
            plan.to_anki.extend(review_id for review_id in mine if review_id not in theirs_set)
        last_mine = mine[-1] if mine else 0
        last_theirs = theirs[-1] if theirs else 0
        if last_theirs > last_mine:
            plan.schedule_from_anki.append(card_id)
        elif both_ways and last_mine > last_theirs:
            plan.schedule_from_terminal.append(card_id)
    return plan


def without_undone(
    anki: Mapping[str, Sequence[int]], undone: Mapping[int, str]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Anki's review ids by card, less the reviews the terminal took back with undo (which
    a sync sent there first); and those, by card."""
    if not undone:
        return {card_id: list(ids) for card_id, ids in anki.items()}, {}
    kept: dict[str, list[int]] = {}
    taken_back: dict[str, list[int]] = defaultdict(list)
    for card_id, ids in anki.items():
        kept[card_id] = []
        for review_id in ids:
            if undone.get(review_id) == card_id:
                taken_back[card_id].append(review_id)
            else:
                kept[card_id].append(review_id)
    return kept, dict(taken_back)


def plan_with_undone(
    card_ids: Sequence[str],
    terminal_pairs: Sequence[tuple[int, str]],
    anki: Mapping[str, Sequence[int]],
    undone: Mapping[int, str],
    both_ways: bool = True,
) -> MergePlan:
    """`plan_merge` over the terminal's (review id, card id) pairs, oldest first, where the
    reviews the terminal took back are not Anki's to give: both ways, they leave Anki's log
    and the card takes the terminal's schedule (unless Anki reviewed it since)."""
    kept, taken_back = without_undone(anki, undone)
    plan = plan_merge(card_ids, ids_by_card(terminal_pairs), kept, dict(terminal_pairs), both_ways)
    if both_ways:
        for card_id, ids in sorted(taken_back.items()):
            plan.undone_in_anki.extend(ids)
            if (
                card_id not in plan.schedule_from_anki
                and card_id not in plan.schedule_from_terminal
            ):
                plan.schedule_from_terminal.append(card_id)
    return plan


# Clashing ids ------------------------------------------------------------------------------

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
