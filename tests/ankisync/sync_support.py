"""A learner who studies one deck in Anki and in the terminal, for the sync-anki tests."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.notes import Note
from anki_support import card_by_key, key_of, studyapp

from studyapp.study import Study

NOTHING_MOVED = (
    "  to Anki: 0 reviews, 0 card schedules\n  to the terminal: 0 reviews, 0 card schedules"
)


@dataclass(frozen=True)
class Learner:
    cards: Path  # the deck files (a copy each test may edit)
    collection: Path  # the profile's collection.anki2
    data: Path  # the terminal's data folder


def sync(capsys: pytest.CaptureFixture[str], learner: Learner, *extra: str) -> str:
    """`studyapp sync-anki` on the learner's collection; its output (it must succeed)."""
    status, out, err = studyapp(
        capsys, "sync-anki", learner.collection, "--data-dir", learner.data, learner.cards, *extra
    )
    assert (status, err) == (0, ""), err
    return out


def note_of(col: Collection, card_id: str) -> Note:
    return col.get_note(card_by_key(col, *key_of(card_id)).nid)


def edit_in_anki(col: Collection, card_id: str, back: str = "", tag: str = "") -> None:
    """The learner edits a note in Anki's editor, some time after importing the deck."""
    note = note_of(col, card_id)
    after_the_build(note.id)
    if back:
        note["Back"] = back
    if tag:
        note.tags.append(tag)
    col.update_note(note)


def after_the_build(nid: int) -> None:
    """Wait, if need be, until the second after the build of the package a note came from
    (deckgen's package numbers notes and cards by its build time): a learner works in Anki
    later, and a package built from now on numbers its cards apart from the old ones."""
    built = nid // 1000
    if time.time() < built + 1:
        time.sleep(built + 1 - time.time())


def change_card(cards: Path, old: str, new: str) -> None:
    deck = cards / "sync.md"
    text = deck.read_text("utf-8")
    assert old in text
    deck.write_text(text.replace(old, new), "utf-8")


def reviews_in_anki(col: Collection, card_id: str) -> list[int]:
    """The answers in Anki's log of one course card (by its note, as the card id may change)."""
    cid = card_by_key(col, *key_of(card_id)).id
    return list(col.db.list("select id from revlog where cid = ? and ease > 0 order by id", cid))


def reviews_in_terminal(learner: Learner, card_id: str) -> list[int]:
    study = Study.open([learner.cards], learner.data)
    try:
        return sorted(entry.id for entry in study.store.history(card_id))
    finally:
        study.close()
