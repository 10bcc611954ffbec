"""Issue #23's rules for the deck's third edition, checked over the whole course.

One question per Front, a command of its own for (nearly) every card, proof by behaviour
rather than by reading text, every card placed in a section of Celery's User Guide, a deck
that stays about Celery, and recordings that hold nothing of the machine they were made on.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from cards_support import CARDS_DIR, REPO, deck

from deckgen.cardformat.recordings import load_recordings

MIN_CARDS = 200
MAX_SHARED_RUN = 0.10  # cards whose Run string another card also has
MAX_TEXT_LOOKUP_RUN = 0.08  # grep, cat, --help, getsource: proof by reading text
MAX_DEPLOYMENT = 0.10  # Docker, Compose, watchfiles, bash
GUIDE_SECTIONS = {
    "first-steps",
    "next-steps",
    "application",
    "tasks",
    "calling",
    "canvas",
    "workers",
    "daemonizing",
    "periodic-tasks",
    "routing",
    "monitoring",
    "security",
    "optimizing",
    "debugging",
    "concurrency",
    "signals",
    "testing",
    "extending",
    "configuration",
    "redis",
    "backends",
    "django",
    "deployment",
}
TEXT_LOOKUP = re.compile(
    r"(^|[|;&(]\s*)(grep|egrep|cat|head|tail|less)\b|--help\b|inspect\.getsource|\bhelp\(",
    re.M,
)
# What a recording must not hold: the checkout's or a home's absolute path, a temporary
# folder's random name, or a private Redis port where the course teaches 6379.
MACHINE_PATH = re.compile(
    "|".join(
        [
            re.escape(str(REPO)),
            re.escape(str(Path.home()) + "/"),
            r"/work/|/root/|/tmp/tmp|/tmp/pytest",
            r"redis://[^\s/]*:(?!6379\b)\d{4,5}",
        ]
    )
)


def guide_tags(tags: tuple[str, ...]) -> list[str]:
    return [tag.removeprefix("guide-") for tag in tags if tag.startswith("guide-")]


def test_text_lookup_pattern_tells_reading_from_running() -> None:
    assert TEXT_LOOKUP.search("grep -n visibility kombu/transport/redis.py")
    assert TEXT_LOOKUP.search("celery worker --help | grep -- --pool")
    assert TEXT_LOOKUP.search('python -c "import inspect; inspect.getsource(f)"')
    assert not TEXT_LOOKUP.search("python -m lessons.routing queues")
    assert not TEXT_LOOKUP.search("celery -A config.celery_app inspect ping")


def test_machine_path_pattern_spares_what_a_learner_sees() -> None:
    assert MACHINE_PATH.search("loaded /work/main/demo_project/config/settings.py")
    assert MACHINE_PATH.search("schedule in /tmp/tmpa1b2c3/celerybeat-schedule")
    assert MACHINE_PATH.search("broker redis://127.0.0.1:40123/0")
    assert not MACHINE_PATH.search("broker redis://127.0.0.1:6379/0")
    assert not MACHINE_PATH.search("loaded demo_project/config/settings.py")


def test_the_deck_has_at_least_two_hundred_cards() -> None:
    assert len(deck()) >= MIN_CARDS


def test_every_front_asks_one_question() -> None:
    wrong = {card.id: card.front.count("?") for card in deck() if card.front.count("?") != 1}
    assert wrong == {}


def test_every_card_names_one_user_guide_section() -> None:
    wrong = {
        card.id: guide_tags(card.tags)
        for card in deck()
        if len(guide_tags(card.tags)) != 1 or guide_tags(card.tags)[0] not in GUIDE_SECTIONS
    }
    assert wrong == {}


def test_the_deck_stays_about_celery() -> None:
    sections = Counter(section for card in deck() for section in guide_tags(card.tags))
    assert sections["deployment"] <= MAX_DEPLOYMENT * len(deck()), sections


def test_nearly_every_card_has_a_command_of_its_own() -> None:
    runs = Counter(card.run.command.strip() for card in deck() if card.run is not None)
    shared = [card.id for card in deck() if card.run and runs[card.run.command.strip()] > 1]
    assert len(shared) <= MAX_SHARED_RUN * len(deck()), sorted(shared)


def test_few_commands_prove_a_card_by_reading_text() -> None:
    reading = [card.id for card in deck() if card.run and TEXT_LOOKUP.search(card.run.command)]
    assert len(reading) <= MAX_TEXT_LOOKUP_RUN * len(deck()), sorted(reading)


def test_recordings_hold_nothing_of_the_recording_machine() -> None:
    leaks = {
        card_id: match.group(0)
        for path in sorted(CARDS_DIR.rglob("*.md"))
        for card_id, recording in load_recordings(path).items()
        if (match := MACHINE_PATH.search(recording.output))
    }
    assert leaks == {}
