"""Issue #13's rules for the deck: course order, short Backs, and recorded proof."""

from __future__ import annotations

import re

from anki.collection import Collection, ImportLogWithChanges
from cards_support import CARDS_DIR, deck

from deckgen.cardformat.recordings import load_recordings, recordings_path

NUMBERED = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
FENCED = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")
MAX_BACK_WORDS = 50  # prose only: fenced code does not count, inline code does
MIN_RECORDED = 0.9
ASCENDING_POSITION = 1  # Anki's NEW_CARD_GATHER_PRIORITY_LOWEST_POSITION


def prose_words(markdown: str) -> int:
    return len(WORD.findall(FENCED.sub(" ", markdown).replace("`", "")))


def test_prose_words_skip_fenced_code_only() -> None:
    text = "Run `celery -A app worker` now.\n```bash\necho one two three\n```\nDone."
    assert prose_words(text) == 7  # Run celery A app worker now. Done.


def test_every_card_file_is_numbered_in_course_order() -> None:
    files = sorted(CARDS_DIR.rglob("*.md"))
    assert files
    bad = [str(path) for path in files if not NUMBERED.match(path.name)]
    assert bad == []
    numbers = [int(path.name[:2]) for path in files]
    assert numbers == list(range(1, len(files) + 1))  # no gaps, no two files sharing a number
    first = min(files, key=lambda path: path.name)
    assert first.name == "01-why-background-tasks.md"


def test_backs_stay_within_the_word_budget() -> None:
    long = {card.id: n for card in deck() if (n := prose_words(card.back)) > MAX_BACK_WORDS}
    assert long == {}


def test_recorded_outputs_cover_the_cards_with_a_run() -> None:
    with_run = [card for card in deck() if card.run is not None]
    recorded = set()
    for path in sorted(CARDS_DIR.rglob("*.md")):
        ids = {card.id for card in deck() if card.location.path.resolve() == path.resolve()}
        recordings = load_recordings(path)
        assert set(recordings) <= ids, f"{recordings_path(path)}: recordings of unknown cards"
        assert all(rec.output.strip() for rec in recordings.values())
        recorded |= set(recordings)
    covered = sum(card.id in recorded for card in with_run)
    assert covered >= MIN_RECORDED * len(with_run), f"{covered} of {len(with_run)} recorded"


def test_no_recordings_file_without_its_card_file() -> None:
    for recorded in CARDS_DIR.rglob("*.verified.json"):
        assert recorded.with_name(recorded.name.replace(".verified.json", ".md")).is_file()


def test_anki_introduces_new_cards_in_course_order(
    imported_course: tuple[Collection, ImportLogWithChanges],
) -> None:
    collection, _ = imported_course
    parent = collection.decks.id("Celery", create=False)
    assert parent is not None
    preset = collection.decks.config_dict_for_deck_id(parent)
    preset["newGatherPriority"] = ASCENDING_POSITION
    collection.decks.update_config(preset)
    collection.decks.select(parent)
    queued = collection.sched.get_queued_cards(fetch_limit=3).cards
    decks = [collection.decks.name(collection.get_card(q.card.id).did) for q in queued]
    assert decks == ["Celery::Why background tasks"] * 3
    # every deck's cards sit in one block of positions, in the files' order
    rows = collection.db.all("select c.due, c.did from cards c order by c.due")
    order = [collection.decks.name(did) for _, did in rows]
    blocks = [deck for i, deck in enumerate(order) if i == 0 or order[i - 1] != deck]
    assert blocks == list(dict.fromkeys(card.deck for card in deck()))
