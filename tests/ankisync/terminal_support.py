"""The learner in the terminal: grades through the study app's own session, at real time
(Anki's scheduler runs on the real clock, so both sides share it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studyapp.clock import ManualClock
from studyapp.session import ReviewSession
from studyapp.study import Study


def study_in_terminal(
    cards: Path, data: Path, grades: Sequence[int], start: datetime | None = None
) -> list[str]:
    """Grade the next cards of the deck, a few seconds apart, ending before now (review ids
    are times: none may lie ahead of Anki's own answers); the card ids graded."""
    clock = ManualClock(start or datetime.now(UTC) - timedelta(seconds=8 * (len(grades) + 1)))
    study = Study.open([cards], data, clock)
    graded = []
    try:
        session = ReviewSession(study, None)
        for rating in grades:
            card = session.current()
            assert card is not None, "the terminal has no card to show"
            clock.advance(timedelta(seconds=7))
            session.grade(rating)
            graded.append(card.id)
    finally:
        study.close()
    return graded
