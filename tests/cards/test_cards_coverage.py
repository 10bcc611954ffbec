"""Every seed fact is taught by existing cards, and every card traces back to the material.

The checklist lives in ``coverage.md`` next to this file, as two Markdown tables.
"""

from __future__ import annotations

from pathlib import Path

from cards_support import card_ids

COVERAGE = Path(__file__).with_name("coverage.md")
SEEDS = {"000", "001", "002", "003", "004"}


def table_rows(section: str) -> list[list[str]]:
    """Cells of the data rows of the table below the `## {section}` heading."""
    text = COVERAGE.read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def seed_facts() -> list[tuple[str, str, list[str]]]:
    return [
        (seed, fact, [c.strip() for c in ids.split(",")])
        for seed, fact, ids in table_rows("Seed facts")
    ]


def extras() -> dict[str, str]:
    return {card: why for card, why in table_rows("Extras beyond the seeds")}


def test_every_seed_fact_points_at_existing_cards() -> None:
    known = card_ids()
    missing = [
        (seed, fact, cid) for seed, fact, ids in seed_facts() for cid in ids if cid not in known
    ]
    assert missing == []


def test_every_seed_contributes_facts() -> None:
    assert {seed for seed, _, _ in seed_facts()} == SEEDS
    numbered = {fact.split(":")[0] for seed, fact, _ in seed_facts() if seed == "000"}
    assert numbered == {f"card {n}" for n in range(1, 13)}  # all of the seed deck


def test_every_card_is_a_seed_fact_or_a_listed_extra() -> None:
    traced = {cid for _, _, ids in seed_facts() for cid in ids}
    assert all(why for why in extras().values())
    assert set(extras()) <= card_ids()
    assert card_ids() - traced - set(extras()) == set()
    assert traced.isdisjoint(extras())
