"""`load`, the one reader of card files: the cache gives exactly what a fresh parse gives,
an edit parses only the edited card again, and a damaged cache is ignored."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from deckgen.cardformat.cache import CACHE_DIR_ENV, CACHE_FILE
from deckgen.cardformat.load import load
from deckgen.cardformat.recordings import Recording, save_recordings


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


def deck(title: str, count: int, front: str = "What is {n}?") -> str:
    cards = [
        f"## Card {n}: {title} {n}\n**Front:** {front.format(n=n)}\n**Back:** Answer {n}.\n"
        for n in range(count)
    ]
    return f"# {title}\n\n" + "\n".join(cards)


def test_cached_load_equals_a_fresh_parse_and_an_edit_parses_one_card(
    cache_dir: Path, write_card_file: Callable[..., Path]
) -> None:
    first = write_card_file("cards/a.md", deck("Alpha", 3))
    write_card_file("cards/Sub/b.md", deck("Beta", 2))
    write_card_file("cards/c.md", "# C\n\n## Card 1: Lonely\n**Front:** no back\n")
    folder = first.parent

    cold = load([folder])
    assert cold.parsed == 5  # the lonely card is a problem, not a card
    assert any("has no **Back:**" in error.message for error in cold.errors)
    assert (cache_dir / CACHE_FILE).is_file()

    warm = load([folder])
    assert warm.parsed == 0
    assert (warm.cards, warm.errors) == (cold.cards, cold.errors)
    assert [file.digest for file in warm.files] == [file.digest for file in cold.files]

    # A card inserted at the top: one card parsed, the others move down with their lines.
    text = first.read_text(encoding="utf-8")
    inserted = "## Card 9: New one\n**Front:** New?\n**Back:** Yes.\n\n"
    first.write_text(text.replace("## Card 0", inserted + "## Card 0", 1), encoding="utf-8")
    edited = load([folder])
    fresh = load([folder], use_cache=False)
    assert edited.parsed == 1
    assert (edited.cards, edited.errors) == (fresh.cards, fresh.errors)
    assert [file.digest for file in edited.files] != [file.digest for file in cold.files]


def test_a_files_digest_is_of_its_bytes_and_its_recordings_are_loaded(
    cache_dir: Path, write_card_file: Callable[..., Path]
) -> None:
    path = write_card_file("cards/a.md", deck("Alpha", 1))
    before = load([path])
    assert before.files[0].digest == hashlib.sha256(path.read_bytes()).hexdigest()
    card_id = before.cards[0].id
    save_recordings(path, {card_id: Recording("2026-12-06", "5.7.0", "ok")})
    after = load([path])
    assert after.files[0].recordings[card_id].output == "ok"
    assert after.files[0].digest == before.files[0].digest
    assert after.parsed == 0  # the cards themselves did not change


def test_a_damaged_cache_is_ignored(cache_dir: Path, write_card_file: Callable[..., Path]) -> None:
    path = write_card_file("cards/a.md", deck("Alpha", 2))
    first = load([path])
    (cache_dir / CACHE_FILE).write_bytes(b"\x80\x05garbage, not SQLite")
    again = load([path])
    assert again.cards == first.cards
    assert again.parsed == 2
