"""Where the study app keeps its data and where it looks for cards by default."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from deckgen.course import default_deck_paths

APP_DIR_NAME = "celery-srs"
DATA_DIR_ENV = "STUDYAPP_DATA_DIR"
# The progress database inside the data folder (the store opens it, backups copy it).
DB_FILE = "progress.sqlite3"


def default_data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir(APP_DIR_NAME))


def default_card_paths() -> list[Path]:
    """The project's course: the checkout's `cards/`, else the copy bundled in the package."""
    return default_deck_paths()
