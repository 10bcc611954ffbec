"""The build cache kept next to the output: `OUT.apkg.cache.json`.

It remembers, per card id, a digest of the note's rendered content and the `mod` time
given to it, so a note's modification time only moves when its content does (Anki then
reports exactly the edited notes as updated). It also keeps each card's rendered
HTML keyed by a hash of its source text, so a rebuild re-renders only changed cards.
Deleting the cache is safe: the next build stamps every note as new content once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen.atomic import replace_with, write_temp

CACHE_VERSION = 1
CACHE_SUFFIX = ".cache.json"


def cache_path_for(output: Path) -> Path:
    return output.with_name(output.name + CACHE_SUFFIX)


def content_digest(*parts: str) -> str:
    """A short hash of several strings (NUL-separated, so ("ab", "c") != ("a", "bc"))."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


@dataclass
class BuildCache:
    path: Path
    renderer: str  # fingerprint of the renderer that produced `chunks`
    stamps: dict[str, list[Any]] = field(default_factory=dict)  # card id -> [digest, mod]
    # Rendered cards by chunk (see build.py): entries as loaded, or encoded JSON text.
    chunks: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, renderer: str) -> BuildCache:
        """A missing, unreadable or outdated cache is an empty one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != CACHE_VERSION:
                return cls(path, renderer)
            stamps = data["stamps"]
            if not isinstance(stamps, dict):
                return cls(path, renderer)
            # Rendered HTML from another renderer is stale; the stamps stay valid.
            chunks = dict(data["chunks"]) if data.get("renderer") == renderer else {}
            return cls(path, renderer, stamps, chunks)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(path, renderer)

    def stamp(self, card_id: str, digest: str, now: int) -> tuple[int, bool]:
        """The note's mod and whether it changed: kept while the content is the same,
        else strictly later than before (even for two builds within one second)."""
        previous = self.stamps.get(card_id)
        if previous is not None and previous[0] == digest:
            return int(previous[1]), False
        mod = now if previous is None else max(now, int(previous[1]) + 1)
        self.stamps[card_id] = [digest, mod]
        return mod, True

    def save(self, keep_ids: set[str]) -> None:
        """Write atomically; forget cards that no longer exist."""
        replace_with(self.write_temp(keep_ids), self.path)

    def write_temp(self, keep_ids: set[str]) -> Path:
        """The cache as a synced temporary file next to its place, for `replace_with`.

        A chunk entry given as a string is JSON already (encoded by the worker that
        rendered it) and is joined in as is: a cold build then encodes nothing here,
        after the workers are done. The other entries are encoded in one call.
        """
        stamps = {k: s for k, s in self.stamps.items() if k in keep_ids}
        head = {"version": CACHE_VERSION, "renderer": self.renderer, "stamps": stamps}
        decoded = {k: e for k, e in self.chunks.items() if not isinstance(e, str)}
        members = [compact_json(decoded)[1:-1]] if decoded else []
        # Keys are hex digests (chunk_key): nothing to escape.
        members += [f'"{k}":{e}' for k, e in self.chunks.items() if isinstance(e, str)]
        text = f'{compact_json(head)[:-1]},"chunks":{{{",".join(members)}}}}}'
        return write_temp(self.path, text)


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
