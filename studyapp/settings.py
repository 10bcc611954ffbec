"""User settings: a small TOML file (`settings.toml`) in the data folder.

Written with the defaults on first run so the user can find and edit it.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from deckgen.atomic import write_atomic
from studyapp.locations import DataFolder

FSRS_PARAMETER_COUNT = 21  # FSRS-6, as the fsrs package and Anki's `fsrsParams6`
RETENTION_RANGE = (0.7, 0.99)  # what FSRS is tuned for; the settings screen shows the same
DEFAULT_THEME = "textual-dark"


class SettingsError(Exception):
    """A bad settings file; the message is `path:line: message`."""


@dataclass(frozen=True)
class Settings:
    desired_retention: float = 0.9
    new_per_day: int = 20
    max_reviews_per_day: int = 200
    day_start_hour: int = 4  # local time, as Anki
    learning_steps_minutes: tuple[int, ...] = (1, 10)
    relearning_steps_minutes: tuple[int, ...] = (10,)
    leech_lapses: int = 8
    fuzz: bool = True
    maximum_interval_days: int = 36500
    bury_siblings: bool = True
    run_before_answer: bool = False
    theme: str = DEFAULT_THEME
    # FSRS's model weights; empty: fsrs' defaults. `studyapp sync-anki` copies the Anki
    # deck preset's own (optimized) parameters here, so both sides schedule alike.
    fsrs_parameters: tuple[float, ...] = ()


_COMMENTS = {
    "desired_retention": "probability of recall FSRS aims for "
    f"({RETENTION_RANGE[0]} - {RETENTION_RANGE[1]})",
    "new_per_day": "new cards introduced per study day",
    "max_reviews_per_day": "review cards shown per study day at most",
    "day_start_hour": "local hour (0-23) at which a new study day starts",
    "learning_steps_minutes": "steps for new cards, in minutes",
    "relearning_steps_minutes": "steps after a lapse, in minutes",
    "leech_lapses": "lapses after which a card is tagged `leech` and suspended",
    "fuzz": "spread review intervals a little so cards do not clump",
    "maximum_interval_days": "longest interval FSRS may give",
    "bury_siblings": "once a card is answered, hide cards running the same command until tomorrow",
    "run_before_answer": "allow running a card's command before its answer shows (gives it away)",
    "theme": "the app's colour theme (Ctrl-P > Change theme)",
    "fsrs_parameters": f"FSRS parameters ({FSRS_PARAMETER_COUNT} numbers; [] for the defaults), "
    "set from Anki's deck preset by `studyapp sync-anki`",
}


def settings_path(data_dir: Path) -> Path:
    return DataFolder(data_dir).settings


def load_settings(data_dir: Path) -> Settings:
    """Read the settings file, creating it with the defaults when it does not exist."""
    path = settings_path(data_dir)
    if not path.exists():
        defaults = Settings()
        save_settings(data_dir, defaults)
        return defaults
    text = _read_text(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_from_toml_error(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        raise SettingsError(f"{path}:{line}: {message}") from None
    return _settings_from_dict(raw, path, text)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{path}:1: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SettingsError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None


def save_settings(data_dir: Path, settings: Settings) -> None:
    validate(settings)
    lines = ["# celery-srs study app settings", ""]
    for name, value in asdict(settings).items():
        lines.append(f"# {_COMMENTS[name]}")
        lines.append(f"{name} = {_toml_value(value)}")
    path = settings_path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, "\n".join(lines) + "\n")
    except OSError as exc:
        raise SettingsError(f"{path}:1: cannot save: {exc.strerror or exc}") from None


def validate(settings: Settings) -> None:
    """Raise ValueError naming the first setting out of range."""
    problems = []
    low, high = RETENTION_RANGE
    if not low <= settings.desired_retention <= high:
        problems.append(f"desired_retention must be between {low} and {high}")
    if settings.new_per_day < 0:
        problems.append("new_per_day must not be negative")
    if settings.max_reviews_per_day < 0:
        problems.append("max_reviews_per_day must not be negative")
    if not 0 <= settings.day_start_hour <= 23:
        problems.append("day_start_hour must be between 0 and 23")
    if any(step <= 0 for step in settings.learning_steps_minutes):
        problems.append("learning_steps_minutes must be positive")
    if any(step <= 0 for step in settings.relearning_steps_minutes):
        problems.append("relearning_steps_minutes must be positive")
    if settings.leech_lapses < 1:
        problems.append("leech_lapses must be at least 1")
    if settings.maximum_interval_days < 1:
        problems.append("maximum_interval_days must be at least 1")
    if len(settings.fsrs_parameters) not in (0, FSRS_PARAMETER_COUNT):
        problems.append(f"fsrs_parameters must be {FSRS_PARAMETER_COUNT} numbers (or none)")
    if problems:
        raise ValueError(problems[0])


def _settings_from_dict(raw: dict[str, Any], path: Path, text: str) -> Settings:
    defaults = asdict(Settings())
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = _line_of_key(text, key)
        if key not in defaults:
            raise SettingsError(f"{path}:{line}: unknown setting {key!r}")
        values[key] = _coerce(key, value, defaults[key], f"{path}:{line}")
    settings = Settings(**{**defaults, **values})
    try:
        validate(settings)
    except ValueError as exc:
        name = str(exc).split(" ", 1)[0]
        raise SettingsError(f"{path}:{_line_of_key(text, name)}: {exc}") from None
    return settings


def _coerce(key: str, value: Any, default: Any, where: str) -> Any:
    expected = type(default)
    if key == "fsrs_parameters":
        if not isinstance(value, list) or not all(
            isinstance(item, int | float) and not isinstance(item, bool) for item in value
        ):
            raise SettingsError(f"{where}: {key} must be a list of numbers")
        return tuple(float(item) for item in value)
    if expected is tuple:
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            raise SettingsError(f"{where}: {key} must be a list of whole minutes")
        return tuple(value)
    if expected is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"{where}: {key} must be true or false")
        return value
    if expected is str:
        if not isinstance(value, str):
            raise SettingsError(f"{where}: {key} must be a quoted text")
        return value
    if expected is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise SettingsError(
        f"{where}: {key} must be {'a number' if expected is float else 'a whole number'}"
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return repr(value)


def _line_from_toml_error(message: str) -> int:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else 1


def _line_of_key(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


assert {f.name for f in fields(Settings)} == set(_COMMENTS)
