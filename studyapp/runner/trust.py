"""Remember which card files the learner allowed to run commands.

One rule for every way of running a card's command (the `r` key, `studyapp run`, `studyapp
verify`): the project's own course (deckgen.course) runs without asking; any other card file
runs once the learner confirmed it (or with `--yes`). A file is trusted for one content only:
the key is its resolved path plus the sha256 of its bytes, so any edit asks again. The
digest trusted is that of the bytes the confirmation showed (`CardSnapshot`, `FileSnapshot`):
the file is read once, the commands are taken from those bytes, and an edit made while the
question is open is not covered by the answer. Stored as JSON in the study data folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from deckgen.atomic import write_atomic
from deckgen.cardformat.model import Card
from deckgen.course import is_course_file


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    return bytes_digest(path.read_bytes())


@dataclass(frozen=True)
class CardSnapshot:
    """A card as its file holds it right now, and the digest of the bytes it came from."""

    card: Card | None  # None: the file is unreadable or the card is no longer in it
    digest: str
    problem: str = ""  # why `card` is None, as `path:line: message`


def read_snapshot(card: Card) -> CardSnapshot:
    """Re-read `card`'s file once and parse the card again from exactly those bytes."""
    # The deck prefix (parent folders) only matters for ids derived from the deck name.
    snapshot = read_file_snapshot(card.location.path, tuple(card.deck_path[:-1]))
    if not snapshot.digest:  # the file could not be read
        return CardSnapshot(None, "", snapshot.problem)
    parsed = snapshot.cards
    fresh = next((c for c in parsed if c.id == card.id), None)
    if fresh is None:  # a derived id may differ: fall back to the same heading
        fresh = next(
            (c for c in parsed if (c.title, c.location.line) == (card.title, card.location.line)),
            None,
        )
    problem = ""
    if fresh is None:
        problem = snapshot.problem or f"{card.location}: card gone"
    return CardSnapshot(fresh, snapshot.digest, problem)


@dataclass(frozen=True)
class FileSnapshot:
    """Every card of one file, parsed from exactly the bytes `digest` was taken of."""

    path: Path
    cards: tuple[Card, ...]
    digest: str
    problem: str = ""  # `path:line: message` when the file cannot be read or parsed


def read_file_snapshot(path: Path, deck_prefix: tuple[str, ...]) -> FileSnapshot:
    from deckgen.cardformat.parse import parse_text

    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return FileSnapshot(path, (), "", f"{path}:1: cannot read the card file: {exc}")
    result = parse_text(text, path, deck_prefix)
    problem = str(result.errors[0]) if result.errors else ""
    return FileSnapshot(path, tuple(result.cards), bytes_digest(data), problem)


class TrustStore:
    def __init__(self, store_path: Path) -> None:
        self.path = store_path  # a data folder's `trusted_files` (locations.DataFolder)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: trust nothing, ask again
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def is_trusted(self, card_file: Path, digest: str | None = None) -> bool:
        """The project's own course, or trusted with this content: `digest` of the bytes in
        hand, else the file now."""
        if is_course_file(card_file):
            return True
        if digest is None:
            try:
                digest = file_digest(card_file)
            except OSError:
                return False
        return bool(digest) and self._load().get(str(card_file.resolve())) == digest

    def trust(self, card_file: Path, digest: str | None = None) -> None:
        """Trust `card_file` with the content of `digest` (default: as it is now)."""
        entries = self._load()
        entries[str(card_file.resolve())] = digest if digest else file_digest(card_file)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(entries, indent=2, sort_keys=True) + "\n")
