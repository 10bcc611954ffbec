"""`studyapp run CARD_ID [PATH...] [--yes]`: stream one card's command.

Exit status: the command's own when non-zero; 124 on timeout; 130 when interrupted; else 1 if
its Expect failed, else 0. A service card runs until Ctrl-C, and then reports whether its
Expect lines showed up. Before the first run of a card file's commands the exact command is
shown for confirmation (remembered per file content); without a terminal, pass `--yes`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Mapping

from deckgen.cardformat.expect import ExpectMatcher
from deckgen.cardformat.model import Card
from demo_project.contract import run_environment
from studyapp.cli.common import EXIT_USAGE, add_paths_argument, load_cards
from studyapp.locations import DataFolder
from studyapp.runner import probes
from studyapp.runner.command import prepare
from studyapp.runner.preflight import preflight, redis_down_message
from studyapp.runner.process import RunningProcess, run_to_completion
from studyapp.runner.trust import TrustStore, read_snapshot

EXIT_TIMEOUT = 124
EXIT_INTERRUPTED = 130


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("card_id", metavar="CARD_ID", help="the card's id (`deckgen list`)")
    add_paths_argument(parser)
    parser.add_argument("--yes", action="store_true", help="run without asking to confirm")


def run(args: argparse.Namespace) -> int:
    # The same trust file the study app uses for the same data folder.
    trust_file = DataFolder.chosen(args.data_dir).trusted_files
    parsed = load_cards(args.paths)
    if parsed is None:
        return 1
    card = next((c for c in parsed.cards if c.id == args.card_id), None)
    if card is None:
        _err(f"studyapp run: no card with id {args.card_id!r}")
        return EXIT_USAGE
    if card.run is None:
        _err(f"{card.location}: card {card.id!r} has no **Run:** command")
        return EXIT_USAGE
    to_run = _confirmed(card, args.yes, TrustStore(trust_file))
    if to_run is None or to_run.run is None:
        return 1
    env = run_environment()
    problem = preflight(to_run.run.command, env, to_run.tags)
    if problem is not None:
        _err(problem)
        return 1
    try:
        status = asyncio.run(_run_card(to_run))
    except OSError as exc:
        _err(f"{to_run.run.location or to_run.location}: cannot start the command: {exc}")
        return 1
    if status not in (0, EXIT_INTERRUPTED):
        _hint_if_redis_is_down(env)
    return status


def _hint_if_redis_is_down(env: Mapping[str, str]) -> None:
    """After a failed run: if the broker's Redis does not answer, say how to get one. The
    preflight rules only know commands that name Redis or Celery; a demo lesson that talks
    to the broker (`python -m lessons...`) fails with a connection error instead."""
    broker = env.get("CELERY_BROKER_URL", "")
    if broker.startswith("redis") and not probes.redis_reachable(broker):
        _err(redis_down_message(broker))


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
