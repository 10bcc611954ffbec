"""Screens of the study app: deck list, review, summary, stats, browse, settings."""
