"""Rendering, media, deterministic ids and the note modification times."""

from __future__ import annotations

import sqlite3
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from deckgen.anki_package import (
    BASIC_MODEL_ID,
    CLOZE_MODEL_ID,
    REVERSED_MODEL_ID,
    deck_id,
    note_guid,
)
from deckgen.build import build
from deckgen.cardformat.cache import CACHE_DIR_ENV, CACHE_FILE
from deckgen.cardformat.load import CardSet, load
from deckgen.cardformat.parse import parse_document
from deckgen.cardformat.pool import PARALLEL_MIN_BYTES
from deckgen.highlight import highlight_code
from deckgen.note_stamps import NoteStamps
from deckgen.render import ANKI_HTML, RenderedCard, render_card


def render_one(text: str, path: Path = Path("deck.md")) -> RenderedCard:
    document = parse_document(textwrap.dedent(text), path)
    assert document.errors == []
    rendered, errors = render_card(document.parsed[0], None)
    assert errors == [] and rendered is not None
    return rendered


def test_text_and_code_are_escaped_and_raw_html_is_not_injected() -> None:
    rendered = render_one(
        """\
        # D
        ## Q
        **Front:** is a < b & c? <script>alert(1)</script>
        **Back:**
        ```python
        if a < b and c > d: print("&amp;")
        ```
        """
    )
    front, back, run = rendered.fields
    assert front == ("<p>is a &lt; b &amp; c? &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert back.startswith('<pre style="background:#')
    assert "&lt;" in back and "&gt;" in back and "&amp;amp;" in back
    assert "<span style=" in back
    assert run == ""


def test_unknown_language_falls_back_to_plain_text() -> None:
    html = highlight_code("x <y>\n", "no-such-language")
    assert html.startswith('<pre style="background:#')
    assert "x &lt;y&gt;" in html


def test_tables_and_strikethrough() -> None:
    _, back, _ = render_one(
        """\
        # D
        ## Q
        **Front:** q
        **Back:**
        | a | b |
        |---|---|
        | ~~1~~ | 2 |
        """
    ).fields
    assert "<table>" in back and "<td><s>1</s></td>" in back


def test_run_field_shows_command_expect_and_options() -> None:
    _, _, run = render_one(
        """\
        # D
        ## Q
        **Front:** q
        **Back:** b
        **Run:** `celery -A config.celery_app worker`
        **Expect:** `ready`
        **Service:** yes
        """
    ).fields
    assert run.startswith('<div class="deckgen-run">')
    assert "celery" in run and "ready" in run
    assert "timeout 60 s, keeps running (service)" in run


def test_images_are_named_by_content(write_card_file: Callable[..., Path], tmp_path: Path) -> None:
    for folder, data in (("a", b"first"), ("b", b"second"), ("c", b"first")):
        (tmp_path / f"cards/{folder}").mkdir(parents=True)
        (tmp_path / f"cards/{folder}/img.png").write_bytes(data)
        write_card_file(
            f"cards/{folder}/deck.md",
            f"# {folder}\n## Q\n**Front:** q\n**Back:**\n![x](img.png)\n",
        )
    result = load([tmp_path / "cards"], ANKI_HTML)
    assert result.errors == []
    notes = notes_of(result)
    names = [note.media[0].name for note in notes]
    assert names[0] != names[1] and names[0] == names[2]
    assert all(name.endswith(".png") and len(name) == 28 for name in names)
    assert f'src="{names[1]}"' in notes[1].fields[1]


def test_missing_image_is_reported_at_its_line(write_card_file: Callable[..., Path]) -> None:
    path = write_card_file(
        "cards/deck.md",
        "# D\n## Q\n**Front:** q\n**Back:**\ntext\n![gone](gone.png) and ![web](https://x.org/a.png)\n",
    )
    errors = load([path], ANKI_HTML).errors
    assert [str(e) for e in errors] == [f"{path}:6: image not found: gone.png"]


def test_ids_are_deterministic_constants() -> None:
    assert len({BASIC_MODEL_ID, REVERSED_MODEL_ID, CLOZE_MODEL_ID}) == 3
    assert deck_id("Celery::Workers") == deck_id("Celery::Workers") != deck_id("Celery")
    assert 0 < deck_id("x") < 2**53
    assert note_guid("celery-ping") == note_guid("celery-ping") != note_guid("celery-pong")


def note_mods(package: Path, tmp_path: Path) -> dict[str, int]:
    with zipfile.ZipFile(package) as archive:
        archive.extract("collection.anki2", tmp_path / "unzipped")
    db = sqlite3.connect(tmp_path / "unzipped" / "collection.anki2")
    try:
        return dict(db.execute("select guid, mod from notes").fetchall())
    finally:
        db.close()


def test_mod_moves_only_for_changed_notes(
    write_card_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_card_file(
        "cards/deck.md", "# D\n## A\n**Front:** a\n**Back:** 1\n\n## B\n**Front:** b\n**Back:** 2\n"
    )
    out = tmp_path / "out.apkg"
    first = build([source], out)
    assert first.ok and first.cards_rendered == 2
    before = note_mods(out, tmp_path)

    again = build([source], out)
    assert again.cards_rendered == 0 and again.notes_changed == 0
    assert note_mods(out, tmp_path) == before

    source.write_text(source.read_text(encoding="utf-8").replace("**Back:** 2", "**Back:** 3"))
    edited = build([source], out)
    assert edited.cards_rendered == 1 and edited.notes_changed == 1
    after = note_mods(out, tmp_path)
    a, b = note_guid("d/a"), note_guid("d/b")
    assert after[a] == before[a]
    assert after[b] > before[b]  # strictly later, even within the same second


def test_stamp_rules(tmp_path: Path) -> None:
    stamps = NoteStamps(tmp_path / "c.json")
    assert stamps.stamp("card", "v1", now=100) == (100, True)
    assert stamps.stamp("card", "v1", now=200) == (100, False)
    assert stamps.stamp("card", "v2", now=100) == (101, True)  # same second: still later
    assert stamps.stamp("card", "v3", now=500) == (500, True)
    stamps.save({"card"}, tmp_path / "out.apkg", "notes")
    reloaded = NoteStamps.load(tmp_path / "c.json")
    assert reloaded.stamp("card", "v3", now=900) == (500, False)
    (tmp_path / "c.json").write_text("{not json")
    assert NoteStamps.load(tmp_path / "c.json").stamps == {}


def test_parallel_render_matches_sequential(tmp_path: Path) -> None:
    # Workers send parts back pickled: every kind of card must survive that.
    (tmp_path / "pic.png").write_bytes(b"\x89PNG fake image bytes")
    extras = [
        "**Tags:** alpha beta\n",
        "**Type:** reversed\n",
        "**Run:** `celery -A config.celery_app inspect ping`\n**Expect:**\n```text\npong\n```\n",
        "**Run:**\n```bash\nsleep 1\n```\n**Timeout:** 5\n**Service:** yes\n",
        "![a picture](pic.png)\n",
        "",
    ]
    body = (
        "".join(
            f"## Card {n}: Fact {n}\n**Front:** What is `opt_{n}`?\n**Back:**\n- **bold** {n}\n"
            f"```bash\necho {n} < in && ls\n```\n{extras[n % len(extras)]}\n"
            for n in range(400)
        )
        + "## Cloze card\n**Front:** The {{c1::broker}} holds messages.\n**Back:** extra\n"
    )
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(f"# Deck {name}\n\n{body}", encoding="utf-8")
    assert len(body) * 2 > PARALLEL_MIN_BYTES  # large enough for the process pool
    seen: list[tuple[int, int]] = []
    parallel = load([tmp_path], ANKI_HTML, 2, lambda d, t: seen.append((d, t)), use_cache=False)
    sequential = load([tmp_path], ANKI_HTML, 1, use_cache=False)
    assert parallel.errors == [] and parallel.parsed == 802
    assert seen[-1] == (802, 802) and len(seen) > 1
    assert notes_of(parallel) == notes_of(sequential)
    assert parallel.cards == sequential.cards


def test_a_damaged_cache_means_a_fresh_render(
    sample_deck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    out = tmp_path / "out.apkg"
    assert build([sample_deck], out).ok
    with sqlite3.connect(tmp_path / "cache" / CACHE_FILE) as db:
        db.execute("UPDATE card_files SET parsed = x'80056e6f74'")
    db.close()
    report = build([sample_deck], out)
    assert report.ok and report.cards_rendered == 5 and report.notes_changed == 0


def test_an_image_edited_in_place_gets_a_new_name_in_the_same_process(
    write_card_file: Callable[..., Path], tmp_path: Path
) -> None:
    # `deckgen watch` rebuilds in one process: a stale name would hide the new image from Anki.
    image = tmp_path / "cards/img.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"old picture")
    write_card_file("cards/deck.md", "# D\n## Q\n**Front:** q\n**Back:**\n![x](img.png)\n")

    def image_name() -> str:
        return next(note.media[0].name for note in notes_of(load([tmp_path / "cards"], ANKI_HTML)))

    before = image_name()
    image.write_bytes(b"a new, longer picture")
    assert image_name() != before


def notes_of(result: CardSet) -> list[RenderedCard]:
    return [note for file in result.files for note in file.rendered]
