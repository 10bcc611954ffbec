"""The merge rule, as plain data: review logs are united (a review, known by its id, is
never added twice) and a card's schedule comes from whichever side reviewed it last."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from studyapp.ankisync.revlog import AnkiReview
from studyapp.records import RevlogEntry


@dataclass
class MergePlan:
    to_terminal: list[tuple[str, AnkiReview]] = field(default_factory=list)
    to_anki: list[RevlogEntry] = field(default_factory=list)
    schedule_from_anki: list[str] = field(default_factory=list)  # card ids
    schedule_from_terminal: list[str] = field(default_factory=list)
    clashes: int = 0  # reviews whose id the other side uses for another card: left out

    @property
    def changes_nothing(self) -> bool:
        return not (
            self.to_terminal
            or self.to_anki
            or self.schedule_from_anki
            or self.schedule_from_terminal
        )


def by_card(entries: Iterable[RevlogEntry]) -> dict[str, list[RevlogEntry]]:
    grouped: dict[str, list[RevlogEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.card_id].append(entry)
    return dict(grouped)


def plan_merge(
    card_ids: Sequence[str],
    terminal: Mapping[str, Sequence[RevlogEntry]],
    anki: Mapping[str, Sequence[AnkiReview]],
    terminal_ids: Mapping[int, str],
    both_ways: bool = True,
) -> MergePlan:
    """`card_ids`: the cards present on both sides; `terminal_ids`: every review id the
    terminal has, with its card (ids are unique over the whole log)."""
    plan = MergePlan()
    for card_id in card_ids:
        mine = terminal.get(card_id, ())
        theirs = anki.get(card_id, ())
        theirs_ids = {review.id for review in theirs}
        for review in theirs:
            owner = terminal_ids.get(review.id)
            if owner is None:
                plan.to_terminal.append((card_id, review))
            elif owner != card_id:
                plan.clashes += 1
        if both_ways:
            plan.to_anki.extend(entry for entry in mine if entry.id not in theirs_ids)
        last_mine = mine[-1].id if mine else 0
        last_theirs = theirs[-1].id if theirs else 0
        if last_theirs > last_mine:
            plan.schedule_from_anki.append(card_id)
        elif both_ways and last_mine > last_theirs:
            plan.schedule_from_terminal.append(card_id)
    return plan
