"""The weekly note from the coach, as pure data: when it is due, what week it covers, what it
says and which one suggestion it makes.

- **When:** the runner's weekday and wall time in their zone, computed per date so it stays
  at 18:00 local across a DST change; never within `MIN_GAP` of the last note, so moving
  the day never brings two notes in a few days.
- **What:** the 7 local days ending on the note's day: routines done against the runs that
  were planned, the streak, ladder changes and the tightness trend.
- **One suggestion**, the first that applies (`suggest`): an exercise paused after pain,
  then warm-ups missed before planned runs, nothing done, no plan, no check-ins; else keep
  it up. One nudge a week reads; a list of them is nagging.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.core.coach import Change, Tightness
from bot.core.localtime import local_day, local_instant
from bot.core.progress import Streak

MIN_GAP = timedelta(days=6)  # at least this between two notes, whatever the settings do
STALE = timedelta(hours=12)  # a note this late (the bot was down) is dropped, not sent
QUIET = timedelta(days=28)  # nothing done or planned for this long: no note at all
DAYS = 7  # the note covers this many local days, ending on its own day

Tip = Literal["paused", "warm_up", "nothing_done", "plan", "checkins_off", "checkins", "keep_up"]


def parse_time(text: str, default: str = "18:00") -> time:
    """A stored 'HH:MM' (the default if it is not one)."""
    try:
        return time.fromisoformat(text)
    except ValueError:
        return time.fromisoformat(default)


def next_note(after: datetime, weekday: int, at: time, tz: str) -> datetime:
    """The first instant strictly after `after` that is `weekday` (Mon=0) at wall time `at`
    in `tz`, as UTC; each candidate day is converted on its own, so DST never shifts it."""
    start = local_day(after, tz)
    for offset in range(DAYS + 1):
        day = start + timedelta(days=offset)
        if day.weekday() == weekday:
            instant = local_instant(day, at, tz)
            if instant > after:
                return instant
    raise AssertionError("unreachable: a weekday comes back within 8 days")


def note_after(now: datetime, last: datetime | None, weekday: int, at: time, tz: str) -> datetime:
    """When the runner's next note is due: the next (weekday, time) after now, and at least
    `MIN_GAP` after the last note that went out (or may have)."""
    after = now if last is None else max(now, last + MIN_GAP)
    return next_note(after, weekday, at, tz)


def covered_days(due: datetime, tz: str) -> tuple[date, date]:
    """The first and last local day the note due at `due` covers."""
    last = local_day(due, tz)
    return last - timedelta(days=DAYS - 1), last


def window_start(due: datetime, tz: str) -> datetime:
    """Local midnight of the first covered day, as UTC."""
    return local_instant(covered_days(due, tz)[0], time(), tz)


@dataclass(frozen=True)
class Facts:
    """What the suggestion rule looks at, all about the covered week unless said."""

    paused: Sequence[str]  # exercises left out after pain (catalogue order)
    routines: int
    runs: int  # planned runs that have started
    warmed_up: int  # of those, the ones that got a warm-up
    has_plan: bool  # an active plan
    checkins_on: bool  # the runner's setting
    checked_in: bool  # any tightness check-in in the last 8 weeks


@dataclass(frozen=True)
class Suggestion:
    tip: Tip
    exercise: str | None = None  # the paused exercise, for "paused"


def suggest(f: Facts) -> Suggestion:
    """The one suggestion of the week: the first rule that applies."""
    if f.paused:
        return Suggestion("paused", f.paused[0])
    if f.runs and f.warmed_up < f.runs:
        return Suggestion("warm_up")
    if not f.routines:
        return Suggestion("nothing_done")
    if not f.has_plan:
        return Suggestion("plan")
    if not f.checkins_on:
        return Suggestion("checkins_off")
    if not f.checked_in:
        return Suggestion("checkins")
    return Suggestion("keep_up")


@dataclass(frozen=True)
class Week:
    """Everything one note says."""

    first_day: date
    last_day: date
    routines: int
    runs: int
    warmed_up: int
    streak: Streak
    changes: Sequence[Change]  # the last move of each exercise that moved, oldest first
    tightness: Tightness | None  # None: no check-ins in the last 8 weeks
    suggestion: Suggestion


def last_moves(changes: Sequence[Change]) -> list[Change]:
    """Each exercise's last change that moved (or paused) it, oldest first: decisions to
    keep a dose are not news."""
    last: dict[str, Change] = {}
    for c in changes:
        if c.moved:
            last.pop(c.exercise, None)
            last[c.exercise] = c
    return list(last.values())
