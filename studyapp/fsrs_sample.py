"""A review history drawn from a known FSRS model: what `studyapp optimize` is tested and
benchmarked on (tests/studyapp/test_optimize.py, bench/studyapp_bench.py).

Each card is learnt once (a first answer, then Good on a later learning step the same day),
then reviewed on later days at a spread of intervals around the model's own. Whether the
learner recalls it is drawn from the model's retrievability at that moment, using memory
states from fsrs-rs-python with the true parameters, so a fit should find them again.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fsrs_rs_python import FSRS, MemoryState

from studyapp.records import ReviewKind, RevlogEntry, datetime_to_ms

START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)  # days start at 4 am UTC: 10:00 is mid-day
# A learner whose memory differs from FSRS's defaults: weaker first days, steeper lapses.
# fmt: off
TRUE_PARAMETERS = (
    0.35, 0.9, 3.8, 15.0, 6.0, 0.55, 1.6, 0.02, 1.35, 0.12, 0.9,
    1.9, 0.1, 0.3, 1.9, 0.4, 2.4, 0.5, 0.2, 0.1, 0.25,
)
# fmt: on
FIRST_RATINGS = (1, 2, 3, 4)
FIRST_WEIGHTS = (0.2, 0.1, 0.55, 0.15)


def retrievability(parameters: tuple[float, ...], stability: float, days: float) -> float:
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return float((1 + factor * days / stability) ** decay)


def history(
    cards: int,
    reviews_per_card: int,
    seed: int = 7,
    parameters: tuple[float, ...] = TRUE_PARAMETERS,
) -> list[RevlogEntry]:
    """`cards` cards, each with its learning answers and `reviews_per_card` reviews."""
    model = FSRS(list(parameters))
    chance = random.Random(seed)
    log: list[RevlogEntry] = []
    for number in range(cards):
        card_id = f"card-{number}"
        # A millisecond apart: every answer's time is its own (the log's key).
        when = START + timedelta(days=chance.randrange(60), milliseconds=number)
        first = chance.choices(FIRST_RATINGS, FIRST_WEIGHTS)[0]
        memory = _answer(model, None, first, 0)
        log.append(_entry(card_id, when, first, ReviewKind.LEARN))
        if first < 4:  # the last learning step, ten minutes later
            memory = _answer(model, memory, 3, 0)
            when += timedelta(minutes=10)
            log.append(_entry(card_id, when, 3, ReviewKind.LEARN))
        for _ in range(reviews_per_card):
            days = max(1, round(memory.stability * chance.uniform(0.3, 1.7)))
            when += timedelta(days=days)
            recalled = chance.random() < retrievability(parameters, memory.stability, days)
            rating = chance.choices((2, 3, 4), (0.1, 0.8, 0.1))[0] if recalled else 1
            memory = _answer(model, memory, rating, days)
            log.append(_entry(card_id, when, rating, ReviewKind.REVIEW))
    log.sort(key=lambda entry: entry.id)
    return log


def _answer(model: FSRS, memory: MemoryState | None, rating: int, days: int) -> MemoryState:
    states = model.next_states(memory, 0.9, days)
    return (states.again, states.hard, states.good, states.easy)[rating - 1].memory


def _entry(card_id: str, when: datetime, rating: int, kind: ReviewKind) -> RevlogEntry:
    return RevlogEntry(datetime_to_ms(when), card_id, rating, 0, 0, None, None, 5000, kind)
