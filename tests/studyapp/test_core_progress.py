"""Progress is keyed by the card's stable id: edits, renumbering and removals keep history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core_support import CardSpec, OpenStudy, write_deck

from studyapp.clock import ManualClock
from studyapp.session import ReviewSession

GOOD, EASY = 3, 4


def _grade_all(open_study: OpenStudy) -> dict[str, tuple[int, object]]:
    study = open_study()
    session = ReviewSession(study, None)
    while session.current() is not None:
        session.grade(EASY)
    states = {
        card.id: (study.state(card.id).reps, study.state(card.id).due) for card in study.cards
    }
    study.close()
    return states


def test_reorder_renumber_and_edit_keep_history(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    deck = cards_dir / "deck.md"
    write_deck(
        deck,
        "Celery",
        [CardSpec("Broker role", card_id="broker-role"), CardSpec("Result backend")],
    )
    before = _grade_all(open_study)
    assert set(before) == {"broker-role", "celery/result-backend"}

    clock.advance(timedelta(minutes=5))
    write_deck(
        deck,
        "Celery",
        [
            CardSpec("Result backend", number=7),
            CardSpec("Broker role, reworded", card_id="broker-role", front="What is a broker?"),
        ],
    )
    study = open_study()
    assert [card.id for card in study.cards] == ["celery/result-backend", "broker-role"]
    assert study.cards[1].front == "What is a broker?"
    for card_id, (reps, due) in before.items():
        assert (study.state(card_id).reps, study.state(card_id).due) == (reps, due)
        assert len(study.history(card_id)) == 1
    assert study.deck_tree()[0].new == 0


def test_removed_card_keeps_history_hidden_and_gets_it_back(
    open_study: OpenStudy, cards_dir: Path, clock: ManualClock
) -> None:
    deck = cards_dir / "deck.md"
    both = [CardSpec("Acks late", card_id="acks-late"), CardSpec("Prefetch", card_id="prefetch")]
    write_deck(deck, "Celery", both)
    before = _grade_all(open_study)

    write_deck(deck, "Celery", both[1:])
    clock.advance(timedelta(days=30))  # the removed card would be due by now
    study = open_study()
    assert [card.id for card in study.cards] == ["prefetch"]
    assert study.browse("acks") == []
    assert study.stats().by_state == {
        "new": 0,
        "learning": 0,
        "review": 1,
        "relearning": 0,
        "suspended": 0,
    }
    session = ReviewSession(study, None)
    assert session.remaining() == (0, 0, 1)
    assert study.history("acks-late") != [], "history is kept while the card is gone"
    study.close()

    write_deck(deck, "Celery", both)
    study = open_study()
    assert study.state("acks-late").reps == before["acks-late"][0]
    assert study.state("acks-late").due == before["acks-late"][1]
    assert len(study.history("acks-late")) == 1
    assert ReviewSession(study, None).remaining() == (0, 0, 2)


def test_reload_follows_an_edit_during_a_session(open_study: OpenStudy, cards_dir: Path) -> None:
    deck = cards_dir / "deck.md"
    write_deck(deck, "Celery", [CardSpec("Retry", card_id="retry"), CardSpec("Chord")])
    study = open_study()
    session = ReviewSession(study, None)
    current = session.current()
    assert current is not None and current.id == "retry"

    write_deck(deck, "Celery", [CardSpec("Retry", card_id="retry", front="Edited front")])
    study.reload()
    shown = session.current()
    assert shown is not None and shown.front == "Edited front"
    assert session.remaining() == (1, 0, 0), "the deleted card left the session"
    session.grade(GOOD)
    assert study.history("retry")[0].rating == GOOD


def test_bad_cards_are_skipped_and_reported(open_study: OpenStudy, cards_dir: Path) -> None:
    write_deck(cards_dir / "good.md", "Celery", [CardSpec("Fine", card_id="fine")])
    (cards_dir / "bad.md").write_text("# Broken\n\n## Card 1: No back\n**Front:** only\n")
    study = open_study()
    assert [card.id for card in study.cards] == ["fine"]
    assert [str(error).split(":")[0] for error in study.errors] == [str(cards_dir / "bad.md")]
    assert all(error.location.line >= 1 for error in study.errors)
