"""Modules lessons import to show *when* something is imported; no card runs them directly."""
