"""The proof on a card's answer: its Run command and what it printed when last verified
(`X.verified.json`, see recordings.py), the lines the Expect checks marked in it.

The proof appears once: with a recording, the Expect (a test spec with its own copy of the
lines) stays in the card file and the terminal, and Anki shows the recorded lines it found
(class `deckgen-proof`). Without a recording the Expect's plain lines are shown instead, its
`re:` lines only counted: a regular expression teaches nothing on a card.
"""

from __future__ import annotations

import html

from deckgen.cardformat.expect import parse_expect
from deckgen.cardformat.model import RunSpec
from deckgen.cardformat.recordings import Recording, matched_lines
from deckgen.highlight import PRE_STYLE, highlight_code

OUTPUT_HEADING = "What it printed, verified {date}"
# On the code block's dark background whatever Anki's theme: a lighter band, bold text.
PROOF_STYLE = "display:inline-block;width:100%;background:#3d3a1e;font-weight:bold"


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
    """The Run part of the answer: the command, then what it printed with the proof marked
    (or, not yet recorded, what it must print)."""
    if run is None:
        return ""
    parts = ['<div class="deckgen-run"><div class="deckgen-run-label">Run</div>']
    parts.append(highlight_code(run.command + "\n", "bash"))
    notes = [f"timeout {run.timeout:g} s"]
    if run.service:
        notes.append("keeps running (service)")
    parts.append(f'<div class="deckgen-run-notes">{html.escape(", ".join(notes))}</div>')
    if recording is not None:
        heading = html.escape(OUTPUT_HEADING.format(date=recording.verified))
        celery = html.escape(recording.celery)
        parts.append(
            f'<div class="deckgen-output"><div class="deckgen-run-label">{heading}</div>'
            f"{marked_output(recording.output, run.expect)}"
            f'<div class="deckgen-run-notes">with Celery {celery}</div></div>'
        )
    elif run.expect:
        plain, patterns = expect_summary(run.expect)
        parts.append('<div class="deckgen-run-label">Expect</div>')
        if plain:
            parts.append(highlight_code("\n".join(plain) + "\n", "text"))
        note = pattern_note(plain, patterns)
        if note:
            parts.append(f'<div class="deckgen-run-notes">{note}</div>')
    parts.append("</div>")
    return "".join(parts)


def marked_output(output: str, expect: str | None) -> str:
    """A recorded output as a code block, each line the Expect matched in a `deckgen-proof`
    span."""
    lines = output.split("\n")
    proof = set(matched_lines(lines, expect))
    shown = [
        f'<span class="deckgen-proof" style="{PROOF_STYLE}">{html.escape(line)}</span>'
        if index in proof
        else html.escape(line)
        for index, line in enumerate(lines)
    ]
    return f'<pre style="{PRE_STYLE}"><code>{chr(10).join(shown)}</code></pre>'
