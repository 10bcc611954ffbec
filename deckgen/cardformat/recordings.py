"""What a card's command printed when it was last verified, kept next to the card file.

`X.md` has its recordings in `X.verified.json` (only when at least one card of the file has
one): `{"format": 1, "cards": {"<card id>": {"verified": "YYYY-MM-DD", "celery": "<version>",
"output": "<trimmed output>"}}}`, UTF-8, sorted keys, 2-space indent, trailing newline.
`studyapp verify --record` writes them; `deckgen build` shows them on the card's answer.

`trim_output` picks the lines worth showing: the lines the Expect matched plus a little
context, capped, so a recording stays short enough to read on a card.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deckgen.atomic import write_atomic
from deckgen.cardformat.expect import parse_expect

FORMAT = 1
SUFFIX = ".verified.json"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CONTEXT_LINES = 1  # shown before and after each matched line
MAX_LINES = 16  # a recording longer than this is cut, with a marker
MAX_LINE_CHARS = 160
HEAD_LINES = 8  # without an Expect: the first lines of the output
GAP = "…"


@dataclass(frozen=True)
class Recording:
    verified: str  # YYYY-MM-DD
    celery: str  # the Celery version the command ran with
    output: str  # trimmed output, lines joined by "\n"


class RecordingsError(ValueError):
    """A recordings file that cannot be read; `str()` is one `path:line: message` line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def recordings_path(card_file: Path) -> Path:
    """`cards/x/01-a.md` -> `cards/x/01-a.verified.json`."""
    return card_file.with_name(card_file.stem + SUFFIX)


def load_recordings(card_file: Path) -> dict[str, Recording]:
    """The recordings of `card_file`'s cards by card id; {} when it has none."""
    path = recordings_path(card_file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise RecordingsError(path, 1, f"cannot read: {exc.strerror or exc}") from None
    return recordings_from_bytes(path, data)


def recordings_from_bytes(path: Path, data: bytes) -> dict[str, Recording]:
    """The recordings in a recordings file's bytes (`path` names it in errors)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordingsError(path, 1, "not UTF-8") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordingsError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    return _from_document(path, text, document)


def _from_document(path: Path, text: str, document: object) -> dict[str, Recording]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RecordingsError(path, 1, f'expected an object with "format": {FORMAT}')
    cards = document.get("cards")
    if not isinstance(cards, dict):
        raise RecordingsError(path, _line_of(text, '"cards"'), '"cards" must be an object')
    found: dict[str, Recording] = {}
    for card_id, entry in cards.items():
        line = _line_of(text, json.dumps(card_id))
        if not isinstance(entry, dict):
            raise RecordingsError(path, line, f"{card_id}: expected an object")
        values = {key: entry.get(key) for key in ("verified", "celery", "output")}
        wrong = [key for key, value in values.items() if not isinstance(value, str)]
        if wrong:
            raise RecordingsError(path, line, f"{card_id}: {wrong[0]!r} must be a string")
        if not _DATE.match(str(values["verified"])):
            raise RecordingsError(path, line, f"{card_id}: 'verified' must be YYYY-MM-DD")
        found[card_id] = Recording(**{key: str(value) for key, value in values.items()})
    return found


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def dumps_recordings(recs: dict[str, Recording]) -> str:
    cards = {
        card_id: {"verified": rec.verified, "celery": rec.celery, "output": rec.output}
        for card_id, rec in recs.items()
    }
    document = {"format": FORMAT, "cards": cards}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save_recordings(card_file: Path, recs: dict[str, Recording]) -> None:
    """Write `card_file`'s recordings atomically; no recordings -> no file."""
    path = recordings_path(card_file)
    if not recs:
        path.unlink(missing_ok=True)
        return
    write_atomic(path, dumps_recordings(recs))


def trim_output(lines: Sequence[str], expect: str | None) -> str:
    """The lines that matter: each line an Expect line matched, with CONTEXT_LINES non-blank
    lines around it; without Expect (or when nothing matched) the first HEAD_LINES lines.

    Gaps show as `…`. A matched line is the card's proof: it is never cut, nor left out.
    Other lines are cut at MAX_LINE_CHARS, and the context goes when the recording would
    pass MAX_LINES (the head is capped there).
    """
    cleaned = [line.rstrip() for line in lines]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    matched = matched_lines(cleaned, expect)
    if not matched:
        head = list(range(min(HEAD_LINES, len(cleaned))))
        shown = _with_gaps(cleaned, head, set())
        return "\n".join(shown if len(shown) <= MAX_LINES else [*shown[: MAX_LINES - 1], GAP])
    shown = _with_gaps(cleaned, _around(cleaned, matched, CONTEXT_LINES), set(matched))
    if len(shown) > MAX_LINES:
        shown = _with_gaps(cleaned, sorted(set(matched)), set(matched))
    return "\n".join(shown)


def _around(lines: Sequence[str], matched: Sequence[int], context: int) -> list[int]:
    return sorted(
        {
            index
            for hit in matched
            for index in range(hit - context, hit + context + 1)
            if index == hit or (0 <= index < len(lines) and lines[index].strip())
        }
    )


def _with_gaps(lines: Sequence[str], keep: Sequence[int], whole: set[int]) -> list[str]:
    """The kept lines in order, `…` for each run of lines left out; lines not in `whole`
    cut at MAX_LINE_CHARS."""
    shown: list[str] = []
    previous = -1
    for index in keep:
        if index != previous + 1:
            shown.append(GAP)
        shown.append(lines[index] if index in whole else _cut(lines[index]))
        previous = index
    if keep and keep[-1] < len(lines) - 1:
        shown.append(GAP)
    return shown


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + GAP


def matched_lines(lines: Sequence[str], expect: str | None) -> list[int]:
    """Indexes of the lines where each Expect line's match ends, in order (as verify matches)."""
    output = "".join(line + "\n" for line in lines)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    matched: list[int] = []
    position = 0
    for expect_line in parse_expect(expect):
        end = expect_line.find(output, position)
        if end is None:
            break
        position = end
        last_char = max(end - 1, 0)
        matched.append(_line_index(starts, last_char))
    return matched


def _line_index(starts: Sequence[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


# --- what the recording machine leaves in an output -----------------------------------------

# A temporary folder's random name: mktemp's `tmp.XXXXXXXXXX`, Python's `tmpXXXXXXXX` or
# `<prefix>XXXXXXXX` (mkdtemp with a prefix ending in "-" or "_").
_RANDOM_NAME = re.compile(r"(tmp\.)([A-Za-z0-9]{10})|(tmp|[\w.-]*[-_])([a-z0-9_]{8})")


def as_the_learner_sees(
    lines: Sequence[str],
    checkout: Path,
    temp: Path,
    redis_ports: tuple[int, int] | None,
) -> list[str]:
    """`lines` without what only the recording machine has: the checkout's absolute path
    (`/…/demo_project/x.py` -> `demo_project/x.py`), a temporary folder's random name
    (`$TMPDIR/tmp.XXXXXXXXXX`), and verify's private Redis port: `redis_ports` is (the private
    port, the default port the course teaches), the first written as the second."""
    root = re.escape(str(checkout).rstrip("/") + "/")
    temp_folder = re.compile(re.escape(str(temp).rstrip("/")) + r"/([\w.-]+)")
    port = re.compile(rf"(?<=:){redis_ports[0]}(?!\d)") if redis_ports else None
    seen: list[str] = []
    for line in lines:
        line = re.sub(root, "", line)
        line = temp_folder.sub(_temp_name, line)
        if port is not None and redis_ports is not None:
            line = port.sub(str(redis_ports[1]), line)
        seen.append(line)
    return seen


def _temp_name(found: re.Match[str]) -> str:
    name = found.group(1)
    random = _RANDOM_NAME.fullmatch(name)
    if random is not None:
        prefix = random.group(1) or random.group(3)
        name = prefix + "X" * len(random.group(2) or random.group(4))
    return f"$TMPDIR/{name}"
