"""`studyapp sync-anki` speed: 10,000 cards with 100,000 reviews split between the sides.

Anki has the first half of every card's reviews (imported deckgen's package, studied it),
the terminal the later half, so a first sync moves 50,000 reviews each way and every card's
schedule to Anki. The reference, timed in the same run: Anki's own `import_anki_package`
of the same notes with their whole review history (the synced deck exported by Anki with
scheduling) into a fresh collection, the median of three. Prints, against the targets:
  (a) the first sync as a ratio to the reference: at most 2x with the deck's package
      already built (by an earlier export or sync); the cold build is printed too
  (b) a repeat sync with nothing to do: at most 1x the reference
and the bounds below the first sync, each timed alone in the same run: deckgen's build of
the package, and the steps no sync can skip (in Anki: importing the deck's package, the
backup, fetching and saving every card's schedule, inserting the terminal's reviews; in
the terminal's store: inserting Anki's reviews); and the ratio to Anki's import of the
package without history (the reference of earlier versions).

Usage: .venv/bin/python bench/anki_sync_bench.py [--cards N] [--keep DIR]
Figures are indicative on a shared machine; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

CARDS = 10_000
REVIEWS_PER_CARD = 10  # 100,000 in all: the first 5 in Anki, the last 5 in the terminal
FILES = 10
TARGET_RATIO = 2.0  # first sync, package built, to Anki's import with the whole history
TARGET_REPEAT_RATIO = 1.0  # repeat sync, to the same
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
    from studyapp.ankisync.anki_format import db

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


def references_with_history(collection: Path, work: Path, count: int = 3) -> list[float]:
    """Anki's imports of the synced deck, exported by Anki with scheduling (every note with
    its whole review history), each into a fresh collection; seconds."""
    from anki.collection import Collection, ExportAnkiPackageOptions

    package = work / "with-history.apkg"
    col = Collection(str(collection))
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=True, legacy=False
    )
    col.export_anki_package(out_path=str(package), options=options, limit=None)
    col.close()
    return [fresh_import(work / f"fresh-{n}", package) for n in range(count)]


def fresh_import(folder: Path, package: Path) -> float:
    """Anki's import of the deck's package into a fresh collection, seconds."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)
    )
    started = time.perf_counter()
    col.import_anki_package(request)
    elapsed = time.perf_counter() - started
    col.close()
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
    reference: float  # Anki's import_anki_package of the deck's package (no history), seconds
    now: datetime  # when the reviews were seeded


def set_up(work: Path, cards: Path, ids: list[str], package: Path) -> Learner:
    """Anki imported the deck's package (timed: the reference) and has half the reviews;
    the terminal has the other half."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from studyapp.ankisync.anki_format import anki_key

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
    # The closed collection's file, copied as is: the Anki-side bounds are timed on it.
    shutil.copyfile(collection, work / "seeded.anki2")
    data = work / "data"
    seed_terminal(cards, data, ids, now)
    return Learner(cards, collection, data, reference, now)


@dataclass(frozen=True)
class Floors:
    """Seconds of the steps a first sync cannot skip, each timed alone through the
    library on a copy of the seeded collection."""

    import_package: float  # the deck step: Anki's import of the deck's package
    backup: float
    cards: float  # get_card for every card, then one update_cards call
    revlog: float  # the terminal's half of the reviews as rows, one insert
    terminal: float  # Anki's half into the terminal's store, one transaction

    @property
    def anki(self) -> float:
        return self.import_package + self.backup + self.cards + self.revlog

    @property
    def total(self) -> float:
        return self.anki + self.terminal


def anki_floors(work: Path, learner: Learner, ids: list[str], package: Path) -> Floors:
    from anki.collection import Collection

    from studyapp.ankisync.anki_format import anki_key, db
    from studyapp.ankisync.deck import import_package
    from studyapp.ankisync.transfer import insert_revlog

    folder = work / "floors"
    folder.mkdir()
    shutil.copyfile(work / "seeded.anki2", folder / "collection.anki2")
    col = Collection(str(folder / "collection.anki2"))
    try:
        started = time.perf_counter()
        import_package(col, package, with_scheduling=False)
        imported = time.perf_counter()
        col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
        backed_up = time.perf_counter()
        guid_ids = {anki_key(card_id): card_id for card_id in ids}
        index_of = {card_id: index for index, card_id in enumerate(sorted(ids))}
        now_ms = int(learner.now.timestamp() * 1000)
        rows, cids = [], []
        for cid, guid, ordinal in db(col).all(
            "select c.id, n.guid, c.ord from cards c join notes n on n.id = c.nid"
        ):
            cids.append(cid)
            times = review_times(index_of[guid_ids[(guid, ordinal)]], now_ms)
            rows += [(t, cid, -1, 3, 20, 20, 500, 6000, 1) for t in times[REVIEWS_PER_CARD // 2 :]]
        rows.sort()
        prepared = time.perf_counter()
        cards = [col.get_card(cid) for cid in cids]
        for card in cards:
            card.due += 1
        col.update_cards(cards, skip_undo_entry=True)
        saved = time.perf_counter()
        db(col).transact(lambda: insert_revlog(col, rows))
        inserted = time.perf_counter()
    finally:
        col.close()
    return Floors(
        imported - started,
        backed_up - imported,
        saved - prepared,
        inserted - saved,
        terminal_floor(work, ids, learner.now),
    )


def course_notes_check(package: Path, ids: list[str]) -> float:
    """The step that keeps a learner's edits to the deck's notes on a first sync (no record
    of the notes yet): the course's fields read through a scratch import of the package."""
    from studyapp.ankisync.anki_format import DeckKeys
    from studyapp.ankisync.deck import course_notes

    guids = DeckKeys.of(ids).guids
    started = time.perf_counter()
    course_notes(package, guids)
    return time.perf_counter() - started


def terminal_floor(work: Path, ids: list[str], now: datetime) -> float:
    """Anki's half of the reviews into a copy of the seeded data folder, one transaction."""
    from studyapp.store import Store

    shutil.copytree(work / "seeded-data", work / "floors" / "data")
    now_ms = int(now.timestamp() * 1000)
    rows = [
        (t, card_id, 3, 20, 20, None, None, 6000, 1)
        for index, card_id in enumerate(sorted(ids))
        for t in review_times(index, now_ms)[: REVIEWS_PER_CARD // 2]
    ]
    store = Store.open(work / "floors" / "data")
    try:
        started = time.perf_counter()
        store.merge_review_rows(rows, [])
        return time.perf_counter() - started
    finally:
        store.close()


def timed_sync(learner: Learner) -> float:
    from studyapp.ankisync.syncing import sync_anki

    started = time.perf_counter()
    report = sync_anki(learner.collection, [learner.cards], learner.data)
    elapsed = time.perf_counter() - started
    print("\n".join(report.lines()[1:4]))
    return elapsed


def run(work: Path, count: int) -> None:
    from deckgen.build import build

    cards = work / "cards"
    cards.mkdir()
    ids = write_cards(cards, count)
    package = work / "deck.apkg"
    started = time.perf_counter()
    build([cards], package)
    cold_build = time.perf_counter() - started
    print(f"deckgen build of {len(ids)} cards, cold: {cold_build:.2f} s")

    cold = set_up(work / "cold", cards, ids, package)
    print(f"seeded: {count * REVIEWS_PER_CARD:,} reviews, half in Anki, half in the terminal")
    print("first sync, deckgen's build cache cold (the deck rendered afresh):")
    first = timed_sync(cold)
    print("repeat sync:")
    repeat = timed_sync(cold)
    # One import is a noisy yardstick on a shared machine: the median of three.
    history_samples = references_with_history(cold.collection, work)
    reference = statistics.median(history_samples)
    print(
        "reference: Anki's import_anki_package of the same notes with their whole history "
        f"({count * REVIEWS_PER_CARD:,} reviews, schedules) into a fresh collection, median "
        f"of 3: {reference:.2f} s ({', '.join(f'{x:.2f}' for x in history_samples)})"
    )

    warm = set_up(work / "warm", cards, ids, package)
    built = build_as_before(warm)
    shutil.copytree(warm.data, work / "warm" / "seeded-data")  # closed: the floors' copy
    print("first sync, the deck's package already built (by an earlier export or sync):")
    first_warm = timed_sync(warm)
    floors = anki_floors(work / "warm", warm, ids, built)
    notes_check = course_notes_check(built, ids)
    samples = [cold.reference, warm.reference, fresh_import(work / "reference", package)]
    bare = statistics.median(samples)
    print(
        "Anki's import_anki_package of the deck's package alone (no history), median of 3: "
        f"{bare:.2f} s ({', '.join(f'{x:.2f}' for x in samples)})"
    )

    warm_ratio = first_warm / reference
    print(
        f"(a) first sync, package built: {first_warm:.2f} s = {warm_ratio:.2f}x Anki's import "
        f"with the history (target <= {TARGET_RATIO:.0f}x) "
        f"{'OK' if warm_ratio <= TARGET_RATIO else 'MISSED'}; {first_warm / bare:.1f}x the "
        "import without history"
    )
    print(
        f"    first sync, cold: {first:.2f} s = {first / reference:.2f}x Anki's import with "
        f"the history (no target); {first / bare:.1f}x the import without history"
    )
    print(
        f"    bound, cold: deckgen's build alone {cold_build:.2f} s = "
        f"{cold_build / reference:.2f}x the reference"
    )
    half = count * REVIEWS_PER_CARD // 2
    print(
        f"    bound, package built: the unskippable steps alone {floors.total:.2f} s = "
        f"{floors.total / reference:.2f}x the reference; in Anki {floors.anki:.2f} s "
        f"(import of the package {floors.import_package:.2f} s, backup {floors.backup:.2f} s, "
        f"{count:,} cards' get_card + one update_cards {floors.cards:.2f} s, {half:,} revlog "
        f"rows in one statement {floors.revlog:.2f} s), {half:,} reviews into the "
        f"terminal's store {floors.terminal:.2f} s"
    )
    print(
        f"    part of it, the check that keeps edits made in Anki (the course's fields read "
        f"through a scratch import of the package): {notes_check:.2f} s = "
        f"{notes_check / reference:.2f}x the reference"
    )
    repeat_ratio = repeat / reference
    print(
        f"(b) repeat sync: {repeat:.2f} s = {repeat_ratio:.2f}x the reference (target <= "
        f"{TARGET_REPEAT_RATIO:.0f}x) {'OK' if repeat_ratio <= TARGET_REPEAT_RATIO else 'MISSED'}"
    )


def build_as_before(learner: Learner) -> Path:
    """The data folder's package as an earlier export-anki or sync-anki left it."""
    from studyapp.ankisync.deck import build_deck_package, opened_study

    with opened_study([learner.cards], learner.data) as study:
        return build_deck_package(study)


if __name__ == "__main__":
    sys.exit(main())
