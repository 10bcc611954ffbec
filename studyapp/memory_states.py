"""Recompute every card's FSRS memory state from its review log, as Anki does when its FSRS
settings change.

Run once when the engine that computed the stored states changes (the move from the `fsrs`
package's 24-hour periods to Anki's engine and study days), and after `studyapp optimize`
changes the parameters. Due dates stay as they are: only stability and difficulty change,
so no card moves in the learner's schedule.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from fsrs_rs_python import FSRSItem, FSRSReview

from studyapp.records import datetime_to_ms, ms_to_datetime
from studyapp.scheduler import Scheduler, study_day_gaps
from studyapp.store import Store

META_KEY = "memory_states"
ENGINE = "fsrs-rs (Anki's FSRS), study days"


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


def recompute(
    store: Store,
    scheduler: Scheduler,
    now: datetime,
    reason: str,
    answers: Sequence[tuple[str, int, int, int]] | None = None,
) -> Recomputed:
    """Every reviewed card's memory state from its graded answers (since it was last learnt
    anew, if it was forgotten), in one fsrs-rs call, elapsed time in study days. `answers`:
    `store.answers_by_card()` when the caller has just read it."""
    if answers is None:
        answers = store.answers_by_card()
    # (last review, first review) in ms of each card not new: raw, a CardState per card
    # would cost more than the whole recomputation.
    reviewed = {card_id: (last, first) for card_id, last, first in store.reviewed_cards()}
    next_day_ms = datetime_to_ms(scheduler.next_day_start(now))
    items: list[FSRSItem] = []
    owners: list[tuple[str, int]] = []
    for card_id, rows in groupby(answers, key=itemgetter(0)):
        times = reviewed.get(card_id)
        if times is None:
            continue
        last_review, first_review = times
        since = -1 if first_review is None else first_review
        graded = [(at, rating) for _, at, rating, _ in rows if at >= since]
        if not graded:
            continue
        gaps = study_day_gaps([at for at, _ in graded], next_day_ms)
        items.append(FSRSItem([FSRSReview(r, g) for (_, r), g in zip(graded, gaps, strict=True)]))
        owners.append((card_id, last_review))
    memory = scheduler.memory_state_batch(items) if items else []
    value = {"at_ms": datetime_to_ms(now), "engine": ENGINE, "reason": reason}
    changed = store.rewrite_memory_states(
        (
            (card_id, last_review, found.stability, found.difficulty)
            for (card_id, last_review), found in zip(owners, memory, strict=True)
        ),
        META_KEY,
        json.dumps({**value, "cards": len(owners)}),
    )
    return Recomputed(now, changed, ENGINE, reason)
