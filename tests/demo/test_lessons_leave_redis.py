"""The lessons and client examples that make queues of their own leave the broker's Redis as
they found it: the keys of db 0 before and after `studyapp verify` runs their cards."""

import re
import subprocess
import sys
from pathlib import Path

import redis

from deckgen.cardformat.load import load
from demo_project.contract import DEMO_DIR
from demo_project.launch import RedisServer, Worker

# Cards whose command declares queues, starts workers, beat or Flower, or reads the broker.
QUEUE_MAKERS = re.compile(
    r"lessons\.(queue_in_redis|priority_steps|busy_worker|beat_lock|beat_sends|get_timeout"
    r"|flower_auth)\b|client (priority|offline|route|send-task|unregistered)\b"
)


def test_lessons_leave_the_broker_keys_as_they_found_them(
    redis_server: RedisServer, demo_env: dict[str, str], module_worker: Worker
) -> None:
    cards = load([DEMO_DIR.parent / "cards"]).cards
    chosen = [card.id for card in cards if card.run and QUEUE_MAKERS.search(card.run.command)]
    assert len(chosen) >= 8, chosen
    broker = redis.Redis.from_url(redis_server.url(0), decode_responses=True)
    before = {str(key) for key in broker.scan_iter()}
    studyapp = Path(sys.executable).parent / "studyapp"
    command = [str(studyapp), "verify", "--jobs", "2"]
    for card_id in chosen:
        command += ["--card", card_id]
    done = subprocess.run(
        [*command, str(DEMO_DIR.parent / "cards")],
        env=demo_env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert "using the workers already answering" in done.stdout  # this module's Redis
    after = {str(key) for key in broker.scan_iter()}
    broker.close()
    assert after - before == set()
    assert before - after == set()
