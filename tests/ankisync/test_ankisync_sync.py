"""`studyapp sync-anki`: both ways with a closed collection, safely, and only once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import fsrs
import pytest
from anki.collection import Collection
from anki_support import (
    answer,
    card_by_key,
    deck_id_of,
    deck_reviews,
    key_of,
    snapshot,
    studyapp,
)
from sync_support import NOTHING_MOVED, Learner, sync
from terminal_support import study_in_terminal

from studyapp.ankisync.anki_format import AnkiDays
from studyapp.clock import system_local_tz
from studyapp.records import CardState, Phase
from studyapp.scheduler import Scheduler
from studyapp.settings import load_settings
from studyapp.study import Study


def terminal_log(learner: Learner) -> set[tuple[int, str, int, int]]:
    study = Study.open([learner.cards], learner.data)
    try:
        return {(e.id, *key_of(e.card_id), e.rating) for e in study.store.load_revlog()}
    finally:
        study.close()


def anki_log(learner: Learner) -> set[tuple[int, str, int, int]]:
    col = Collection(str(learner.collection))
    try:
        return {(r.id, r.guid, r.ordinal, r.ease) for r in deck_reviews(col)}
    finally:
        col.close()


def answers(log: set[tuple[int, str, int, int]]) -> Counter[tuple[str, int, int]]:
    """A log without its ids: how many answers of each grade each card has."""
    return Counter((guid, ordinal, rating) for _, guid, ordinal, rating in log)


def test_sync_unites_logs_and_moves_schedules_then_changes_nothing(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    both_before = terminal_log(learner) | anki_log(learner)
    col = Collection(str(learner.collection))
    other_before = snapshot(col, "Other Deck")
    version = col.db.scalar("select ver from col")
    col.close()

    out = sync(capsys, learner)

    assert "  to Anki: 5 reviews" in out
    assert terminal_log(learner) == anki_log(learner) == both_before
    col = Collection(str(learner.collection))
    study = Study.open([learner.cards], learner.data)
    try:
        days = AnkiDays.of(col, study.clock.now(), system_local_tz())
        for card in study.cards:
            state = study.state(card.id)
            anki_card = card_by_key(col, *key_of(card.id))
            assert (anki_card.reps, anki_card.lapses) == (state.reps, state.lapses), card.id
            if state.phase is Phase.NEW:
                continue
            assert state.due is not None and anki_card.memory_state is not None
            assert days.day_number(state.due) == days.day_number(days.due_moment(anki_card.due))
            assert anki_card.memory_state.stability == pytest.approx(state.stability, rel=0.01)
            assert anki_card.memory_state.difficulty == pytest.approx(state.difficulty, rel=0.01)
        assert snapshot(col, "Other Deck") == other_before
        assert col.db.scalar("select ver from col") == version
        assert col.db.scalar("pragma integrity_check") == "ok"
        deck_before = snapshot(col, "Sync Basics")
        assert col.fix_integrity() == ("Database rebuilt and optimized.", True)
        assert snapshot(col, "Sync Basics") == deck_before
    finally:
        study.close()
        col.close()
    backups = list((learner.collection.parent / "celery-srs-backups").glob("collection-*.colpkg"))
    assert len(backups) == 1 and f"backup: {backups[0]}" in out

    anki_before, terminal_before = anki_log(learner), terminal_log(learner)
    col = Collection(str(learner.collection))
    deck_before = snapshot(col, "Sync Basics")
    notes_before = col.db.all("select id, mod, usn from notes order by id")
    col.close()

    assert NOTHING_MOVED in sync(capsys, learner)

    assert (anki_log(learner), terminal_log(learner)) == (anki_before, terminal_before)
    col = Collection(str(learner.collection))
    try:
        assert snapshot(col, "Sync Basics") == deck_before
        assert col.db.all("select id, mod, usn from notes order by id") == notes_before
    finally:
        col.close()


def test_reviews_on_both_sides_between_syncs_all_survive(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    col = Collection(str(learner.collection))
    answer(col, "Sync Basics", (3, 3))
    col.close()
    study_in_terminal(learner.cards, learner.data, (3, 1))
    both = terminal_log(learner) | anki_log(learner)

    out = sync(capsys, learner)

    assert "to Anki: 2 reviews" in out and "to the terminal: 2 reviews" in out, out
    assert terminal_log(learner) == anki_log(learner)
    # A terminal review may have been renumbered (its ms was an Anki manual row's).
    assert answers(terminal_log(learner)) == answers(both)


def test_an_open_collection_is_refused_with_nothing_written(
    learner: Learner, opened: Collection, capsys: pytest.CaptureFixture[str]
) -> None:
    before = terminal_log(learner)
    status, out, err = studyapp(
        capsys, "sync-anki", learner.collection, "--data-dir", learner.data, learner.cards
    )
    assert (status, out) == (1, "")
    assert err == (
        f"{learner.collection}: Anki has this collection open; close Anki and try again "
        "(nothing written)\n"
    )
    assert not (learner.collection.parent / "celery-srs-backups").exists()
    assert terminal_log(learner) == before
    assert not (learner.data / "anki").exists()


def test_a_card_deleted_from_the_deck_files_is_left_alone_and_reported(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    deck = learner.cards / "sync.md"
    text = deck.read_text(encoding="utf-8")
    start = text.index("## Card 1: Broker")
    deck.write_text(text[:start] + text[text.index("## Card 2:") :], encoding="utf-8")
    col = Collection(str(learner.collection))
    broker_before = card_by_key(col, *key_of("sync-broker"))
    row_before = col.db.all("select * from cards where id = ?", broker_before.id)
    col.close()
    out = sync(capsys, learner)

    assert "left alone in Anki: 1 cards no longer in the deck files (sync-broker)" in out
    col = Collection(str(learner.collection))
    try:
        assert col.db.all("select * from cards where id = ?", broker_before.id) == row_before
    finally:
        col.close()


def test_dry_run_prints_the_changes_and_makes_none(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    anki_before, terminal_before = anki_log(learner), terminal_log(learner)

    out = sync(capsys, learner, "--dry-run")

    assert "dry run, nothing written" in out and "  to Anki: 5 reviews" in out
    assert (anki_log(learner), terminal_log(learner)) == (anki_before, terminal_before)
    assert not (learner.collection.parent / "celery-srs-backups").exists()


def test_the_terminal_takes_fsrs_settings_from_ankis_deck_preset(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    parameters = [round(value * 1.1, 4) for value in fsrs.scheduler.DEFAULT_PARAMETERS]
    col = Collection(str(learner.collection))
    config = col.decks.config_dict_for_deck_id(deck_id_of(col, "Sync Basics"))  # type: ignore[arg-type]
    config["fsrsParams6"] = parameters
    config["desiredRetention"] = 0.85
    col.decks.update_config(config)
    col.close()

    out = sync(capsys, learner)

    assert "terminal scheduling follow Anki's preset 'Default': desired retention 0.85" in out
    settings = load_settings(learner.data)
    assert settings.fsrs_parameters == pytest.approx(parameters)
    assert settings.desired_retention == 0.85
    after_good, _ = Scheduler(settings).grade(CardState("new"), 3, datetime.now(UTC), 1000)
    assert after_good.stability == pytest.approx(parameters[2])  # w[2]: first Good's stability
    assert "terminal scheduling" not in sync(capsys, learner)


def test_a_terminal_review_with_the_id_of_another_cards_anki_review_still_travels(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    """The terminal moves an id forward when its ms is taken, so ids can meet Anki's."""
    anki_before = anki_log(learner)
    study = Study.open([learner.cards], learner.data)
    try:
        mine = study.store.load_revlog()[0]
        theirs = next(r for r in sorted(anki_before) if (r[1], r[2]) != key_of(mine.card_id))
        study.store.renumber_reviews({mine.id: theirs[0]})
    finally:
        study.close()
    both = len(anki_before) + len(terminal_log(learner))

    out = sync(capsys, learner)

    assert "left out" not in out
    assert terminal_log(learner) == anki_log(learner)
    assert len(anki_log(learner)) == both
    assert NOTHING_MOVED in sync(capsys, learner)


def test_the_decks_package_is_reused_only_while_the_deck_is_unchanged(
    learner: Learner, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """export-anki and sync-anki share the data folder's package: a sync after an export
    imports it as it was built; after an edit it is built again and the edit reaches Anki."""
    status, _, err = studyapp(
        capsys, "export-anki", tmp_path / "out.apkg", "--data-dir", learner.data, learner.cards
    )
    assert (status, err) == (0, "")
    package = learner.data / "anki" / "deck.apkg"
    built = (package.stat().st_ino, package.stat().st_mtime_ns)

    sync(capsys, learner)

    assert (package.stat().st_ino, package.stat().st_mtime_ns) == built
    deck = learner.cards / "sync.md"
    deck.write_text(deck.read_text("utf-8").replace("The broker.", "The message broker."), "utf-8")

    sync(capsys, learner)

    assert (package.stat().st_ino, package.stat().st_mtime_ns) != built
    col = Collection(str(learner.collection))
    try:
        note = col.get_note(card_by_key(col, *key_of("sync-broker")).nid)
        assert any("The message broker." in field for field in note.fields)
    finally:
        col.close()


def test_a_dry_run_into_an_empty_collection_counts_what_the_sync_then_moves(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    # A first sync brings the deck's notes in and then the terminal's reviews of them: the
    # dry run has to count those reviews although Anki has none of the cards yet.
    Collection(str(learner.collection.parent / "fresh.anki2")).close()
    fresh = Learner(learner.cards, learner.collection.parent / "fresh.anki2", learner.data)

    planned = sync(capsys, fresh, "--dry-run")
    done = sync(capsys, fresh)

    assert "  to Anki: 5 reviews, 5 card schedules" in planned
    assert "  to Anki: 5 reviews, 5 card schedules" in done
