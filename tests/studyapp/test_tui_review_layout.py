"""The review screen as a learner reads it (#22) at 80x24 and 120x40: a long command wraps on
the card, run output wraps (the end of a long line stays readable), and once a command has run
the answer is still on screen, with the output in the space left."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_tui_support import TUI_START, open_deck
from textual.pilot import Pilot
from textual.widgets import DataTable

from demo_project.launch import free_port
from studyapp.clock import ManualClock
from studyapp.locations import DataFolder
from studyapp.runner.trust import TrustStore
from studyapp.settings import Settings, save_settings
from studyapp.study import Study
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.review import ReviewScreen
from studyapp.tui.widgets.output_log import OutputLog
from studyapp.tui.widgets.run_panel import RunPanel
from studyapp.tui.widgets.services_bar import ServicesBar

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]
PROOF = "the-proof-is-at-the-end-of-this-line"
# A command longer than either screen is wide; it prints a line longer still, proof last,
# then more lines than fit under the card.
LONG_COMMAND = (
    "python -c \"import sys; words = ['packing', 'order', '42'] * 12; "
    f"print(' '.join(words), '{PROOF}'); print(*range(30), sep=chr(10)); print('last line'); "
    'sys.exit(0)"'
)
LAYOUT_DECK = f"""\
# Layout

## Card 1: A long command
**ID:** long-command
**Front:** What does the long command print at the end of its first line?
**Back:** The proof. This answer must stay readable after the command has run, also on a
small terminal, where the output takes only the space that is left.
**Run:** `{LONG_COMMAND}`
**Expect:**
```text
re: ^packing order \\d+ .*{PROOF}$
last line
```
"""

HELD_DECK = """\
# Held

## Card 1: Broker variable
**ID:** broker-variable
**Type:** reversed
**Front:** Environment variable naming the broker
**Back:** `CELERY_BROKER_URL`

## Card 2: Result variable
**ID:** result-variable
**Front:** Environment variable naming the result backend?
**Back:** `CELERY_RESULT_BACKEND`

## Card 3: Default port
**ID:** default-port
**Front:** Redis's default port?
**Back:** 6379
"""

SHORT_DECK = """\
# Short

## Card 1: Short output
**ID:** short-output
**Front:** What does the short command print?
**Back:** Two lines: first and second. The card and its output both fit on a small screen,
so neither is cut to make room for the other.
**Run:** `python -c "print('first'); print('second')"`
**Expect:**
```text
first
second
```
"""

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def stack_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing listening where the services bar looks, so it reads the same on any machine
    (all down) and the snapshots do not depend on a Redis or Flower running here."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", url.replace("/0", "/1"))
    monkeypatch.setenv("FLOWER_PORT", str(free_port()))
    monkeypatch.setenv("DEMO_VAR_DIR", str(tmp_path / "var"))


@pytest.fixture
def layout_study(tmp_path: Path) -> Iterator[Study]:
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "layout.md").write_text(LAYOUT_DECK, encoding="utf-8")
    (cards / "held.md").write_text(HELD_DECK, encoding="utf-8")
    (cards / "short.md").write_text(SHORT_DECK, encoding="utf-8")
    data = tmp_path / "data"
    save_settings(data, Settings(fuzz=False))
    study = Study.open([cards], data, ManualClock(TUI_START))
    trust = TrustStore(DataFolder(data).trusted_files)
    for deck in ("layout.md", "short.md"):
        trust.trust(cards / deck)
    yield study
    study.close()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def reveal_the_long_command() -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        table = pilot.app.screen.query_one("#decks", DataTable)
        table.move_cursor(row=table.get_row_index("Layout"))
        await pilot.press("enter", "space")
        bar = pilot.app.screen.query_one(ServicesBar)
        await until(pilot, lambda: bar.status is not None)  # its probe has answered
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_a_long_command_wraps_on_the_card(
    snap_compare: SnapCompare, layout_study: Study, size: tuple[int, int]
) -> None:
    app = StudyApp(layout_study)
    assert snap_compare(app, terminal_size=size, run_before=reveal_the_long_command())


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_run_output_wraps_and_the_answer_stays_on_screen(
    layout_study: Study, size: tuple[int, int]
) -> None:
    app = StudyApp(layout_study)
    async with app.run_test(size=size) as pilot:
        screen = await open_deck(pilot, app, "Layout")
        await pilot.press("space", "r")
        panel = screen.query_one(RunPanel)
        await until(pilot, lambda: "passed" in str(panel.query_one("#run-expect").render()))
        await pilot.pause(0.2)  # the layout settles after the output shows
        assert screen.has_class("-with-output"), "32 lines do not fit under the card"
        output = panel.query_one(OutputLog)
        assert len(panel.output_lines) == 32 and panel.output_lines[-1] == "last line"
        # Wrapped: no line wider than the log, and the proof is on screen, not cut off.
        width = output.scrollable_content_region.width
        assert max(strip.cell_length for strip in output.lines) <= width
        shown = " ".join(strip.text.strip() for strip in output.lines)
        assert PROOF in shown and "last line" in shown
        assert output.region.height >= 2, "the output has room of its own"
        # The answer is in view: inside the card's visible part, which is on the screen.
        card_scroll = screen.query_one("#card-scroll")
        back = screen.query_one("#card-back")
        visible = card_scroll.content_region
        assert back.region.height > 0
        assert visible.contains_region(back.region), (visible, back.region)
        assert screen.region.contains_region(visible)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_short_output_and_the_whole_card_both_show(
    layout_study: Study, size: tuple[int, int]
) -> None:
    app = StudyApp(layout_study)
    async with app.run_test(size=size) as pilot:
        screen = await open_deck(pilot, app, "Short")
        await pilot.press("space", "r")
        panel = screen.query_one(RunPanel)
        await until(pilot, lambda: "passed" in str(panel.query_one("#run-expect").render()))
        await pilot.pause(0.3)
        # Two lines need less than half the height: they sit under the card, which keeps
        # the rest (at 120x40 all of it shows; at 80x24 it scrolls to show the answer).
        assert not screen.has_class("-with-output")
        visible = screen.query_one("#card-scroll").content_region
        shown = ["#card-back", "#card-front"] if size == (120, 40) else ["#card-back"]
        for part in shown:
            assert visible.contains_region(screen.query_one(part).region), part
        assert visible.height >= size[1] // 2
        output = panel.query_one(OutputLog)
        assert output.region.height >= 2 and output.max_scroll_y == 0, "both lines in view"


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_the_screen_says_in_one_line_which_cards_are_held_back_and_why(
    layout_study: Study, size: tuple[int, int]
) -> None:
    app = StudyApp(layout_study)
    async with app.run_test(size=size) as pilot:
        screen = await open_deck(pilot, app, "Held")
        line = screen.query_one("#held-back")
        assert not line.display, "nothing held back yet"
        await pilot.press("space", "4")  # the reversed card's other side is buried
        await pilot.pause()
        assert line.display and line.region.height == 1
        assert str(line.render()) == (
            "1 held back until tomorrow: same note or command as a card answered today"
        )
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert str(line.render()) == (
            "2 held back until tomorrow: 1 sibling of answered cards, 1 buried with b"
        )
        assert line.region.height == 1
