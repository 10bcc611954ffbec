"""Where the app's style sheets live, and which of them load with their screen.

The app loads app.tcss and every other sheet in styles/ at start, except those of screens
opened later (stats, browse, settings, card info, summary): each of those screens names its
own sheet in CSS_PATH, so its rules are parsed and matched only once it is first shown: fewer
rules at start, less selector matching for every widget of the first card.
"""

from __future__ import annotations

from pathlib import Path

STYLES_DIR = Path(__file__).parent / "styles"
SCREEN_SHEETS = frozenset(
    {"browse.tcss", "card_info.tcss", "settings.tcss", "stats.tcss", "summary.tcss"}
)


def screen_sheet(name: str) -> Path:
    assert name in SCREEN_SHEETS, name
    return STYLES_DIR / name


def start_sheets() -> list[Path]:
    """app.tcss first, then every sheet that no screen loads itself."""
    sheets = (path for path in STYLES_DIR.glob("*.tcss") if path.name not in SCREEN_SHEETS)
    return sorted(sheets, key=lambda path: (path.name != "app.tcss", path.name))
