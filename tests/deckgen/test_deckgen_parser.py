"""The card format: decks, cards, labels, ids, Run/Expect, card types, locations."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from deckgen_support import SAMPLE_DECK, SEED_FORMAT_DECK

from deckgen.cardformat.load import load
from deckgen.cardformat.model import Card, CardKind
from deckgen.cardformat.parse import parse_text

SEED_TITLES = [
    "Three Processes",
    "Restarting on Code Changes",
    "Worker Start Line",
    "Beat Start Line",
    "Rebuilding the Image",
    "One Folder per Service",
]


def parse(text: str, name: str = "deck.md") -> list[Card]:
    result = parse_text(textwrap.dedent(text), Path(name))
    assert result.errors == []
    return result.cards


def errors_of(text: str, name: str = "deck.md") -> list[str]:
    return [str(e) for e in parse_text(textwrap.dedent(text), Path(name)).errors]


def test_seed_format_deck_parses_as_it_is() -> None:
    result = load([SEED_FORMAT_DECK])
    assert result.errors == []
    assert [card.title for card in result.cards] == SEED_TITLES
    assert {card.deck for card in result.cards} == {"Running Celery in Containers - Review Cards"}
    first = result.cards[0]
    assert first.front.startswith("Which three long-running Celery processes")
    assert first.back.startswith("- **Worker**: takes task messages from the broker")
    assert first.location.line == 3
    worker = result.cards[2]
    assert worker.back.startswith("```bash\nwatchfiles --filter python celery.__main__.main")
    assert worker.back.endswith("- `-l INFO`: log level for the output")
    assert result.cards[3].title == "Beat Start Line"  # trailing spaces after the heading
    assert result.cards[5].back.endswith("Each service has its own folder and script.")


def test_sample_deck_fields_tags_ids_and_run() -> None:
    cards = parse(SAMPLE_DECK)
    assert [c.title for c in cards] == [
        "What a broker does",
        "Starting a worker",
        "Comparing result backends",
        "Pinging the workers",
        "Retry countdown",
    ]
    broker, worker, backends, ping, retry = cards
    assert broker.id == "task-queue-basics/what-a-broker-does"
    assert broker.back.startswith("The **broker** (Redis or RabbitMQ)")
    # a label line right after a list is a label, not part of the list
    assert worker.tags == ("worker", "cli")
    assert worker.back.endswith("- `-l info` sets the log level")
    assert "| Redis   | yes" in backends.back
    assert ping.id == "celery-ping"
    assert ping.run is not None
    assert ping.run.command == "celery -A config.celery_app inspect ping"
    assert ping.run.expect == "pong"
    assert ping.run.timeout == 20
    assert ping.run.service is False
    assert ping.run.location is not None and ping.run.location.line == 30
    assert retry.kind is CardKind.CLOZE
    assert [c.kind for c in cards[:4]] == [CardKind.BASIC] * 4


def test_content_may_start_below_the_label_and_spans_blocks() -> None:
    (card,) = parse(
        """\
        # D
        ## Q
        **Front:**
        First paragraph.

        Second paragraph with *emphasis*.
        **Back:**
        1. one
           - nested
        2. two
        """
    )
    assert card.front == "First paragraph.\n\nSecond paragraph with *emphasis*."
    assert card.back == "1. one\n   - nested\n2. two"


def test_id_ignores_card_number_order_and_content() -> None:
    before = parse(
        """\
        # Deck
        ## Card 1: Alpha
        **Front:** a
        **Back:** b
        ## Card 2: Beta
        **Front:** c
        **Back:** d
        """
    )
    after = parse(
        """\
        # Deck
        ## Card 7: Beta
        **Front:** c, edited
        **Back:** d
        ## Alpha
        **Front:** a
        **Back:** b, edited
        """
    )
    assert {c.title: c.id for c in before} == {c.title: c.id for c in after}
    assert sorted(c.id for c in after) == ["deck/alpha", "deck/beta"]


def test_duplicate_ids_name_both_places() -> None:
    problems = errors_of(
        """\
        # Deck
        ## Card 1: Same
        **Front:** a
        **Back:** b

        ## Card 2: Same
        **Front:** c
        **Back:** d
        """
    )
    assert problems == [
        "deck.md:6: duplicate id 'deck/same': the card at deck.md:2 has the same id "
        "(give one of them an explicit **ID:**)"
    ]


def test_sub_folders_become_parent_decks(write_card_file: Callable[..., Path]) -> None:
    top = write_card_file("cards/top.md", "# Top\n## T\n**Front:** a\n**Back:** b\n")
    write_card_file("cards/Celery/Workers/pool.md", "# Pools\n## P\n**Front:** a\n**Back:** b\n")
    write_card_file("cards/.hidden/x.md", "# Hidden\n## H\n**Front:** a\n**Back:** b\n")
    write_card_file("cards/notes.txt", "not a card file")
    result = load([top.parent])
    assert result.errors == []
    assert [c.deck for c in result.cards] == ["Celery::Workers::Pools", "Top"]
    assert result.cards[0].deck_path == ("Celery", "Workers", "Pools")
    assert result.cards[0].id == "celery/workers/pools/p"


def test_deck_without_heading_is_named_after_the_file() -> None:
    (card,) = parse("## Q\n**Front:** a\n**Back:** b\n", name="broker-notes.md")
    assert card.deck == "broker-notes"


def test_reversed_per_card_and_per_deck() -> None:
    cards = parse(
        """\
        # Glossary
        **Type:** reversed
        **Tags:** glossary

        ## Broker
        **Front:** broker
        **Back:** holds messages

        ## Backend
        **Type:** basic
        **Front:** backend
        **Back:** stores results
        **Tags:** results
        """
    )
    assert [c.kind for c in cards] == [CardKind.REVERSED, CardKind.BASIC]
    assert [c.tags for c in cards] == [("glossary",), ("glossary", "results")]
    (single,) = parse("# D\n## Q\n**Type:** reversed\n**Front:** a\n**Back:** b\n")
    assert single.kind is CardKind.REVERSED


def test_service_and_fenced_run() -> None:
    (card,) = parse(
        """\
        # D
        ## Worker
        **Front:** start it
        **Back:** like this
        **Run:**
        ```bash
        celery -A config.celery_app worker \\
          --loglevel=info
        ```
        **Expect:**
        ready.
        re: celery@\\S+ v5
        **Service:** yes
        """
    )
    assert card.run is not None
    assert card.run.command == "celery -A config.celery_app worker \\\n  --loglevel=info"
    assert card.run.expect == "ready.\nre: celery@\\S+ v5"
    assert card.run.service is True
    assert card.run.timeout == 60


def test_headings_and_labels_inside_fences_are_code() -> None:
    (card,) = parse(
        """\
        # D
        ## Q
        **Front:** what does this print?
        **Back:**
        ```markdown
        ## not a card
        **Front:** not a label
        ```
        """
    )
    assert "## not a card" in card.back


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# D\n## Q\n**Front:** a\n", "deck.md:2: card 'Q' has no **Back:**"),
        ("# D\n## Q\n**Front:**\n**Back:** b\n", "deck.md:3: empty **Front:**"),
        (
            "# D\n## Q\n**Front:** a\n**Back:** b\n**Hint:** c\n",
            "deck.md:5: unknown label **Hint:** (known labels: **Front:**, **Back:**, **Tags:**, "
            "**ID:**, **Run:**, **Expect:**, **Timeout:**, **Service:**, **Type:**)",
        ),
        (
            "# D\n## Q\nstray\n**Front:** a\n**Back:** b\n",
            "deck.md:3: text before the card's first label (start with **Front:**)",
        ),
        (
            "# D\n## Q\n**Front:** a\n**Front:** b\n**Back:** c\n",
            "deck.md:4: label **Front:** given twice in one card (first on line 3)",
        ),
        (
            "# D\n## Q\n**Front:** a\n**Back:** b\n**Expect:** ok\n",
            "deck.md:5: **Expect:** needs a **Run:**",
        ),
        (
            "# D\n## Q\n**Front:** a\n**Back:** b\n**Run:** plain words\n",
            "deck.md:5: **Run:** must be inline code or a fenced code block",
        ),
        (
            "# D\n## Q\n**Front:** a\n**Back:** b\n**Run:** `ls`\n**Timeout:** soon\n",
            "deck.md:6: **Timeout:** must be a positive number of seconds, not 'soon'",
        ),
        (
            "# D\n## Q\n**Front:** a\n**Back:** b\n**Type:** sideways\n",
            "deck.md:5: **Type:** must be 'basic', 'reversed' or 'cloze'",
        ),
        (
            "# D\n## Q\n**Front:** a\n**Back:** b\n**ID:** two words\n",
            "deck.md:5: **ID:** must be one word without spaces",
        ),
        (
            "# D\n**Front:** a\n## Q\n**Front:** a\n**Back:** b\n",
            "deck.md:2: label **Front:** must be inside a card ('## Title')",
        ),
        (
            "# D\njust a description\n",
            "deck.md:1: no cards: a card starts with a '## Title' heading",
        ),
        ("  \n\n", "deck.md:1: empty file"),
    ],
)
def test_bad_input_reports_path_and_line(text: str, expected: str) -> None:
    assert errors_of(text) == [expected]


def test_unclosed_fence_is_reported_at_its_opening_line() -> None:
    problems = errors_of(
        """\
        # D
        ## One
        **Front:** a
        **Back:**
        ```python
        print("never closed")

        ## Two
        **Front:** c
        **Back:** d
        """
    )
    assert "deck.md:5: code fence ``` is never closed" in problems


def test_windows_newlines_and_bom_keep_line_numbers() -> None:
    text = "\ufeff# D\r\n## Q\r\n**Front:** a\r\n**Back:** b\r\n\r\n## R\r\n**Front:** c\r\n"
    result = parse_text(text, Path("deck.md"))
    assert [str(e) for e in result.errors] == ["deck.md:6: card 'R' has no **Back:**"]
    assert result.cards[0].back == "b"


def test_the_example_in_format_md_parses_as_described() -> None:
    format_md = Path(__file__).resolve().parents[2] / "deckgen" / "FORMAT.md"
    example = format_md.read_text(encoding="utf-8").split("````markdown\n")[1].split("````")[0]
    (card,) = parse(example)
    assert card.tags == ("celery", "worker", "cli")
    assert card.run is not None and card.run.service and card.run.timeout == 30


def test_deck_options_take_their_own_line_and_the_rest_is_description() -> None:
    (card,) = parse(
        """\
        # Deck
        **Tags:** celery
        This deck covers the basics; these words are not tags.
        **Type:**
        reversed

        ## Q
        **Front:** q
        **Back:** a
        """
    )
    assert card.tags == ("celery",)
    assert card.kind is CardKind.REVERSED


def test_one_value_labels_reject_extra_blocks() -> None:
    problems = errors_of(
        """\
        # D
        ## Q
        **Front:** q
        **Back:** a
        **Tags:** x y

        An explanation that belongs under Back.
        """
    )
    assert problems == ["deck.md:5: **Tags:** takes one value, not several blocks"]


def test_only_hash_headings_are_structure() -> None:
    # Underlined (setext) headings are content; an indented deck heading is refused,
    # because files are cut into cards at column-0 headings only.
    (card,) = parse(
        """\
        # D
        ## Q
        **Front:** q
        **Back:**
        Section
        -------
        Part
        ====
        """
    )
    assert card.back == "Section\n-------\nPart\n===="
    problems = errors_of("# D\n## Q\n**Front:** q\n**Back:** a\n  # Other deck\n## R\n")
    assert problems[0] == "deck.md:5: write the deck heading '# Title' at the start of its line"
