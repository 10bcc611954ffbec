"""Executable cards: run a card's `**Run:**` command in the demo project and check its output.

Plain Python and asyncio only; the Textual pieces live in `studyapp/tui/`.
"""
