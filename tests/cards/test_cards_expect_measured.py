"""The Expect lines of cards whose point is a measurement fail when the measurement says no.

Each sample is real client output (ids and pids as one run printed them); each change turns
one measured fact false, and the card's Expect must then reject the output. A card whose
Expect only matched fixed wording would accept every changed sample.
"""

from __future__ import annotations

import pytest
from cards_support import deck

from deckgen.cardformat.expect import check_expect

CHORD = """\
chord: a group of square.s(n) for n in 0..9, then xsum.s() on the list of results
task id: 18ded354-8c3a-4caf-94aa-5ef25dde258a
state: SUCCESS (at 0.04 s)
result: 285
header results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
sum of the header results: 285, callback result: 285
the callback started 1 time(s), 0.007 s after the last header task stored its result
"""
GROUP = """\
completed: 10 of 10 tasks
results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
one job of 2 s cut into 8 small tasks: group(slow.s(0.25) x 8)
pieces done: 8 of 8, 1.03 s after sending; their run times add up to 2.03 s
they ran in 2 pool processes: verify@vm pid 2685, verify@vm pid 2723
at most 2 pieces were running at the same moment
"""
RETRYING = """\
calling flaky.delay(succeed_on_attempt=3): autoretry_for=(ConnectionError,)
state: RETRY (at 0.05 s)
state: SUCCESS (at 3.05 s)
result: {"attempts": 3, "retries": 2}
attempt 1 started at 0.02 s
retry 1 sent with an ETA 1.0 s ahead
attempt 2 started at 1.03 s, 1.01 s after attempt 1
retry 2 sent with an ETA 2.0 s ahead
attempt 3 started at 3.04 s, 2.01 s after attempt 2
"""
TIME_LIMIT = """\
time_limited: soft_time_limit=1, time_limit=2
after 1.1 s the task returned: 'soft time limit reached: cleaned up and stopped'
the task ignored the soft limit -> FAILURE: TimeLimitExceeded(2)
pool process 2685 that ran it is gone from the pool of verify@vm
pool now: 2723, 2852 (2 of 2 processes)
"""
OFFLOAD = """\
4 requests, each needing 0.5 s of work, one server process:
work inside the request: answered after 0.5 s, 1.0 s, 1.5 s, 2.0 s
work handed to a worker: answered after 0.01 s, 0.02 s, 0.02 s, 0.02 s
the last request waited 81 times longer inline
the worker did the work meanwhile: 4 x 'slept 0.5 s'
"""
BACKOFF = """\
defaults: retry_jitter=True, retry_backoff_max=600
retry 1 (request.retries=0) waits one of [0, 1] s
retry 2 (request.retries=1) waits one of [0, 1, 2] s
retry 3 (request.retries=2) waits one of [0, 1, 2, 3, 4] s
retry 4 (request.retries=3) waits one of [0, 1, 2, 3, 4, 5, 6, 7, 8] s
retry 12 (request.retries=11) waits at most 600 s (the cap)
"""
EXACT_BACKOFF = """\
flaky: retry_backoff=1, retry_jitter=False
waits between its 3 attempts: 1.0 s, 2.0 s
"""
ACKS = (
    "acks_late=True, reject_on_worker_lost=True: killed pool process 13645 mid-task -> SUCCESS,"
    " ran 2 time(s)\n"
)
EARLY_ACK = (
    "default early ack: killed pool process 13578 mid-task -> FAILURE (WorkerLostError),"
    " ran 1 time(s)\n"
)
LATE_ACK = (
    "acks_late=True: killed pool process 13577 mid-task -> FAILURE (WorkerLostError),"
    " ran 1 time(s)\n"
)
ETA = """\
visibility_timeout=1 s; sending one task with countdown=5
one message sent, one worker; at its ETA the task ran 4 time(s)
"""
RATE = """\
rate_limited_here has rate_limit='2/s'; sending 6 at once
to 2 workers on one queue
worker 1 started its tasks at 0.0 s, 0.5 s, 1.0 s
worker 2 started its tasks at 0.0 s, 0.5 s, 1.0 s
smallest gap between two starts on one worker: 0.48 s
all 6 started within 1.0 s; one worker alone needs 2.5 s for 6
"""
SCALE = """\
started 2 worker(s) with one process each on queue lesson-loop-346a0005
sent 6 tasks of 0.5 s each to that queue
task 1: worker 2 started it at 0.0 s
task 2: worker 1 started it at 0.0 s
task 3: worker 2 started it at 0.5 s
task 4: worker 1 started it at 0.5 s
task 5: worker 2 started it at 1.1 s
task 6: worker 1 started it at 1.1 s
2 worker(s) took tasks from the one queue
tasks ran side by side on different workers: True
all 6 done 1.6 s after sending
"""
SHUTDOWN = """\
task started (2 s of work); sent SIGTERM to the worker
the worker exited 4.1 s after SIGTERM
worker log: worker: Warm shutdown (MainProcess)
the running task: SUCCESS
"""
SEND_TASK = """\
calling app.send_task("tasks.basic.add", args=(7, 8)): by name, no task code imported
task modules imported by the sender: none
the sender's app has the code of tasks.basic.add: False
result: 15
"""
DECOUPLED = """\
the sender's app: a broker URL and a result backend; tasks of its own: none
serializer both sides accept: json
sent the name 'tasks.basic.add' with the arguments [7, 8]
a worker the sender never addressed ran it: 15
"""
RESTART = """\
redis: restart unless-stopped
worker: restart unless-stopped
beat: restart unless-stopped
flower: restart unless-stopped
"""
CHAIN = """\
add.s(2, 2) | mul.s(10) | add.s(1) built a chain
equal to chain(add.s(2, 2), mul.s(10), add.s(1)): True
"""
PARTIAL = """\
p = add.s(10): tasks.basic.add(10)
p.delay(5) sent a message with args [5, 10]
"""

# card id -> (sample output, [(text, replacement that makes the card's point false)])
CASES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "canvas-chord": (
        CHORD,
        [
            ("callback result: 285", "callback result: 284"),
            ("started 1 time(s)", "started 2 time(s)"),
            ("0.007 s after", "-0.002 s after"),
        ],
    ),
    "reliability-small-tasks": (
        GROUP,
        [
            ("at most 2 pieces", "at most 1 pieces"),
            ("2 pool processes: verify@vm pid 2685, ", "1 pool processes: "),
            ("add up to 2.03 s", "add up to 0.03 s"),
        ],
    ),
    "reliability-retry-backoff": (
        BACKOFF,
        [
            ("one of [0, 1, 2, 3, 4] s", "one of [4] s"),
            ("one of [0, 1] s", "one of [0, 1, 2] s"),
            ("retry_backoff_max=600", "retry_backoff_max=3600"),
        ],
    ),
    "reliability-retry-jitter-off": (
        EXACT_BACKOFF,
        [("1.0 s, 2.0 s", "0.4 s, 1.7 s"), ("2.0 s", "1.0 s")],
    ),
    "reliability-acks-late": (
        ACKS,
        [("-> SUCCESS, ran 2 time(s)", "-> FAILURE (WorkerLostError), ran 1 time(s)")],
    ),
    "reliability-ack-early-default": (EARLY_ACK, [("FAILURE (WorkerLostError)", "SUCCESS")]),
    "reliability-acks-late-alone": (LATE_ACK, [("ran 1 time(s)", "ran 2 time(s)")]),
    "reliability-eta-visibility-timeout": (
        ETA,
        [("ran 4 time(s)", "ran 1 time(s)"), ("ran 4 time(s)", "ran 2 time(s)")],
    ),
    "task-rate-limit": (
        RATE,
        [
            ("one worker: 0.48 s", "one worker: 0.01 s"),
            ("within 1.0 s", "within 2.5 s"),
        ],
    ),
    "why-scale-out": (
        SCALE,
        [
            ("2 worker(s) took", "1 worker(s) took"),
            ("all 6 done 1.6 s", "all 6 done 3.2 s"),
            ("workers: True", "workers: False"),
        ],
    ),
    "reliability-warm-shutdown": (
        SHUTDOWN,
        [("exited 4.1 s", "exited 0.1 s"), ("task: SUCCESS", "task: FAILURE")],
    ),
    "reliability-hard-time-limit": (
        TIME_LIMIT,
        [
            ("it is gone from", "it is still in"),
            ("(2 of 2 processes)", "(1 of 2 processes)"),
            ("TimeLimitExceeded", "SoftTimeLimitExceeded"),
        ],
    ),
    "reliability-soft-time-limit": (TIME_LIMIT, [("after 1.1 s", "after 5.0 s")]),
    "why-offload-heavy-work": (
        OFFLOAD,
        [
            ("0.5 s, 1.0 s, 1.5 s, 2.0 s", "0.5 s, 0.5 s, 0.5 s, 0.5 s"),
            ("0.01 s, 0.02 s, 0.02 s, 0.02 s", "0.51 s, 1.02 s, 1.52 s, 2.02 s"),
        ],
    ),
    "task-send-task-by-name": (SEND_TASK, [("add: False", "add: True")]),
    "why-event-driven": (
        DECOUPLED,
        [("of its own: none", "of its own: ['tasks.basic.add']"), ("ran it: 15", "ran it: 16")],
    ),
    "compose-restart-policy": (RESTART, [("worker: restart unless-stopped", "worker: restart no")]),
    "canvas-chain-pipe": (CHAIN, [("add.s(1)): True", "add.s(1)): False")]),
    "canvas-partial-prepends": (PARTIAL, [("args [5, 10]", "args [10, 5]")]),
}


def expect_of(card_id: str) -> str:
    (card,) = [card for card in deck() if card.id == card_id]
    assert card.run is not None and card.run.expect
    return card.run.expect


@pytest.mark.parametrize("card_id", sorted(CASES))
def test_real_output_passes_and_each_false_fact_fails(card_id: str) -> None:
    expect = expect_of(card_id)
    sample, changes = CASES[card_id]
    assert check_expect(expect, sample).ok, check_expect(expect, sample).describe()
    for old, new in changes:
        assert old in sample, old
        changed = sample.replace(old, new, 1)
        assert not check_expect(expect, changed).ok, f"{card_id} accepts {new!r}"


def test_restart_policy_is_not_satisfied_by_a_bare_count() -> None:
    assert not check_expect(expect_of("compose-restart-policy"), "3\n").ok
