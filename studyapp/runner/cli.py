"""`studyapp run` and `studyapp verify`: the runner on the command line.

`studyapp run CARD_ID [PATH...]` streams one card's command. Exit status: the command's own
when non-zero; 124 on timeout; 130 when interrupted; else 1 if its Expect failed, else 0.
A service card runs until Ctrl-C, and then reports whether its Expect lines showed up.
Before the first run of a card file's commands the exact command is shown for confirmation
(remembered per file content); without a terminal, pass `--yes`.

`studyapp verify [--jobs N] [--card ID] [--own-stack] [--json] [PATH...]`: see verify.py.
Exit 1 when any card fails or the cards do not parse; 2 on usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from deckgen.expect import ExpectMatcher
from deckgen.model import Card, ParseResult
from studyapp.paths import DATA_DIR_ENV, default_card_paths, default_data_dir
from studyapp.runner.command import prepare, run_environment
from studyapp.runner.preflight import preflight
from studyapp.runner.process import RunningProcess, kill_all_groups_now, run_to_completion
from studyapp.runner.trust import TRUST_FILE_NAME, TrustStore, read_snapshot
from studyapp.runner.verify import OUTPUT_TAIL_LINES, CardResult, verify_cards

EXIT_TIMEOUT = 124
EXIT_INTERRUPTED = 130


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_cards(paths: Sequence[Path]) -> ParseResult | None:
    """Parse card files; print each problem as `path:line: message` and return None."""
    from deckgen.parser import parse_paths

    result = parse_paths(list(paths) or default_card_paths())
    for problem in result.errors:
        _err(str(problem))
    return result if result.ok else None


# --- studyapp run --------------------------------------------------------------------------


def _confirmed(card: Card, assume_yes: bool, trust: TrustStore) -> Card | None:
    """The card to run, as its file holds it now, once confirmed; None when not confirmed.

    The command shown, the command run and the content trusted all come from one read of
    the file, so an edit made while the question is open is neither run nor trusted."""
    snapshot = read_snapshot(card)
    fresh = snapshot.card
    if fresh is None or fresh.run is None:
        _err(snapshot.problem or f"{card.location}: card {card.id!r} has no command any more")
        return None
    card_file = card.location.path
    if assume_yes or trust.is_trusted(card_file, snapshot.digest):
        return fresh
    if not sys.stdin.isatty():
        _err(f"{card.location}: not confirmed yet; rerun in a terminal or pass --yes")
        return None
    print(f"Card file: {card_file}\nCommand (runs in demo_project/):\n{fresh.run.command}")
    answer = input("Run commands from this file? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        return None
    trust.trust(card_file, snapshot.digest)
    return fresh


async def _run_card(card: Card) -> int:
    assert card.run is not None
    run = card.run
    matcher = ExpectMatcher(run.expect)
    started: list[RunningProcess] = []
    loop = asyncio.get_running_loop()

    def on_line(line: str) -> None:
        print(line, flush=True)
        matcher.feed(line + "\n")

    stopping: list[asyncio.Task[None]] = []

    def interrupt() -> None:
        stopping.extend(loop.create_task(process.stop()) for process in started)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt)
    outcome = await run_to_completion(
        prepare(run.command),
        None if run.service else run.timeout,
        on_line=on_line,
        on_start=started.append,
    )
    _err(f"-- {outcome.status_text()}")
    if matcher.lines:
        _err(f"-- {matcher.result().describe()}")
    if outcome.timed_out:
        return EXIT_TIMEOUT
    if outcome.stopped and not run.service:
        return EXIT_INTERRUPTED
    if not run.service and outcome.exit_code:
        return outcome.exit_code if outcome.exit_code > 0 else 128 - outcome.exit_code
    return 0 if matcher.done else 1


def run_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="studyapp run", description="Run one card's command.")
    parser.add_argument("card_id")
    parser.add_argument("paths", nargs="*", type=Path, help="card files or folders")
    parser.add_argument("--yes", action="store_true", help="run without asking to confirm")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="study data folder holding the confirmation memory (as for `studyapp`; "
        f"default: ${DATA_DIR_ENV} or the user data folder)",
    )
    args = parser.parse_args(argv)
    # The same trust file the study app uses for the same data folder.
    trust_file = (args.data_dir or default_data_dir()) / TRUST_FILE_NAME
    parsed = load_cards(args.paths)
    if parsed is None:
        return 1
    card = next((c for c in parsed.cards if c.id == args.card_id), None)
    if card is None:
        _err(f"studyapp run: no card with id {args.card_id!r}")
        return 2
    if card.run is None:
        _err(f"{card.location}: card {card.id!r} has no **Run:** command")
        return 2
    to_run = _confirmed(card, args.yes, TrustStore(trust_file))
    if to_run is None or to_run.run is None:
        return 1
    problem = preflight(to_run.run.command, run_environment(), to_run.tags)
    if problem is not None:
        _err(problem)
        return 1
    try:
        return asyncio.run(_run_card(to_run))
    except OSError as exc:
        _err(f"{to_run.run.location or to_run.location}: cannot start the command: {exc}")
        return 1


# --- studyapp verify -------------------------------------------------------------------------


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _print_failures(results: Sequence[CardResult]) -> None:
    for result in results:
        if result.passed:
            continue
        print(f"\n--- {result.card_id} ({result.location}): {result.reason}")
        for line in result.output[-OUTPUT_TAIL_LINES:]:
            print(f"    {line}")


def verify_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="studyapp verify", description="Run every card's command and check its Expect."
    )
    parser.add_argument("paths", nargs="*", type=Path, help="card files or folders (cards/)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="one-shot commands at once")
    parser.add_argument("--card", action="append", default=[], help="verify only this card id")
    parser.add_argument(
        "--own-stack", action="store_true", help="always start a private Redis and workers"
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    parsed = load_cards(args.paths)
    if parsed is None:
        return 1
    cards = parsed.cards
    if args.card:
        known = {c.id for c in cards}
        for missing in sorted(set(args.card) - known):
            _err(f"studyapp verify: no card with id {missing!r}")
            return 2
        cards = [c for c in cards if c.id in args.card]
    runnable = [c for c in cards if c.run is not None]
    skipped = len(cards) - len(runnable)
    say = (lambda _text: None) if args.json else (lambda text: print(text, flush=True))

    def report(result: CardResult) -> None:
        say(result.line())

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with contextlib.ExitStack() as stack:
            if not runnable:
                results: list[CardResult] = []
            else:
                from studyapp.runner.stack import provide_stack

                overrides = provide_stack(stack, own=args.own_stack, say=say)
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


def main() -> None:  # `python -m studyapp.runner.cli run|verify ...` for debugging
    commands = {"run": run_main, "verify": verify_main}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        _err("usage: python -m studyapp.runner.cli run|verify ...")
        raise SystemExit(2)
    raise SystemExit(commands[sys.argv[1]](sys.argv[2:]))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
