"""Settings: edit the TOML settings (retention, limits, day start, steps) and save them."""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Static

from studyapp.settings import (
    RETENTION_RANGE,
    Settings,
    SettingsError,
    settings_path,
    validate,
)
from studyapp.store import StoreError
from studyapp.study import Study
from studyapp.tui.styles_dir import screen_sheet

LABELS: dict[str, str] = {
    "desired_retention": f"Desired retention ({RETENTION_RANGE[0]} - {RETENTION_RANGE[1]})",
    "new_per_day": "New cards per day",
    "max_reviews_per_day": "Maximum reviews per day",
    "day_start_hour": "Study day starts at (hour, 0-23)",
    "learning_steps_minutes": "Learning steps (minutes)",
    "relearning_steps_minutes": "Relearning steps (minutes)",
    "leech_lapses": "Leech after lapses",
    "maximum_interval_days": "Maximum interval (days)",
    "fuzz": "Fuzz intervals",
    "bury_siblings": "Bury cards with the same command",
    "run_before_answer": "Allow r before the answer shows",
}
FORM_FIELDS = [field.name for field in fields(Settings) if field.name in LABELS]  # theme: Ctrl-P


def shown_path(path: Path) -> str:
    """The path relative to the current folder when inside it, else with `~` for home."""
    path = path.absolute()
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        if path.is_relative_to(base):
            return prefix + str(path.relative_to(base))
    return str(path)


class SettingsInvalid(ValueError):
    pass


def field_text(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(str(item) for item in value)
    return str(value)


def parse_field(name: str, text: str, default: Any) -> Any:
    """One field's text as the type its default has; SettingsInvalid names the field."""
    label = LABELS.get(name, name)
    text = text.strip()
    try:
        if isinstance(default, tuple):
            steps = tuple(int(part) for part in text.replace(",", " ").split())
            if not steps:
                raise SettingsInvalid(f"{label}: give at least one step")
            return steps
        if isinstance(default, float):
            return float(text)
        return int(text)
    except ValueError as exc:
        if isinstance(exc, SettingsInvalid):
            raise
        kind = "a number" if isinstance(default, float) else "a whole number"
        if isinstance(default, tuple):
            kind = "whole minutes separated by spaces"
        raise SettingsInvalid(f"{label}: {text!r} is not {kind}") from None


def settings_from_form(
    values: dict[str, str], switches: dict[str, bool], current: Settings
) -> Settings:
    defaults = asdict(current)
    parsed: dict[str, Any] = dict(switches)
    for name, text in values.items():
        parsed[name] = parse_field(name, text, defaults[name])
    settings = Settings(**{**defaults, **parsed})
    try:
        validate(settings)
    except ValueError as exc:
        raise SettingsInvalid(str(exc)) from None
    return settings


class SettingsScreen(Screen[None]):
    CSS_PATH = screen_sheet("settings.tcss")
    AUTO_FOCUS = "Input"  # typing changes the first field at once
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Save", priority=True)]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study

    def compose(self) -> ComposeResult:
        current = self.study.settings
        yield Header()
        with VerticalScroll(id="settings-form"):
            for name in FORM_FIELDS:
                value = getattr(current, name)
                with Horizontal(classes="setting-row"):
                    yield Label(LABELS[name], classes="setting-label")
                    if isinstance(value, bool):
                        yield Checkbox("on", value, id=f"setting-{name}", compact=True)
                    else:
                        yield Input(field_text(value), id=f"setting-{name}", compact=True)
            with Horizontal(id="settings-buttons"):
                yield Button("Save  (ctrl+s)", id="save", variant="primary", compact=True)
            yield Static(id="settings-message")
            if current.fsrs_parameters:  # only sync-anki sets them; not edited here
                yield Static(
                    Text("FSRS parameters: from Anki's deck preset (fsrs_parameters in the file)"),
                    classes="hint",
                )
            where = shown_path(settings_path(self.study.data_dir))
            yield Static(Text(f"Stored in {where}"), classes="hint")
        yield Footer()

    def form_values(self) -> tuple[dict[str, str], dict[str, bool]]:
        current = self.study.settings
        texts: dict[str, str] = {}
        switches: dict[str, bool] = {}
        for name in FORM_FIELDS:
            if isinstance(getattr(current, name), bool):
                switches[name] = self.query_one(f"#setting-{name}", Checkbox).value
            else:
                texts[name] = self.query_one(f"#setting-{name}", Input).value
        return texts, switches

    def action_save(self) -> None:
        message = self.query_one("#settings-message", Static)
        texts, switches = self.form_values()
        try:
            settings = settings_from_form(texts, switches, self.study.settings)
        except SettingsInvalid as exc:
            message.set_class(True, "-error")
            message.update(Text(f"Not saved: {exc}"))
            return
        try:
            self.study.update_settings(settings)
        except (SettingsError, StoreError) as exc:  # e.g. a full disk or a read-only folder
            message.set_class(True, "-error")
            message.update(Text(f"Not saved: {exc}"))
            return
        message.set_class(False, "-error")
        message.update("Saved.")
        self.notify("Settings saved.")

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Input.Submitted)
    def _field_submitted(self) -> None:
        self.action_save()
