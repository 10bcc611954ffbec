"""Answer the same cards at the same moments in Anki (under faketime) and in the terminal.

`run_in_anki` runs `anki_answers.py` once for a whole batch of sequences in a subprocess
with Debian's libfaketime preloaded; `answer_in_terminal` replays the same answers through
the app's `Scheduler` with an injected moment; `differences` lists every way the two
disagree (phase, memory state within 1 %, interval, step, due day or due time).
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from studyapp.queue import study_day
from studyapp.records import CardState, Phase
from studyapp.scheduler import Scheduler, study_day_start
from studyapp.settings import Settings

DRIVER = Path(__file__).with_name("anki_answers.py")
LIBFAKETIME_GLOB = "/usr/lib/*/faketime/libfaketime.so.1"
MEMORY_TOLERANCE = 0.01  # relative, for stability and difficulty
STEP_TOLERANCE_S = 2  # Anki's learning due is whole seconds, taken a moment after the clock
ANKI_TYPES = {1: Phase.LEARNING, 2: Phase.REVIEW, 3: Phase.RELEARNING}
QUEUE_INTRADAY = 1


@dataclass(frozen=True)
class Sequence:
    name: str
    answers: list[tuple[str, int] | tuple[str, int, int]]  # (local moment, rating[, card])
    settings: Settings = field(default_factory=lambda: Settings(fuzz=False))
    cards: int = 1
    tz: str = "UTC"  # the learner's zone, on both sides (one Anki batch per zone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


def libfaketime() -> str:
    found = sorted(glob.glob(LIBFAKETIME_GLOB))
    if not found:
        pytest.fail("libfaketime not found: install Debian's faketime (scripts/dev.sh does)")
    return found[0]


def run_in_anki(sequences: list[Sequence], work_dir: Path, *, fuzz: bool) -> dict[str, Any]:
    """The sequences must share one time zone: the process has one."""
    """Anki's card after every answer, per sequence. Without `fuzz` Anki runs in its own
    test mode (ANKI_TEST_MODE), which turns its fuzz off; no moment may then fall between
    02:00 and 04:00, which that mode shifts back two hours."""
    work_dir.mkdir(parents=True, exist_ok=True)
    spec = work_dir / "spec.json"
    spec.write_text(json.dumps({"sequences": [_spec(sequence) for sequence in sequences]}))
    result = work_dir / "result.json"
    clock_file = work_dir / "faketime"
    clock_file.write_text(f"@{sequences[0].answers[0][0]}\n")
    env = {
        **os.environ,
        "TZ": sequences[0].tz,
        "LD_PRELOAD": libfaketime(),
        "FAKETIME_TIMESTAMP_FILE": str(clock_file),
        "FAKETIME_NO_CACHE": "1",
    }
    env.pop("ANKI_TEST_MODE", None)
    if not fuzz:
        env["ANKI_TEST_MODE"] = "1"
    completed = subprocess.run(
        [sys.executable, str(DRIVER), str(spec), str(result), str(work_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    loaded: dict[str, Any] = json.loads(result.read_text())
    return loaded


def _spec(sequence: Sequence) -> dict[str, Any]:
    settings = asdict(sequence.settings)
    return {
        "name": sequence.name,
        "answers": sequence.answers,
        "settings": settings,
        "cards": sequence.cards,
    }


def moment(text: str, zone: ZoneInfo) -> datetime:
    """A local moment (as faketime reads it) as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def answer_in_terminal(sequence: Sequence) -> list[tuple[datetime, CardState]]:
    scheduler = Scheduler(sequence.settings, sequence.zone)
    states = [CardState(f"card-{number}") for number in range(sequence.cards)]
    after = []
    for when, rating, *card in sequence.answers:
        number = card[0] if card else 0
        now = moment(when, sequence.zone)
        states[number], _ = scheduler.grade(states[number], rating, now, 1000)
        after.append((now, states[number]))
    return after


def differences(sequence: Sequence, anki_rows: list[dict[str, Any]]) -> list[str]:
    settings = sequence.settings
    scheduler = Scheduler(settings, sequence.zone)
    found = []
    for (when, rating, *_), (now, ours), anki in zip(
        sequence.answers, answer_in_terminal(sequence), anki_rows, strict=True
    ):
        where = f"{sequence.name} {when} rating {rating}:"
        phase = ANKI_TYPES[anki["type"]]
        if ours.phase is not phase:
            found.append(f"{where} phase {ours.phase.label}, Anki {phase.label}")
            continue
        for name in ("stability", "difficulty"):
            mine, theirs = getattr(ours, name), anki[name]
            if abs(mine - theirs) > MEMORY_TOLERANCE * theirs:
                found.append(f"{where} {name} {mine:.4f}, Anki {theirs:.4f}")
        assert ours.due is not None
        if phase is Phase.REVIEW:
            days = scheduler.scheduled_days(ours)
            if days != anki["ivl"]:
                found.append(f"{where} interval {days} d, Anki {anki['ivl']} d")
        else:
            steps = (
                settings.learning_steps_minutes
                if phase is Phase.LEARNING
                else (settings.relearning_steps_minutes)
            )
            if len(steps) - (ours.step or 0) != anki["left"] % 1000:
                found.append(f"{where} step {ours.step}, Anki has {anki['left']} left")
        if phase is not Phase.REVIEW and anki["queue"] == QUEUE_INTRADAY:
            if abs(ours.due.timestamp() - anki["due"]) > STEP_TOLERANCE_S:
                theirs = datetime.fromtimestamp(anki["due"], UTC)
                found.append(f"{where} due {ours.due:%Y-%m-%d %H:%M:%S}, Anki {theirs:%H:%M:%S}")
            continue
        due_in_days = (_study_date(scheduler, ours.due) - _study_date(scheduler, now)).days
        anki_days = anki["due"] - anki["today"]
        if due_in_days != anki_days:
            found.append(f"{where} due in {due_in_days} study days, Anki {anki_days}")
        due_day = study_day_start(_study_date(scheduler, ours.due), sequence.zone,
                                  settings.day_start_hour)  # fmt: skip
        if ours.due != due_day:
            found.append(f"{where} due {ours.due}, not at the start of a study day")
    return found


def _study_date(scheduler: Scheduler, when: datetime) -> date:
    return study_day(when, scheduler.tz, scheduler.settings.day_start_hour).date
