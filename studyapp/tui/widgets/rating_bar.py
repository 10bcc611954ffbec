"""The four answer buttons, each showing the interval its grade would give."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button
from textual.widgets.button import ButtonVariant

RATING_NAMES: dict[int, str] = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_VARIANTS: dict[int, ButtonVariant] = {1: "error", 2: "warning", 3: "success", 4: "primary"}


def rating_label(rating: int, interval: str) -> str:
    return f"{rating} {RATING_NAMES[rating]}  {interval}"


class RatingBar(Horizontal):
    """Buttons 1-4; clicking one posts `RatingBar.Rated` (keys are bound on the screen)."""

    @dataclass
    class Rated(Message):
        rating: int

    def compose(self) -> ComposeResult:
        for rating, name in RATING_NAMES.items():
            # Not focusable: Space and Enter belong to the review screen, not to a button.
            button = Button(
                f"{rating} {name}", id=f"rate-{rating}", variant=RATING_VARIANTS[rating]
            )
            button.can_focus = False
            yield button

    def set_intervals(self, intervals: Mapping[int, str]) -> None:
        for rating in RATING_NAMES:
            button = self.query_one(f"#rate-{rating}", Button)
            button.label = rating_label(rating, intervals.get(rating, "?"))

    @on(Button.Pressed)
    def _rate(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("rate-"):
            self.post_message(self.Rated(int(event.button.id.removeprefix("rate-"))))
