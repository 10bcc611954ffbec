"""`--version` for the `deckgen` and `studyapp` commands: the installed distribution's version."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

DISTRIBUTION = "celery-srs"


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "unknown (not installed)"


class VersionAction(argparse.Action):
    """Like argparse's "version" action, but the metadata is read only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print the version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        print(f"{parser.prog.split()[0]} {package_version()}")
        parser.exit(0)


def add_version_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action=VersionAction)
