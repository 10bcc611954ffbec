"""Raw HTML in a card is text, in Anki and in the terminal alike: the study app shows a card
with the card format's own Markdown configuration (cardformat.markdown.card_markdown), the
one the Anki build renders with. Anki's side: the built package imported with the official
anki library, its card's question and answer read back. The terminal's side: the CardView
widget on a Pilot-driven app, its rendered Markdown blocks read back."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from anki.collection import Collection
from deckgen_support import import_apkg
from textual.app import App, ComposeResult
from textual.widgets import Markdown

from deckgen.build import build
from deckgen.cardformat.load import load
from studyapp.tui.widgets.card_view import CardView

FRONT = "Is <b>this</b> bold?"
DIV = "<div>a block</div>"
SCRIPT = "Then <script>alert(1)</script> runs?"
CARD = f"# Raw\n\n## Card 1: HTML\n**Front:** {FRONT}\n**Back:**\n{DIV}\n\n{SCRIPT}\n"


class CardOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield CardView(id="card")


async def terminal_text(card_file: Path) -> dict[str, list[str]]:
    """What the study app's card view shows: each rendered block of the Front and Back."""
    (card,) = load([card_file]).cards
    app = CardOnly()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CardView)
        await view.show(card)
        await view.reveal()
        await pilot.pause()
        return {
            side: [str(block.render()) for block in app.query_one(side, Markdown).children]
            for side in ("#card-front", "#card-back")
        }


async def test_raw_html_is_text_in_anki_and_in_the_terminal(
    write_card_file: Callable[..., Path], tmp_path: Path, collection: Collection
) -> None:
    card_file = write_card_file("cards/raw.md", CARD)
    package = tmp_path / "raw.apkg"
    assert build([card_file], package).ok
    import_apkg(collection, package)
    (card_id,) = collection.find_cards("")
    anki_card = collection.get_card(card_id)
    question, answer = anki_card.question(), anki_card.answer()

    assert html.escape(FRONT, quote=False) in question
    for text in (DIV, SCRIPT):
        assert html.escape(text, quote=False) in answer
    assert "<script>" not in answer and "<div>a block" not in answer

    shown = await terminal_text(card_file)
    assert shown["#card-front"] == [FRONT]
    assert shown["#card-back"] == [DIV, SCRIPT]
