"""`studyapp verify [--jobs N] [--card ID] [--own-stack] [--json] [--record] [--yes] [PATH...]`.

See verify.py; `--record` stores each passing card's output next to its card file.
Commands run under the same trust rule as `studyapp run` and the `r` key (runner/trust.py):
the project's own course runs at once; another card file is confirmed in a terminal first
(remembered per file content), or refused without one unless `--yes`, before anything runs.

Exit 1 when any card fails or the cards do not parse; 2 on usage errors; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from deckgen.cardformat.model import Card
from deckgen.cardformat.recordings import RecordingsError, load_recordings, recordings_path
from deckgen.course import is_course_file
from studyapp.cli.common import EXIT_USAGE, add_paths_argument, load_cards
from studyapp.locations import DataFolder
from studyapp.runner.process import kill_all_groups_now
from studyapp.runner.trust import TrustStore
from studyapp.runner.verify import (
    OUTPUT_TAIL_LINES,
    CardResult,
    celery_version,
    record_outputs,
    verify_cards,
)

EXIT_INTERRUPTED = 130


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths_argument(parser)
    parser.add_argument("--jobs", "-j", type=int, default=1, help="one-shot commands at once")
    parser.add_argument("--card", action="append", default=[], help="verify only this card id")
    parser.add_argument(
        "--own-stack", action="store_true", help="always start a private Redis and workers"
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument(
        "--yes", action="store_true", help="run card files from elsewhere without asking"
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="store what each passing card printed in X.verified.json next to its card file",
    )


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _print_failures(results: Sequence[CardResult]) -> None:
    for result in results:
        if result.passed:
            continue
        print(f"\n--- {result.card_id} ({result.location}): {result.reason}")
        for line in result.output[-OUTPUT_TAIL_LINES:]:
            print(f"    {line}")


def _recordings_readable(cards: Sequence[Card]) -> bool:
    """Check the existing recordings before spending minutes on a run that would replace them."""
    problems = []
    for card_file in sorted({card.location.path for card in cards}):
        try:
            load_recordings(card_file)
        except RecordingsError as exc:
            problems.append(str(exc))
    for problem in problems:
        _err(problem)
    return not problems


def _confirmed_cards(
    runnable: Sequence[Card], trust: TrustStore, digests: Mapping[Path, str]
) -> list[Card] | None:
    """The cards to run once every card file's commands may run; None when one may not.

    The commands shown, the commands run and the content trusted all come from the bytes
    `load` read once (`digests`: each file's, from those bytes). Every question is asked
    before anything runs."""
    by_file: dict[Path, list[Card]] = {}
    for card in runnable:
        by_file.setdefault(card.location.path, []).append(card)
    chosen: list[Card] = []
    pending: list[tuple[Path, str, list[Card]]] = []
    for path, cards in by_file.items():
        if is_course_file(path) or trust.is_trusted(path, digests[path]):
            chosen.extend(cards)
        else:
            pending.append((path, digests[path], cards))
    if pending and not sys.stdin.isatty():
        for path, _digest, _cards in pending:
            _err(
                f"{path}: its card commands are not confirmed yet; "
                "run `studyapp verify` in a terminal to confirm them, or pass --yes"
            )
        return None
    for path, digest, cards in pending:
        print(f"Card file: {path}\nCommands (run in demo_project/):")
        for card in cards:
            assert card.run is not None
            print(f"  {card.id}: {card.run.command}")
        answer = input("Run commands from this file? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            _err(f"{path}: not confirmed; nothing was run")
            return None
        trust.trust(path, digest)
        chosen.extend(cards)
    return chosen


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        _err("studyapp verify: --jobs must be at least 1")
        return EXIT_USAGE
    parsed = load_cards(args.paths)
    if parsed is None:
        return 1
    cards = parsed.cards
    if args.card:
        missing = sorted(set(args.card) - {c.id for c in cards})
        for card_id in missing:
            _err(f"studyapp verify: no card with id {card_id!r}")
        if missing:
            return EXIT_USAGE
        cards = [c for c in cards if c.id in args.card]
    runnable = [c for c in cards if c.run is not None]
    skipped = len(cards) - len(runnable)
    if args.record and not _recordings_readable(parsed.cards):
        return 1
    if not args.yes:
        trust = TrustStore(DataFolder.chosen(args.data_dir).trusted_files)
        digests = {file.path: file.digest for file in parsed.files}
        confirmed = _confirmed_cards(runnable, trust, digests)
        if confirmed is None:
            return 1
        runnable = confirmed
    say = (lambda _text: None) if args.json else (lambda text: print(text, flush=True))

    def report(result: CardResult) -> None:
        say(result.line())

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with contextlib.ExitStack() as stack:
            redis_port: int | None = None
            if not runnable:
                results: list[CardResult] = []
            else:
                from studyapp.runner.stack import provide_stack

                overrides = provide_stack(stack, own=args.own_stack, say=say)
                redis_port = urlsplit(overrides.get("CELERY_BROKER_URL", "")).port
                results = asyncio.run(verify_cards(runnable, overrides, args.jobs, report))
    except KeyboardInterrupt:
        kill_all_groups_now()
        _err("studyapp verify: interrupted; everything it started is stopped")
        return EXIT_INTERRUPTED
    except (RuntimeError, TimeoutError, OSError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _err(f"studyapp verify: cannot start the demo stack: {first_line}")
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    failed = [r for r in results if not r.passed]
    if args.record:
        today = datetime.now(UTC).date()
        recorded = record_outputs(parsed.cards, results, today, celery_version(), redis_port)
        for changed in recorded:
            say(f"recorded {recordings_path(changed)}")
    if args.json:
        document = {
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "skipped": skipped,
            "results": [r.as_json() for r in results],
        }
        print(json.dumps(document, indent=2))
    else:
        _print_failures(failed)
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed, {skipped} without Run")
    return 1 if failed else 0
