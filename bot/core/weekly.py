"""The weekly note from the coach, as pure data: when it is due, what week it covers, what it
says and which one suggestion it makes.

- **When:** the runner's weekday and wall time in their zone, computed per date so it stays
  at 18:00 local across a DST change; never within `MIN_GAP` of the last note, so moving
  the day never brings two notes in a few days.
- **What:** the 7 days up to the note (so notes cover time end to end, whatever their day
  and hour): routines done against the runs that were planned, the streak, ladder changes
  and the tightness trend.
- **One suggestion**, the first that applies (`suggest`): an exercise paused after pain in
  the last two weeks, then warm-ups missed before planned runs, nothing done, no plan, no
  check-ins (unless the runner turned them off); else keep it up. One nudge a week reads; a
  list of them is nagging, and a choice the runner made is not argued with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from bot.core.coach import Change, Tightness
from bot.core.localtime import local_day, local_instant
from bot.core.progress import Done, Streak

MIN_GAP = timedelta(days=6)  # at least this between two notes, whatever the settings do
STALE = timedelta(hours=12)  # a note this late (the bot was down) is dropped, not sent
QUIET = timedelta(days=28)  # nothing done or planned for this long: no note at all
DAYS = 7  # the note covers this many days, up to its own instant
PAUSE_NEWS = timedelta(days=14)  # a pause is suggested about for this long, then left be

Tip = Literal["paused", "warm_up", "warm_up_self", "nothing_done", "plan", "checkins", "keep_up"]


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


def window(due: datetime) -> tuple[datetime, datetime]:
    """The instants the note due at `due` covers: the 7 days up to it. The next note's
    window starts where this one ends, so nothing done between two notes is missed."""
    return due - timedelta(days=DAYS), due


def routines_done(done: Done, start: datetime, end: datetime) -> int:
    """Routines in [start, end) as /progress counts them (bot.core.progress.Done.days): each
    finished routine, plus each day of reported sets no routine covers (a reported day
    counts at its local noon, where reports are stored)."""
    routine_days = [local_day(r, done.tz) for r in done.routines if start <= r < end]
    reported = {d for d in done.report_days if start <= local_instant(d, time(12), done.tz) < end}
    return len(routine_days) + len(reported - set(routine_days))


@dataclass(frozen=True)
class Facts:
    """What the suggestion rule looks at, all about the covered week unless said."""

    paused: Sequence[str]  # exercises left out after pain within PAUSE_NEWS (catalogue order)
    routines: int
    runs: int  # planned runs that have started
    warmed_up: int  # of those, the ones that got a warm-up
    has_plan: bool  # a plan with runs still to come
    checkins_on: bool  # the runner's setting
    checked_in: bool  # any tightness check-in in the last 8 weeks
    reminders_on: bool = True  # pre-run reminders (off: the warm-up is theirs to start)


@dataclass(frozen=True)
class Suggestion:
    tip: Tip
    exercise: str | None = None  # the paused exercise, for "paused"


def suggest(f: Facts) -> Suggestion:
    """The one suggestion of the week: the first rule that applies."""
    if f.paused:
        return Suggestion("paused", f.paused[0])
    if f.runs and f.warmed_up < f.runs:
        return Suggestion("warm_up" if f.reminders_on else "warm_up_self")
    if not f.routines:
        return Suggestion("nothing_done")
    if not f.has_plan:
        return Suggestion("plan")
    if f.checkins_on and not f.checked_in:
        return Suggestion("checkins")
    return Suggestion("keep_up")


@dataclass(frozen=True)
class Week:
    """Everything one note says."""

    since: datetime  # the start of the 7 days covered (UTC)
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
