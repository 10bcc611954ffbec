"""Recorded outputs: the `X.verified.json` format, trimming, and `verify --record`'s merge."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from deckgen.cardformat.expect import check_expect
from deckgen.cardformat.load import load
from deckgen.cardformat.recordings import (
    MAX_LINES,
    Recording,
    RecordingsError,
    as_the_learner_sees,
    load_recordings,
    recordings_path,
    save_recordings,
    trim_output,
)
from deckgen.course import checkout_cards
from studyapp.runner.verify import CardResult, record_outputs

CARDS_DIR = checkout_cards() or Path("cards")
DECK = """\
# Recorded
## Counts
**ID:** counts
**Front:** q
**Back:** a
**Run:** `seq 1 50`
**Expect:**
```
re: ^25$
```

## Breaks
**ID:** breaks
**Front:** q
**Back:** a
**Run:** `false`

## Quiet
**ID:** quiet
**Front:** q
**Back:** a
"""


def test_recordings_file_sits_next_to_its_card_file() -> None:
    assert recordings_path(Path("cards/C/01-why.md")) == Path("cards/C/01-why.verified.json")


def test_saved_file_has_the_agreed_shape_and_loads_back(tmp_path: Path) -> None:
    card_file = tmp_path / "01-a.md"
    recs = {
        "b-card": Recording("2026-12-05", "5.7.0", "pong from w@h\n2 worker(s) answered"),
        "a-card": Recording("2026-12-04", "5.7.0", "résumé → ok"),
    }
    save_recordings(card_file, recs)
    text = (tmp_path / "01-a.verified.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n  "cards": {\n    "a-card": {\n' in text
    assert "résumé → ok" in text  # UTF-8, not \\u escapes
    assert list(json.loads(text)) == ["cards", "format"]  # sorted keys
    assert json.loads(text)["format"] == 1
    assert load_recordings(card_file) == recs
    assert [p.name for p in tmp_path.iterdir()] == ["01-a.verified.json"]  # no temp left over


def test_no_recordings_means_no_file(tmp_path: Path) -> None:
    card_file = tmp_path / "x.md"
    assert load_recordings(card_file) == {}
    save_recordings(card_file, {"a": Recording("2026-12-05", "5.7.0", "x")})
    save_recordings(card_file, {})
    assert not recordings_path(card_file).exists()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{\n  "format": 1,\n  "cards": {\n    "a": {\n', 5, "not valid JSON"),
        ('{"format": 2, "cards": {}}\n', 1, '"format": 1'),
        ('{\n  "format": 1,\n  "cards": []\n}\n', 3, '"cards" must be an object'),
        (
            '{\n  "format": 1,\n  "cards": {\n    "a": {"verified": "2026-12-05",'
            ' "celery": 5, "output": ""}\n  }\n}\n',
            4,
            "a: 'celery' must be a string",
        ),
        (
            '{"format": 1, "cards": {"a": {"verified": "yesterday", "celery": "5", "output": ""}}}',
            1,
            "YYYY-MM-DD",
        ),
    ],
)
def test_malformed_file_is_one_path_line_error(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    (tmp_path / "x.verified.json").write_text(text, encoding="utf-8")
    with pytest.raises(RecordingsError) as raised:
        load_recordings(tmp_path / "x.md")
    assert str(raised.value).startswith(f"{tmp_path / 'x.verified.json'}:{line}: ")
    assert message in str(raised.value)


def test_trim_keeps_matched_lines_with_context_and_marks_gaps() -> None:
    lines = [f"line {n}" for n in range(1, 41)]
    expect = "line 5\nre: ^line 2\\d$\nline 40"
    assert trim_output(lines, expect).splitlines() == [
        "…",
        *["line 4", "line 5", "line 6"],
        "…",
        *["line 19", "line 20", "line 21"],
        "…",
        *["line 39", "line 40"],
    ]


def test_trim_without_expect_keeps_the_head_and_caps_length() -> None:
    lines = [f"{n}" for n in range(100)]
    assert trim_output(lines, None).splitlines() == [*map(str, range(8)), "…"]
    wide = trim_output(["x" * 500], None)
    assert len(wide) == 160 and wide.endswith("…")


def test_trim_never_cuts_or_drops_a_line_the_expect_matched() -> None:
    # A wide line that proves the card stays whole; its wide neighbours are cut.
    wide = ["a" * 300, "ok: " + "b" * 300 + " reserved=1", "c" * 300]
    kept = trim_output(wide, "re: reserved=1$").splitlines()
    assert kept == ["a" * 159 + "…", wide[1], "c" * 159 + "…"]
    # More matched lines than MAX_LINES: the context goes, every matched line stays.
    lines = [f"{n}" for n in range(100)]
    every = "\n".join(f"re: ^{n}$" for n in range(0, 100, 3))
    shown = trim_output(lines, every).splitlines()
    assert [line for line in shown if line != "…"] == [str(n) for n in range(0, 100, 3)]
    assert len(shown) > MAX_LINES


def test_a_recording_holds_what_the_learner_sees_not_the_recording_machine() -> None:
    checkout, temp = Path("/work/wt-deck"), Path("/tmp")
    lines = [
        "loaded /work/wt-deck/demo_project/config/settings.py",
        "File /work/wt-deck/.venv/lib/python3.11/site-packages/celery/platforms.py:893",
        "pidfile /tmp/tmp.wPl5vuZw4g/celerybeat.pid, lock /tmp/studyapp-verify-mvxdgj7t/x",
        "- ** ---------- .> transport:   redis://127.0.0.1:45747/0 (not :457470)",
    ]
    assert as_the_learner_sees(lines, checkout, temp, (45747, 6379)) == [
        "loaded demo_project/config/settings.py",
        "File .venv/lib/python3.11/site-packages/celery/platforms.py:893",
        "pidfile $TMPDIR/tmp.XXXXXXXXXX/celerybeat.pid, lock $TMPDIR/studyapp-verify-XXXXXXXX/x",
        "- ** ---------- .> transport:   redis://127.0.0.1:6379/0 (not :457470)",
    ]


def test_every_recording_in_the_course_passes_its_own_cards_expect() -> None:
    """What Anki shows as a card's proof is proof: its Expect finds every line in it."""
    course = load([CARDS_DIR])
    failing = {
        card.id: check_expect(card.run.expect, file.recordings[card.id].output).describe()
        for file in course.files
        for card in file.cards
        if card.id in file.recordings and card.run is not None and card.run.expect
        if not check_expect(card.run.expect, file.recordings[card.id].output).ok
    }
    assert failing == {}


def test_record_outputs_updates_passing_keeps_failing_drops_vanished(tmp_path: Path) -> None:
    card_file = tmp_path / "01-rec.md"
    card_file.write_text(DECK, encoding="utf-8")
    old = Recording("2026-01-01", "5.6.0", "old")
    save_recordings(card_file, {"breaks": old, "gone": old, "counts": old})
    cards = load([card_file]).cards
    results = [
        CardResult("counts", True, 0.1, output=[str(n) for n in range(1, 51)]),
        CardResult("breaks", False, 0.1, "exit 1", output=["oops"]),
    ]
    changed = record_outputs(cards, results, date(2026, 12, 5), "5.7.0")
    assert changed == [card_file]
    assert load_recordings(card_file) == {
        "counts": Recording("2026-12-05", "5.7.0", "…\n24\n25\n26\n…"),
        "breaks": old,
    }
    assert record_outputs(cards, results, date(2026, 12, 5), "5.7.0") == []  # nothing new
