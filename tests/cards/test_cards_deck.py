"""The Celery deck in cards/: valid, complete cards that import into a fresh Anki collection."""

from __future__ import annotations

import re
import subprocess
from collections import Counter

from anki.collection import Collection, ImportLogWithChanges
from cards_support import CARDS_DIR, KEBAB_ID, LESSONS_DIR, REPO, VENV_BIN, deck

from deckgen.cardformat.model import Card, CardKind

MIN_CARDS = 70
CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")
LESSON_MODULE = re.compile(r"python -m lessons\.(\w+)")
LESSON_SCRIPT = re.compile(r"lessons/([\w.]+\.(?:sh|yml))")
# imported by lessons, not run by cards
LESSON_HELPERS = {"__init__", "idle_queue", "private_worker", "subcommands"}


def test_deckgen_check_is_clean() -> None:
    checked = subprocess.run(
        [str(VENV_BIN / "deckgen"), "check", "cards/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "error" not in (checked.stdout + checked.stderr).lower()


def test_at_least_seventy_cards_in_celery_decks() -> None:
    cards = deck()
    assert len(cards) >= MIN_CARDS
    assert all(card.deck.startswith("Celery::") for card in cards)
    assert len({card.deck for card in cards}) >= 9


def test_every_card_has_an_explicit_kebab_case_id() -> None:
    for path in sorted(CARDS_DIR.rglob("*.md")):
        text = path.read_text()
        headings = len(re.findall(r"^## ", text, flags=re.M))
        explicit = re.findall(r"^\*\*ID:\*\* (\S+)$", text, flags=re.M)
        assert len(explicit) == headings, f"{path}: {headings} cards, {len(explicit)} IDs"
    parsed = {card.id for card in deck()}
    for card in deck():
        assert KEBAB_ID.match(card.id), f"{card.location}: {card.id!r} is not kebab-case"
    explicit_ids = {
        match
        for path in CARDS_DIR.rglob("*.md")
        for match in re.findall(r"^\*\*ID:\*\* (\S+)$", path.read_text(), flags=re.M)
    }
    assert parsed == explicit_ids  # the parser kept every written id, derived none


def test_ids_are_unique() -> None:
    repeated = [cid for cid, n in Counter(card.id for card in deck()).items() if n > 1]
    assert repeated == []


def test_every_card_has_tags_a_command_and_an_expectation() -> None:
    for card in deck():
        assert card.tags, f"{card.location}: no tags"
        assert card.front.strip() and card.back.strip(), f"{card.location}: empty side"
        assert card.run is not None and card.run.command.strip(), f"{card.location}: no Run"
        assert card.run.expect and card.run.expect.strip(), f"{card.location}: no Expect"
        assert "TODO" not in card.run.expect, f"{card.location}: unfinished Expect"


def test_cards_that_cannot_run_here_say_why() -> None:
    docker_deck = [card for card in deck() if card.deck == "Celery::Docker and deployment"]
    assert docker_deck
    assert all("no-docker-here" in card.tags for card in docker_deck)
    windows = [card for card in deck() if "windows" in card.front.lower()]
    assert windows and all("windows-only" in card.tags for card in windows)


def test_corrections_are_tagged_and_say_so() -> None:
    # Issue #23: a card names the mistake it corrects ("A common mistake: ...", "Often
    # written ..., but ..."), not a course the learner never read; no minimum count.
    corrected = [card for card in deck() if "correction" in card.tags]
    for card in corrected:
        said = r"\*(Correction|Note):\*|A common mistake|Often written"
        assert re.search(said, card.back), card.location


def test_lessons_used_by_cards_exist_and_none_is_unused() -> None:
    commands = "\n".join(card.run.command for card in deck() if card.run)
    modules = set(LESSON_MODULE.findall(commands))
    scripts = set(LESSON_SCRIPT.findall(commands))
    for module in modules:
        assert (LESSONS_DIR / f"{module}.py").is_file(), module
    for script in scripts:
        assert (LESSONS_DIR / script).is_file(), script
    on_disk = {p.stem for p in LESSONS_DIR.glob("*.py")} - LESSON_HELPERS
    assert on_disk <= modules, f"lessons no card runs: {sorted(on_disk - modules)}"
    assert {p.name for p in LESSONS_DIR.glob("*.sh")} <= scripts


def anki_cards_of(card: Card) -> int:
    """Anki makes two cards of a reversed note and one per cloze number of a cloze note."""
    if card.kind is CardKind.REVERSED:
        return 2
    if card.kind is CardKind.CLOZE:
        return len(set(CLOZE_NUMBER.findall(card.front)))
    return 1


def test_deck_imports_into_a_fresh_anki_collection(
    imported_course: tuple[Collection, ImportLogWithChanges],
) -> None:
    collection, imported = imported_course
    log = imported.log
    cards = deck()
    expected_anki_cards = sum(anki_cards_of(card) for card in cards)
    assert len(log.new) == len(cards)
    assert collection.note_count() == len(cards)
    assert collection.card_count() == expected_anki_cards
    deck_names = {entry.name for entry in collection.decks.all_names_and_ids()}
    assert {card.deck for card in cards} <= deck_names
    fronts = " ".join(collection.get_note(nid).fields[0] for nid in collection.find_notes(""))
    assert "celery.__main__.main" in fronts or "watchfiles" in fronts
