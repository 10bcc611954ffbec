"""Fixtures for the study-core tests: a manual clock, temp folders, a fuzz-free Study."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from core_support import START, OpenStudy

from studyapp.clock import ManualClock
from studyapp.settings import Settings, save_settings
from studyapp.study import Study


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def cards_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cards"
    folder.mkdir()
    return folder


@pytest.fixture
def open_study(cards_dir: Path, data_dir: Path, clock: ManualClock) -> Iterator[OpenStudy]:
    """Open a Study on `cards_dir` with fuzz off and any settings overridden."""
    opened: list[Study] = []

    def _open(clock_override: Any = None, **overrides: Any) -> Study:
        save_settings(data_dir, replace(Settings(fuzz=False), **overrides))
        study = Study.open([cards_dir], data_dir, clock_override or clock)
        opened.append(study)
        return study

    yield _open
    for study in opened:
        study.close()
