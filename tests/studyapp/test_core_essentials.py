"""Bury and new counts, siblings, the browser's `is:` filters and actions, card info."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core_support import OpenStudy, titled, write_deck

from studyapp.clock import ManualClock
from studyapp.records import Phase
from studyapp.session import ReviewSession

AGAIN, GOOD, EASY = 1, 3, 4


def test_a_buried_new_card_leaves_room_for_the_next_one(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(5))
    study = open_study(new_per_day=3)
    session = ReviewSession(study, None)
    session.grade(EASY)
    session.grade(EASY)
    assert session.remaining() == (1, 0, 0)
    session.bury()  # the third: not introduced, so not counted against the limit
    assert session.remaining() == (1, 0, 0), "the fourth new card comes in"
    assert study.deck_tree()[0].new == 1
    session.suspend()
    assert session.remaining() == (1, 0, 0)
    session.grade(EASY)
    assert session.remaining() == (0, 0, 0)
    assert study.deck_tree()[0].new == 0


def _deck_with_commands(path: Path) -> None:
    path.write_text(
        "# Celery\n\n"
        "## Card 1: Add\n**ID:** add\n**Front:** What does add print?\n**Back:** 4.\n"
        "**Run:** `python -m demo_project.client add 2 2`\n\n"
        "## Card 2: Add again\n**ID:** add-again\n**Front:** And the result?\n**Back:** 4.\n"
        "**Run:** `python -m demo_project.client add 2 2`\n\n"
        "## Card 3: Lesson one\n**ID:** lesson-a\n**Front:** Part one?\n**Back:** Yes.\n"
        "**Run:** `python -m lessons.eager_mode first`\n\n"
        "## Card 4: Lesson two\n**ID:** lesson-b\n**Front:** Part two?\n**Back:** Yes.\n"
        "**Run:** `python -m lessons.eager_mode second`\n\n"
        "## Card 5: Alone\n**ID:** alone\n**Front:** Alone?\n**Back:** Yes.\n",
        encoding="utf-8",
    )


def test_siblings_are_buried_until_tomorrow_and_undo_brings_them_back(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    _deck_with_commands(cards_dir / "deck.md")
    study = open_study()
    assert study.siblings("add") == ["add-again"]
    assert study.siblings("lesson-a") == ["lesson-b"]
    assert study.siblings("alone") == []
    session = ReviewSession(study, None)
    shown = []
    while (card := session.current()) is not None:
        shown.append(card.id)
        session.grade(EASY)
    assert shown == ["add", "lesson-a", "alone"]
    assert {row.card.id for row in study.browse("is:buried")} == {"add-again", "lesson-b"}
    assert session.undo() == "grade"  # alone
    assert session.undo() == "grade"  # lesson-a: its sibling comes back
    assert {row.card.id for row in study.browse("is:buried")} == {"add-again"}
    clock.set(study.study_day().end)
    assert study.browse("is:buried") == []


def test_sibling_burying_can_be_turned_off(open_study: OpenStudy, cards_dir: Path) -> None:
    _deck_with_commands(cards_dir / "deck.md")
    study = open_study(bury_siblings=False)
    session = ReviewSession(study, None)
    session.grade(EASY)
    current = session.current()
    assert current is not None and current.id == "add-again"


def test_browse_is_filters_and_actions(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(5))
    study = open_study(bury_siblings=False)
    session = ReviewSession(study, None)
    session.grade(EASY)  # topic-0: review, due in days
    session.grade(AGAIN)  # topic-1: learning, due today
    session.bury()  # topic-2
    session.suspend()  # topic-3

    def found(query: str) -> list[str]:
        return [row.card.id for row in study.browse(query)]

    assert found("is:new") == ["topic-2", "topic-3", "topic-4"]
    assert found("is:learn") == ["topic-1"]
    assert found("is:review") == ["topic-0"]
    assert found("is:due") == ["topic-1"]
    assert found("is:buried") == ["topic-2"]
    assert found("is:suspended") == ["topic-3"]
    assert found("is:new topic 4") == ["topic-4"]
    assert found("is:leech") == []

    assert study.toggle_suspend("topic-3") is False
    assert found("is:suspended") == []
    study.unbury("topic-2")
    assert found("is:buried") == []
    assert session.remaining() == (3, 1, 0), "the open session takes both back"

    study.forget("topic-0")
    assert found("is:new")[0] == "topic-0"
    assert study.state("topic-0").phase is Phase.NEW
    assert len(study.history("topic-0")) == 1, "the review log is kept"
    clock.advance(timedelta(days=30))
    assert found("is:due") == ["topic-1"]


def test_card_info_and_next_due(open_study: OpenStudy, cards_dir: Path, clock: ManualClock) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(2))
    study = open_study(new_per_day=1)
    added = clock.now()
    session = ReviewSession(study, None)
    clock.advance(timedelta(minutes=1))
    session.grade(GOOD)
    clock.advance(timedelta(minutes=10))
    session.grade(GOOD)  # graduates
    info = study.card_info("topic-0")
    assert info is not None
    assert info.added == added and info.reviews == 2 and info.lapses == 0
    assert info.state == "review" and info.due is not None
    assert info.first_review is not None and info.first_review < info.latest_review  # type: ignore[operator]
    assert info.interval_days is not None and info.interval_days >= 1
    assert info.stability is not None and info.difficulty is not None
    assert info.retrievability is not None and 0.99 < info.retrievability <= 1.0
    assert [entry.rating for entry in info.history] == [GOOD, GOOD]
    summary = session.summary()
    assert (summary.reviewed, summary.good) == (2, 2)
    # The other card is new and today's limit is used: it comes at the next study day.
    assert summary.next_due == study.study_day().end
    assert study.card_info("no-such-card") is None
