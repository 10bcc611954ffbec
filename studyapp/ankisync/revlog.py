"""Review-log rows between Anki's `revlog` table and the terminal's `RevlogEntry`.

Both sides key a review by its time in epoch milliseconds, so that id is the review's
identity across the two: a review already present on a side is never added again.
"""

from __future__ import annotations

from typing import Any

from studyapp.records import ReviewKind

# Anki's revlog types 0-3 are answers; 4 (manual), 5 (rescheduled) are not reviews.
ANSWER_TYPES = frozenset({0, 1, 2, 3})
REVLOG_COLUMNS = "id, cid, ease, ivl, lastIvl, factor, time, type"
LEARNING_KINDS = frozenset({int(ReviewKind.LEARN), int(ReviewKind.RELEARN)})


# Rows move between the two logs as plain tuples: a first sync carries tens of thousands
# of reviews each way, and an object per review costs more than the database work.
AnkiRow = tuple[Any, ...]  # REVLOG_COLUMNS
TerminalRow = tuple[Any, ...]  # the store's `review_rows`: RevlogEntry's fields in order


def terminal_row(anki: AnkiRow, card_id: str) -> TerminalRow:
    """An Anki revlog row (REVLOG_COLUMNS) as the terminal's `RevlogEntry` columns."""
    review_id, _cid, ease, ivl, last_ivl, _factor, time, kind = anki
    # Anki recomputes memory states from the log; no need to guess difficulty/stability.
    return (review_id, card_id, ease, ivl, last_ivl, None, None, time, kind)


def anki_row(entry: TerminalRow, cid: int, usn: int) -> tuple[int, ...]:
    """Values for `id, cid, usn, ease, ivl, lastIvl, factor, time, type`."""
    review_id, _card_id, rating, interval, last_interval, difficulty, _stab, duration, kind = entry
    # Anki keeps no ease factor on learning answers; with FSRS a review keeps difficulty x100.
    learning = kind in LEARNING_KINDS
    factor = 0 if learning or difficulty is None else round(difficulty * 100)
    return (review_id, cid, usn, rating, interval, last_interval, factor, duration, kind)
