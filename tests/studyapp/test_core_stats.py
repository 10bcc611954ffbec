"""Stats: reviews per study day (local day start), forecast, true retention, browse."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core_support import CardSpec, OpenStudy, titled, write_deck

from studyapp.clock import ManualClock
from studyapp.session import ReviewSession
from studyapp.stats import stats_to_json

AGAIN, GOOD, EASY = 1, 3, 4
NEW_YORK = ZoneInfo("America/New_York")


def test_reviews_are_counted_on_the_local_study_day(open_study: OpenStudy, cards_dir: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 3, 3, 30, tzinfo=NEW_YORK), tz=NEW_YORK)
    write_deck(cards_dir / "deck.md", "Celery", titled(3))
    study = open_study(clock_override=clock)
    session = ReviewSession(study, None)
    session.grade(EASY)  # 03:30 local: still the study day of March 2
    clock.set(datetime(2026, 3, 3, 4, 30, tzinfo=NEW_YORK))
    session.grade(EASY)
    session.grade(EASY)

    stats = study.stats(weeks=1)
    assert list(stats.reviews_per_day) == [date(2026, 2, 25) + timedelta(days=n) for n in range(7)]
    assert stats.reviews_per_day[date(2026, 3, 2)] == 1
    assert stats.reviews_per_day[date(2026, 3, 3)] == 2
    assert stats.by_state["review"] == 3
    assert sum(stats.forecast) == 3
    for card in study.cards:
        due_day = study.study_day(study.state(card.id).due).date
        assert stats.forecast[(due_day - date(2026, 3, 3)).days] >= 1
    assert stats.true_retention is None

    # Two review-kind answers, one pass and one lapse, once both cards are due.
    clock.set(max(study.state(card.id).due for card in study.cards[:2]))
    review = ReviewSession(study, None)
    review.grade(GOOD)
    review.grade(AGAIN)
    stats = study.stats()
    assert stats.true_retention == 0.5
    assert (stats.review_answers.passed, stats.review_answers.answered) == (1, 2)
    # The three first answers were learning steps: counted beside it, never in it.
    assert (stats.learning_answers.passed, stats.learning_answers.answered) == (3, 3)
    assert stats.forecast[0] >= 1, "the lapsed card is due again today"
    payload = stats_to_json(stats)
    assert payload["true_retention"] == 0.5
    assert all(isinstance(key, str) for key in payload["reviews_per_day"])


def test_browse_by_text_tag_and_deck(open_study: OpenStudy, cards_dir: Path) -> None:
    write_deck(
        cards_dir / "deck.md",
        "Celery",
        [
            CardSpec("Prefetch multiplier", card_id="prefetch", tags="worker tuning"),
            CardSpec("Visibility timeout", card_id="visibility", tags="redis"),
        ],
    )
    write_deck(cards_dir / "Celery" / "beat.md", "Beat", [CardSpec("Schedule", card_id="sched")])
    study = open_study()
    assert [row.card.id for row in study.browse("PREFETCH")] == ["prefetch"]
    assert [row.card.id for row in study.browse("tag:redis")] == ["visibility"]
    assert [row.card.id for row in study.browse("deck:celery::beat")] == ["sched"]
    assert {row.card.id for row in study.browse("deck:celery")} == {
        "prefetch",
        "visibility",
        "sched",
    }
    assert [row.card.id for row in study.browse("tag:worker timeout")] == []
    row = study.browse("schedule")[0]
    assert (row.state, row.due, row.reps, row.lapses) == ("new", None, 0, 0)
    session = ReviewSession(study, "Celery::Beat")
    session.grade(GOOD)
    row = study.browse("schedule")[0]
    assert (row.state, row.reps) == ("learning", 1)
    assert row.due == study.state("sched").due


def test_browse_deck_names_with_spaces_by_any_level_and_quotes(
    open_study: OpenStudy, cards_dir: Path
) -> None:
    write_deck(
        cards_dir / "Celery" / "brokers.md",
        "Brokers and Redis",
        [
            CardSpec("Visibility timeout", card_id="visibility", tags="Redis"),
            CardSpec("Broker URL", card_id="url"),
        ],
    )
    write_deck(cards_dir / "Celery" / "beat.md", "Beat", [CardSpec("Schedule", card_id="sched")])
    study = open_study()
    assert {card.deck for card in study.cards} == {"Celery::Brokers and Redis", "Celery::Beat"}

    def found(query: str) -> set[str]:
        return {row.card.id for row in study.browse(query)}

    brokers = {"visibility", "url"}
    assert found("deck:celery::brokers") == brokers  # a prefix of the full name
    assert found("deck:Brokers") == brokers  # a prefix of a level's name
    assert found('deck:"brokers and redis"') == brokers
    assert found('"deck:Celery::Brokers and Redis"') == brokers
    assert found("deck:redis") == brokers  # inside a level's name
    assert found("deck:celery") == brokers | {"sched"}
    assert found("deck:beat") == {"sched"}
    assert found("deck:eat::") == set()
    assert found("tag:redis") == {"visibility"}  # tags: whole and case-insensitive
    assert found("tag:red") == set()
    assert found('"visibility timeout" deck:brokers') == {"visibility"}
    assert found("timeout visibility") == {"visibility"}
    assert found('"timeout visibility"') == set()
    assert found('deck:"brokers and') == set(), "an open quote falls back to plain words"
    assert found('"broker') == set()
    assert found("broker") == {"url"}
