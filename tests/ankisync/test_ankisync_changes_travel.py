"""`studyapp sync-anki` carries more than reviews: the day's start, suspensions, burials,
Forget and Set Due Date, both ways, the later change winning."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_support import card_by_key, deck_id_of, key_of
from sync_support import Learner, sync

from studyapp.ankisync.anki_format import AnkiDays
from studyapp.clock import ManualClock, system_local_tz
from studyapp.settings import load_settings
from studyapp.study import Study


def test_the_terminal_starts_its_study_day_at_ankis_hour(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    col = Collection(str(learner.collection))
    preferences = col.get_preferences()
    preferences.scheduling.rollover = 0  # "Next day starts at" midnight
    col.set_preferences(preferences)
    col.close()

    out = sync(capsys, learner)

    assert "  terminal study days start at 0:00, as Anki's 'next day starts at'" in out, out
    assert load_settings(learner.data).day_start_hour == 0
    col = Collection(str(learner.collection))
    study = Study.open([learner.cards], learner.data)
    try:  # the terminal's day ends when Anki's does
        assert study.study_day().end == datetime.fromtimestamp(col.sched.day_cutoff, UTC)
    finally:
        study.close()
        col.close()
    assert "study days" not in sync(capsys, learner)


CARD_IDS = (
    "sync-broker",
    "sync-worker",
    "sync-beat",
    "sync-result",
    "sync-both",
    "sync-both:reverse",
    "sync-retry",
)


def test_suspend_bury_forget_and_set_due_travel_both_ways_the_later_winning(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    col = Collection(str(learner.collection))
    study = Study.open([learner.cards], learner.data)
    try:
        anki = {card_id: card_by_key(col, *key_of(card_id)) for card_id in CARD_IDS}
        learnt = [c for c in CARD_IDS if anki[c].type != 0]
        due_card, forgot_in_anki, forgot_here = learnt[:3]
        rest = [c for c in CARD_IDS if c not in (due_card, forgot_in_anki, forgot_here)]
        suspend_in_anki, bury_in_anki, suspend_here, both = rest[:4]
    finally:
        study.close()
        col.close()
    start = datetime.now(UTC)
    clock = ManualClock(start + timedelta(seconds=1))
    study = Study.open([learner.cards], learner.data, clock)
    try:
        study.toggle_suspend(both)  # in the terminal first, then Anki changes it too
        clock.advance(timedelta(minutes=1))  # later than anything Anki does below
        study.toggle_suspend(suspend_here)
        study.forget(forgot_here)
    finally:
        study.close()
    time.sleep(max(0.0, (start + timedelta(seconds=2)).timestamp() - time.time()))
    col = Collection(str(learner.collection))
    try:
        cid = {card_id: card_by_key(col, *key_of(card_id)).id for card_id in CARD_IDS}
        col.sched.suspend_cards([cid[suspend_in_anki]])
        col.sched.bury_cards([cid[bury_in_anki]], manual=True)
        col.sched.schedule_cards_as_new([cid[forgot_in_anki]])
        col.sched.set_due_date([cid[due_card]], "9")
        col.sched.suspend_cards([cid[both]])
        col.sched.unsuspend_cards([cid[both]])
    finally:
        col.close()

    planned = sync(capsys, learner, "--dry-run")
    done = sync(capsys, learner)

    to_anki = "  other changes to Anki: 2 (1 forgotten, 1 suspended)\n"
    to_terminal = (
        "  other changes to the terminal: 5 (1 buried, 1 forgotten, 1 given a due date, "
        "1 suspended, 1 unsuspended)\n"
    )
    for out in (planned, done):
        assert to_anki in out and to_terminal in out, out
    col = Collection(str(learner.collection))
    study = Study.open([learner.cards], learner.data)
    try:
        card = {card_id: card_by_key(col, *key_of(card_id)) for card_id in CARD_IDS}
        state = study.state
        assert card[suspend_in_anki].queue == -1 and state(suspend_in_anki).suspended
        assert card[bury_in_anki].queue == -3
        assert (state(bury_in_anki).buried_until or start) > datetime.now(UTC)
        assert card[forgot_in_anki].type == 0 and state(forgot_in_anki).is_new
        assert card[forgot_here].type == 0 and state(forgot_here).is_new
        assert card[suspend_here].queue == -1 and state(suspend_here).suspended
        assert card[both].queue != -1 and not state(both).suspended  # Anki's was later
        days = AnkiDays.of(col, datetime.now(UTC), system_local_tz())
        due = state(due_card).due
        assert due is not None and days.day_number(due) == card[due_card].due == days.today + 9
    finally:
        study.close()
        col.close()
    assert "other changes" not in sync(capsys, learner)


def test_settings_the_sync_adopts_reach_an_open_app_and_stay(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    (learner.data / "settings.toml").write_text(
        (learner.data / "settings.toml").read_text("utf-8") + "# my own note\n", "utf-8"
    )
    app = Study.open([learner.cards], learner.data)  # open all along
    try:
        col = Collection(str(learner.collection))
        config = col.decks.config_dict_for_deck_id(deck_id_of(col, "Sync Basics"))  # type: ignore[arg-type]
        config["desiredRetention"] = 0.85
        col.decks.update_config(config)
        col.close()
        stale = app.settings
        sync(capsys, learner)

        # A change made in the app with the values it read before the sync.
        app.update_settings(replace(stale, theme="nord"))

        assert app.settings.desired_retention == 0.85 and app.settings.theme == "nord"
        saved = load_settings(learner.data)
        assert (saved.desired_retention, saved.theme) == (0.85, "nord")
        assert "# my own note" in (learner.data / "settings.toml").read_text("utf-8")

        config_again = Collection(str(learner.collection))
        config = config_again.decks.config_dict_for_deck_id(deck_id_of(config_again, "Sync Basics"))  # type: ignore[arg-type]
        config["desiredRetention"] = 0.8
        config_again.decks.update_config(config)
        config_again.close()
        sync(capsys, learner)

        assert app.follow_settings_file() and app.settings.desired_retention == 0.8
        assert not app.follow_settings_file()
    finally:
        app.close()


def test_reps_lapses_and_first_review_come_from_both_logs(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    col = Collection(str(learner.collection))
    study = Study.open([learner.cards], learner.data)
    try:
        for card_id in CARD_IDS:
            anki_card = card_by_key(col, *key_of(card_id))
            answers = col.db.all(
                "select id, ease, type from revlog where cid = ? and ease > 0 order by id",
                anki_card.id,
            )
            lapses = sum(1 for _, ease, kind in answers if ease == 1 and kind == 1)
            info = study.card_info(card_id)
            assert info is not None
            assert (info.reviews, info.lapses) == (len(answers), lapses), card_id
            assert (anki_card.reps, anki_card.lapses) == (len(answers), lapses), card_id
            assert (study.state(card_id).reps, study.state(card_id).lapses) == (
                len(answers),
                lapses,
            ), card_id
            if answers:
                assert info.first_review == datetime.fromtimestamp(answers[0][0] / 1000, UTC)
    finally:
        study.close()
        col.close()


BURY_IN_ANKI = """\
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col.sched.bury_cards([int(sys.argv[2])], manual=True)
col.close()
"""


def test_a_burial_made_in_anki_on_an_earlier_day_is_over(
    learner: Learner, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Anki lifts a burial when its next day starts (once it builds its queues again), so
    a card it still stores as buried from an earlier day is not buried in the terminal."""
    sync(capsys, learner)
    col = Collection(str(learner.collection))
    cid = card_by_key(col, *key_of("sync-worker")).id
    col.close()
    two_days_ago = datetime.now() - timedelta(days=2)  # faketime reads local time
    clock = tmp_path / "faketime"
    clock.write_text(two_days_ago.strftime("@%Y-%m-%d %H:%M:%S"), "utf-8")
    libfaketime = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    assert libfaketime, "libfaketime not found: install Debian's faketime"
    environment = {
        **os.environ,
        "LD_PRELOAD": libfaketime[0],
        "FAKETIME_TIMESTAMP_FILE": str(clock),
        "FAKETIME_NO_CACHE": "1",
    }
    subprocess.run(
        [sys.executable, "-c", BURY_IN_ANKI, str(learner.collection), str(cid)],
        env=environment,
        check=True,
        timeout=120,
    )

    out = sync(capsys, learner)

    assert "other changes" not in out, out
    study = Study.open([learner.cards], learner.data)
    try:
        buried_until = study.state("sync-worker").buried_until
        assert buried_until is None or buried_until <= datetime.now(UTC)
    finally:
        study.close()


TWO_CLOZES = """
## Card 7: Two clozes
**ID:** sync-two-clozes
**Front:** {{c1::Beat}} sends periodic tasks to the {{c2::broker}}.
**Back:** One beat per schedule.
"""


def test_every_cloze_deletion_is_its_own_card_on_both_sides(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = learner.cards / "sync.md"
    deck.write_text(deck.read_text("utf-8") + TWO_CLOZES, "utf-8")
    sync(capsys, learner)  # the note comes into Anki: one card per cloze number
    col = Collection(str(learner.collection))
    try:
        guid = key_of("sync-two-clozes")[0]
        cids = col.db.list(
            "select c.id from cards c join notes n on n.id = c.nid where n.guid = ? order by c.ord",
            guid,
        )
        assert len(cids) == 2
        for cid in cids:  # the learner answers both in Anki
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, 3)
    finally:
        col.close()

    out = sync(capsys, learner)

    assert "  to the terminal: 2 reviews, 2 card schedules" in out, out
    study = Study.open([learner.cards], learner.data)
    try:
        assert {card.id for card in study.cards} >= {"sync-two-clozes", "sync-two-clozes:c2"}
        assert len(study.history("sync-two-clozes")) == 1
        assert len(study.history("sync-two-clozes:c2")) == 1
    finally:
        study.close()
