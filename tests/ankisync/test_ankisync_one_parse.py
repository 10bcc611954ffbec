"""The Anki sync reads the card files once: the study app it opens renders each card while
parsing it, so the deck's package is built from the card cache without parsing again."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.build import build
from deckgen.cardformat.cache import CACHE_DIR_ENV
from studyapp.ankisync.deck import opened_study

DECK = "# Once\n\n" + "".join(
    f"## Card {n}: Fact {n}\n**Front:** What is `opt_{n}`?\n**Back:**\n```bash\necho {n}\n```\n\n"
    for n in range(5)
)


def test_the_package_is_built_from_the_cards_the_study_app_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))  # cold: nothing read before
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "once.md").write_text(DECK, encoding="utf-8")
    with opened_study([cards], tmp_path / "data") as study:
        assert len(study.cards) == 5
    report = build([cards], tmp_path / "deck.apkg")
    assert report.ok and report.cards == 5
    assert report.cards_rendered == 0  # parsed (and rendered) once, by the study app's load
