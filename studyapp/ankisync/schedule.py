"""A card's schedule and FSRS memory state between an Anki card and a `CardState`.

Anki card fields: `type` (0 new, 1 learning, 2 review, 3 relearning), `queue` (0 new,
1 intraday learning due in epoch seconds, 2 review and 3 interday learning due as a day
number, -1 suspended), `ivl` in days, `left` the learning steps still to go.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, cast

from studyapp.ankisync.days import AnkiDays
from studyapp.records import CardState, Phase
from studyapp.settings import Settings

if TYPE_CHECKING:  # anki.cards must not be imported before anki.collection
    from anki.cards import Card as AnkiCard
    from anki.consts import CardQueue, CardType
    from anki.decks import DeckId

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
QUEUE_SUSPENDED, QUEUE_LEARNING, QUEUE_REVIEW, QUEUE_DAY_LEARNING = -1, 1, 2, 3
HIDDEN_QUEUES = (-3, -2, QUEUE_SUSPENDED)  # buried by hand, buried as a sibling, suspended
DEFAULT_EASE = 2500  # Anki's starting ease factor, kept on review cards even under FSRS
FALLBACK_DIFFICULTY = 5.0  # middle of FSRS's 1-10, for a card Anki scheduled without FSRS

_PHASES = {NEW: Phase.NEW, LEARNING: Phase.LEARNING, REVIEW: Phase.REVIEW}
_TYPES = {Phase.LEARNING: LEARNING, Phase.REVIEW: REVIEW, Phase.RELEARNING: RELEARNING}


def state_from_anki(
    card: AnkiCard,
    previous: CardState,
    last_review: datetime | None,
    first_review: datetime | None,
    days: AnkiDays,
    settings: Settings,
    memory: tuple[float, float] | None,
) -> CardState:
    """The terminal state of a card Anki reviewed last.

    `memory` is (stability, difficulty) when the card has none of its own (FSRS off in Anki).
    """
    suspended = previous.suspended  # suspension and burial travel apart (card_changes.py)
    phase = _PHASES.get(card.type, Phase.RELEARNING)
    if phase is Phase.NEW:
        return replace(previous, phase=Phase.NEW, step=None, stability=None,
                       difficulty=None, due=None, reps=card.reps, lapses=card.lapses,
                       suspended=suspended)  # fmt: skip
    if card.memory_state is not None:
        stability, difficulty = card.memory_state.stability, card.memory_state.difficulty
    elif memory is not None:
        stability, difficulty = memory
    else:
        stability, difficulty = float(max(card.ivl, 1)), FALLBACK_DIFFICULTY
    step = None
    if phase is not Phase.REVIEW:
        steps = (
            settings.learning_steps_minutes
            if phase is Phase.LEARNING
            else settings.relearning_steps_minutes
        )
        step = min(max(len(steps) - card.left % 1000, 0), max(len(steps) - 1, 0))
    return replace(
        previous,
        phase=phase,
        step=step,
        stability=float(stability),
        difficulty=float(difficulty),
        due=days.due_moment(card.due),
        last_review=last_review or previous.last_review,
        reps=card.reps,
        lapses=card.lapses,
        suspended=suspended,
        first_review=previous.first_review or first_review,
    )


def apply_state(card: AnkiCard, state: CardState, days: AnkiDays, settings: Settings) -> None:
    """Give an Anki card the terminal's schedule (the terminal reviewed it last)."""
    # Called per card: anki's NewTypes are plain ints at run time, so they are only cast
    # here (a `from anki.consts import ...` per call costs more than the rest of it: those
    # modules answer every attribute probe through a deprecation hook).
    from anki.cards import FSRSMemoryState

    if state.due is None or state.last_review is None or state.phase is Phase.NEW:
        return
    hidden = card.queue if card.queue in HIDDEN_QUEUES else None  # see card_changes.py
    if card.odid:  # in a filtered deck: the schedule below is its home deck's
        card.did, card.odid, card.odue = card.odid, cast("DeckId", 0), 0
    card.type = cast("CardType", _TYPES[state.phase])
    if state.phase is Phase.REVIEW:
        card.queue = cast("CardQueue", QUEUE_REVIEW)
        card.due = days.day_number(state.due)
        card.ivl = max(1, card.due - days.day_number(state.last_review))
        card.left = 0
    else:
        if state.due < days.next_cutoff:
            card.queue, card.due = cast("CardQueue", QUEUE_LEARNING), int(state.due.timestamp())
        else:
            card.queue, card.due = cast("CardQueue", QUEUE_DAY_LEARNING), days.day_number(state.due)
        steps = (
            settings.learning_steps_minutes
            if state.phase is Phase.LEARNING
            else settings.relearning_steps_minutes
        )
        card.left = max(len(steps) - (state.step or 0), 1)
        card.ivl = 0 if state.phase is Phase.LEARNING else max(1, round(state.stability or 1))
    if card.type in (REVIEW, RELEARNING) and not card.factor:
        card.factor = DEFAULT_EASE
    if hidden is not None:  # suspended or buried in Anki: it stays so, whatever its schedule
        card.queue = hidden
    card.reps = state.reps
    card.lapses = state.lapses
    if state.stability is not None and state.difficulty is not None:
        card.memory_state = FSRSMemoryState(stability=state.stability, difficulty=state.difficulty)
    card.last_review_time = int(state.last_review.timestamp())
