"""A study process killed with SIGKILL loses none of the grades it reported as committed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from core_support import titled, write_deck

from studyapp.locations import DataFolder
from studyapp.settings import Settings, save_settings
from studyapp.study import Study

KILL_AFTER = 25

# Grades card after card as fast as it can and says so after each commit.
DRIVER = """
import sys
from pathlib import Path
from studyapp.session import ReviewSession
from studyapp.study import Study

study = Study.open([Path(sys.argv[1])], Path(sys.argv[2]))
session = ReviewSession(study, None)
count = 0
while (card := session.current()) is not None:
    session.grade(1 if count % 5 == 0 else 3)
    count += 1
    print(f"committed {count} {card.id}", flush=True)
print("finished", flush=True)
"""


@pytest.mark.timeout(60)
def test_sigkill_after_n_grades_loses_none(cards_dir: Path, data_dir: Path) -> None:
    write_deck(cards_dir / "deck.md", "Celery", titled(300))
    save_settings(data_dir, Settings(new_per_day=1000, max_reviews_per_day=1000))
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(cards_dir), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    reported: list[str] = []
    try:
        assert process.stdout is not None
        while len(reported) < KILL_AFTER:
            line = process.stdout.readline()
            assert line.startswith("committed "), f"driver said {line!r}: {process.stderr}"
            reported.append(line.split()[2])
        os.killpg(process.pid, signal.SIGKILL)  # mid-stream: the driver is still grading
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    db = sqlite3.connect(DataFolder(data_dir).progress)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        logged = Counter(card_id for (card_id,) in db.execute("SELECT card_id FROM revlog"))
    finally:
        db.close()
    assert sum(logged.values()) >= KILL_AFTER
    for card_id, count in Counter(reported).items():
        assert logged[card_id] >= count, f"lost a committed grade of {card_id}"

    study = Study.open([cards_dir], data_dir)
    try:
        # Log and state are written in one transaction: they always agree.
        for card_id, count in logged.items():
            assert study.state(card_id).reps == count
    finally:
        study.close()
