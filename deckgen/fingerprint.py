"""One fingerprint of everything that shapes a card's id, fields or HTML.

Both caches of parsed or rendered cards key on it: deckgen's build cache (build.py) and
the study app's parse cache (studyapp/source_cache.py). It covers the package's version,
the libraries that render a card, and the source of every deckgen module (not a hand-kept
list: one forgotten module once let a cached build keep ids that the id rules no longer
gave). Any change to any of them makes both caches start afresh.
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


@cache
def deckgen_fingerprint() -> str:
    """A hex digest; computed once per process (the modules are already imported)."""
    digest = hashlib.sha256()
    # The libraries' own version attributes: cheaper than reading their metadata.
    versions = (package_version(), markdown_it.__version__, pygments.__version__)
    digest.update("\0".join([*versions, _genanki_version(), ""]).encode())
    package = Path(__file__).parent
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
