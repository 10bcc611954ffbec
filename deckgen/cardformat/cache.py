"""The one cache of card files read: what `load` found in each file, kept between runs.

One SQLite file in the user's cache folder (`$CELERY_SRS_CACHE_DIR`, else the platform's,
e.g. `~/.cache/celery-srs/card-files.sqlite3`), shared by deckgen and the study app: cards
parsed by one are not parsed again by the other. One row per card file (its path, deck
prefix and media folder, under deckgen's fingerprint), holding the digest of the file it
describes, each chunk's cards and errors and, in a column of its own that a plain load never
reads, each chunk's rendered form (deckgen's HTML). A changed file keeps the chunks whose
text did not change, so one edited card is one card parsed and rendered again.

Only an optimisation: a missing, damaged, locked or outdated cache is an empty one, and a
cache that cannot be written is skipped. Deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen.cardformat.model import Card, CardError

CACHE_DIR_ENV = "CELERY_SRS_CACHE_DIR"
CACHE_FILE = "card-files.sqlite3"
FORGET_AFTER_DAYS = 30  # rows not written for this long go (e.g. temporary folders')
SCHEMA = """
CREATE TABLE IF NOT EXISTS card_files (
    key TEXT PRIMARY KEY,  -- fingerprint, path, deck prefix, media folder
    digest TEXT NOT NULL,  -- of the file and its recordings when the row was written
    parsed BLOB NOT NULL,  -- pickle: {chunk key: ChunkPart}
    rendered BLOB,  -- pickle: {chunk key: (setting, rendered list)}, or NULL
    used INTEGER NOT NULL  -- when last written (Unix seconds)
)
"""


@dataclass
class ChunkPart:
    """One chunk's cards and problems, with the file line it was parsed at (its cards move
    with it when text above them changes)."""

    start: int  # 0-based line of the chunk in its file
    cards: list[Card] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)


@dataclass
class CachedFile:
    digest: str
    parts: dict[str, ChunkPart]  # by chunk key
    rendered: dict[str, tuple[str, list[Any]]]  # chunk key -> (render setting, per card)


def cache_folder() -> Path:
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("celery-srs"))


class CardCache:
    """The cache's SQLite file; every failure is swallowed (see the module's docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None

    @classmethod
    def open(cls) -> CardCache:
        return cls(cache_folder() / CACHE_FILE)

    def connect(self) -> sqlite3.Connection | None:
        if self.connection is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=5)
                connection.execute(SCHEMA)
            except (OSError, sqlite3.Error):
                return None
            self.connection = connection
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def get(self, key: str, with_rendered: bool) -> CachedFile | None:
        connection = self.connect()
        if connection is None:
            return None
        columns = "digest, parsed, rendered" if with_rendered else "digest, parsed, NULL"
        try:
            row = connection.execute(
                f"SELECT {columns} FROM card_files WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            rendered = pickle.loads(row[2]) if row[2] is not None else {}
            return CachedFile(row[0], pickle.loads(row[1]), rendered)
        except Exception:  # damaged or from another version: as if absent
            return None

    def put(self, entries: dict[str, CachedFile]) -> None:
        """Write rows in one transaction, and forget rows not written for a month."""
        connection = self.connect()
        if connection is None or not entries:
            return
        now = int(time.time())
        rows = [
            (
                key,
                entry.digest,
                pickle.dumps(entry.parts, pickle.HIGHEST_PROTOCOL),
                pickle.dumps(entry.rendered, pickle.HIGHEST_PROTOCOL) if entry.rendered else None,
                now,
            )
            for key, entry in entries.items()
        ]
        with contextlib.suppress(sqlite3.Error), connection:
            connection.executemany("INSERT OR REPLACE INTO card_files VALUES (?, ?, ?, ?, ?)", rows)
            connection.execute(
                "DELETE FROM card_files WHERE used < ?", (now - FORGET_AFTER_DAYS * 86400,)
            )
