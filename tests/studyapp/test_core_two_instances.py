"""Two app instances on one data folder: every grade counts, none overwrites another's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from core_support import CardSpec, OpenStudy, write_deck

from studyapp.clock import ManualClock
from studyapp.records import Phase, ReviewKind
from studyapp.session import ReviewSession
from studyapp.store import ConflictError, Store
from studyapp.study import Study

AGAIN, GOOD, EASY = 1, 3, 4


@pytest.fixture
def two_cards(cards_dir: Path) -> None:
    write_deck(
        cards_dir / "deck.md",
        "Celery",
        [CardSpec("Broker role", card_id="broker"), CardSpec("Result backend", card_id="backend")],
    )


def showing(study: Study) -> tuple[ReviewSession, str]:
    session = ReviewSession(study, None)
    card = session.current()
    assert card is not None
    return session, card.id


def stored(study: Study, card_id: str) -> tuple[Phase, int, int, bool]:
    """The card as a fresh connection sees it: (phase, reps, lapses, suspended)."""
    store = Store.open(study.data_dir)
    try:
        state = store.load_states()[card_id]
    finally:
        store.close()
    return state.phase, state.reps, state.lapses, state.suspended


@pytest.mark.usefixtures("two_cards")
def test_both_instances_grading_the_same_card_count_in_order(
    open_study: OpenStudy, clock: ManualClock
) -> None:
    first, second = open_study(), open_study()
    session_a, card_a = showing(first)
    session_b, card_b = showing(second)
    assert card_a == card_b == "broker"

    session_a.grade(EASY)  # graduates: a review card, due in days
    clock.advance(timedelta(seconds=20))
    session_b.grade(AGAIN)  # B loaded the card as new, but it is a lapse of A's review card

    history = second.history("broker")
    assert [(entry.rating, entry.kind) for entry in history] == [
        (EASY, ReviewKind.LEARN),
        (AGAIN, ReviewKind.REVIEW),
    ]
    assert stored(second, "broker") == (Phase.RELEARNING, 2, 1, False)
    assert second.state("broker").reps == 2, "B's own view follows what it stored"
    assert session_b.remaining()[1] == 1, "the lapsed card is back in B's learning queue"


@pytest.mark.usefixtures("two_cards")
def test_undo_is_refused_when_the_other_instance_graded_the_card_since(
    open_study: OpenStudy, clock: ManualClock
) -> None:
    first, second = open_study(), open_study()
    session_a, _ = showing(first)
    session_b, _ = showing(second)
    session_a.grade(EASY)
    clock.advance(timedelta(seconds=20))
    session_b.grade(AGAIN)

    with pytest.raises(ConflictError, match="not undone: card broker was changed by another"):
        session_a.undo()
    assert [entry.rating for entry in first.history("broker")] == [EASY, AGAIN]
    assert stored(first, "broker") == (Phase.RELEARNING, 2, 1, False)

    assert session_b.undo(), "the last grade of the card is B's: B may take it back"
    assert [entry.rating for entry in first.history("broker")] == [EASY]
    assert stored(first, "broker") == (Phase.REVIEW, 1, 0, False)


@pytest.mark.usefixtures("two_cards")
@pytest.mark.parametrize("action", ["suspend", "bury"])
def test_suspend_and_bury_keep_the_other_instance_grade(open_study: OpenStudy, action: str) -> None:
    first, second = open_study(), open_study()
    session_a, _ = showing(first)
    session_b, _ = showing(second)
    session_a.grade(EASY)
    getattr(session_b, action)()
    assert stored(first, "broker") == (Phase.REVIEW, 1, 0, action == "suspend")
    assert second.state("broker").reps == 1
    assert action == "suspend" or second.state("broker").buried_until is not None

    with pytest.raises(ConflictError):
        session_a.undo()  # B changed the card after A's grade
    assert session_b.undo() == action
    assert stored(first, "broker") == (Phase.REVIEW, 1, 0, False)
    assert second.state("broker").buried_until is None


@pytest.mark.usefixtures("two_cards")
def test_a_card_studied_elsewhere_meanwhile_is_not_shown_again(open_study: OpenStudy) -> None:
    first, second = open_study(), open_study()
    session_b = ReviewSession(second, None)  # its queue: both cards, nothing shown yet
    session_a, card = showing(first)
    assert card == "broker"
    session_a.grade(EASY)
    # B built its queue before A's grade; it re-reads a card before showing it.
    shown = session_b.current()
    assert shown is not None and shown.id == "backend"
    assert session_b.remaining() == (1, 0, 0)
    assert second.state("broker").phase is Phase.REVIEW


@pytest.mark.usefixtures("two_cards")
def test_reload_on_a_new_day_keeps_the_other_instance_progress(
    open_study: OpenStudy, clock: ManualClock
) -> None:
    first, second = open_study(), open_study()
    clock.advance(timedelta(days=1))  # A's sources were last seen yesterday
    session_b, _ = showing(second)
    session_b.grade(EASY)
    first.reload()  # stamps today's sighting on every card, and nothing else
    assert stored(first, "broker") == (Phase.REVIEW, 1, 0, False)
    assert first.state("broker").reps == 1, "reload reads the other instance's progress"
    assert first.state("broker").last_seen_in_sources == clock.now()
