"""Card info, as Anki's: when the card was added and reviewed, its memory state, its reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from deckgen.cardformat.model import Card
from studyapp.records import CardState, ReviewKind, RevlogEntry, state_name


@dataclass(frozen=True)
class CardInfo:
    card: Card
    state: str
    added: datetime | None  # first seen in the card files
    first_review: datetime | None
    latest_review: datetime | None
    due: datetime | None
    interval_days: float | None  # from the latest review to due
    stability: float | None
    difficulty: float | None
    retrievability: float | None  # probability of recall right now
    reviews: int
    lapses: int
    history: list[RevlogEntry]  # oldest first


def card_info(
    card: Card,
    state: CardState,
    history: list[RevlogEntry],
    retrievability: float | None,
    review_interval_days: int | None = None,
) -> CardInfo:
    """`review_interval_days`: a review card's interval in study days (Anki's `ivl`), as the
    scheduler counts it; other cards show the time from their latest review to due."""
    interval: float | None = review_interval_days
    due, last = state.due, state.last_review
    if interval is None and due is not None and last is not None and not state.is_new:
        interval = (due - last).total_seconds() / 86_400
    return CardInfo(
        card=card,
        state=state_name(state),
        added=state.first_seen,
        # From the log, which after an Anki sync holds both sides' reviews (the state's
        # counts come from whichever side reviewed last).
        first_review=history[0].reviewed_at if history else state.first_review,
        latest_review=state.last_review,
        due=None if state.is_new else state.due,
        interval_days=interval,
        stability=state.stability,
        difficulty=state.difficulty,
        retrievability=retrievability,
        reviews=len(history),
        lapses=sum(1 for entry in history if entry.kind is ReviewKind.REVIEW and entry.rating == 1),
        history=history,
    )
