"""The `**Label:**` vocabulary of the card format."""

from __future__ import annotations

LABEL_NAMES = {
    "front": "Front",
    "back": "Back",
    "tags": "Tags",
    "id": "ID",
    "run": "Run",
    "expect": "Expect",
    "timeout": "Timeout",
    "service": "Service",
    "type": "Type",
}
CARD_FIELDS = tuple(LABEL_NAMES)
DECK_FIELDS = ("type", "tags")
MAX_LABEL_LENGTH = 40
LABEL_MARKERS = ("**", "__")


def looks_like_label(name: str) -> bool:
    """A label is one or a few words of letters (hyphens allowed), e.g. `Front`."""
    return 0 < len(name) <= MAX_LABEL_LENGTH and name.replace(" ", "").replace("-", "").isalpha()


def label_at_start(line: str) -> tuple[str, str, int] | None:
    """`**Word:**` or `__Word:__` at the very start of `line`: (word, marker, length)."""
    marker = line[:2]
    if marker not in LABEL_MARKERS:
        return None
    end = line.find(":" + marker, 2)
    if end <= 2 or not looks_like_label(line[2:end]):
        return None
    return line[2:end], marker, end + 3
