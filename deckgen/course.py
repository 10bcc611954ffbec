"""Where the project's own course (its card files) is: the checkout's `cards/`, else the copy
bundled in the installed package.

`deckgen` and `studyapp` both read the course when given no PATH, and `studyapp verify` runs
the course's commands without asking: it is the project's own, unlike a deck from elsewhere.
In a checkout (an editable install included) the `cards/` folder next to the packages is the
course; an installed wheel carries a copy as package data in `deckgen/course/` (copied there at
build time, see setup.py).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DIR = PACKAGE_DIR / "course"


def checkout_cards() -> Path | None:
    """The repository's `cards/` when these packages run from a checkout of it."""
    root = PACKAGE_DIR.parent
    cards = root / "cards"
    if cards.is_dir() and (root / "pyproject.toml").is_file():
        return cards
    return None


def bundled_cards() -> Path | None:
    return BUNDLED_DIR if BUNDLED_DIR.is_dir() else None


def course_dir() -> Path | None:
    """The course's folder: the checkout's cards/ first, then the bundled copy."""
    return checkout_cards() or bundled_cards()


def default_deck_paths() -> list[Path]:
    """What `deckgen` and `studyapp` read when given no PATH."""
    found = course_dir()
    return [found] if found is not None else [Path("cards")]


def is_course_file(path: Path) -> bool:
    """True for a file of the project's own course (after following symlinks)."""
    resolved = path.resolve()
    return any(
        folder is not None and resolved.is_relative_to(folder.resolve())
        for folder in (checkout_cards(), bundled_cards())
    )
