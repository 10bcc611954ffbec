"""Syncing by itself, as Anki does: with the collection synced before at the app's start
and quit (not while Anki has it open, not when the setting is off), and the offer of a
first sync with an Anki profile that holds the deck."""

from __future__ import annotations

from dataclasses import replace

import pytest
from anki.collection import Collection
from anki_support import answer
from sync_support import Learner, sync

from studyapp.ankisync.auto import offer_first_sync, sync_by_itself
from studyapp.settings import load_settings, save_settings


def test_a_collection_synced_before_is_synced_again_by_itself(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sync_by_itself([learner.cards], learner.data) is None  # never synced: nothing
    sync(capsys, learner)
    col = Collection(str(learner.collection))
    answer(col, "Sync Basics", (3, 3))

    assert sync_by_itself([learner.cards], learner.data) == (
        "Anki is open: studying offline, will sync later"
    )
    col.close()
    assert sync_by_itself([learner.cards], learner.data) == (
        f"synced with Anki ({learner.collection}): 0 reviews to Anki, 2 to the terminal"
    )

    save_settings(learner.data, replace(load_settings(learner.data), anki_sync_by_itself=False))
    assert sync_by_itself([learner.cards], learner.data) is None


def test_a_profile_holding_the_deck_is_offered_a_first_sync_once(
    learner: Learner, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANKI_BASE", str(learner.collection.parent.parent))
    told = offer_first_sync([learner.cards], learner.data, None)  # no one to ask
    assert told is not None and told.startswith("Anki profile 'User 1' has reviews of ")
    assert told.endswith(": studyapp sync-anki 'User 1'")

    accepted = offer_first_sync([learner.cards], learner.data, lambda question: True)

    assert accepted is not None and accepted.startswith("synced with Anki"), accepted
    assert offer_first_sync([learner.cards], learner.data, lambda question: True) is None
    assert "  to Anki: 0 reviews" in sync(capsys, learner)  # the offer's sync did it all

    other = learner.data.parent / "other-data"  # a learner who says no: asked once
    asked: list[str] = []
    declined = offer_first_sync([learner.cards], other, lambda q: asked.append(q) or False)
    assert declined == "not synced; when you want to: studyapp sync-anki 'User 1'"
    assert offer_first_sync([learner.cards], other, lambda q: asked.append(q) or True) is None
    assert len(asked) == 1
