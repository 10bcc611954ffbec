"""The Textual terminal UI of the study app (the only place that imports Textual)."""
