"""Proof with the official Anki library: import, re-import and update in place."""

from __future__ import annotations

import itertools
import sqlite3
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from anki.collection import Collection
from deckgen_support import PNG, SAMPLE_DECK, import_apkg
from genanki.apkg_schema import APKG_SCHEMA

from deckgen.anki_package import make_note
from deckgen.build import build
from deckgen.cardformat.parse import parse_text

if TYPE_CHECKING:  # anki.cards must not be imported before anki.collection
    from anki.cards import Card as AnkiCard

EXTRA_DECK = textwrap.dedent(
    """\
    # Shell Corner
    **Type:** reversed

    ## Redirects
    **Front:** What does `cmd < in.txt` do?
    **Back:**
    ```bash
    sort < names.txt && echo "done & dusted"
    ```
    ![pipeline](img/flow.png)
    """
)


@pytest.fixture
def deck_sources(write_card_file: Callable[..., Path], tmp_path: Path) -> Path:
    write_card_file("cards/Celery/basics.md", SAMPLE_DECK)
    write_card_file("cards/shell.md", EXTRA_DECK)
    (tmp_path / "cards/img").mkdir()
    (tmp_path / "cards/img/flow.png").write_bytes(PNG)
    # Same file name, other content: media must not collide.
    (tmp_path / "cards/Celery/img").mkdir()
    (tmp_path / "cards/Celery/img/flow.png").write_bytes(PNG + b"other")
    return tmp_path / "cards"


def import_package(col: Collection, package: Path) -> tuple[int, int, int]:
    """(new, updated, unchanged) notes as Anki's importer reports them."""
    log = import_apkg(col, package)
    assert not log.conflicting and not log.missing_notetype and not log.missing_deck
    return len(log.new), len(log.updated), len(log.duplicate)


def card_by_front(col: Collection, text: str) -> AnkiCard:
    (card_id,) = [cid for cid in col.find_cards("") if text in col.get_card(cid).question()]
    return col.get_card(card_id)


def test_import_counts_decks_and_html(
    deck_sources: Path, collection: Collection, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "deck.apkg"
    report = build([deck_sources], out)
    assert report.ok, report.errors
    assert (report.decks, report.cards) == (2, 6)

    assert import_package(collection, out) == (6, 0, 0)
    assert collection.note_count() == 6
    assert collection.card_count() == 7  # the reversed note has two cards
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"Celery", "Celery::Task Queue Basics", "Shell Corner"} <= names

    worker = card_by_front(collection, "Which command starts a worker")
    answer = worker.answer()
    assert '<pre style="background:' in answer
    assert '<span style="color:' in answer  # Pygments, inline styles
    assert "<li><code>-A</code> names the application module</li>" in answer

    ping = card_by_front(collection, "at least one worker answers")
    assert "<code>x &lt; y &amp;&amp; z</code> stays text" in ping.answer()
    assert 'class="deckgen-run"' in ping.answer()
    assert "inspect" in ping.answer() and "pong" in ping.answer()
    assert 'class="deckgen-run"' not in ping.question()

    backends = card_by_front(collection, "result backends differ")
    assert "<table>" in backends.answer() and "<s>yes</s>" in backends.answer()

    cloze = card_by_front(collection, "to try again later")
    assert "self.retry(countdown=10)" not in cloze.question()
    assert "self.retry(countdown=10)" in cloze.answer()

    redirect = card_by_front(collection, "cmd &lt; in.txt")
    shell_html = redirect.answer()
    assert "&lt;" in shell_html and "&amp;&amp;" in shell_html
    assert "<script" not in shell_html
    media_dir = Path(collection.media.dir())
    bundled = sorted(p.name for p in media_dir.iterdir())
    assert len(bundled) == 1 and bundled[0].endswith(".png")
    assert f'src="{bundled[0]}"' in shell_html
    assert (media_dir / bundled[0]).read_bytes() == PNG
    shell_cards = [collection.get_card(c) for c in collection.find_cards('"deck:Shell Corner"')]
    assert sorted(c.ord for c in shell_cards) == [0, 1]
    assert len({c.nid for c in shell_cards}) == 1
    back_first = next(c for c in shell_cards if c.ord == 1)
    assert "names.txt" in back_first.question() and "cmd &lt; in.txt" not in back_first.question()


def test_reimport_and_one_edit_update_exactly_one_note(
    deck_sources: Path, collection: Collection, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "deck.apkg"
    assert build([deck_sources], out).ok
    assert import_package(collection, out) == (6, 0, 0)

    # Rebuilding unchanged sources: nothing new, nothing updated.
    assert build([deck_sources], out).ok
    assert import_package(collection, out) == (0, 0, 6)

    # A learner's edit inside Anki survives rebuilds of unchanged sources.
    broker = card_by_front(collection, "holds the messages").note()
    broker["Back"] = "my own wording"
    collection.update_note(broker)

    basics = deck_sources / "Celery" / "basics.md"
    text = basics.read_text(encoding="utf-8")
    basics.write_text(text.replace("sets the log level", "picks the log level"), "utf-8")
    report = build([deck_sources], out)
    assert report.ok and report.notes_changed == 1
    assert import_package(collection, out) == (0, 1, 5)
    assert "picks the log level" in card_by_front(collection, "starts a worker").answer()
    assert collection.get_note(broker.id)["Back"] == "my own wording"

    # A second edit within the same second must still count as newer.
    basics.write_text(text.replace("sets the log level", "chooses the log level"), "utf-8")
    assert build([deck_sources], out).ok
    assert import_package(collection, out) == (0, 1, 5)
    assert "chooses the log level" in card_by_front(collection, "starts a worker").answer()
    assert collection.note_count() == 6


def test_renumbering_and_reordering_keep_notes_and_history(
    write_card_file: Callable[..., Path], collection: Collection, tmp_path: Path
) -> None:
    source = write_card_file(
        "cards/deck.md",
        "# Order\n## Card 1: First\n**Front:** one\n**Back:** 1\n\n"
        "## Card 2: Second\n**Front:** two\n**Back:** 2\n",
    )
    out = tmp_path / "deck.apkg"
    assert build([source], out).ok
    assert import_package(collection, out) == (2, 0, 0)
    second = card_by_front(collection, "two")
    collection.sched.set_due_date([second.id], "5")  # some review history on this card
    due_before = collection.get_card(second.id).due

    source.write_text(
        "# Order\n## Card 1: Inserted\n**Front:** new\n**Back:** 0\n\n"
        "## Card 2: Second\n**Front:** two\n**Back:** 2\n\n"
        "## Card 3: First\n**Front:** one\n**Back:** 1\n",
        encoding="utf-8",
    )
    assert build([source], out).ok
    assert import_package(collection, out) == (1, 0, 2)
    assert collection.get_card(second.id).due == due_before
    assert card_by_front(collection, "two").id == second.id


HOSTILE_DECK = textwrap.dedent(
    """\
    # Hostile

    ## Raw markup stays text
    **Front:** Is <b>bold</b> or <script>alert(1)</script> or <!-- x --> markup here?
    **Back:** `a <tag
    attr>` and <![CDATA[ x ]]> and 1 < 2 > 0 and [link](https://example.org "a > b")
    ```html
    <div class="x"
         id="y">&amp;</div>
    ```
    ![a <img> alt](https://example.org/x.png)
    **Run:** `echo '<b>' && grep -c '<' file`
    **Expect:**
    ```
    re: ^<b>$
    ```
    """
)


def test_fields_pass_genankis_own_html_check(
    write_card_file: Callable[..., Path], tmp_path: Path
) -> None:
    """genanki warns about fields with broken HTML tags; deckgen's escaping must pass that
    check as genanki publishes it (no override). The first half proves the check is live."""
    card = parse_text("## C\n**Front:** f\n**Back:** b\n", Path("c.md")).cards[0]
    connection = sqlite3.connect(":memory:")
    connection.executescript(APKG_SCHEMA)
    broken = make_note(card, ("a <b\nc> d", "", ""), mod=1)
    with pytest.warns(UserWarning, match="invalid HTML tags"):
        broken.write_to_db(connection.cursor(), 0, 1, itertools.count(1))

    source = write_card_file("cards/hostile.md", HOSTILE_DECK)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = build([source], tmp_path / "hostile.apkg", jobs=1)
    assert report.ok and report.cards == 1, report.errors
