"""Settings: edit the TOML settings (retention, limits, day start, steps) and save them.

The rows come from the settings model (`studyapp.settings.Settings`): each field's label and
range name its row, its help shows while the row has focus, and its rules check what is typed.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Static

from studyapp.settings import (
    Described,
    Settings,
    SettingsError,
    described,
    described_fields,
    parameters_origin,
    settings_path,
    validate,
)
from studyapp.store import StoreError
from studyapp.study import Study
from studyapp.tui.styles_dir import screen_sheet

# The theme is picked with Ctrl-P, FSRS parameters come from Anki: not rows here.
FORM_FIELDS = [name for name, about in described_fields() if about.on_screen]


def row_label(about: Described) -> str:
    """ "Desired retention (0.7 - 0.99)": the label, and the range when it has both ends."""
    return " ".join(part for part in (about.label, about.range_text()) if part)


def switch_label(on: bool) -> str:
    """A switch's state in words (the box's mark alone reads the same either way)."""
    return "on" if on else "off"


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
    label = described(name).label
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
                about = described(name)
                with Horizontal(classes="setting-row"):
                    yield Label(row_label(about), classes="setting-label")
                    if isinstance(value, bool):
                        yield Checkbox(
                            switch_label(value),
                            value,
                            id=f"setting-{name}",
                            compact=True,
                            tooltip=about.help,
                        )
                    else:
                        yield Input(
                            field_text(value),
                            id=f"setting-{name}",
                            compact=True,
                            tooltip=about.help,
                        )
            with Horizontal(id="settings-buttons"):
                yield Button("Save  (ctrl+s)", id="save", variant="primary", compact=True)
            yield Static(id="settings-message")
            # Set by `studyapp optimize` or sync-anki, not edited here.
            yield Static(
                Text(f"FSRS parameters: {parameters_origin(current)}"),
                id="fsrs-parameters",
                classes="hint",
            )
            where = shown_path(settings_path(self.study.data_dir))
            yield Static(Text(f"Stored in {where}"), classes="hint")
        yield Static(id="setting-help", markup=False)
        yield Footer()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Say what the focused setting does, from its description."""
        name = (event.widget.id or "").removeprefix("setting-")
        text = described(name).help if name in FORM_FIELDS else ""
        self.query_one("#setting-help", Static).update(text[:1].upper() + text[1:])

    @on(Checkbox.Changed)
    def _switch_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = switch_label(event.value)

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
