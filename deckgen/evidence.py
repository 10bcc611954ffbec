"""The proof on a card's answer: its Run command, what the Expect checks, and what the
command printed when it was last verified (`X.verified.json`, see recordings.py).

A learner in Anki sees the recorded output instead of the Expect's raw regular
expressions: the Expect's plain lines are shown, its `re:` lines only counted.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from deckgen.expect import parse_expect
from deckgen.highlight import highlight_code
from deckgen.model import CardError, RunSpec, SourceLocation
from deckgen.recordings import Recording, RecordingsError, dumps_recordings, load_recordings

OUTPUT_HEADING = "What it printed, verified {date}"

# Per card file, for one build (emptied when a build starts, before its workers fork): a
# file's recordings are read once, not once per card.
_loaded: dict[Path, dict[str, Recording]] = {}


def forget_recordings() -> None:
    _loaded.clear()


def recordings_of(card_file: Path) -> dict[str, Recording]:
    """The file's recordings by card id; {} when it has none or they cannot be read (the
    build reports that once per file, see `recordings_state`)."""
    found = _loaded.get(card_file)
    if found is None:
        try:
            found = load_recordings(card_file)
        except RecordingsError:
            found = {}
        _loaded[card_file] = found
    return found


def recordings_state(card_file: Path) -> tuple[str, CardError | None]:
    """A digest of the file's recordings (part of its cards' cache key: a new recording
    re-renders them) and the problem with them, if any, as a `path:line` error. The file is
    read once: what it holds is kept for `recordings_of`."""
    try:
        found = load_recordings(card_file)
    except RecordingsError as exc:
        _loaded[card_file] = {}
        return "", CardError(SourceLocation(exc.path, exc.line), exc.message)
    _loaded[card_file] = found
    if not found:
        return "", None
    return hashlib.sha256(dumps_recordings(found).encode()).hexdigest()[:32], None


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
