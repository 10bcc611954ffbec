"""`studyapp verify`: run every card's command against a live demo stack and check it.

A card passes when its one-shot command exits 0 within its timeout and its Expect lines are
all found; a `**Service:** yes` card passes when its Expect lines appear before the timeout
(without Expect: when it is still running after SERVICE_SETTLE_SECONDS), and is then stopped.
One-shot cards run first (`--jobs N` at a time), services after them, one at a time.

With `--record`, each passing card's output (as a learner would see it, trimmed: see
`deckgen.cardformat.recordings`) is stored in the `X.verified.json` next to its card file,
with the date and the Celery version, for `deckgen build` to show on the card's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path
from tempfile import gettempdir

from deckgen.cardformat.expect import ExpectMatcher
from deckgen.cardformat.model import Card, RunSpec
from deckgen.cardformat.recordings import (
    Recording,
    as_the_learner_sees,
    load_recordings,
    save_recordings,
    trim_output,
)
from demo_project.contract import DEFAULT_REDIS_PORT, DEMO_DIR
from studyapp.runner.command import prepare
from studyapp.runner.process import RunOutcome, run_to_completion

SERVICE_SETTLE_SECONDS = 3.0
OUTPUT_TAIL_LINES = 20

CHECKOUT = DEMO_DIR.parent  # paths below it are recorded relative to it (`demo_project/...`)


@dataclass
class CardResult:
    card_id: str
    passed: bool
    elapsed: float
    reason: str = ""
    service: bool = False
    location: str = ""
    output: list[str] = field(default_factory=list)

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        text = f"{verdict}  {self.card_id}  {self.elapsed:.2f}s"
        return f"{text}  {self.reason}" if not self.passed else text

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["output"] = self.output[-OUTPUT_TAIL_LINES:]
        return data


def judge(outcome: RunOutcome, matcher: ExpectMatcher, service: bool) -> tuple[bool, str]:
    """Pass/fail and the reason, from how the run ended and what the output showed."""
    if service:
        if matcher.lines:
            if matcher.done:
                return True, ""
            if outcome.timed_out:
                return False, f"timeout, {matcher.result().describe()}"
            return False, f"exit {outcome.exit_code} before {matcher.result().describe()}"
        if outcome.timed_out:
            return True, ""  # still running at the end of the settle time
        return False, f"service ended early with exit {outcome.exit_code}"
    if outcome.timed_out:
        return False, f"timeout after {outcome.elapsed:.0f}s"
    if outcome.exit_code != 0:
        return False, f"exit {outcome.exit_code}"
    if not matcher.done:
        return False, matcher.result().describe()
    return True, ""


async def run_spec(
    run: RunSpec,
    env_overrides: Mapping[str, str],
    on_line: Callable[[str], None] | None = None,
) -> tuple[RunOutcome, ExpectMatcher]:
    """Run one card's command as verify does: services stop once their Expect shows."""
    matcher = ExpectMatcher(run.expect)

    def note(line: str) -> None:
        if on_line is not None:
            on_line(line)

    def until(line: str) -> bool:
        return matcher.feed(line + "\n") and run.service and bool(matcher.lines)

    timeout = run.timeout
    if run.service and not matcher.lines:
        timeout = min(timeout, SERVICE_SETTLE_SECONDS)
    outcome = await run_to_completion(
        prepare(run.command, env_overrides), timeout, on_line=note, until=until
    )
    return outcome, matcher


async def verify_card(card: Card, env_overrides: Mapping[str, str]) -> CardResult:
    assert card.run is not None
    try:
        outcome, matcher = await run_spec(card.run, env_overrides)
    except (OSError, ValueError) as exc:  # program not found, bad quoting...
        return CardResult(
            card.id,
            False,
            0.0,
            f"cannot start: {exc}",
            card.run.service,
            str(card.run.location or card.location),
        )
    passed, reason = judge(outcome, matcher, card.run.service)
    return CardResult(
        card_id=card.id,
        passed=passed,
        elapsed=outcome.elapsed,
        reason=reason,
        service=card.run.service,
        location=str(card.run.location or card.location),
        output=outcome.output,
    )


async def verify_cards(
    cards: Sequence[Card],
    env_overrides: Mapping[str, str],
    jobs: int = 1,
    on_result: Callable[[CardResult], None] | None = None,
) -> list[CardResult]:
    """Verify cards that have a Run command; results in completion order."""
    runnable = [card for card in cards if card.run is not None]
    one_shots = [card for card in runnable if card.run is not None and not card.run.service]
    services = [card for card in runnable if card.run is not None and card.run.service]
    results: list[CardResult] = []
    gate = asyncio.Semaphore(max(1, jobs))

    def record(result: CardResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    async def one(card: Card) -> None:
        async with gate:
            record(await verify_card(card, env_overrides))

    await asyncio.gather(*(one(card) for card in one_shots))
    for card in services:  # alone: a second worker or beat must not disturb other cards
        record(await verify_card(card, env_overrides))
    return results


def celery_version() -> str:
    """The Celery the demo's commands ran with (the study app's own environment)."""
    return version("celery")


def record_outputs(
    cards: Sequence[Card],
    results: Sequence[CardResult],
    verified: date,
    celery: str,
    redis_port: int | None = None,
) -> list[Path]:
    """Store each passing card's trimmed output next to its card file; the files changed.

    `cards` is every card of the files involved: a recording whose card is gone is dropped,
    one whose card did not run (or failed) this time is kept as it was. The output is kept
    as a learner would see it (`as_the_learner_sees`): `redis_port` is the port of the Redis
    the commands ran against, written as the default port the course teaches.
    """
    by_id = {card.id: card for card in cards}
    files: dict[Path, set[str]] = {}
    for card in cards:
        files.setdefault(card.location.path, set()).add(card.id)
    fresh: dict[Path, dict[str, Recording]] = {}
    for result in results:
        ran = by_id.get(result.card_id)
        if not result.passed or ran is None or ran.run is None:
            continue
        ports = (redis_port, DEFAULT_REDIS_PORT) if redis_port else None
        seen = as_the_learner_sees(result.output, CHECKOUT, Path(gettempdir()), ports)
        output = trim_output(seen, ran.run.expect)
        recording = Recording(verified.isoformat(), celery, output)
        fresh.setdefault(ran.location.path, {})[ran.id] = recording
    changed: list[Path] = []
    for card_file, ids in files.items():
        old = load_recordings(card_file)
        new = {cid: rec for cid, rec in old.items() if cid in ids}
        new.update(fresh.get(card_file, {}))
        if new != old:
            save_recordings(card_file, dict(sorted(new.items())))
            changed.append(card_file)
    return changed
