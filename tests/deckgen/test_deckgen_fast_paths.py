"""The build's fast paths keep the results of the plain ones: notes rendered on worker
processes and kept in the card cache, the note record written beside the package, and
regex slugs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckgen.anki_package import PackageWriter
from deckgen.build import build
from deckgen.cardformat.ids import slugify
from deckgen.cardformat.pool import PARALLEL_MIN_BYTES
from deckgen.note_stamps import stamps_path_for


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


def test_notes_rendered_by_workers_are_reused_by_the_next_build(tmp_path: Path) -> None:
    source = write_deck(tmp_path / "cards", cards=400)
    assert sum(p.stat().st_size for p in source.iterdir()) > PARALLEL_MIN_BYTES
    out = tmp_path / "out" / "deck.apkg"
    first = build([source], out, jobs=2)
    assert first.ok and first.cards_rendered == 800
    record = json.loads(stamps_path_for(out).read_text(encoding="utf-8"))
    assert len(record["stamps"]) == 800

    again = build([source], out, jobs=2)
    assert again.ok and again.cards_rendered == 0 and again.notes_changed == 0

    edited = source / "b.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("**bold** 7\n", "**bold** 8\n"))
    third = build([source], out, jobs=2)
    assert third.cards_rendered == 1 and third.notes_changed == 1


def test_a_failed_package_write_keeps_the_old_note_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_deck(tmp_path / "cards", cards=20)
    out = tmp_path / "out" / "deck.apkg"
    assert build([source], out).ok
    record = stamps_path_for(out)
    before = record.read_bytes()
    edited = source / "a.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("**bold** 3\n", "**bold** 4\n"))

    def fail(self: PackageWriter, output: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PackageWriter, "write", fail)
    with pytest.raises(OSError):
        build([source], out)
    # New stamps beside the old package would hide the edited note from Anki.
    assert record.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.apkg", "deck.apkg.notes.json"]


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
