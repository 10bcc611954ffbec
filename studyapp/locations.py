"""Where the study app keeps its data, every file of it named in one place, and where it
looks for cards by default.

`DataFolder` names each file the app keeps in a data folder; code takes those names from it
rather than joining its own. The folder is always chosen by whoever starts the work: the
command line (`--data-dir`, else `$STUDYAPP_DATA_DIR`, else the platform's user data folder,
`DataFolder.chosen`) or a test. Nothing below the command line falls back to the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from deckgen.course import default_deck_paths

APP_DIR_NAME = "celery-srs"
DATA_DIR_ENV = "STUDYAPP_DATA_DIR"


@dataclass(frozen=True)
class DataFolder:
    """One data folder and the files in it (none of them is created here)."""

    root: Path

    @classmethod
    def default(cls) -> DataFolder:
        """`$STUDYAPP_DATA_DIR`, else the user data folder (`~/.local/share/celery-srs`)."""
        override = os.environ.get(DATA_DIR_ENV)
        if override:
            return cls(Path(override).expanduser())
        return cls(Path(user_data_dir(APP_DIR_NAME)))

    @classmethod
    def chosen(cls, given: Path | None) -> DataFolder:
        """The folder a command was given (`--data-dir`), else the default one."""
        return cls.default() if given is None else cls(given)

    @property
    def is_default(self) -> bool:
        return self.root.resolve() == DataFolder.default().root.resolve()

    @property
    def progress(self) -> Path:
        """The progress database: card states and the review log (store.py)."""
        return self.root / "progress.sqlite3"

    @property
    def settings(self) -> Path:
        """The learner's settings (settings.py), a commented TOML file."""
        return self.root / "settings.toml"

    @property
    def trusted_files(self) -> Path:
        """Which card files from elsewhere may run their commands (runner/trust.py)."""
        return self.root / "trusted_files.json"

    @property
    def backups(self) -> Path:
        """Copies of the progress database (backups.py)."""
        return self.root / "backups"

    def replaced_progress(self, stamp: str) -> Path:
        """Where `studyapp restore` keeps the database it replaced."""
        return self.root / f"progress-replaced-{stamp}.sqlite3"

    @property
    def anki_package(self) -> Path:
        """The deck's package as deckgen builds it for the Anki sync (`anki/deck.apkg`, with
        deckgen's note record beside it), kept so each note's `mod` stays steady between syncs."""
        return self.root / "anki" / "deck.apkg"

    @property
    def anki_course_notes(self) -> Path:
        """Per collection synced with: each course note's fields as last brought in, so a
        learner's own edits in Anki are told apart from the course's."""
        return self.root / "anki" / "course-notes.json"

    @property
    def anki_synced(self) -> Path:
        """Each collection synced with, and the digest of the deck last brought into it."""
        return self.root / "anki" / "synced-decks.json"

    @property
    def anki_offers(self) -> Path:
        """Anki profiles looked at for a first sync: declined, or without the deck (as of
        the collection's modification time), so the app asks once and looks again only
        after Anki changed them."""
        return self.root / "anki" / "first-sync-offers.json"

    def describe(self) -> str:
        """The folder for a message that reads it: a learner who studied with `--data-dir`
        and forgot it here sees that the default folder was read."""
        if self.is_default:
            return f"{self.root} (the default; --data-dir DIR reads another)"
        return str(self.root)


def default_card_paths() -> list[Path]:
    """The project's course: the checkout's `cards/`, else the copy bundled in the package."""
    return default_deck_paths()
