"""Fixture cards and helpers shared by the TUI tests (no tests here)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from studyapp.clock import ManualClock
from studyapp.settings import Settings, save_settings
from studyapp.study import Study
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.review import ReviewScreen

# A Monday noon, well inside a study day; fixed so snapshots never change.
TUI_START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TERMINAL = (100, 34)

WORKERS_MD = """\
# Workers

## Card 1: Start a worker
**ID:** worker-start
**Tags:** worker cli
**Front:** Which command starts a worker for the demo app?
**Back:**
```bash
celery -A config.celery_app worker --loglevel=info
```
`-A` names the Celery application instance.

## Card 2: Task decorator
**ID:** shared-task
**Tags:** tasks
**Front:**
What does this decorator give you?
```python
@shared_task
def add(x: int, y: int) -> int:
    return x + y
```
**Back:** A task bound to whichever app is current, so reusable apps need no app import.

## Card 3: Ping the workers
**ID:** worker-ping
**Tags:** worker inspect
**Front:** How do you check that workers answer?
**Back:** Use the inspect command `ping`; every live worker replies `pong`.
**Run:** `celery -A config.celery_app inspect ping`
**Expect:** pong
"""

BEAT_MD = """\
# Beat

## Card 1: Beat schedule
**ID:** beat-schedule
**Tags:** beat
**Front:** {{c1::celery beat}} sends due periodic tasks to the {{c2::broker::where?}}.
**Back:** Only one beat process should run per schedule.

## Card 2: Beat pid file
**ID:** beat-pidfile
**Tags:** beat
**Front:** Why remove `celerybeat.pid` before starting beat in a container?
**Back:** A stale pid file from a killed container makes beat refuse to start.
"""

REDIS_MD = """\
# Redis

## Card 1: Broker URL
**ID:** broker-url
**Type:** reversed
**Tags:** redis config
**Front:** Environment variable naming the broker
**Back:** `CELERY_BROKER_URL`
"""

BROKEN_MD = """\
# Broken

## Card 1: No back side
**Front:** This card forgot its back.

## Card 2: Fine card
**ID:** fine-card
**Front:** Is this card fine?
**Back:** Yes.
"""


def write_cards(root: Path, broken: bool = False) -> Path:
    """The fixture deck: Celery::Workers (3), Celery::Beat (2), Redis (1 reversed = 2)."""
    (root / "Celery").mkdir(parents=True, exist_ok=True)
    (root / "Celery" / "workers.md").write_text(WORKERS_MD, encoding="utf-8")
    (root / "Celery" / "beat.md").write_text(BEAT_MD, encoding="utf-8")
    (root / "redis.md").write_text(REDIS_MD, encoding="utf-8")
    if broken:
        (root / "broken.md").write_text(BROKEN_MD, encoding="utf-8")
    return root


def open_fixture_study(tmp_path: Path, broken: bool = False) -> tuple[Study, ManualClock]:
    cards = write_cards(tmp_path / "cards", broken=broken)
    data_dir = tmp_path / "data"
    save_settings(data_dir, Settings(fuzz=False))
    clock = ManualClock(TUI_START)
    return Study.open([cards], data_dir, clock), clock


async def open_deck(pilot: Pilot[int], app: StudyApp, deck: str) -> ReviewScreen:
    """Pick `deck` in the deck list and start reviewing it."""
    await pilot.pause()
    table = app.screen.query_one("#decks", DataTable)
    table.move_cursor(row=table.get_row_index(deck))
    await pilot.press("enter")
    assert isinstance(app.screen, ReviewScreen)
    return app.screen
