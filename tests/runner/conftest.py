"""Fixtures for the runner tests (helpers live in runner_support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runner_support import MakeCard, card_markdown, cards_by_id, write_deck

from deckgen.cardformat.model import Card
from demo_project.launch import RedisServer, Worker, demo_env
from studyapp.runner.trust import TrustStore


@pytest.fixture
def make_card(tmp_path: Path) -> MakeCard:
    """Write a one-card deck file (its own file per card id) and parse it back."""

    def make(card_id: str, command: str, **options: object) -> Card:
        text = card_markdown(card_id, command, **options)  # type: ignore[arg-type]
        return cards_by_id(write_deck(tmp_path / f"{card_id}.md", text))[card_id]

    return make


@pytest.fixture(scope="session")
def running_stack() -> Iterator[dict[str, str]]:
    """A Redis and one worker on every demo queue, as a learner's running stack: the
    environment (``os.environ`` included) that points a `studyapp verify` at it."""
    with RedisServer() as server:
        env = demo_env(server.url(0), server.url(1))
        with Worker(env, concurrency=1, name="learner") as worker:
            worker.wait_ready(60)
            yield env


@pytest.fixture
def trust(tmp_path: Path) -> TrustStore:
    return TrustStore(tmp_path / "data" / "trusted_files.json")


@pytest.fixture
def free_broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A broker URL on a loopback port with nothing listening: Redis is 'down' (and Flower
    and beat too: a free Flower port, an empty var folder)."""
    from demo_project.launch import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", url.replace("/0", "/1"))
    monkeypatch.setenv("FLOWER_PORT", str(free_port()))
    monkeypatch.setenv("DEMO_VAR_DIR", str(tmp_path / "var"))
    return url
