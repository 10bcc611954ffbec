"""Parse card files through a per-file cache, so start-up does not re-parse unchanged files.

Parsing 10,000 cards with markdown-it takes seconds; unpickling them takes a fraction of that.
Each file's cards and errors are kept with the file's (mtime, size, inode) and reused while
those match; the whole cache is dropped when deckgen changes (its fingerprint, the same one
deckgen's build cache uses). The cache is only an
optimisation: any problem reading or writing it means a plain parse.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deckgen.atomic import write_atomic
from deckgen.fingerprint import deckgen_fingerprint
from deckgen.ids import duplicate_id_errors
from deckgen.model import Card, CardError, ParseResult
from deckgen.sources import collect_sources
from studyapp.locations import DataFolder

if TYPE_CHECKING:
    from deckgen.walker import DocumentResult

_FORMAT = 1

Stamp = tuple[int, int, int]
Entry = tuple[Stamp, list[Card], list[CardError]]
Key = tuple[str, tuple[str, ...]]


def parse_with_cache(paths: Sequence[Path], cache_dir: Path) -> ParseResult:
    """Same result as `deckgen.parser.parse_paths(paths)`, reusing unchanged files' cards."""
    sources, errors = collect_sources(paths)
    cache_file = DataFolder(cache_dir).parse_cache
    cached = _load(cache_file)
    fresh: dict[Key, Entry] = {}
    result = ParseResult(errors=list(errors))
    for source in sources:
        key = (str(source.path), tuple(source.deck_prefix))
        stamp = _stamp(source.path)  # taken before reading: a later edit means a re-parse
        entry = cached.get(key)
        if entry is None or stamp is None or entry[0] != stamp:
            document = parse_file(source.path, source.deck_prefix)
            cards = [parsed.card for parsed in document.parsed]
            entry = (stamp or (0, 0, 0), cards, list(document.errors))
        fresh[key] = entry
        result.cards.extend(entry[1])
        result.errors.extend(entry[2])
    result.errors.extend(duplicate_id_errors(result.cards))
    if fresh.keys() != cached.keys() or any(fresh[key] is not cached.get(key) for key in fresh):
        _save(cache_file, fresh)
    return result


def parse_file(path: Path, deck_prefix: tuple[str, ...]) -> DocumentResult:
    """deckgen's `parse_file`, imported when a file first needs parsing: a warm start, every
    file in the cache, does not load the parser (markdown rendering, highlighting)."""
    from deckgen.parser import parse_file as parse

    return parse(path, deck_prefix)


def _stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _parser_version() -> tuple[Any, ...]:
    """Changes whenever deckgen changes, so old parses are never reused."""
    return (_FORMAT, deckgen_fingerprint())


def _load(path: Path) -> dict[Key, Entry]:
    try:
        with path.open("rb") as handle:
            version, entries = pickle.load(handle)
    except Exception:  # missing, truncated or from another version: start afresh
        return {}
    return entries if version == _parser_version() and isinstance(entries, dict) else {}


def _save(path: Path, entries: dict[Key, Entry]) -> None:
    data = pickle.dumps((_parser_version(), entries), protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(OSError):  # only an optimisation: a plain parse next time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
