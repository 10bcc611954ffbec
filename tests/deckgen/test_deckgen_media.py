"""Media stays inside the deck: images and file links must resolve (symlinks followed)
inside the folder given to `deckgen build`, or a directly given file's folder. Real files,
the real command line; web addresses stay links and are never fetched."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from deckgen_support import PNG, run_deckgen


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port nobody else uses: any fetch of a web image would connect to it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield server


def card(title: str, back: str) -> str:
    return f"## {title}\n**Front:** {title}?\n**Back:** {back}\n\n"


@pytest.fixture
def outside_files(tmp_path: Path) -> Path:
    """A secret one folder above the cards, and the cards folder with its own image."""
    (tmp_path / "secret.png").write_bytes(PNG + b"private")
    (tmp_path / "notes.txt").write_text("private notes")
    cards = tmp_path / "cards"
    (cards / "img").mkdir(parents=True)
    (cards / "img" / "ok.png").write_bytes(PNG)
    return cards


def test_links_out_of_the_deck_folder_fail_and_write_nothing(
    outside_files: Path, tmp_path: Path
) -> None:
    cards = outside_files
    (cards / "img" / "leak.png").symlink_to(tmp_path / "secret.png")
    deck = cards / "deck.md"
    deck.write_text(
        "# Deck\n\n"  # lines 1-2; the cards' Back lines are 5, 9, 13, 17
        + card("Relative", "![x](../secret.png)")
        + card("Absolute", f"![x]({tmp_path / 'secret.png'})")
        + card("Symlink", "![x](img/leak.png)")
        + card("File link", "[notes](../notes.txt)"),
        encoding="utf-8",
    )
    out = tmp_path / "out" / "deck.apkg"
    result = run_deckgen("build", cards, "-o", out)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{deck}:5: image ../secret.png is outside the deck folder {cards}",
        f"{deck}:9: image {tmp_path / 'secret.png'} is outside the deck folder {cards}",
        f"{deck}:13: image img/leak.png is outside the deck folder {cards}",
        f"{deck}:17: link ../notes.txt is outside the deck folder {cards}",
    ]
    assert not out.exists() and not (tmp_path / "out").exists()


def test_a_file_given_directly_is_held_to_its_own_folder(
    outside_files: Path, tmp_path: Path
) -> None:
    sub = outside_files / "sub"
    sub.mkdir()
    deck = sub / "deck.md"
    deck.write_text("# Deck\n\n" + card("Up one", "![x](../img/ok.png)"), encoding="utf-8")
    out = tmp_path / "deck.apkg"
    result = run_deckgen("build", deck, "-o", out)
    assert result.returncode == 1
    assert result.stderr == f"{deck}:5: image ../img/ok.png is outside the deck folder {sub}\n"
    assert not out.exists()
    # The same card built from the folder above is inside its deck folder.
    assert run_deckgen("build", outside_files, "-o", out).returncode == 0


def test_links_inside_the_folder_build_and_web_images_are_not_fetched(
    outside_files: Path, tmp_path: Path, listener: socket.socket
) -> None:
    cards = outside_files
    (cards / "img" / "alias.png").symlink_to(cards / "img" / "ok.png")  # stays inside
    port = listener.getsockname()[1]
    (cards / "deck.md").write_text(
        "# Deck\n\n"
        + card("Relative", "![x](img/ok.png) and [the picture](img/ok.png)")
        + card("Absolute inside", f"![x]({cards / 'img' / 'ok.png'})")
        + card("Symlink inside", "![x](img/alias.png)")
        + card("Web", f"![x](http://127.0.0.1:{port}/x.png) [site](https://example.org)"),
        encoding="utf-8",
    )
    out = tmp_path / "deck.apkg"
    result = run_deckgen("build", cards, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "4 cards" in result.stdout
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing connected: the web image was left as a link
