"""Pilot tests of #11: the summary, settings, theme, spoilers, screen manners, browse, info."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from test_tui_support import TERMINAL, open_deck, open_fixture_study
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Label, Static

from studyapp.clock import ManualClock
from studyapp.locations import DataFolder
from studyapp.runner.trust import TrustStore
from studyapp.session import ReviewSession
from studyapp.settings import load_settings
from studyapp.study import Study
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.browse import BrowseScreen
from studyapp.tui.screens.card_info import CardInfoScreen
from studyapp.tui.screens.review import ReviewScreen
from studyapp.tui.screens.settings import SettingsScreen
from studyapp.tui.screens.stats import StatsScreen
from studyapp.tui.screens.summary import SummaryScreen
from studyapp.tui.widgets.card_view import run_markdown
from studyapp.tui.widgets.run_panel import RunPanel

RUN_DECK = """\
# Runs

## Card 1: Echo
**ID:** echo-card
**Front:** What does the command print?
**Back:** The word spoiler.
**Run:** `echo spoiler && echo spoiler two && echo see`
**Expect:**
```text
spoiler
re: ^spoiler \\w+$
re: ^s
```

## Card 2: Other
**ID:** other-card
**Front:** Another question?
**Back:** Another answer.
"""


@pytest.fixture
def fixture_study(tmp_path: Path) -> Iterator[tuple[Study, ManualClock]]:
    study, clock = open_fixture_study(tmp_path)
    yield study, clock
    study.close()


@pytest.fixture
def run_study(tmp_path: Path) -> Iterator[Study]:
    cards = tmp_path / "run-cards"
    cards.mkdir()
    (cards / "runs.md").write_text(RUN_DECK, encoding="utf-8")
    study = Study.open([cards], tmp_path / "run-data")
    TrustStore(DataFolder(study.data_dir).trusted_files).trust(cards / "runs.md")
    yield study
    study.close()


async def until(pilot: Pilot[int], condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def text_of(app: StudyApp, selector: str) -> str:
    """What a Static or Label shows, as plain text (Rich tables included)."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str | Text):
        return str(content)
    console = Console(width=100, no_color=True)
    with console.capture() as captured:
        console.print(content)
    return captured.get()


def footer_keys(app: StudyApp) -> dict[str, str]:
    # what the footer shows: the screen's active bindings that are shown
    return {
        key: active.binding.description
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    }


async def test_the_summary_says_how_the_session_went(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_deck(pilot, app, "Celery::Beat")
        await pilot.press("space", "4", "space", "1")  # Easy, then Again (learning)
        clock_card = app.screen
        assert isinstance(clock_card, ReviewScreen)
        await pilot.press("space", "4")  # the Again card comes back (learn-ahead): Easy
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        box = app.screen.query_one("#summary-box")
        assert box.size.width > 40, "the box used to shrink to nothing"
        assert text_of(app, "#summary-title") == "3 cards reviewed"
        table = text_of(app, "#summary-table")
        for expected in ("Time spent", "Again", "Hard", "Good", "Easy", "Next card due"):
            assert expected in table
        summary = app.screen.summary
        assert (summary.reviewed, summary.again, summary.easy) == (3, 1, 2)
        assert summary.next_due is not None

        await pilot.press("escape", "enter")  # nothing due in Beat any more
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert text_of(app, "#summary-title") == "Nothing to review now"
        assert app.screen.query_one("#summary-box").size.width > 40


async def test_settings_open_with_a_field_focused_and_one_retention_range(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("comma")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        field = screen.query_one("#setting-desired_retention", Input)
        assert screen.focused is field, "typing works at once"
        await pilot.press("end", "5", "ctrl+s")
        assert load_settings(study.data_dir).desired_retention == 0.95
        labels = [str(label.render()) for label in screen.query(".setting-label")]
        assert "Desired retention (0.7 - 0.99)" in labels
        assert "(0.7 - 0.99)" in (study.data_dir / "settings.toml").read_text()
        fuzz = screen.query_one("#setting-fuzz", Checkbox)
        state = "on" if study.settings.fuzz else "off"
        assert fuzz.size.width >= 6 and str(fuzz.render()).split()[-1] == state


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_settings_switches_say_their_state_in_words(
    fixture_study: tuple[Study, ManualClock], size: tuple[int, int]
) -> None:
    study, _ = fixture_study
    study.update_settings(replace(study.settings, fuzz=False, run_before_answer=True))
    app = StudyApp(study)
    async with app.run_test(size=size) as pilot:
        await pilot.press("comma")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)

        def says(name: str) -> str:
            return str(screen.query_one(f"#setting-{name}", Checkbox).render()).split()[-1]

        assert (says("fuzz"), says("run_before_answer")) == ("off", "on")
        fuzz = screen.query_one("#setting-fuzz", Checkbox)
        fuzz.focus()
        await pilot.press("space")  # the switch flips, and its words with it
        assert fuzz.value is True and says("fuzz") == "on"
        help_line = str(screen.query_one("#setting-help", Static).render())
        assert help_line == "Spread review intervals a little so cards do not clump"
        assert screen.query_one("#setting-help").region.bottom <= size[1] - 1  # above the footer
        await pilot.press("ctrl+s")
        assert load_settings(study.data_dir).fuzz is True


async def test_the_theme_picked_is_kept_for_the_next_start(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert load_settings(study.data_dir).theme == "nord"
    again = StudyApp(study)
    async with again.run_test(size=TERMINAL) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_no_spoilers_r_runs_once_the_answer_shows(run_study: Study) -> None:
    app = StudyApp(run_study)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_deck(pilot, app, "Runs")
        panel = screen.query_one(RunPanel)
        hint = panel.query_one("#run-hint", Label)
        assert "once the answer shows" in str(hint.render())
        assert not app.screen.active_bindings["r"].enabled  # the footer greys it out
        await pilot.press("r")
        await pilot.pause(0.3)
        assert panel.output_lines == [], "nothing ran before the answer"

        await pilot.press("space")
        assert footer_keys(app)["space"] == "Good"
        assert "press r to run it" in str(hint.render())
        await pilot.press("r")
        await until(pilot, lambda: "spoiler" in panel.output_lines)
        await until(pilot, lambda: "passed" in str(panel.query_one("#run-expect").render()))
        assert not hint.display, "the 'press r' line goes once the command has run"


async def test_a_setting_allows_running_before_the_answer(run_study: Study) -> None:
    run_study.update_settings(replace(run_study.settings, run_before_answer=True))
    app = StudyApp(run_study)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_deck(pilot, app, "Runs")
        panel = screen.query_one(RunPanel)
        assert footer_keys(app)["space"] == "Answer"
        await pilot.press("r")
        await until(pilot, lambda: "spoiler" in panel.output_lines)


async def test_edit_keeps_the_answer_and_the_output(
    run_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "true")  # an "editor" that changes nothing
    app = StudyApp(run_study)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_deck(pilot, app, "Runs")
        panel = screen.query_one(RunPanel)
        await pilot.press("space", "r")
        await until(pilot, lambda: "passed" in str(panel.query_one("#run-expect").render()))
        await pilot.press("e")
        await pilot.pause()
        assert screen.revealed
        assert panel.output_lines == ["spoiler", "spoiler two", "see"]
        assert "passed" in str(panel.query_one("#run-expect").render())


def test_expect_shows_every_line_in_order_patterns_in_words(run_study: Study) -> None:
    card = run_study.card("echo-card")
    assert card is not None and card.run is not None
    shown = run_markdown(card.run)
    # `spoiler`, `re: ^spoiler \w+$`, `re: ^s`: the text each looks for, in order.
    assert "```text\nspoiler\nspoiler …\ns\n```" in shown
    assert "(# stands for a number, … for any text)" in shown
    assert "re:" not in shown and "\\w" not in shown and "pattern check" not in shown


async def test_keys_list_the_grades_first_and_notifications_spare_the_rating_bar(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL, notifications=True) as pilot:
        screen = await open_deck(pilot, app, "Celery::Workers")
        await pilot.press("space", "u")  # "Nothing to undo." while the ratings show
        await pilot.pause()
        ratings = screen.query_one("#ratings").region
        toasts = [toast.region for toast in app.screen.query("Toast")]
        assert toasts and all(not toast.overlaps(ratings) for toast in toasts)
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one("BindingsTable").render_bindings_table()  # type: ignore[attr-defined]
        keys = [str(cell) for cell in table.columns[0].cells]
        assert keys[:4] == ["1", "2", "3", "4"]
        descriptions = [str(cell) for cell in table.columns[1].cells][:4]
        assert descriptions[0].startswith("Again") and descriptions[3].startswith("Easy")


async def test_burying_a_new_card_brings_in_the_next_one(
    fixture_study: tuple[Study, ManualClock],
) -> None:
    study, _ = fixture_study
    study.update_settings(replace(study.settings, new_per_day=2))
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_deck(pilot, app, "Celery::Workers")
        await pilot.press("space", "4")
        assert "New 1" in text_of(app, "#review-status")
        await pilot.press("b")
        assert "New 1" in text_of(app, "#review-status"), "the third card comes in"
        assert screen.card is not None and screen.card.id == "worker-ping"


async def test_card_info_from_review_and_browse(fixture_study: tuple[Study, ManualClock]) -> None:
    study, _ = fixture_study
    app = StudyApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deck(pilot, app, "Celery::Workers")
        await pilot.press("space", "3", "i")
        assert isinstance(app.screen, CardInfoScreen)
        info = text_of(app, "#card-info")
        assert "Task decorator" in info and "shared-task" in info
        await pilot.press("escape", "escape", "slash")
        assert isinstance(app.screen, BrowseScreen)
        await pilot.press(*"starts", "enter", "i")
        assert isinstance(app.screen, CardInfoScreen)
        info = text_of(app, "#card-info")
        for expected in ("Added", "First review", "Retrievability", "Reviews", "Lapses"):
            assert expected in info
        assert app.screen.query_one("#card-info-reviews", DataTable).row_count == 1


async def test_browse_filters_and_actions(fixture_study: tuple[Study, ManualClock]) -> None:
    study, _ = fixture_study
    session = ReviewSession(study, "Celery::Workers")
    session.grade(4)  # worker-start: review
    app = StudyApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"is:review", "enter")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert list(screen.rows) == ["worker-start"]
        results = screen.query_one("#results", DataTable)
        assert results.has_focus
        await pilot.press("s")
        assert study.state("worker-start").suspended
        assert str(results.get_row("worker-start")[1]) == "suspended"
        await pilot.press("s")
        assert not study.state("worker-start").suspended
        await pilot.press("f")
        assert study.state("worker-start").is_new
        assert len(study.history("worker-start")) == 1, "forget keeps the log"

        query = screen.query_one("#search", Input)
        query.value = "is:new deck:workers"
        await pilot.press("slash", "enter")
        assert set(screen.rows) == {"worker-start", "shared-task", "worker-ping"}
        ReviewSession(study, None).bury()  # the first new card of all decks
        buried = next(row.card.id for row in study.browse("is:buried"))
        query.value = "is:buried"
        await pilot.press("slash", "enter", "b")
        assert study.browse("is:buried") == []
        assert study.state(buried).buried_until is None

        # Enter: the card's front and back next to (here: instead of) the results.
        query.value = "check that workers"
        await pilot.press("slash", "enter", "enter")
        assert screen.has_class("-details") and not results.display
        details = text_of(app, "#card-details")
        assert "Front" in details and "How do you check that workers answer?" in details
        assert "Back" in details and "pong" in details
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen) and results.display


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_stats_show_a_loading_state_then_the_figures(
    fixture_study: tuple[Study, ManualClock], size: tuple[int, int]
) -> None:
    study, _ = fixture_study
    ReviewSession(study, None).grade(4)
    app = StudyApp(study)
    async with app.run_test(size=size) as pilot:
        screen = StatsScreen(study)
        await app.push_screen(screen)
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.query("#stats-loading")
        expected = sum(study.stats().forecast)
        assert text_of(app, "#forecast-total") == f"{expected} review{'s' * (expected != 1)} due"
        # A learner who only did learning steps: true retention says it counts review cards
        # only, and the learning cards' figure stands next to it.
        retention = text_of(app, "#retention")
        assert retention == "none yet: no review card answered in the last 30 days"
        assert text_of(app, "#learning-answers") == "Learning cards: 100.0% of 1 passed"
        body = app.screen.query_one("#stats-body")
        for selector in ("#retention", "#learning-answers"):
            shown = app.screen.query_one(selector)
            body.scroll_to_widget(shown, animate=False)  # below the fold at 80x24
            await pilot.pause()
            assert shown.region.height >= 1 and shown.region.width > 0
            assert app.screen.region.contains_region(shown.region), "not cut off"
        hint = app.screen.query_one("#retention-box .hint", Static)
        assert "review cards only" in str(hint.content)
