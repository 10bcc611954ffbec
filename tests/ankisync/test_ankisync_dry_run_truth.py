"""`sync-anki --dry-run` says what the run then does, with every case at once: an older
collection, notes edited in Anki and in the course, a note deleted in Anki, a new card,
a review undone after it reached Anki, reviews on both sides since, and two reviews with
the same time in ms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from anki.collection import Collection
from anki_support import answer, key_of
from sync_support import Learner, change_card, edit_in_anki, note_of, reviews_in_anki, sync

from studyapp.clock import ManualClock
from studyapp.session import ReviewSession
from studyapp.study import Study

NEW_CARD = """
## Card 7: Flower
**ID:** sync-flower
**Front:** What watches the workers over HTTP?
**Back:** Flower.
"""


def shape(out: str) -> list[tuple[str, list[str]]]:
    """The report without its wording of time: each line's subject, counts and names."""
    found = []
    for line in out.splitlines()[1:]:
        if line.startswith("  backup:"):
            continue
        line = line.split("; as it was:")[0].split(" after a backup")[0]
        subject = re.sub(r"\b(would|be|went|go|is)\b ?", "", line.split(":")[0])[:30]
        found.append((subject, re.findall(r"\(.*?\)|\d+", line)))
    return found


def test_the_dry_run_counts_what_the_run_does(
    learner: Learner, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(capsys, learner)
    clock = ManualClock(datetime.now(UTC))
    study = Study.open([learner.cards], learner.data, clock)
    try:  # a review that reaches Anki and is then taken back in the terminal
        session = ReviewSession(study, None)
        clock.advance(timedelta(seconds=7))
        session.grade(3)
        sync(capsys, learner)
        assert session.undo() == "grade"
        clock.advance(timedelta(seconds=7))
        session.grade(1)
        again = study.store.load_revlog()[-1]
    finally:
        study.close()
    col = Collection(str(learner.collection))
    try:
        edit_in_anki(col, "sync-worker", back="A worker (my words).")  # Anki only
        edit_in_anki(col, "sync-beat", back="Beat (my words).")  # and the course
        col.remove_notes([note_of(col, "sync-retry").id])
        answered = answer(col, "Sync Basics", (3, 2))
        other = next(
            cid
            for cid in answered
            if cid != col.find_cards(f"nid:{note_of(col, again.card_id).id}")[0]
        )
        same_ms = reviews_in_anki(col, _card_id_of(col, other))[-1]
    finally:
        col.close(downgrade=True)  # and an older Anki has had it: schema 11
    study = Study.open([learner.cards], learner.data)
    try:  # the terminal's Again and Anki's new answer share their ms
        study.store.renumber_reviews({again.id: same_ms})
    finally:
        study.close()
    change_card(learner.cards, "celery beat.", "The celery beat scheduler.")
    change_card(learner.cards, "The result backend.", "The configured result backend.")
    (learner.cards / "sync.md").write_text(
        (learner.cards / "sync.md").read_text("utf-8") + NEW_CARD, "utf-8"
    )

    planned = sync(capsys, learner, "--dry-run")
    done = sync(capsys, learner)

    assert shape(planned) == shape(done), (planned, done)
    for expected in (
        "  deck: 1 new notes added to Anki",
        "  course changes reach 1 notes (sync-result)",
        "  changed in Anki and in the course: 1 notes (sync-beat)",
        "  left out: deleted in Anki: 1 notes (sync-retry)",
        "  taken back with undo in the terminal: 1 reviews removed from Anki's log",
        "  collection upgraded from schema 11 to 18",
    ):
        assert expected in done, done
    assert "left out: 1 reviews whose time" not in done


def _card_id_of(col: Collection, cid: int) -> str:
    """The terminal's id of an Anki card of the deck (its note's GUID and template)."""
    card = col.get_card(cid)  # type: ignore[arg-type]
    guid = col.get_note(card.nid).guid
    for card_id in ("sync-broker", "sync-worker", "sync-beat", "sync-result", "sync-both"):
        for suffix in ("", ":reverse"):
            if key_of(card_id + suffix) == (guid, card.ord):
                return card_id + suffix
    raise AssertionError(f"card {cid} is not one of the deck's")
