"""`studyapp sync-anki` and the learner's own changes to the course's notes in Anki: their
fields, tags and note types survive; a card changed on both sides is named and the
learner's text kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from anki.collection import Collection
from anki_support import card_by_key, key_of
from sync_support import (
    NOTHING_MOVED,
    Learner,
    after_the_build,
    change_card,
    edit_in_anki,
    note_of,
    reviews_in_anki,
    reviews_in_terminal,
    sync,
)

from studyapp.clock import ManualClock
from studyapp.session import ReviewSession
from studyapp.study import Study

KEPT_TAG = "studyapp-kept-your-edit"


def style_in_anki(col: Collection, card_id: str) -> tuple[str, str]:
    """The learner's own CSS and question template on the note type; (css, qfmt)."""
    notetype = col.models.get(note_of(col, card_id).mid)
    assert notetype is not None
    notetype["css"] += "\n.card { color: teal; }"
    notetype["tmpls"][0]["qfmt"] += "<div>my hint</div>"
    col.models.update_dict(notetype)
    return notetype["css"], notetype["tmpls"][0]["qfmt"]


def test_edits_in_anki_survive_a_first_sync_and_are_named(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deck imported by hand, no sync yet, and a fresh data folder: nothing to compare but
    Anki's note times, so whatever the learner edited stays."""
    col = Collection(str(learner.collection))
    edit_in_anki(col, "sync-worker", back="A worker (my words).")
    edit_in_anki(col, "sync-broker", tag="my-tag")
    edit_in_anki(col, "sync-beat", back="Beat, the scheduler (my words).")
    css, qfmt = style_in_anki(col, "sync-worker")
    col.close()
    change_card(learner.cards, "celery beat.", "The celery beat scheduler.")  # also edited
    change_card(learner.cards, "The result backend.", "The configured result backend.")

    planned = sync(capsys, learner, "--dry-run")
    done = sync(capsys, learner)

    for out, verb in ((planned, " would"), (done, "")):
        assert f"  course changes{verb} reach 1 notes (sync-result)\n" in out, out
        assert "  kept as edited in Anki: 2 notes (sync-beat, sync-worker)" in out, out
    col = Collection(str(learner.collection))
    try:
        assert note_of(col, "sync-worker")["Back"] == "A worker (my words)."
        assert note_of(col, "sync-beat")["Back"] == "Beat, the scheduler (my words)."
        assert "my-tag" in note_of(col, "sync-broker").tags
        assert "configured result backend" in note_of(col, "sync-result")["Back"]
        notetype = col.models.get(note_of(col, "sync-worker").mid)
        assert notetype is not None
        assert (notetype["css"], notetype["tmpls"][0]["qfmt"]) == (css, qfmt)
    finally:
        col.close()


def test_after_a_sync_only_the_side_that_changed_a_note_counts(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    col = Collection(str(learner.collection))
    edit_in_anki(col, "sync-worker", back="A worker (my words).")  # Anki only
    edit_in_anki(col, "sync-beat", back="Beat (my words).")  # both
    col.close()
    change_card(learner.cards, "celery beat.", "The celery beat scheduler.")
    change_card(learner.cards, "The result backend.", "The configured result backend.")

    planned = sync(capsys, learner, "--dry-run")
    out = sync(capsys, learner)

    for said, verb in ((planned, " would"), (out, "")):
        assert f"  course changes{verb} reach 1 notes (sync-result)\n" in said, said
        assert "  changed in Anki and in the course: 1 notes (sync-beat)" in said, said
        assert "sync-worker" not in said
    col = Collection(str(learner.collection))
    try:
        assert note_of(col, "sync-worker")["Back"] == "A worker (my words)."
        assert "configured result backend" in note_of(col, "sync-result")["Back"]
        beat = note_of(col, "sync-beat")
        assert "The celery beat scheduler." in beat["Back"]
        assert "Beat (my words)." in beat["Back"]
        assert col.find_notes(f"tag:{KEPT_TAG}") == [beat.id]
        before = col.db.all("select id, mod, flds, tags from notes order by id")
    finally:
        col.close()

    again = sync(capsys, learner)

    assert "course changes" not in again and "changed in Anki" not in again
    col = Collection(str(learner.collection))
    try:
        assert col.db.all("select id, mod, flds, tags from notes order by id") == before
    finally:
        col.close()


def test_a_note_deleted_in_anki_stays_deleted_until_asked_back_and_no_review_doubles(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    col = Collection(str(learner.collection))
    reviewed = next(
        c for c in ("sync-broker", "sync-worker", "sync-beat") if reviews_in_anki(col, c)
    )
    reviews = reviews_in_anki(col, reviewed)
    rows_before = col.db.scalar("select count() from revlog")
    deleted = note_of(col, reviewed).id
    col.remove_notes([deleted])
    col.close()
    after_the_build(deleted)  # the package the note comes back from is built later
    change_card(learner.cards, "The result backend.", "The configured result backend.")

    planned = sync(capsys, learner, "--dry-run")
    done = sync(capsys, learner)

    for out in (planned, done):
        assert f"  left out: deleted in Anki: 1 notes ({reviewed});" in out, out
        assert "  deck: 0 new notes" in out, out
    assert NOTHING_MOVED in done
    col = Collection(str(learner.collection))
    try:
        assert col.db.scalar("select count() from notes where guid = ?", key_of(reviewed)[0]) == 0
        assert col.db.scalar("select count() from revlog") == rows_before
    finally:
        col.close()
    assert reviews_in_terminal(learner, reviewed) == reviews

    back = sync(capsys, learner, "--restore-deleted")

    assert "  deck: 1 new notes added to Anki" in back and "left out" not in back, back
    col = Collection(str(learner.collection))
    try:
        assert reviews_in_anki(col, reviewed) == reviews  # each review once, none renumbered
        assert col.db.scalar("select count() from revlog") == rows_before
    finally:
        col.close()
    assert reviews_in_terminal(learner, reviewed) == reviews
    assert "left out" not in sync(capsys, learner)


def test_a_review_undone_after_it_reached_anki_leaves_ankis_log_at_the_next_sync(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    # Past every review so far: its id is its time, not one nudged next to an Anki row.
    clock = ManualClock(datetime.now(UTC))
    study = Study.open([learner.cards], learner.data, clock)
    try:
        session = ReviewSession(study, None)
        card = session.current()
        assert card is not None
        clock.advance(timedelta(seconds=7))
        session.grade(3)
        good = study.store.history(card.id)[-1].id
        assert "to Anki: 1 reviews" in sync(capsys, learner)
        col = Collection(str(learner.collection))
        assert good in reviews_in_anki(col, card.id)
        col.close()

        assert session.undo() == "grade"
        clock.advance(timedelta(seconds=7))
        session.grade(1)
        again = study.store.history(card.id)[-1].id
    finally:
        study.close()

    planned = sync(capsys, learner, "--dry-run")
    done = sync(capsys, learner)

    for out, verb in ((planned, "would be "), (done, "")):
        assert (
            f"  taken back with undo in the terminal: 1 reviews {verb}removed from Anki's log"
            in out
        ), out
        assert "  to Anki: 1 reviews, 1 card schedules" in out, out
    col = Collection(str(learner.collection))
    try:
        in_anki = reviews_in_anki(col, card.id)
        assert good not in in_anki and in_anki[-1] == again
        assert card_by_key(col, *key_of(card.id)).type in (1, 3)  # learning again after Again
    finally:
        col.close()
    assert reviews_in_terminal(learner, card.id) == in_anki
    assert NOTHING_MOVED in sync(capsys, learner)
