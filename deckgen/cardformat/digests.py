"""Digests: of a few strings (`content_digest`), and one fingerprint of everything that
shapes a card's id, fields or HTML (`deckgen_fingerprint`).

The card cache (cache.py) keys on it, for deckgen and the study app alike. It covers the
package's version, the libraries that render a card, and the source of every deckgen module
(not a hand-kept list: one forgotten module once let a cached build keep ids that the id
rules no longer gave). Any change to any of them makes the cache start afresh.
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

import markdown_it
import pygments

from deckgen.version import package_version


def content_digest(*parts: str) -> str:
    """A short hash of several strings (NUL-separated, so ("ab", "c") != ("a", "bc"))."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


@cache
def deckgen_fingerprint() -> str:
    """A hex digest; computed once per process (the modules are already imported)."""
    digest = hashlib.sha256()
    # The libraries' own version attributes: cheaper than reading their metadata.
    versions = (package_version(), markdown_it.__version__, pygments.__version__)
    digest.update("\0".join([*versions, _genanki_version(), ""]).encode())
    package = Path(__file__).parents[1]  # deckgen, the card format included
    for module in sorted(package.rglob("*.py")):
        digest.update(f"{module.relative_to(package).as_posix()}\0".encode())
        digest.update(module.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _genanki_version() -> str:
    """genanki's version without importing it where it is not loaded yet: the study app's
    start (which never builds a package) would pay ~50 ms for the import alone."""
    loaded = sys.modules.get("genanki")
    version = getattr(loaded, "__version__", None)
    return version if isinstance(version, str) else metadata.version("genanki")
