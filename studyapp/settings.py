"""User settings: one described model (`Settings`) and its TOML file in the data folder.

Each field of `Settings` carries its description (`Described`: label, help, range), and that
one description drives the file's comments, the validation of what the file or the settings
screen gives, and the settings screen's rows. Adding a setting is adding one field here.

The file is written with the defaults on first run so the learner can find and edit it.
Later saves edit it in place through tomlkit, a round-trip TOML library: the learner's own
comments, blank lines and key order survive, and only values that changed are rewritten.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from deckgen.atomic import write_atomic
from studyapp.locations import DataFolder

FSRS_PARAMETER_COUNT = 21  # FSRS-6, as the fsrs package and Anki's `fsrsParams6`
RETENTION_RANGE = (0.7, 0.99)  # what FSRS is tuned for
DEFAULT_THEME = "textual-dark"


class SettingsError(Exception):
    """A bad settings file; the message is `path:line: message`."""


@dataclass(frozen=True)
class Described:
    """What a learner reads about one setting, and the values it may take."""

    label: str  # the settings screen's name for it
    help: str  # the comment above it in the file; the screen's hint while it has focus
    low: float | None = None  # the smallest value allowed (of each item, for a list)
    high: float | None = None  # the largest
    counts: tuple[int, ...] = ()  # for a list: the numbers of items allowed (empty: any)
    item: type = int  # for a list: its items' type (the default may be empty)
    on_screen: bool = True  # False: set elsewhere (the theme: Ctrl-P; FSRS parameters: sync)

    def range_text(self) -> str:
        """ "(0.7 - 0.99)" when both ends are set, else ""."""
        if self.low is None or self.high is None:
            return ""
        return f"({_number(self.low)} - {_number(self.high)})"


def setting(default: Any, label: str, help: str, **limits: Any) -> Any:
    """A `Settings` field: its default and its description (see `Described`)."""
    return field(default=default, metadata={"described": Described(label, help, **limits)})


@dataclass(frozen=True)
class Settings:
    desired_retention: float = setting(
        0.9,
        "Desired retention",
        "probability of recall FSRS aims for",
        low=RETENTION_RANGE[0],
        high=RETENTION_RANGE[1],
    )
    new_per_day: int = setting(20, "New cards per day", "new cards introduced per study day", low=0)
    max_reviews_per_day: int = setting(
        200, "Maximum reviews per day", "review cards shown per study day at most", low=0
    )
    day_start_hour: int = setting(  # local time, as Anki
        4,
        "Study day starts at hour",
        "local hour at which a new study day starts",
        low=0,
        high=23,
    )
    learning_steps_minutes: tuple[int, ...] = setting(
        (1, 10), "Learning steps (minutes)", "steps for new cards, in minutes", low=1
    )
    relearning_steps_minutes: tuple[int, ...] = setting(
        (10,), "Relearning steps (minutes)", "steps after a lapse, in minutes", low=1
    )
    leech_lapses: int = setting(
        8,
        "Leech after lapses",
        "lapses after which a card is tagged `leech` and suspended",
        low=1,
    )
    fuzz: bool = setting(
        True, "Fuzz intervals", "spread review intervals a little so cards do not clump"
    )
    maximum_interval_days: int = setting(
        36500, "Maximum interval (days)", "longest interval FSRS may give", low=1
    )
    bury_siblings: bool = setting(
        True,
        "Bury siblings",
        "once a card is answered, hide until tomorrow its note's other cards (a reversed "
        "card's other side) and the cards already studied that run the same command",
    )
    run_before_answer: bool = setting(
        False,
        "Allow r before the answer shows",
        "allow running a card's command before its answer shows (gives it away)",
    )
    theme: str = setting(
        DEFAULT_THEME,
        "Theme",
        "the app's colour theme (Ctrl-P > Change theme)",
        on_screen=False,
    )
    # Empty: FSRS's defaults. `studyapp optimize` fits them to the learner's reviews;
    # `studyapp sync-anki` copies the Anki deck preset's own, so both sides schedule alike.
    fsrs_parameters: tuple[float, ...] = setting(
        (),
        "FSRS parameters",
        f"FSRS parameters ({FSRS_PARAMETER_COUNT} numbers; [] for the defaults), "
        "fitted by `studyapp optimize` or set from Anki's deck preset by `studyapp sync-anki`",
        counts=(0, FSRS_PARAMETER_COUNT),
        item=float,
        on_screen=False,
    )
    fsrs_parameters_optimized: str = setting(
        "",
        "FSRS parameters optimized on",
        "the date `studyapp optimize` fitted fsrs_parameters to your reviews "
        "(empty when they are the defaults or Anki's)",
        on_screen=False,
    )
    anki_sync_by_itself: bool = setting(
        True,
        "Sync with Anki by itself",
        "at start and quit, with the Anki collection synced before, when Anki is closed",
        on_screen=False,
    )


def parameters_origin(settings: Settings) -> str:
    """Where the FSRS parameters in use come from, for the settings screen and the CLI."""
    if not settings.fsrs_parameters:
        return "default"
    if settings.fsrs_parameters_optimized:
        return f"optimized on {settings.fsrs_parameters_optimized} (studyapp optimize)"
    return "from Anki's deck preset (studyapp sync-anki)"


def described(name: str) -> Described:
    """The description of the setting `name`."""
    return _DESCRIBED[name]


def described_fields() -> list[tuple[str, Described]]:
    """Every setting with its description, in the file's order."""
    return list(_DESCRIBED.items())


def _description_of(item: Field[Any]) -> Described:
    found = item.metadata.get("described")
    if not isinstance(found, Described) or item.default is MISSING:
        raise TypeError(f"Settings.{item.name}: declare it with setting(default, label, help)")
    return found


_DESCRIBED: dict[str, Described] = {item.name: _description_of(item) for item in fields(Settings)}


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
    """Write `settings`: into the learner's file as it stands (their comments, blank lines
    and order kept, changed values replaced, missing ones added with their comment), or a
    new commented file. ValueError (nothing written) when a value is out of range."""
    # tomlkit only here: reading uses the standard library, so a start that finds the file
    # in place does not load it.
    import tomlkit

    validate(settings)
    path = settings_path(data_dir)
    try:
        document = tomlkit.parse(_read_text(path)) if path.exists() else _new_document()
    except (SettingsError, tomlkit.exceptions.ParseError):
        document = _new_document()  # unreadable: load_settings has already said so
    for name, value in asdict(settings).items():
        if name in document:
            if document[name] != _toml_value(value):
                document[name] = _toml_value(value)
        elif value != getattr(Settings(), name) or not path.exists():
            document.add(tomlkit.comment(_comment(name)))
            document.add(name, _toml_value(value))
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, tomlkit.dumps(document))
    except OSError as exc:
        raise SettingsError(f"{path}:1: cannot save: {exc.strerror or exc}") from None


def _new_document() -> Any:
    import tomlkit

    document = tomlkit.document()
    document.add(tomlkit.comment("celery-srs study app settings"))
    document.add(tomlkit.nl())
    return document


def _comment(name: str) -> str:
    about = described(name)
    return " ".join(part for part in (about.help, about.range_text()) if part)


def _toml_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def problems(settings: Settings) -> list[tuple[str, str]]:
    """(setting, message) for each value its description does not allow."""
    found = []
    for name, about in described_fields():
        value = getattr(settings, name)
        if about.counts and isinstance(value, tuple) and len(value) not in about.counts:
            allowed = " or ".join(str(count) for count in about.counts if count)
            none = " (or none)" if 0 in about.counts else ""
            found.append((name, f"{name} must be {allowed} numbers{none}"))
            continue
        items = value if isinstance(value, tuple) else (value,)
        numbers = [item for item in items if isinstance(item, int | float)]
        if not any(_outside(number, about) for number in numbers):
            continue
        found.append((name, f"{name} {_rule(about, each=isinstance(value, tuple))}"))
    return found


def validate(settings: Settings) -> None:
    """Raise ValueError naming the first setting out of range."""
    found = problems(settings)
    if found:
        raise ValueError(found[0][1])


def _rule(about: Described, each: bool) -> str:
    """What a value out of range must be, as the end of a sentence."""
    suffix = " each" if each else ""
    if about.low is not None and about.high is not None:
        return f"must be between {_number(about.low)} and {_number(about.high)}{suffix}"
    if about.low == 0 and not each:
        return "must not be negative"
    if about.low is not None:
        return f"must be at least {_number(about.low)}{suffix}"
    return f"must be at most {_number(about.high or 0)}{suffix}"


def _outside(number: float, about: Described) -> bool:
    if isinstance(number, bool):
        return False
    low_ok = about.low is None or number >= about.low
    high_ok = about.high is None or number <= about.high
    return not (low_ok and high_ok)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _settings_from_dict(raw: dict[str, Any], path: Path, text: str) -> Settings:
    defaults = asdict(Settings())
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = _line_of_key(text, key)
        if key not in defaults:
            raise SettingsError(f"{path}:{line}: unknown setting {key!r}")
        values[key] = _coerce(key, value, defaults[key], f"{path}:{line}")
    settings = Settings(**{**defaults, **values})
    found = problems(settings)
    if found:
        name, message = found[0]
        raise SettingsError(f"{path}:{_line_of_key(text, name)}: {message}")
    return settings


def _coerce(key: str, value: Any, default: Any, where: str) -> Any:
    """The file's value as the setting's type; SettingsError saying which type it wants."""
    expected = type(default)
    if expected is tuple:
        item = described(key).item
        kind = "numbers" if item is float else "whole minutes"
        if not isinstance(value, list) or not all(_is_a(entry, item) for entry in value):
            raise SettingsError(f"{where}: {key} must be a list of {kind}")
        return tuple(item(entry) for entry in value)
    if expected is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"{where}: {key} must be true or false")
        return value
    if expected is str:
        if not isinstance(value, str):
            raise SettingsError(f"{where}: {key} must be a quoted text")
        return value
    if _is_a(value, expected):
        return expected(value)
    raise SettingsError(
        f"{where}: {key} must be {'a number' if expected is float else 'a whole number'}"
    )


def _is_a(value: Any, kind: type) -> bool:
    """A TOML number fit for `kind` (a whole number for int; any number for float)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if kind is int else isinstance(value, int | float)


def _line_from_toml_error(message: str) -> int:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else 1


def _line_of_key(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1
