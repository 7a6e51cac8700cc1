"""The adaptive coach's rules: pure functions over what the runner reported.

- **Standing:** where a runner is on each exercise's ladder, and whether it is paused, is
  the last `Change` recorded for it (the ladder's `start` before any).
- **Advice** for the next card, from the sessions since that change: three easy sessions
  with every set done at the full dose offer the next step; two hard or cut-short ones offer
  a step down; a pain report opens the card with the safety note and the gentlest step.
- **Pause:** a second pain report within two weeks leaves the exercise out until the runner
  brings it back.
- **Questions:** a watch-point question after an exercise in the first sessions, then now
  and then; "not quite" puts that point first on the next card and asks it again.
- **Tightness:** the average change per session and the weekly trend.

Every rule is explainable from the rows it reads, and the runner can always overrule it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Literal

from bot.core.localtime import local_day, monday, week_bounds

EASY_RUN = 3  # easy sessions in a row (every set done, full dose) before a step up
HARD_RUN = 2  # hard or cut-short sessions in a row before a step down
PAIN_WINDOW = timedelta(days=14)  # a second pain report within this pauses the exercise
FIRST_QUESTIONS = 3  # ask a watch-point question in this many first sessions...
QUESTION_EVERY = 4  # ...then in every 4th
TIGHTNESS_WEEKS = 8

Reason = Literal["easy", "hard", "short", "pain", "pain_skip", "kept", "paused", "resumed"]
# What a card offers: a step up, a step down (after hard sessions, or sets cut short), or
# the gentlest step after pain.
Offer = Literal["up", "hard", "short", "pain"]
Answer = Literal["yes", "not_quite"]
# Reasons that move the runner (or pause them); the others record a decision to stay.
MOVES: frozenset[str] = frozenset({"easy", "hard", "short", "pain", "paused", "resumed"})


@dataclass(frozen=True)
class Change:
    """One row of `ladder_changes`."""

    exercise: str
    step_from: int
    step_to: int
    reason: Reason
    at: datetime
    paused: bool = False

    @property
    def moved(self) -> bool:
        return self.reason in MOVES


@dataclass(frozen=True)
class Outing:
    """One guided session's go at an exercise, as rated at its end."""

    at: datetime
    rating: Literal["easy", "right", "hard", "pain"]
    complete: bool  # every planned set done in full
    short: bool  # a set cut short (fewer reps, a shorter hold, or skipped)
    full: bool  # the whole dose of its ladder step (not a quick or fitted session)


@dataclass(frozen=True)
class Standing:
    step: int
    paused: bool = False
    since: datetime | None = None  # when the last change (of any kind) was made
    last_move: Change | None = None  # the last change that moved or paused the runner
    # Pain reports after this still stand: the last change but a skip after pain (skipping
    # the exercise is no try of it).
    pain_settled: datetime | None = None
    resumed: datetime | None = None  # when the runner last brought it back


def standing(changes: Sequence[Change], start: int) -> Standing:
    """Where the runner is on one exercise's ladder: its changes, oldest first."""
    if not changes:
        return Standing(start)
    last = changes[-1]
    moves = [c for c in changes if c.moved]
    settled = [c.at for c in changes if c.reason != "pain_skip"]
    resumed = [c.at for c in changes if c.reason == "resumed"]
    return Standing(
        last.step_to,
        last.paused,
        last.at,
        moves[-1] if moves else None,
        settled[-1] if settled else None,
        resumed[-1] if resumed else None,
    )


def advise(
    standing: Standing, top: int, outings: Sequence[Outing], pains: Sequence[datetime]
) -> Offer | None:
    """What the next card offers, from the outings and pain reports (oldest first) since
    the last change; None: the dose stays as it is."""
    if standing.paused:
        return None
    settled = standing.pain_settled
    if any(settled is None or p > settled for p in pains):
        return "pain"
    since = standing.since
    recent = [o for o in outings if since is None or o.at > since]
    last_hard = recent[-HARD_RUN:]
    if (
        standing.step > 0
        and len(last_hard) == HARD_RUN
        and all(o.rating == "hard" or o.short for o in last_hard)
    ):
        return "hard" if any(o.rating == "hard" for o in last_hard) else "short"
    last_easy = recent[-EASY_RUN:]
    if (
        standing.step < top
        and len(last_easy) == EASY_RUN
        and all(o.rating == "easy" and o.complete and o.full for o in last_easy)
    ):
        return "up"
    return None


def pause_after(pains: Sequence[datetime], now: datetime, standing: Standing) -> bool:
    """A pain reported `now`: pause the exercise if another came within PAIN_WINDOW before
    it (since the runner last brought it back)."""
    since = standing.resumed
    return any(now - PAIN_WINDOW <= p < now and (since is None or p > since) for p in pains)


# --- watch-point questions --------------------------------------------------------------


@dataclass(frozen=True)
class WatchAnswer:
    point: int
    answer: Answer
    at: datetime


def focus(answers: Sequence[WatchAnswer]) -> int | None:
    """The watch point to put first on the card: the last answer, if it was "not quite"."""
    if answers and answers[-1].answer == "not_quite":
        return answers[-1].point
    return None


def question(outings_so_far: int, answers: Sequence[WatchAnswer], points: int) -> int | None:
    """The watch point to ask about after this outing (the runner's `outings_so_far`-th
    rated go at the exercise), or None. A "not quite" is always asked again."""
    again = focus(answers)
    if again is not None and again < points:
        return again
    n = outings_so_far
    if n < FIRST_QUESTIONS:
        return n % points
    if (n - FIRST_QUESTIONS) % QUESTION_EVERY == QUESTION_EVERY - 1:
        asked = FIRST_QUESTIONS + (n - FIRST_QUESTIONS) // QUESTION_EVERY  # so far
        return asked % points  # each point in turn
    return None


# --- hip tightness ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """A session's tightness check-ins (0-10), either possibly missing."""

    at: datetime
    before: int | None
    after: int | None


@dataclass(frozen=True)
class Tightness:
    """Tightness over the last weeks: the runner's evidence that the routine works."""

    sessions: int  # sessions with both a before and an after
    average_change: float | None  # after - before, averaged (negative: looser)
    weeks: list[date]  # Mondays, oldest first
    weekly_before: list[float | None]
    weekly_after: list[float | None]

    @property
    def trend(self) -> tuple[float, float, int] | None:
        """Before-routine tightness in the first week with any and in the latest, and how
        many weeks that spans (both counted); None with fewer than two such weeks."""
        known = [(i, v) for i, v in enumerate(self.weekly_before) if v is not None]
        if len(known) < 2:
            return None
        (i, first), (j, last) = known[0], known[-1]
        return first, last, j - i + 1

    @property
    def empty(self) -> bool:
        return all(v is None for v in (*self.weekly_before, *self.weekly_after))


def tightness_since(now: datetime, tz: str, weeks: int = TIGHTNESS_WEEKS) -> datetime:
    """The first instant `tightness` counts: Monday 00:00, `weeks - 1` weeks before this
    one, in the runner's zone (read check-ins from here)."""
    return week_bounds(now, tz, weeks - 1)[0]


def tightness(
    checkins: Sequence[CheckIn], now: datetime, tz: str, weeks: int = TIGHTNESS_WEEKS
) -> Tightness:
    this_monday = monday(local_day(now, tz))
    starts = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    index = {w: i for i, w in enumerate(starts)}
    before: list[list[int]] = [[] for _ in starts]
    after: list[list[int]] = [[] for _ in starts]
    changes = []
    for c in checkins:
        i = index.get(monday(local_day(c.at, tz)))
        if i is None:
            continue
        if c.before is not None:
            before[i].append(c.before)
        if c.after is not None:
            after[i].append(c.after)
        if c.before is not None and c.after is not None:
            changes.append(c.after - c.before)
    return Tightness(
        sessions=len(changes),
        average_change=fmean(changes) if changes else None,
        weeks=starts,
        weekly_before=[fmean(v) if v else None for v in before],
        weekly_after=[fmean(v) if v else None for v in after],
    )
