"""OutputLog: a command's output, long lines wrapped to the width on show.

Textual's `Log` cuts lines at its edge, and `RichLog` wraps each line once, at the width it
had when written. The line that proves a card is often the longest one (a worker's log line
with its task id), so this log keeps the lines as printed and wraps them again whenever its
width changes: nothing the command printed is ever out of reach.
"""

from __future__ import annotations

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog


class OutputLog(RichLog):
    def __init__(self, *, max_lines: int, id: str | None = None) -> None:
        # min_width 1: each line is wrapped to the log's own width, never to a wider minimum.
        super().__init__(max_lines=max_lines, min_width=1, wrap=True, id=id)
        self.printed: list[str] = []  # the lines as the command printed them
        self._wrapped_at = 0

    def write_line(self, line: str) -> None:
        self.printed.append(line)
        if len(self.printed) > (self.max_lines or len(self.printed)):
            del self.printed[0]
        self.write(Text(line))

    def clear_lines(self) -> None:
        self.printed.clear()
        self.clear()

    def on_resize(self, event: Resize) -> None:
        width = self.scrollable_content_region.width
        if width and width != self._wrapped_at and self.printed:
            self.clear()
            for line in self.printed:
                self.write(Text(line))
        self._wrapped_at = width
