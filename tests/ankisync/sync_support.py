"""A learner who studies one deck in Anki and in the terminal, for the sync-anki tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from anki_support import studyapp

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
