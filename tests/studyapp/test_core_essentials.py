"""Bury and new counts, siblings, the browser's `is:` filters and actions, card info."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core_support import CardSpec, OpenStudy, titled, write_deck

from deckgen.cardformat.card_types import REVERSE_SUFFIX
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


def test_siblings_are_related_by_note_command_and_lesson(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    _deck_with_commands(cards_dir / "deck.md")
    study = open_study()
    assert study.siblings("add") == ["add-again"]
    assert study.siblings("lesson-a") == ["lesson-b"]
    assert study.siblings("alone") == []


def test_a_card_never_seen_is_not_hidden_by_a_shared_command(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    _deck_with_commands(cards_dir / "deck.md")
    study = open_study()
    session = ReviewSession(study, None)
    shown = []
    while (card := session.current()) is not None:
        shown.append(card.id)
        session.grade(EASY)
    # All new: answering `add` does not hide the new `add-again` (nor lesson-a lesson-b).
    assert shown == ["add", "add-again", "lesson-a", "lesson-b", "alone"]
    assert study.browse("is:buried") == []
    assert study.held_back(None).total == 0

    # Once studied, they are held back together: the output of one answers the other.
    clock.set(max(study.state(card_id).due for card_id in shown))  # type: ignore[type-var]
    review = ReviewSession(study, None)
    first = review.current()
    assert first is not None and first.id == "add"
    review.grade(GOOD)
    assert {row.card.id for row in study.browse("is:buried")} == {"add-again"}
    assert study.held_back(None).siblings == 1
    assert review.undo() == "grade"  # the sibling comes back with the grade
    assert study.browse("is:buried") == []
    review.grade(GOOD)
    clock.set(study.study_day().end)
    assert study.browse("is:buried") == []


def test_a_new_card_buried_by_hand_is_not_counted_as_a_sibling(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    _deck_with_commands(cards_dir / "deck.md")
    study = open_study()
    session = ReviewSession(study, None)
    session.grade(EASY)  # add: answered today
    current = session.current()
    assert current is not None and current.id == "add-again"  # same command, never seen
    session.bury()
    held = study.held_back(None)
    assert (held.siblings, held.buried) == (0, 1)


def test_the_other_side_of_a_reversed_card_is_buried_as_in_anki(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    write_deck(cards_dir / "1-redis.md", "Redis", [CardSpec("Broker URL", kind="reversed")])
    write_deck(cards_dir / "2-more.md", "More", titled(2))
    study = open_study()
    session = ReviewSession(study, None)
    first = session.current()
    assert first is not None
    (reverse,) = study.siblings(first.id)
    assert reverse == first.id + REVERSE_SUFFIX
    session.grade(EASY)
    assert [row.card.id for row in study.browse("is:buried")] == [reverse]
    held = study.held_back(None)
    assert (held.siblings, held.buried) == (1, 0)
    session.bury()  # a card put aside by hand counts apart
    held = study.held_back(None)
    assert (held.siblings, held.buried) == (1, 1)
    assert study.held_back("More").total == 1, "counted in the deck under review only"


def test_sibling_burying_can_be_turned_off(open_study: OpenStudy, cards_dir: Path) -> None:
    write_deck(cards_dir / "redis.md", "Redis", [CardSpec("Broker URL", kind="reversed")])
    study = open_study(bury_siblings=False)
    session = ReviewSession(study, None)
    first = session.current()
    assert first is not None
    session.grade(EASY)
    current = session.current()
    assert current is not None and current.id == first.id + REVERSE_SUFFIX


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
