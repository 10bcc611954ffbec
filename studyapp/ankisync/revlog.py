"""Review-log rows between Anki's `revlog` table and the terminal's `RevlogEntry`.

Both sides key a review by its time in epoch milliseconds, so that id is the review's
identity across the two: a review already present on a side is never added again.
"""

from __future__ import annotations

from dataclasses import dataclass

from studyapp.records import ReviewKind, RevlogEntry

# Anki's revlog types 0-3 are answers; 4 (manual), 5 (rescheduled) are not reviews.
ANSWER_TYPES = frozenset({0, 1, 2, 3})
REVLOG_COLUMNS = "id, cid, ease, ivl, lastIvl, factor, time, type"


@dataclass(frozen=True)
class AnkiReview:
    """One row of Anki's revlog (the columns that matter here)."""

    id: int
    cid: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time: int
    type: int

    @property
    def is_answer(self) -> bool:
        return self.type in ANSWER_TYPES and 1 <= self.ease <= 4


def to_entry(review: AnkiReview, card_id: str) -> RevlogEntry:
    return RevlogEntry(
        id=review.id,
        card_id=card_id,
        rating=review.ease,
        interval=review.ivl,
        last_interval=review.last_ivl,
        difficulty=None,  # Anki recomputes memory states from the log; no need to guess
        stability=None,
        duration_ms=review.time,
        kind=ReviewKind(review.type),
    )


def to_anki_row(entry: RevlogEntry, cid: int, usn: int) -> tuple[int, ...]:
    """Values for `id, cid, usn, ease, ivl, lastIvl, factor, time, type`."""
    # Anki keeps no ease factor on learning answers; with FSRS a review keeps difficulty x100.
    learning = entry.kind in (ReviewKind.LEARN, ReviewKind.RELEARN)
    factor = 0 if learning or entry.difficulty is None else round(entry.difficulty * 100)
    return (
        entry.id,
        cid,
        usn,
        entry.rating,
        entry.interval,
        entry.last_interval,
        factor,
        entry.duration_ms,
        int(entry.kind),
    )
