"""Recompute every card's FSRS memory state from its review log, as Anki does when its FSRS
settings change.

Run once when the engine that computed the stored states changes (the move from the `fsrs`
package's 24-hour periods to Anki's engine and study days), and after `studyapp optimize`
changes the parameters. Due dates stay as they are: only stability and difficulty change,
so no card moves in the learner's schedule.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from studyapp.records import CardState, RevlogEntry, datetime_to_ms, ms_to_datetime
from studyapp.scheduler import Scheduler
from studyapp.store import Store

META_KEY = "memory_states"
ENGINE = "fsrs-rs (Anki's FSRS), study days"
RATINGS = range(1, 5)  # Anki's manual entries (rescheduling, resets) have no rating


@dataclass(frozen=True)
class Recomputed:
    """When memory states were last recomputed from the review log, by what, for how many."""

    at: datetime
    cards: int
    engine: str
    reason: str

    def describe(self) -> str:
        if not self.cards:
            return f"memory states from {self.engine}"
        cards = f"{self.cards} card{'' if self.cards == 1 else 's'}"
        return (
            f"memory states of {cards} recomputed from the review log on "
            f"{self.at:%Y-%m-%d} ({self.reason}); engine: {self.engine}"
        )


def last_recomputed(store: Store) -> Recomputed | None:
    raw = store.meta(META_KEY)
    if raw is None:
        return None
    fields = json.loads(raw)
    return Recomputed(
        ms_to_datetime(fields["at_ms"]), fields["cards"], fields["engine"], fields["reason"]
    )


def ensure_current_engine(store: Store, scheduler: Scheduler, now: datetime) -> Recomputed:
    """Recompute once if the stored states were not computed by this engine."""
    done = last_recomputed(store)
    if done is not None and done.engine == ENGINE:
        return done
    return recompute(store, scheduler, now, "new scheduling engine")


def recompute(store: Store, scheduler: Scheduler, now: datetime, reason: str) -> Recomputed:
    states = store.load_states()
    answers = answers_by_card(store.load_revlog())
    memory = []
    for card_id, state in states.items():
        replayed = _replay(scheduler, state, answers.get(card_id, []))
        if replayed is not None and state.last_review is not None:
            memory.append((card_id, state.last_review, *replayed))
    value = {"at_ms": datetime_to_ms(now), "engine": ENGINE, "reason": reason}
    changed = store.rewrite_memory_states(
        memory, META_KEY, json.dumps({**value, "cards": len(memory)})
    )
    return Recomputed(now, changed, ENGINE, reason)


def answers_by_card(log: list[RevlogEntry]) -> dict[str, list[tuple[datetime, int]]]:
    answers: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for entry in log:  # oldest first
        if entry.rating in RATINGS:
            answers[entry.card_id].append((entry.reviewed_at, entry.rating))
    return answers


def _replay(
    scheduler: Scheduler, state: CardState, answers: list[tuple[datetime, int]]
) -> tuple[float, float] | None:
    if state.is_new or state.last_review is None:
        return None
    if state.first_review is not None:  # a card forgotten and learnt again starts afresh
        answers = [answer for answer in answers if answer[0] >= state.first_review]
    memory = scheduler.replay(answers) if answers else None
    if memory is None:
        return None
    return memory.stability, memory.difficulty
