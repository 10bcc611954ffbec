"""Every bad input of the issue, through the real CLI: one `path:line: message` line per
problem, exit status 1, no traceback, and the previous .apkg (and its note record) untouched."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from deckgen_support import run_deckgen

from deckgen.build import build

GOOD = "# Good\n\n## Fine card\n**Front:** a question\n**Back:** an answer\n"
ERROR_LINE = re.compile(r"^\S+:\d+: \S.*$")


def make_bad_input(name: str, root: Path) -> tuple[list[Path], str]:
    """Write one broken input below root; return the paths to build and the expected line."""
    cards = root / "cards"
    cards.mkdir(exist_ok=True)
    (cards / "good.md").write_text(GOOD, encoding="utf-8")
    bad = cards / "bad.md"
    if name == "no back":
        bad.write_text("# Bad\n\n## Lonely\n**Front:** where is my answer?\n", encoding="utf-8")
        return [cards], f"{bad}:3: card 'Lonely' has no **Back:**"
    if name == "empty front":
        bad.write_text("# Bad\n\n## Blank\n**Front:**\n**Back:** b\n", encoding="utf-8")
        return [cards], f"{bad}:4: empty **Front:**"
    if name == "unknown label":
        bad.write_text("# Bad\n## Q\n**Front:** a\n**Back:** b\n**Answer:** c\n", encoding="utf-8")
        return [cards], f"{bad}:5: unknown label **Answer:**"
    if name == "unclosed fence":
        text = "# Bad\n## One\n**Front:** a\n**Back:**\n```bash\necho hi\n\n## Two\n"
        bad.write_text(text + "**Front:** c\n**Back:** d\n", encoding="utf-8")
        return [cards], f"{bad}:5: code fence ``` is never closed"
    if name == "duplicate ids":
        bad.write_text("# Bad\n## Q\n**ID:** shared\n**Front:** a\n**Back:** b\n", encoding="utf-8")
        other = cards / "other.md"
        other.write_text("# Other\n## R\n**ID:** shared\n**Front:** c\n**Back:** d\n", "utf-8")
        return [cards], f"{other}:2: duplicate id 'shared': the card at {bad}:2 has the same id"
    if name == "not utf-8":
        bad.write_bytes(b"# Bad\n## Q\n**Front:** caf\xe9\n**Back:** b\n")
        return [cards], f"{bad}:3: not valid UTF-8 (byte 0xe9)"
    if name == "empty file":
        bad.write_bytes(b"")
        return [cards], f"{bad}:1: empty file"
    if name == "folder without markdown":
        bad.unlink(missing_ok=True)
        empty = root / "nothing-here"
        empty.mkdir()
        (empty / "readme.txt").write_text("no cards", encoding="utf-8")
        return [cards, empty], f"{empty}:1: no Markdown (*.md) files in this folder"
    if name == "missing image":
        text = "# Bad\n## Picture\n**Front:** which diagram?\n**Back:**\nSee below.\n\n"
        bad.write_text(text + "![flow](img/flow.png)\n", encoding="utf-8")
        return [cards], f"{bad}:7: image not found: img/flow.png"
    if name == "bad expect regex":
        text = "# Bad\n## Q\n**Front:** a\n**Back:** b\n**Run:** `echo hi`\n"
        bad.write_text(text + "**Expect:** `re: ([unclosed`\n", encoding="utf-8")
        return [cards], (
            f"{bad}:6: **Expect:** line 1 is not a valid regular expression: "
            "unterminated character set at position 1"
        )
    raise AssertionError(name)


BAD_INPUTS = [
    "no back",
    "empty front",
    "unknown label",
    "unclosed fence",
    "duplicate ids",
    "not utf-8",
    "empty file",
    "folder without markdown",
    "missing image",
    "bad expect regex",
]


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_fails_cleanly_and_keeps_the_previous_deck(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out" / "deck.apkg"
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "good.md").write_text(GOOD, encoding="utf-8")
    assert build([tmp_path / "cards"], out).ok
    record = out.with_name("deck.apkg.notes.json")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (out, record)}

    paths, expected = make_bad_input(name, tmp_path)
    result = run_deckgen("build", *paths, "-o", out)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, "an error must be printed"
    assert all(ERROR_LINE.match(line) for line in lines), lines
    assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (out, record)} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.apkg", "deck.apkg.notes.json"]


def test_unclosed_fence_does_not_swallow_cards_silently(tmp_path: Path) -> None:
    paths, expected = make_bad_input("unclosed fence", tmp_path)
    result = run_deckgen("check", *paths)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected]


def test_check_and_list_report_the_same_way(
    write_card_file: Callable[..., Path], tmp_path: Path
) -> None:
    bad = write_card_file("cards/bad.md", "# D\n## Q\n**Front:** a\n")
    for command in ("check", "list"):
        result = run_deckgen(command, bad)
        assert result.returncode == 1
        assert result.stderr == f"{bad}:2: card 'Q' has no **Back:**\n"
        assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_missing_path_is_an_error_without_output(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    result = run_deckgen("build", tmp_path / "missing.md", "-o", out)
    assert result.returncode == 1
    assert result.stderr == f"{tmp_path / 'missing.md'}:1: no such file or folder\n"
    assert not out.exists()
