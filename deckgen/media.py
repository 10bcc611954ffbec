"""Local images in card fields -> media files named by their content hash.

Naming by content means two `img.png` in different folders never collide, and an
unchanged image keeps its name (so the note's HTML does not change). Images and file
links must stay inside the deck's folder; web addresses are left as links, never fetched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from deckgen.cardformat.model import CardError, SourceLocation

HASH_LENGTH = 24


@dataclass(frozen=True)
class MediaFile:
    name: str  # the file name inside the package, e.g. "3f2a...c1.png"
    source: Path


def local_path(src: str) -> str | None:
    """The file a link or image points at on this machine (relative, absolute or `file:`),
    or None for a web address, an in-page anchor, inline data or an empty link."""
    if not src or src.startswith(("#", "data:")):
        return None
    parts = urlsplit(src)
    if parts.scheme == "file":
        return unquote(parts.path)
    if parts.scheme or parts.netloc:
        return None  # http(s), mailto, ...: stays a link and is never fetched
    return unquote(parts.path) or None


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, after every symlink is followed, lies inside `root`."""
    return path.resolve().is_relative_to(root.resolve())


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
    tokens: Iterable[Token], path: Path, media_root: Path, line_offset: int = 0
) -> tuple[list[MediaFile], list[CardError]]:
    """Point every local image at its media name (in place); report missing files and any
    image or file link that leads outside `media_root` (the deck's folder): a deck from
    elsewhere must not pack, or point at, the builder's other files."""
    media: list[MediaFile] = []
    errors: list[CardError] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = (token.map[0] if token.map else 0) + line_offset + 1
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            if child.type not in ("image", "link_open"):
                continue
            attribute = "src" if child.type == "image" else "href"
            src = str(child.attrs.get(attribute, ""))
            local = local_path(src)
            if local is None:
                continue
            what = "image" if child.type == "image" else "link"
            target = path.parent / local  # an absolute `local` replaces the folder
            if not inside(target, media_root):
                message = f"{what} {src} is outside the deck folder {media_root}"
                errors.append(CardError(SourceLocation(path, line), message))
                continue
            if child.type != "image":
                continue  # a file link inside the folder stays as written
            if not target.is_file():
                errors.append(CardError(SourceLocation(path, line), f"image not found: {src}"))
                continue
            try:
                name = media_name(target)
            except OSError as exc:
                message = f"cannot read image {src}: {exc.strerror or exc}"
                errors.append(CardError(SourceLocation(path, line), message))
                continue
            child.attrs["src"] = name
            media.append(MediaFile(name, target.resolve()))
    return media, errors
