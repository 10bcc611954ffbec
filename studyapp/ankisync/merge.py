"""The merge rule, as plain data: review logs are united (a review, known by its id = its
time in ms, is never added twice) and a card's schedule comes from whichever side reviewed
it last."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class MergePlan:
    to_terminal: list[tuple[str, int]] = field(default_factory=list)  # (card id, review id)
    to_anki: list[int] = field(default_factory=list)  # the terminal's review ids
    schedule_from_anki: list[str] = field(default_factory=list)  # card ids
    schedule_from_terminal: list[str] = field(default_factory=list)
    # Ids of Anki reviews that the terminal uses for another card's review (see clashes.py).
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
