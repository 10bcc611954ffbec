"""Pilot tests of the app's global keys and the stats, browse and settings screens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from test_tui_support import TERMINAL, open_fixture_study
from textual.command import CommandList
from textual.widgets import DataTable, Input

from studyapp.clock import ManualClock
from studyapp.session import ReviewSession
from studyapp.settings import load_settings, settings_path
from studyapp.study import Study
from studyapp.tui.app import StudyApp, run_app
from studyapp.tui.screens.browse import BrowseScreen
from studyapp.tui.screens.deck_list import DeckListScreen
from studyapp.tui.screens.review import ReviewScreen
from studyapp.tui.screens.settings import SettingsScreen
from studyapp.tui.screens.stats import StatsScreen


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    opened, _ = open_fixture_study(tmp_path)
    yield opened
    opened.close()


def grade_all_decks(study: Study, clock: ManualClock, rating: int) -> None:
    session = ReviewSession(study, None)
    while session.current() is not None:
        session.grade(rating, 4000)
        clock.advance(timedelta(seconds=30))


async def test_escape_goes_back_and_q_quits_from_a_review(study: Study) -> None:
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        await pilot.press("escape")  # nothing to go back to: stays
        assert isinstance(app.screen, DeckListScreen)
        await pilot.press("t")
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, DeckListScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("question_mark")
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")
        await pilot.press("q")
    assert app.return_code == 0


async def test_ctrl_q_quits_while_typing_and_q_is_text_in_a_search(study: Study) -> None:
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, BrowseScreen)
        await pilot.press("q")
        assert app.screen.query_one("#search", Input).value == "q"
        assert app.is_running
        await pilot.press("ctrl+q")
    assert not app.is_running


async def test_browse_filters_by_tag_and_deck_and_shows_history(study: Study) -> None:
    session = ReviewSession(study, "Celery::Beat")
    session.grade(3, 5000)  # beat-schedule gets one review
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        results = screen.query_one("#results", DataTable)
        assert results.row_count == 8  # the cloze note gives a card per deletion

        await pilot.press(*"tag:beat", "enter")
        assert [key.value for key in results.rows] == [
            "beat-schedule",
            "beat-schedule:c2",
            "beat-pidfile",
        ]
        history = screen.query_one("#history", DataTable)
        assert history.row_count == 1
        assert [str(cell) for cell in history.get_row_at(0)[1:]] == ["Good", "10m", "learn"]
        details = str(screen.query_one("#card-details").content)  # type: ignore[attr-defined]
        assert "state: learning" in details

        await pilot.press("down")  # the second result: never reviewed
        assert history.row_count == 0

        search = screen.query_one("#search", Input)
        search.value = "deck:redis"
        await pilot.pause(0.4)  # typing pause, then the search runs by itself
        assert [key.value for key in results.rows] == ["broker-url", "broker-url:reverse"]


async def test_stats_screen_shows_retention_states_and_forecast(
    tmp_path: Path,
) -> None:
    study, clock = open_fixture_study(tmp_path)
    try:
        grade_all_decks(study, clock, 4)  # all 7 graduate to review with Easy
        clock.advance(timedelta(days=40))
        session = ReviewSession(study, None)
        for rating in (1, 3, 3, 3):  # 3 of 4 review answers pass
            session.grade(rating, 3000)
        app = StudyApp(study)
        async with app.run_test(size=TERMINAL) as pilot:
            await pilot.press("t")
            screen = app.screen
            assert isinstance(screen, StatsScreen)
            await screen.workers.wait_for_complete()  # computed off the UI thread
            await pilot.pause()
            retention = str(screen.query_one("#retention").content)  # type: ignore[attr-defined]
            assert retention == "75.0% of 4 passed"
            learning = str(screen.query_one("#learning-answers").content)  # type: ignore[attr-defined]
            assert learning == "Learning cards: no answers in the last 30 days"  # 40 days ago
            stats = study.stats()
            total = str(screen.query_one("#heatmap-total").content)  # type: ignore[attr-defined]
            assert total.startswith(f"{sum(stats.reviews_per_day.values())} reviews on 2 days")
            forecast = str(screen.query_one("#forecast-total").content)  # type: ignore[attr-defined]
            assert forecast == f"{sum(stats.forecast)} reviews due"
    finally:
        study.close()


async def test_settings_save_writes_the_toml_and_rejects_bad_values(study: Study) -> None:
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        await pilot.press("comma")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#setting-desired_retention", Input).value = "1.5"
        before = settings_path(study.data_dir).read_text(encoding="utf-8")
        await pilot.press("ctrl+s")
        message = str(screen.query_one("#settings-message").content)  # type: ignore[attr-defined]
        assert message == "Not saved: desired_retention must be between 0.7 and 0.99"
        assert settings_path(study.data_dir).read_text(encoding="utf-8") == before

        screen.query_one("#setting-new_per_day", Input).value = "seven"
        await pilot.press("ctrl+s")
        message = str(screen.query_one("#settings-message").content)  # type: ignore[attr-defined]
        assert message == "Not saved: New cards per day: 'seven' is not a whole number"

        screen.query_one("#setting-desired_retention", Input).value = "0.85"
        screen.query_one("#setting-new_per_day", Input).value = "1"
        screen.query_one("#setting-learning_steps_minutes", Input).value = "2, 15 60"
        await pilot.press("ctrl+s")
        saved = load_settings(study.data_dir)
        assert saved.desired_retention == 0.85
        assert saved.new_per_day == 1
        assert saved.learning_steps_minutes == (2, 15, 60)
        assert study.settings == saved

        await pilot.press("escape")
        table = app.screen.query_one("#decks", DataTable)
        assert str(table.get_row("Celery::Workers")[1]) == "1"  # the new limit applies


async def test_all_decks_total_respects_the_daily_new_limit(study: Study) -> None:
    study.update_settings(replace(study.settings, new_per_day=3))
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL):
        table = app.screen.query_one("#decks", DataTable)
        new_counts = {
            key.value: str(table.get_row(key)[1]) for key in table.rows if key.value is not None
        }
        # Each deck is capped on its own; all decks together still get only 3 new cards.
        assert new_counts == {
            "": "3",
            "Celery": "3",
            "Celery::Beat": "3",
            "Celery::Workers": "3",
            "Redis": "2",
        }


async def test_command_palette_opens_the_stats_screen(study: Study) -> None:
    app = StudyApp(study)
    async with app.run_test(size=TERMINAL) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"stats")
        # The palette searches its providers in the background: wait for the match.
        for _ in range(100):
            matches = app.screen.query(CommandList)
            if matches and matches.first().option_count:
                break
            await pilot.pause(0.05)
        first = app.screen.query_one(CommandList).get_option_at_index(0)
        assert "Stats" in str(first.prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)


def test_run_app_reports_a_bad_data_folder_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be", encoding="utf-8")
    assert run_app([tmp_path], not_a_folder) == 1
    err = capsys.readouterr().err
    assert err.startswith("studyapp: ") and err.count("\n") == 1
    assert "Traceback" not in err
