"""The build's fast paths keep the results of the plain ones: worker-encoded cache entries,
the cache written beside the package, memoized highlighting and regex slugs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckgen.build import PARALLEL_MIN_BYTES, build
from deckgen.cache import cache_path_for
from deckgen.highlight import highlight_block, highlight_code
from deckgen.ids import slugify
from deckgen.package import PackageWriter


def write_deck(folder: Path, cards: int) -> Path:
    """Two files of numbered cards (400 each are enough for the worker processes)."""
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f"## Card {n}: Fact {n}\n**Front:** What is `opt_{n}`?\n**Back:**\n- **bold** {n}\n"
        f"```bash\necho {n % 7} < in && ls\n```\n\n"
        for n in range(cards)
    )
    for name in ("a", "b"):
        (folder / f"{name}.md").write_text(f"# Deck {name}\n\n{body}", encoding="utf-8")
    return folder


def test_entries_encoded_by_workers_are_reused_by_the_next_build(tmp_path: Path) -> None:
    source = write_deck(tmp_path / "cards", cards=400)
    assert sum(p.stat().st_size for p in source.iterdir()) > PARALLEL_MIN_BYTES
    out = tmp_path / "out" / "deck.apkg"
    first = build([source], out, jobs=2)
    assert first.ok and first.cards_rendered == 800
    cache = json.loads(cache_path_for(out).read_text(encoding="utf-8"))
    assert len(cache["chunks"]) == 800 and len(cache["stamps"]) == 800

    again = build([source], out, jobs=2)
    assert again.ok and again.cards_rendered == 0 and again.notes_changed == 0

    edited = source / "b.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("**bold** 7\n", "**bold** 8\n"))
    third = build([source], out, jobs=2)
    assert third.cards_rendered == 1 and third.notes_changed == 1


def test_a_failed_package_write_keeps_the_old_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_deck(tmp_path / "cards", cards=20)
    out = tmp_path / "out" / "deck.apkg"
    assert build([source], out).ok
    cache_file = cache_path_for(out)
    before = cache_file.read_bytes()
    edited = source / "a.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("**bold** 3\n", "**bold** 4\n"))

    def fail(self: PackageWriter, output: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PackageWriter, "finish", fail)
    with pytest.raises(OSError):
        build([source], out)
    # New stamps beside the old package would hide the edited note from Anki.
    assert cache_file.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.apkg", "deck.apkg.cache.json"]


def test_repeated_code_is_highlighted_like_the_first_time() -> None:
    code = "celery -A config.celery_app worker -l info\n"
    first = highlight_code(code, "bash")
    assert highlight_code(code, "bash") == first == highlight_block(code, "bash")
    # The language is part of the key: the same text as plain text has no colours.
    assert highlight_code(code, "text") == highlight_block(code, "text") != first


def reference_slug(text: str) -> str:
    """The definition: runs of characters for which str.isalnum() holds, joined by '-'."""
    words: list[str] = []
    current: list[str] = []
    for char in text.casefold():
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return "-".join(words)


@given(st.text(max_size=40))
def test_slugify_keeps_letters_and_digits_of_any_script(text: str) -> None:
    assert slugify(text) == reference_slug(text)
