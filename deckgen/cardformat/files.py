"""Where cards come from: files and folders, read as UTF-8, with their parent decks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deckgen.cardformat.model import CardError, SourceLocation


def error(path: Path, line: int, message: str) -> CardError:
    return CardError(SourceLocation(path, line), message)


@dataclass(frozen=True)
class Source:
    path: Path
    deck_prefix: tuple[str, ...] = ()
    root: Path | None = None  # the folder given (media must stay inside); None: the file's

    @property
    def media_root(self) -> Path:
        return self.root if self.root is not None else self.path.parent


def collect_sources(paths: Sequence[Path]) -> tuple[list[Source], list[CardError]]:
    """Expand folders into their Markdown files; report missing paths and empty folders."""
    sources: list[Source] = []
    errors: list[CardError] = []
    for path in paths:
        if path.is_dir():
            found = markdown_files_below(path)
            if not found:
                errors.append(error(path, 1, "no Markdown (*.md) files in this folder"))
            for file in found:
                sources.append(Source(file, file.relative_to(path).parent.parts, path))
        elif path.is_file():
            sources.append(Source(path))
        else:
            errors.append(error(path, 1, "no such file or folder"))
    return sources, errors


def markdown_files_below(folder: Path) -> list[Path]:
    """Every `*.md` below `folder`, sorted, skipping hidden files and folders."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files) if f.endswith(".md") and f[0] != ".")
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def read_card_file(path: Path) -> tuple[bytes, str | None, CardError | None]:
    """A card file's bytes and its UTF-8 text; the problem instead of the text when the file
    is unreadable, not UTF-8 or empty."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return b"", None, error(path, 1, f"cannot read file: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        problem = error(path, line, f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8")
        return data, None, problem
    if not text.strip():
        problem = error(path, 1, "empty file: expected a '# Deck title' and '## Card' sections")
        return data, None, problem
    return data, text, None
