"""For every test: the card cache (deckgen.cardformat.cache) in a folder of this run, never
the user's, and removed afterwards. Processes the tests start inherit it."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from deckgen.cardformat.cache import CACHE_DIR_ENV


def pytest_configure(config: pytest.Config) -> None:
    os.environ[CACHE_DIR_ENV] = tempfile.mkdtemp(prefix="celery-srs-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop(CACHE_DIR_ENV, ""), ignore_errors=True)
