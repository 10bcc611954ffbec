"""`studyapp sync-anki` speed: 10,000 cards with 100,000 reviews split between the sides.

Anki has the first half of every card's reviews (imported deckgen's package, studied it),
the terminal the later half, so a first sync moves 50,000 reviews each way and every card's
schedule to Anki. Prints, against the targets:
  (a) first sync, as a ratio to Anki's own `import_anki_package` of the same deck's package
      timed in the same run (target: at most 3x)
  (b) a repeat sync with nothing to do (target: under 2 s)

Usage: .venv/bin/python bench/anki_sync_bench.py [--cards N] [--keep DIR]
Figures are indicative on a shared machine; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CARDS = 10_000
REVIEWS_PER_CARD = 10  # 100,000 in all: the first 5 in Anki, the last 5 in the terminal
FILES = 10
TARGET_RATIO = 3.0
TARGET_REPEAT_S = 2.0
DAY_MS = 86_400_000


def write_cards(root: Path, count: int) -> list[str]:
    ids = []
    per_file = count // FILES
    for deck in range(FILES):
        lines = [f"# Bench Sync {deck:02d}", ""]
        for number in range(per_file):
            card_id = f"sync-bench-{deck:02d}-{number:04d}"
            ids.append(card_id)
            lines += [
                f"## Card {number + 1}: Fact {deck}.{number}",
                f"**ID:** {card_id}",
                f"**Front:** What does fact {number} of deck {deck} say about `delay()`?",
                f"**Back:** It queues task {number} and returns an `AsyncResult` at once.",
                "",
            ]
        (root / f"deck{deck:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    return ids


def review_times(card_index: int, now_ms: int) -> list[int]:
    """Ten review times (ms) per card over the past 200 days, distinct across all cards."""
    start = now_ms - 200 * DAY_MS + card_index * 37
    return [start + n * 20 * DAY_MS for n in range(REVIEWS_PER_CARD)]


def seed_anki(col: object, guid_ids: dict[tuple[str, int], str], now_ms: int) -> None:
    """Anki's half: the first five reviews of every card, the card left in review."""
    from studyapp.ankisync.anki_side import db

    rng = random.Random(3)
    index_of = {card_id: index for index, card_id in enumerate(sorted(guid_ids.values()))}
    rows = db(col).all(  # type: ignore[arg-type]
        "select c.id, n.guid, c.ord from cards c join notes n on n.id = c.nid"
    )
    revlog, cards = [], []
    for cid, guid, ordinal in rows:
        card_id = guid_ids[(guid, ordinal)]
        times = review_times(index_of[card_id], now_ms)[: REVIEWS_PER_CARD // 2]
        revlog += [(t, cid, -1, rng.choice((1, 3, 3, 4)), 20, 10, 600, 6000, 1) for t in times]
        card = col.get_card(cid)  # type: ignore[attr-defined]
        card.type, card.queue, card.ivl, card.due, card.reps = 2, 2, 20, 5, 5
        card.factor = 2500
        cards.append(card)
    db(col).executemany(  # type: ignore[arg-type]
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        revlog,
    )
    col.update_cards(cards)  # type: ignore[attr-defined]


def seed_terminal(cards: Path, data: Path, ids: list[str], now: datetime) -> None:
    """The terminal's half: the last five reviews of every card, its state after them."""
    from studyapp.records import Phase, ReviewKind, RevlogEntry, ms_to_datetime
    from studyapp.study import Study

    rng = random.Random(5)
    now_ms = int(now.timestamp() * 1000)
    study = Study.open([cards], data)
    try:
        entries, states = [], []
        for index, card_id in enumerate(sorted(ids)):
            times = review_times(index, now_ms)[REVIEWS_PER_CARD // 2 :]
            entries += [
                RevlogEntry(t, card_id, rng.choice((1, 3, 3, 4)), 20, 20, 5.0, 20.0, 6000,
                            ReviewKind.REVIEW)
                for t in times
            ]  # fmt: skip
            last = ms_to_datetime(times[-1])
            states.append(
                replace(
                    study.state(card_id),
                    phase=Phase.REVIEW,
                    stability=rng.uniform(5.0, 60.0),
                    difficulty=rng.uniform(2.0, 8.0),
                    due=last + timedelta(days=rng.randint(1, 60)),
                    last_review=last,
                    first_review=ms_to_datetime(times[0]),
                    reps=REVIEWS_PER_CARD,
                )
            )
        study.store.bulk_insert_revlog(entries)
        study.store.save_states(states)
    finally:
        study.close()


def reference_with_history(collection: Path, work: Path) -> float:
    """Anki's import of the synced deck, exported with scheduling, into a fresh collection."""
    from anki.collection import (
        Collection,
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    package = work / "with-history.apkg"
    col = Collection(str(collection))
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=True, legacy=False
    )
    col.export_anki_package(out_path=str(package), options=options, limit=None)
    col.close()
    (work / "fresh").mkdir()
    fresh = Collection(str(work / "fresh" / "collection.anki2"))
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)
    )
    started = time.perf_counter()
    fresh.import_anki_package(request)
    elapsed = time.perf_counter() - started
    fresh.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=CARDS)
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep the files")
    options = parser.parse_args()
    if options.keep is not None:
        options.keep.mkdir(parents=True, exist_ok=True)
        run(options.keep, options.cards)
    else:
        with tempfile.TemporaryDirectory(prefix="anki-sync-bench-") as folder:
            run(Path(folder), options.cards)
    return 0


@dataclass(frozen=True)
class Learner:
    cards: Path
    collection: Path
    data: Path
    reference: float  # Anki's import_anki_package of the deck's package, seconds


def set_up(work: Path, cards: Path, ids: list[str], package: Path) -> Learner:
    """Anki imported the deck's package (timed: the reference) and has half the reviews;
    the terminal has the other half."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from studyapp.ankisync.matching import anki_key

    profile = work / "Anki2" / "User 1"
    profile.mkdir(parents=True)
    collection = profile / "collection.anki2"
    col = Collection(str(collection))
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)
    )
    started = time.perf_counter()
    col.import_anki_package(request)
    reference = time.perf_counter() - started
    now = datetime.now(UTC)
    seed_anki(col, {anki_key(card_id): card_id for card_id in ids}, int(now.timestamp() * 1000))
    col.close()
    data = work / "data"
    seed_terminal(cards, data, ids, now)
    return Learner(cards, collection, data, reference)


def timed_sync(learner: Learner) -> float:
    from studyapp.ankisync.syncing import sync_anki

    started = time.perf_counter()
    report = sync_anki(learner.collection, [learner.cards], learner.data)
    elapsed = time.perf_counter() - started
    print("\n".join(report.lines()[1:4]))
    return elapsed


def run(work: Path, count: int) -> None:
    from deckgen.build import build
    from studyapp.ankisync.deck import PACKAGE_FOLDER, PACKAGE_NAME

    cards = work / "cards"
    cards.mkdir()
    ids = write_cards(cards, count)
    package = work / "deck.apkg"
    started = time.perf_counter()
    build([cards], package)
    print(f"deckgen build of {len(ids)} cards, cold: {time.perf_counter() - started:.2f} s")

    cold = set_up(work / "cold", cards, ids, package)
    print(f"reference: Anki's import_anki_package of the deck's package: {cold.reference:.2f} s")
    print(f"seeded: {count * REVIEWS_PER_CARD:,} reviews, half in Anki, half in the terminal")
    print("first sync, deckgen's build cache cold (the deck rendered afresh):")
    first = timed_sync(cold)
    print("repeat sync:")
    repeat = timed_sync(cold)
    with_history = reference_with_history(cold.collection, work)
    print(
        "reference 2: Anki's import_anki_package of the deck with its whole history "
        f"({count * REVIEWS_PER_CARD:,} reviews, schedules): {with_history:.2f} s"
    )

    warm = set_up(work / "warm", cards, ids, package)
    # As after an earlier export-anki or sync from this data folder: the deck's rendering
    # is cached, so only the sync's own work is timed.
    build([cards], warm.data / PACKAGE_FOLDER / PACKAGE_NAME)
    print("first sync, deckgen's build cache warm:")
    first_warm = timed_sync(warm)

    for label, seconds, reference in (
        ("(a) first sync, cold", first, cold.reference),
        ("    first sync, warm build cache", first_warm, warm.reference),
    ):
        ratio = seconds / reference
        print(
            f"{label}: {seconds:.2f} s = {ratio:.1f}x Anki's import of the deck's package "
            f"(target <= {TARGET_RATIO:.0f}x) {'OK' if ratio <= TARGET_RATIO else 'MISSED'}; "
            f"{seconds / with_history:.1f}x its import of the deck with its history"
        )
    print(
        f"(b) repeat sync: {repeat:.2f} s (target < {TARGET_REPEAT_S:.0f} s) "
        f"{'OK' if repeat < TARGET_REPEAT_S else 'MISSED'}"
    )


if __name__ == "__main__":
    sys.exit(main())
