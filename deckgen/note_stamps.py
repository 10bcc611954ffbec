"""Each note's modification time, kept next to the output: `OUT.apkg.notes.json`.

genanki would stamp every note with the build time, and Anki would then report every note
as updated on each import. This file remembers, per card id, a digest of the note's content
and the `mod` given to it, so a note's time only moves when its content does. It also names
the package last written (a digest of its notes, and the file's size, time and inode), so a
build that would write the very same package leaves it alone. Deleting it is safe: the next
build stamps every note as new content once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen.atomic import write_atomic

STAMPS_VERSION = 1
STAMPS_SUFFIX = ".notes.json"


def stamps_path_for(output: Path) -> Path:
    return output.with_name(output.name + STAMPS_SUFFIX)


@dataclass
class NoteStamps:
    path: Path
    stamps: dict[str, list[Any]] = field(default_factory=dict)  # card id -> [digest, mod]
    package: list[Any] = field(default_factory=list)  # [notes digest, size, mtime_ns, inode]

    @classmethod
    def load(cls, path: Path) -> NoteStamps:
        """A missing, unreadable or outdated file is an empty one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STAMPS_VERSION or not isinstance(data["stamps"], dict):
                return cls(path)
            package = data.get("package")
            return cls(path, data["stamps"], package if isinstance(package, list) else [])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(path)

    def stamp(self, card_id: str, digest: str, now: int) -> tuple[int, bool]:
        """The note's mod and whether it changed: kept while the content is the same,
        else strictly later than before (even for two builds within one second)."""
        previous = self.stamps.get(card_id)
        if previous is not None and previous[0] == digest:
            return int(previous[1]), False
        mod = now if previous is None else max(now, int(previous[1]) + 1)
        self.stamps[card_id] = [digest, mod]
        return mod, True

    def holds(self, output: Path, notes_digest: str) -> bool:
        """Whether `output` is still the package last written, made of these very notes."""
        return bool(self.package) and self.package == [notes_digest, *file_stat(output)]

    def save(self, keep_ids: set[str], output: Path, notes_digest: str) -> None:
        """Write atomically, naming the package just written; forget cards that are gone."""
        stamps = {k: s for k, s in self.stamps.items() if k in keep_ids}
        package = [notes_digest, *file_stat(output)]
        document = {"version": STAMPS_VERSION, "stamps": stamps, "package": package}
        write_atomic(self.path, json.dumps(document, separators=(",", ":")))


def file_stat(path: Path) -> list[int]:
    try:
        info = path.stat()
    except OSError:
        return []
    return [info.st_size, info.st_mtime_ns, info.st_ino]
