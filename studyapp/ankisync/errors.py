"""The one error type of the Anki commands: its message is the whole line the user sees."""

from __future__ import annotations


class AnkiSyncError(Exception):
    """Bad input or a refused collection; nothing was written."""
