"""The parse cache gives exactly what the parser gives, and re-parses only changed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from core_support import CardSpec, titled, write_deck

import studyapp.source_cache as source_cache
from deckgen.parser import parse_paths
from studyapp.locations import DataFolder
from studyapp.source_cache import parse_with_cache


@pytest.fixture
def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records which files really get parsed (the real parser still does the work)."""
    seen: list[Path] = []
    real = source_cache.parse_file

    def counting(path: Path, deck_prefix: tuple[str, ...] = ()) -> object:
        seen.append(path)
        return real(path, deck_prefix)

    monkeypatch.setattr(source_cache, "parse_file", counting)
    return seen


def test_cache_matches_the_parser_and_reparses_only_changed_files(
    cards_dir: Path, data_dir: Path, parsed_files: list[Path]
) -> None:
    first = write_deck(cards_dir / "a.md", "A", titled(3, "Alpha"))
    second = write_deck(cards_dir / "Sub" / "b.md", "B", [CardSpec("Dup", card_id="alpha-0")])
    (cards_dir / "c.md").write_text("# C\n\n## Card 1: Lonely\n**Front:** no back\n")

    cold = parse_with_cache([cards_dir], data_dir)
    assert cold == parse_paths([cards_dir])
    assert any("duplicate id" in error.message for error in cold.errors)
    assert DataFolder(data_dir).parse_cache.is_file()
    assert len(parsed_files) == 3

    parsed_files.clear()
    assert parse_with_cache([cards_dir], data_dir) == cold
    assert parsed_files == []

    write_deck(first, "A", [CardSpec("Alpha edited", card_id="alpha-0", front="New front")])
    edited = parse_with_cache([cards_dir], data_dir)
    assert parsed_files == [first]
    assert edited == parse_paths([cards_dir])
    assert [card.front for card in edited.cards if card.deck == "A"] == ["New front"]
    assert second.exists()


def test_a_damaged_cache_is_ignored(cards_dir: Path, data_dir: Path) -> None:
    write_deck(cards_dir / "a.md", "A", titled(2))
    parse_with_cache([cards_dir], data_dir)
    DataFolder(data_dir).parse_cache.write_bytes(b"\x80\x05garbage")
    assert parse_with_cache([cards_dir], data_dir) == parse_paths([cards_dir])
