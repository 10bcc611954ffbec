"""The proof on a card's answer: its Run command, what the Expect checks, and what the
command printed when it was last verified (`X.verified.json`, see recordings.py).

A learner in Anki sees the recorded output instead of the Expect's raw regular
expressions: the Expect's plain lines are shown, its `re:` lines only counted.
"""

from __future__ import annotations

import html

from deckgen.cardformat.expect import parse_expect
from deckgen.cardformat.model import RunSpec
from deckgen.cardformat.recordings import Recording
from deckgen.highlight import highlight_code

OUTPUT_HEADING = "What it printed, verified {date}"


def expect_summary(expect: str) -> tuple[list[str], int]:
    """The Expect's plain lines, and how many of its lines are `re:` patterns."""
    lines = parse_expect(expect)
    plain = [line.text for line in lines if line.pattern is None]
    return plain, len(lines) - len(plain)


def pattern_note(plain: list[str], patterns: int) -> str:
    if not patterns:
        return ""
    checks = f"{patterns} pattern check{'s' if patterns != 1 else ''}"
    return f"and {checks}" if plain else checks


def render_run(run: RunSpec | None, recording: Recording | None) -> str:
    """The Run part of the answer: the command, what it must show, what it printed."""
    if run is None:
        return ""
    parts = ['<div class="deckgen-run"><div class="deckgen-run-label">Run</div>']
    parts.append(highlight_code(run.command + "\n", "bash"))
    notes = [f"timeout {run.timeout:g} s"]
    if run.service:
        notes.append("keeps running (service)")
    parts.append(f'<div class="deckgen-run-notes">{html.escape(", ".join(notes))}</div>')
    if run.expect:
        plain, patterns = expect_summary(run.expect)
        parts.append('<div class="deckgen-run-label">Expect</div>')
        if plain:
            parts.append(highlight_code("\n".join(plain) + "\n", "text"))
        note = pattern_note(plain, patterns)
        if note:
            parts.append(f'<div class="deckgen-run-notes">{note}</div>')
    if recording is not None:
        heading = html.escape(OUTPUT_HEADING.format(date=recording.verified))
        celery = html.escape(recording.celery)
        parts.append(
            f'<div class="deckgen-output"><div class="deckgen-run-label">{heading}</div>'
            f"{highlight_code(recording.output + chr(10), '')}"
            f'<div class="deckgen-run-notes">with Celery {celery}</div></div>'
        )
    parts.append("</div>")
    return "".join(parts)
