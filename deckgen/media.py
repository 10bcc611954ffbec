"""Relative images in card fields -> media files named by their content hash.

Naming by content means two `img.png` in different folders never collide, and an
unchanged image keeps its name (so the note's HTML does not change).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from deckgen.model import CardError, SourceLocation

HASH_LENGTH = 24


@dataclass(frozen=True)
class MediaFile:
    name: str  # the file name inside the package, e.g. "3f2a...c1.png"
    source: Path


def is_relative_reference(src: str) -> bool:
    if not src or src.startswith(("/", "#", "data:")):
        return False
    return not urlsplit(src).scheme


# Keyed by size and mtime too: `deckgen watch` stays in one process while images are edited.
_name_by_file: dict[tuple[Path, int, int], str] = {}


def media_name(path: Path) -> str:
    """Content-hash name, computed once per version of a file per process."""
    resolved = path.resolve()
    stat = resolved.stat()
    key = (resolved, stat.st_size, stat.st_mtime_ns)
    name = _name_by_file.get(key)
    if name is None:
        digest = hashlib.sha256(resolved.read_bytes()).hexdigest()[:HASH_LENGTH]
        name = digest + resolved.suffix.lower()
        _name_by_file[key] = name
    return name


def bundle_images(
    tokens: Iterable[Token], base_dir: Path, path: Path, line_offset: int = 0
) -> tuple[list[MediaFile], list[CardError]]:
    """Point every relative image at its media name (in place); report missing files."""
    media: list[MediaFile] = []
    errors: list[CardError] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = (token.map[0] if token.map else 0) + line_offset + 1
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            if child.type != "image":
                continue
            src = str(child.attrs.get("src", ""))
            if not is_relative_reference(src):
                continue
            image = base_dir / unquote(src.split("?", 1)[0].split("#", 1)[0])
            if not image.is_file():
                errors.append(CardError(SourceLocation(path, line), f"image not found: {src}"))
                continue
            try:
                name = media_name(image)
            except OSError as exc:
                message = f"cannot read image {src}: {exc.strerror or exc}"
                errors.append(CardError(SourceLocation(path, line), message))
                continue
            child.attrs["src"] = name
            media.append(MediaFile(name, image.resolve()))
    return media, errors
