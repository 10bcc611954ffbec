"""One fingerprint of everything that shapes a card's id, fields or HTML.

Both caches of parsed or rendered cards key on it: deckgen's build cache (build.py) and
the study app's parse cache (studyapp/source_cache.py). It covers the package's version,
the libraries that render a card, and the source of every deckgen module (not a hand-kept
list: one forgotten module once let a cached build keep ids that the id rules no longer
gave). Any change to any of them makes both caches start afresh.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

DISTRIBUTIONS = ("celery-srs", "markdown-it-py", "pygments", "genanki")


def distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # e.g. run from a source tree, not installed
        return "unknown"


@cache
def deckgen_fingerprint() -> str:
    """A hex digest; computed once per process (the modules are already imported)."""
    digest = hashlib.sha256()
    for name in DISTRIBUTIONS:
        digest.update(f"{name}=={distribution_version(name)}\0".encode())
    package = Path(__file__).parent
    for module in sorted(package.rglob("*.py")):
        digest.update(f"{module.relative_to(package).as_posix()}\0".encode())
        digest.update(module.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:32]
