"""Time-travel tests of the review queue through the Study facade, with a manual clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from core_support import START, CardSpec, OpenStudy, titled, write_deck

from deckgen.cardformat.card_types import REVERSE_SUFFIX
from studyapp.clock import ManualClock
from studyapp.intervals import format_interval
from studyapp.records import LEECH_TAG, Phase
from studyapp.scheduler import Rating, Scheduler
from studyapp.session import ReviewSession
from studyapp.settings import Settings, load_settings

GOOD, AGAIN, EASY = 3, 1, 4


def test_good_card_comes_back_at_the_start_of_its_study_day_and_not_before(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study()
    session = ReviewSession(study, None)
    card = session.current()
    assert card is not None

    session.grade(GOOD)
    clock.advance(timedelta(minutes=10))
    assert session.current() == card  # second learning step, due now
    session.grade(GOOD)

    state = study.state(card.id)
    assert state.phase is Phase.REVIEW
    # FSRS's first Good: 2.3 days, rounded to 2 study days; due when that day starts (4 am).
    assert state.due == datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
    assert session.current() is None

    due_day = study.study_day(state.due)
    clock.set(due_day.start - timedelta(minutes=1))
    assert ReviewSession(study, None).current() is None, "shown before its study day"
    clock.set(due_day.start)
    assert ReviewSession(study, None).current() == card
    assert study.deck_tree()[0].due == 1


def test_new_card_limit_holds_per_study_day_and_resets_at_the_configured_hour(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    tz = ZoneInfo("America/New_York")
    clock = ManualClock(datetime(2026, 3, 3, 3, 0, tzinfo=tz), tz=tz)  # still study day Mar 2
    write_deck(cards_dir / "deck.md", "Celery", titled(5))
    study = open_study(clock_override=clock, new_per_day=2, day_start_hour=4)

    session = ReviewSession(study, None)
    assert session.remaining() == (2, 0, 0)
    for _ in range(2):
        session.grade(EASY)  # Easy graduates at once, so nothing comes back today
    assert session.current() is None
    assert study.deck_tree()[0].new == 0

    clock.set(datetime(2026, 3, 3, 3, 59, tzinfo=tz))
    assert ReviewSession(study, None).current() is None
    assert session.current() is None

    clock.set(datetime(2026, 3, 3, 4, 0, tzinfo=tz))
    assert study.deck_tree()[0].new == 2
    fresh = ReviewSession(study, None)
    assert fresh.remaining() == (2, 0, 0)
    assert session.remaining() == (2, 0, 0), "an open session picks up the new day"
    fresh.grade(EASY)
    fresh.grade(EASY)
    assert fresh.current() is None


def test_learning_card_returns_within_the_session_when_due(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(3))
    study = open_study()
    session = ReviewSession(study, None)
    first = session.current()
    assert first is not None
    session.grade(AGAIN)  # back in one minute
    second = session.current()
    assert second is not None and second != first
    assert session.remaining() == (2, 1, 0)

    clock.advance(timedelta(minutes=1))
    session.grade(GOOD)  # the second card; now the first is due again
    assert session.current() == first
    # Easy graduates at least a day beyond what Good would give (as Anki).
    assert session.intervals() == {1: "<1m", 2: "6m", 3: "10m", 4: "2d"}


def test_learning_card_beyond_learn_ahead_waits_until_due(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study(learning_steps_minutes=(30,))
    session = ReviewSession(study, None)
    card = session.current()
    session.grade(AGAIN)
    assert session.current() is None
    assert session.remaining() == (0, 1, 0)
    clock.advance(timedelta(minutes=9))  # 21 minutes left: outside Anki's 20-minute window
    assert session.current() is None
    clock.advance(timedelta(minutes=1))
    assert session.current() == card


def test_leech_after_eight_lapses_is_tagged_and_suspended(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study()
    session = ReviewSession(study, None)
    card = session.current()
    assert card is not None
    session.grade(EASY)  # straight to review
    for lapse in range(1, 9):
        state = study.state(card.id)
        assert not state.suspended, f"suspended after only {lapse - 1} lapses"
        clock.set(state.due)
        session = ReviewSession(study, None)
        assert session.current() == card
        session.grade(AGAIN)
        if lapse < 8:
            clock.advance(timedelta(minutes=10))
            assert session.current() == card
            session.grade(GOOD)
    state = study.state(card.id)
    assert state.lapses == 8
    assert state.suspended
    assert LEECH_TAG in state.extra_tags
    assert [row.card.id for row in study.browse("tag:leech")] == [card.id]
    assert study.browse("tag:leech")[0].state == "suspended"
    clock.advance(timedelta(days=1))
    assert ReviewSession(study, None).current() is None


def test_bury_hides_until_the_next_study_day(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(2))
    study = open_study()
    session = ReviewSession(study, None)
    buried = session.current()
    session.bury()
    other = session.current()
    assert other is not None and other != buried
    session.suspend()
    assert session.current() is None
    assert ReviewSession(study, None).current() is None  # same day, a new session

    next_day = study.study_day().end
    clock.set(next_day - timedelta(seconds=1))
    assert ReviewSession(study, None).current() is None
    clock.set(next_day)
    again = ReviewSession(study, None)
    assert again.current() == buried
    assert again.remaining() == (1, 0, 0), "the suspended card stays away"
    assert study.stats().by_state["suspended"] == 1


def test_undo_removes_the_log_row_and_restores_the_state(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(2))
    study = open_study()
    session = ReviewSession(study, None)
    card = session.current()
    assert card is not None
    before = study.store.load_states()[card.id]
    session.grade(GOOD, duration_ms=4000)
    assert len(study.history(card.id)) == 1
    assert session.current() != card

    assert session.undo() == "grade"
    assert study.history(card.id) == []
    assert study.store.load_states()[card.id] == before
    assert study.state(card.id) == before
    assert session.current() == card, "the undone card is asked again"
    assert session.remaining() == (2, 0, 0)
    assert session.summary().reviewed == 0
    assert session.undo() is None


def test_daily_review_limit_caps_the_queue(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(3))
    study = open_study(max_reviews_per_day=2)
    session = ReviewSession(study, None)
    for _ in range(3):
        session.grade(EASY)
    clock.advance(timedelta(days=60))
    review = ReviewSession(study, None)
    assert review.remaining() == (0, 0, 2)
    review.grade(GOOD)
    review.grade(GOOD)
    assert review.current() is None
    assert study.deck_tree()[0].due == 0


def test_decks_are_listed_in_course_order_not_alphabetically(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    # Files in course order (01-, 02-, ...); alphabetically "Why" would come last.
    write_deck(cards_dir / "Celery" / "01-why.md", "Why background tasks", titled(1, "Why"))
    write_deck(cards_dir / "Celery" / "02-setup.md", "Setting up", titled(1, "Setup"))
    write_deck(cards_dir / "Celery" / "03-tasks.md", "Calling tasks", titled(1, "Call"))
    write_deck(cards_dir / "Anki.md", "Anki", titled(1, "Anki"))
    study = open_study()
    assert [row.name for row in study.deck_tree()] == [
        "Anki",
        "Celery",
        "Celery::Why background tasks",
        "Celery::Setting up",
        "Celery::Calling tasks",
    ]


def test_review_of_a_deck_includes_its_children_only(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    write_deck(cards_dir / "celery.md", "Celery", titled(1, "Root"))
    write_deck(cards_dir / "Celery" / "beat.md", "Beat", titled(2, "Beat"))
    write_deck(cards_dir / "other.md", "Redis", [CardSpec("Keys", kind="reversed")])
    study = open_study(bury_siblings=False)  # the reverse follows at once
    rows = {row.name: row for row in study.deck_tree()}
    assert [row.name for row in study.deck_tree()] == ["Celery", "Celery::Beat", "Redis"]
    assert (rows["Celery"].new, rows["Celery::Beat"].new, rows["Redis"].new) == (3, 2, 2)
    assert rows["Celery::Beat"].depth == 1 and rows["Celery::Beat"].label == "Beat"
    assert ReviewSession(study, "Celery::Beat").remaining() == (2, 0, 0)
    redis = ReviewSession(study, "Redis")
    forward = redis.current()
    assert forward is not None
    redis.grade(EASY)
    reverse = redis.current()
    assert reverse is not None and reverse.id == forward.id + REVERSE_SUFFIX
    assert (reverse.front, reverse.back) == (forward.back, forward.front)


def test_revlog_keeps_what_anki_keeps(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study()
    session = ReviewSession(study, None)
    card = session.current()
    assert card is not None
    clock.advance(timedelta(seconds=7))
    session.grade(GOOD)  # duration measured from when the card was shown
    clock.advance(timedelta(minutes=10))
    session.grade(GOOD, duration_ms=120_000)
    first, second = study.history(card.id)
    assert first.id == int((START + timedelta(seconds=7)).timestamp() * 1000)
    assert first.reviewed_at == START + timedelta(seconds=7)
    assert (first.rating, first.interval, first.last_interval) == (3, -600, 0)
    assert (first.kind, first.duration_ms) == (0, 7000)
    assert first.difficulty is not None and first.stability is not None
    state = study.state(card.id)
    assert second.interval == round((state.due - clock.now()) / timedelta(days=1)) > 0
    assert (second.last_interval, second.kind, second.duration_ms) == (-600, 0, 60_000)
    assert second.stability == state.stability and second.difficulty == state.difficulty
    assert clock.now().tzinfo is UTC


def test_with_fuzz_on_the_button_shows_the_interval_the_grade_gives(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(6))
    study = open_study(fuzz=True)
    session = ReviewSession(study, None)
    for _ in range(3):
        session.grade(EASY)
    clock.advance(timedelta(days=40))
    review = ReviewSession(study, None)
    unfuzzed = Scheduler(Settings(fuzz=False))
    differs = 0
    while (card := review.current()) is not None and review.remaining()[2]:
        state = study.state(card.id)
        shown = review.intervals()[EASY]
        plain = unfuzzed.preview(state, clock.now())[Rating.EASY]
        review.grade(EASY)
        given = timedelta(days=study.scheduler.scheduled_days(study.state(card.id)))
        assert format_interval(given) == shown
        differs += given != plain
    assert differs > 0, "fuzz never changed an interval"


def test_changed_settings_apply_to_open_sessions_and_are_saved(
    open_study: OpenStudy, cards_dir: Path, data_dir: Path
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(5))
    study = open_study()
    session = ReviewSession(study, None)
    assert session.remaining() == (5, 0, 0)
    study.update_settings(replace(study.settings, new_per_day=2))
    assert session.remaining() == (2, 0, 0)
    assert load_settings(data_dir).new_per_day == 2


@pytest.mark.parametrize("action", ["suspend", "bury"])
def test_undo_takes_back_a_suspend_or_bury(
    open_study: OpenStudy, cards_dir: Path, action: str
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(1))
    study = open_study()
    session = ReviewSession(study, None)
    card = session.current()
    assert card is not None
    before = study.store.load_states()[card.id]
    session.grade(GOOD)
    graded = study.store.load_states()[card.id]
    assert session.current() == card, "the learning card comes back (learn-ahead)"
    getattr(session, action)()
    assert session.current() is None
    assert study.store.load_states()[card.id] != graded

    assert session.undo() == action
    assert study.store.load_states()[card.id] == graded
    assert study.state(card.id) == graded
    assert session.current() == card, "the card is back on show"
    assert session.undo() == "grade"
    assert study.store.load_states()[card.id] == before


def test_deck_overview_totals_are_what_a_session_over_every_deck_serves(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    # Two top-level decks, each over the new limit alone: their capped rows sum to more.
    write_deck(cards_dir / "a.md", "Celery", titled(3, "Alpha"))
    write_deck(cards_dir / "b.md", "Redis", titled(3, "Beta"))
    study = open_study(new_per_day=4)
    session = ReviewSession(study, None)
    session.grade(AGAIN)  # one card learning, due again within minutes
    totals, rows = study.deck_overview()
    assert totals == ReviewSession(study, None).remaining() == (3, 1, 0)
    assert [(row.name, row.new, row.learning) for row in rows] == [
        ("Celery", 2, 1),
        ("Redis", 3, 0),
    ]
