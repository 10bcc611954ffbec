"""Changes to a card other than answering it, both ways: suspend and unsuspend, bury and
unbury, Forget (reset to new) and Anki's Set Due Date.

Answers travel as reviews (merge.py); these leave none the other side could compare, so
each side's present state is compared instead, and where they differ the later change
wins: Anki's card modification time against the time the learner last changed the card
in the terminal (the store's `change_times`). Two cases need no clock: with both review
logs in step, a card new on one side only was reset there (Forget), and a review card due
on another day in Anki was given a due date there (the terminal has no Set Due Date).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from studyapp.ankisync.anki_format import AnkiDays, AnkiDeckView, chunks, db, marks
from studyapp.ankisync.merge import MergePlan
from studyapp.records import CardState, Phase
from studyapp.store import Store
from studyapp.study import forgotten

if TYPE_CHECKING:
    from anki.collection import Collection

NEW, REVIEW = 0, 2  # Anki card types
SUSPENDED, BURIED_BY_SIBLING, BURIED = -1, -2, -3  # Anki queues
SECONDS_PER_DAY = 86_400
SUSPEND, UNSUSPEND, BURY, UNBURY, FORGET, SET_DUE = (
    "suspended",
    "unsuspended",
    "buried",
    "unburied",
    "forgotten",
    "given a due date",
)


@dataclass(frozen=True)
class AnkiCardFacts:
    cid: int
    type: int
    queue: int
    due: int
    mod: int  # seconds


@dataclass(frozen=True)
class CardChange:
    card_id: str
    what: str  # SUSPEND ... SET_DUE
    to_anki: bool  # else to the terminal


def read_facts(col: Collection, view: AnkiDeckView) -> dict[str, AnkiCardFacts]:
    by_cid = {ref.cid: card_id for card_id, ref in view.cards.items()}
    facts = {}
    for part in chunks(sorted(by_cid)):
        rows = db(col).all(
            f"select id, type, queue, due, mod from cards where id in ({marks(len(part))})",
            *part,
        )
        for row in rows:
            facts[by_cid[row[0]]] = AnkiCardFacts(*row)
    return facts


def plan_changes(
    facts: Mapping[str, AnkiCardFacts],
    states: Mapping[str, CardState],
    changed: Mapping[str, datetime],
    plan: MergePlan,
    days: AnkiDays,
    now: datetime,
) -> list[CardChange]:
    """What each side takes from the other; `plan` moves the schedules of cards reviewed
    since (those keep only their suspension and burial)."""
    reviewed = set(plan.schedule_from_anki) | set(plan.schedule_from_terminal)
    today_start = days.next_cutoff.timestamp() - SECONDS_PER_DAY
    changes = []
    for card_id in sorted(facts.keys() & states.keys()):
        anki, mine = facts[card_id], states[card_id]
        when = changed.get(card_id)
        later = when is not None and when.timestamp() > anki.mod  # the terminal's change
        buried_here = mine.buried_until is not None and mine.buried_until > now
        # Anki lifts a burial when its next day starts (once it builds its queues), so one
        # made before today's start is over, whatever the stored queue still says.
        buried_there = anki.queue in (BURIED, BURIED_BY_SIBLING) and anki.mod >= today_start
        for here, there, on, off in (
            (mine.suspended, anki.queue == SUSPENDED, SUSPEND, UNSUSPEND),
            (buried_here, buried_there, BURY, UNBURY),
        ):
            if here != there:
                wins = here if later else there
                changes.append(CardChange(card_id, on if wins else off, later))
        if card_id in reviewed:
            continue
        if (anki.type == NEW) != (mine.phase is Phase.NEW):
            changes.append(CardChange(card_id, FORGET, mine.phase is Phase.NEW))
        elif anki.type == REVIEW and (
            mine.phase is not Phase.REVIEW
            or mine.due is None
            or days.day_number(mine.due) != anki.due
        ):
            changes.append(CardChange(card_id, SET_DUE, False))
    return changes


def summary(changes: Sequence[CardChange], to_anki: bool) -> str:
    """`3 (2 suspended, 1 forgotten)`."""
    counted = Counter(change.what for change in changes if change.to_anki == to_anki)
    if not counted:
        return "0"
    parts = ", ".join(f"{count} {what}" for what, count in sorted(counted.items()))
    return f"{sum(counted.values())} ({parts})"


def apply_in_anki(col: Collection, view: AnkiDeckView, changes: Sequence[CardChange]) -> None:
    """Through Anki's own scheduler calls, as the learner's menu commands would."""
    by_what: dict[str, list[int]] = {}
    for change in changes:
        if change.to_anki:
            by_what.setdefault(change.what, []).append(view.cards[change.card_id].cid)
    sched = col.sched
    calls = {
        SUSPEND: sched.suspend_cards,
        UNSUSPEND: sched.unsuspend_cards,
        BURY: lambda cids: sched.bury_cards(cids, manual=True),
        UNBURY: sched.unbury_cards,
        FORGET: lambda cids: sched.schedule_cards_as_new(cids, restore_position=True),
    }
    for what, cids in sorted(by_what.items()):
        calls[what](cids)  # type: ignore[arg-type]  # CardId is an int at run time


def given_due_dates(changes: Sequence[CardChange]) -> list[str]:
    """Cards Anki gave a due date: the terminal takes their whole schedule from Anki, as
    for a card Anki reviewed last (transfer.py)."""
    return [change.card_id for change in changes if change.what == SET_DUE]


def apply_in_terminal(store: Store, changes: Sequence[CardChange], days: AnkiDays) -> None:
    """On the states as stored now (the sync's own pull wrote some)."""
    wanted = [c for c in changes if not c.to_anki and c.what != SET_DUE]
    if not wanted:
        return
    states = store.load_states()
    changed: dict[str, CardState] = {}
    for change in wanted:
        state = changed.get(change.card_id, states[change.card_id])
        changed[change.card_id] = _taken(state, change, days)
    if changed:
        store.save_states(changed.values())


def _taken(state: CardState, change: CardChange, days: AnkiDays) -> CardState:
    if change.what in (SUSPEND, UNSUSPEND):
        return replace(state, suspended=change.what == SUSPEND)
    if change.what == BURY:  # Anki unburies when its next day starts
        return replace(state, buried_until=days.next_cutoff)
    if change.what == UNBURY:
        return replace(state, buried_until=None)
    return forgotten(state)  # FORGET, as the terminal's own
