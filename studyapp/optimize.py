"""Fit FSRS parameters to the learner's review history with the optimizer Anki uses.

The history is the whole review log: the terminal's own reviews and those `sync-anki` or
`import-anki` brought from Anki. It becomes training items as Anki's
`fsrs_items_for_training` makes them: per card, the answers from its last run of learning
steps on (a card with none is left out), elapsed time in study days, and one item per answer
given on a later day than the one before. fsrs-rs-python's `compute_parameters` fits them
(8 epochs, short-term on, as Anki) and `evaluate` gives what Anki's "Evaluate" shows: log
loss and RMSE (bins) for the parameters in use and for the fitted ones. As in Anki, fitted
parameters that do not beat the current ones on the same items are not taken.

`recommend_retention` asks fsrs-rs-python's simulator for the desired retention that costs
the least study time per card remembered (Anki's "compute minimum recommended retention"),
with the learner's own parameters, limits, answer mix and answer times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from statistics import median

from fsrs_rs_python import (
    DEFAULT_PARAMETERS,
    FSRS,
    FSRSItem,
    FSRSReview,
    TrainingConfig,
    default_simulator_config,
    optimal_retention,
)

from studyapp.clock import Clock
from studyapp.memory_states import Recomputed, recompute
from studyapp.records import ReviewKind, RevlogEntry, datetime_to_ms
from studyapp.scheduler import Scheduler, study_day_gaps
from studyapp.settings import Settings, load_settings, save_settings
from studyapp.store import Store

# Below this many training items the fit follows the noise of a few cards more than the
# learner's memory (fsrs-rs itself trains the full model only from 64 items, and fits just
# the first-day stabilities below that).
MINIMUM_ITEMS = 400
EPOCHS = 8  # as Anki's deck options
DECIMALS = 4  # as Anki shows and compares them
SECONDS_PER_DAY = 86_400
RATINGS = range(1, 5)
MINUTES_PER_DAY = 1440


class NotEnoughHistory(Exception):
    def __init__(self, items: int, needed: int) -> None:
        super().__init__(
            f"{items} reviews can train FSRS (a card's answers on a later day than the one "
            f"before, from its learning steps on); at least {needed} are needed, "
            f"{needed - items} more. Parameters unchanged."
        )
        self.items = items
        self.needed = needed


@dataclass(frozen=True)
class Evaluation:
    log_loss: float
    rmse_bins: float  # a share: 0.05 is Anki's "RMSE 5.00%"


@dataclass(frozen=True)
class TrainingSet:
    items: list[FSRSItem]
    card_numbers: list[int]  # per item, its card as a number (fsrs-rs groups by it)
    reviews: int  # answers those items rest on (Anki's "review count")
    cards: int


@dataclass(frozen=True)
class Fit:
    reviews: int
    items: int
    cards: int
    current: tuple[float, ...]
    current_evaluation: Evaluation
    fitted: tuple[float, ...]
    fitted_evaluation: Evaluation

    @property
    def improved(self) -> bool:
        """New parameters that predict the answers better (Anki keeps the old otherwise)."""
        return (
            self.fitted != self.current
            and self.fitted_evaluation.log_loss < self.current_evaluation.log_loss
        )


Answer = tuple[str, int, int, int]  # card id, time in ms, rating 1-4, kind (`ReviewKind`)


def answers_of(entries: Iterable[RevlogEntry]) -> list[Answer]:
    """Log entries as `Store.answers_by_card` gives them: graded ones, by card, in time."""
    rows = [
        (entry.card_id, entry.id, entry.rating, int(entry.kind))
        for entry in entries
        if entry.rating in RATINGS
    ]
    rows.sort()
    return rows


def training_set(answers: Sequence[Answer], next_day_start: datetime) -> TrainingSet:
    """`answers` as `Store.answers_by_card` gives them; days counted in study days."""
    dated: list[tuple[int, int, FSRSItem]] = []
    next_day_ms = datetime_to_ms(next_day_start)
    reviews = cards = 0
    made_reviews: dict[tuple[int, int], FSRSReview] = {}  # a few dozen distinct ones
    for number, (_, rows) in enumerate(groupby(answers, key=itemgetter(0))):
        card = _from_last_learning(list(rows))
        if len(card) < 2:
            continue
        gaps = study_day_gaps([at for _, at, _, _ in card], next_day_ms)
        so_far: list[FSRSReview] = []
        made = 0
        for (_, at, rating, _), gap in zip(card, gaps, strict=True):
            review = made_reviews.get((rating, gap))
            if review is None:
                review = made_reviews[(rating, gap)] = FSRSReview(rating, gap)
            so_far.append(review)
            if gap > 0 and len(so_far) > 1:
                dated.append((at, number, FSRSItem(so_far)))  # copied into Rust here
                made += 1
        if made:
            reviews += len(card)
            cards += 1
    dated.sort(key=itemgetter(0))  # by time of the answer, as Anki
    return TrainingSet(
        [item for _, _, item in dated], [number for _, number, _ in dated], reviews, cards
    )


def _from_last_learning(answers: Sequence[Answer]) -> Sequence[Answer]:
    """A card's answers from the first of its last run of learning answers (Anki's history
    of a card starts there); empty when it has none."""
    start = None
    for index in range(len(answers) - 1, -1, -1):
        if answers[index][3] == ReviewKind.LEARN:
            start = index
        elif start is not None:
            break
    if start is None:
        return []
    return [answer for answer in answers[start:] if answer[3] != ReviewKind.MANUAL]


def relearning_steps_within_a_day(settings: Settings) -> int:
    """Anki passes how many relearning steps fit in the first day."""
    total = count = 0
    for minutes in settings.relearning_steps_minutes:
        total += minutes
        if total >= MINUTES_PER_DAY:
            break
        count += 1
    return count


def fit(training: TrainingSet, settings: Settings) -> Fit:
    """Raises NotEnoughHistory below MINIMUM_ITEMS."""
    if len(training.items) < MINIMUM_ITEMS:
        raise NotEnoughHistory(len(training.items), MINIMUM_ITEMS)
    current = tuple(settings.fsrs_parameters or DEFAULT_PARAMETERS)
    fitted = FSRS(list(current)).compute_parameters(
        training.items,
        card_ids=training.card_numbers,
        enable_short_term=True,
        num_relearning_steps=relearning_steps_within_a_day(settings),
        training_config=TrainingConfig(num_epochs=EPOCHS),
    )
    kept = tuple(round(value, DECIMALS) for value in fitted)
    return Fit(
        reviews=training.reviews,
        items=len(training.items),
        cards=training.cards,
        current=current,
        current_evaluation=evaluate(current, training.items),
        fitted=kept,
        fitted_evaluation=evaluate(kept, training.items),
    )


def evaluate(parameters: Sequence[float], items: list[FSRSItem]) -> Evaluation:
    result = FSRS(list(parameters)).evaluate(items)
    return Evaluation(result.log_loss, result.rmse_bins)


@dataclass(frozen=True)
class AnswerHabits:
    """What the learner's log says about how they answer, for the simulator."""

    first_rating_shares: list[float] | None  # Again, Hard, Good, Easy on a card's first answer
    review_rating_shares: list[float] | None  # Hard, Good, Easy among passed reviews
    seconds: list[list[float]] | None  # learning, review, relearning x the four ratings


def answer_habits(log: Iterable[RevlogEntry]) -> AnswerHabits:
    first: dict[str, int] = {}
    passed = [0, 0, 0]
    durations: dict[tuple[int, int], list[float]] = defaultdict(list)
    rows = {ReviewKind.LEARN: 0, ReviewKind.REVIEW: 1, ReviewKind.RELEARN: 2}
    for entry in log:
        if entry.rating not in RATINGS:
            continue
        first.setdefault(entry.card_id, entry.rating)
        if entry.kind is ReviewKind.REVIEW and entry.rating > 1:
            passed[entry.rating - 2] += 1
        if entry.kind in rows and entry.duration_ms > 0:
            durations[(rows[entry.kind], entry.rating - 1)].append(entry.duration_ms / 1000)
    firsts = [0, 0, 0, 0]
    for rating in first.values():
        firsts[rating - 1] += 1
    costs = None
    if len(durations) == 12:  # every state and rating seen: the learner's own times
        costs = [[median(durations[(row, col)]) for col in range(4)] for row in range(3)]
    return AnswerHabits(_shares(firsts), _shares(passed), costs)


def _shares(counts: list[int]) -> list[float] | None:
    total = sum(counts)
    if total < 50 or not all(counts):  # too few to say; keep the simulator's own
        return None
    return [count / total for count in counts]


def recommend_retention(
    settings: Settings, parameters: Sequence[float], cards: int, habits: AnswerHabits
) -> float:
    config = default_simulator_config()
    config.deck_size = max(1, cards)
    config.learn_limit = settings.new_per_day
    config.review_limit = settings.max_reviews_per_day
    config.max_ivl = float(settings.maximum_interval_days)
    config.learning_step_count = len(settings.learning_steps_minutes)
    config.relearning_step_count = len(settings.relearning_steps_minutes)
    if habits.first_rating_shares is not None:
        config.first_rating_prob = habits.first_rating_shares
    if habits.review_rating_shares is not None:
        config.review_rating_prob = habits.review_rating_shares
    if habits.seconds is not None:
        config.state_rating_costs = habits.seconds
    return float(optimal_retention(config, list(parameters)))


@dataclass(frozen=True)
class Applied:
    """What `optimize_folder` did with a fit."""

    fit: Fit
    before: Settings
    settings: Settings  # as they are now (new parameters if saved)
    saved: bool
    recomputed: Recomputed | None  # memory states redone with the new parameters


def optimize_folder(data_dir: Path, clock: Clock, dry_run: bool) -> Applied:
    """Fit the parameters to the data folder's review log and, unless `dry_run`, keep them
    when they fit better: into settings.toml with today's date, then the memory states
    recomputed with them (as Anki does when parameters change). Raises NotEnoughHistory,
    SettingsError, StoreError."""
    settings = load_settings(data_dir)
    store = Store.open(data_dir)
    try:
        now = clock.now()
        scheduler = Scheduler(settings, clock.local_tz())
        answers = store.answers_by_card()
        fitted = fit(training_set(answers, scheduler.next_day_start(now)), settings)
        if dry_run or not fitted.improved:
            return Applied(fitted, settings, settings, False, None)
        today = now.astimezone(clock.local_tz()).date().isoformat()
        new_settings = replace(
            settings,
            fsrs_parameters=fitted.fitted,
            fsrs_parameters_optimized=today,
        )
        save_settings(data_dir, new_settings)
        recomputed = recompute(
            store, Scheduler(new_settings, clock.local_tz()), now, "optimized parameters", answers
        )
        return Applied(fitted, settings, new_settings, True, recomputed)
    finally:
        store.close()


def retention_for_folder(data_dir: Path) -> tuple[float, Settings, int]:
    """(recommended desired retention, settings, cards) for the data folder's learner."""
    settings = load_settings(data_dir)
    store = Store.open(data_dir)
    try:
        cards = len(store.card_ids())
        habits = answer_habits(store.load_revlog())
    finally:
        store.close()
    parameters = settings.fsrs_parameters or tuple(DEFAULT_PARAMETERS)
    return recommend_retention(settings, parameters, cards, habits), settings, cards
