"""Progress from plain data: this week at a glance, the streak, totals and left/right balance,
and what the coach knows: each exercise's ladder standing and the hip tightness trend.

Pure functions of sets, finished routines, planned runs, `now` and the runner's zone, so
every rule (weeks in the runner's zone, rest days never breaking a streak) is unit-tested
with a fixed clock. The ladder and tightness rules themselves live in bot.core.coach.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from bot.core.clock import from_db
from bot.core.coach import Standing, Tightness
from bot.core.localtime import local_day, monday, week_bounds
from bot.core.reports import SavedReport

# A planned run "got its pre-run routine" if one was done in this window around its start.
PRE_RUN_BEFORE = timedelta(hours=3)
PRE_RUN_AFTER = timedelta(hours=1)
# Without a plan, a week counts towards the streak with this many routines.
ROUTINES_PER_WEEK = 2
STREAK_LOOKBACK = timedelta(weeks=52)
CHART_WEEKS = 8
BALANCE_SESSIONS = 5


@dataclass(frozen=True)
class SetRecord:
    exercise: str
    side: str
    reps: int | None
    seconds: int | None
    performed_at: datetime
    # What counts as one "session" for balance: a guided session, or a day of reports.
    group: str

    @property
    def amount(self) -> int:
        return self.reps if self.reps is not None else (self.seconds or 0)


def set_records(rows: Iterable[dict[str, Any]], tz: str) -> list[SetRecord]:
    """Rows of `sets` (see bot.storage.reports.user_sets) as SetRecords."""
    out = []
    for row in rows:
        at = from_db(row["performed_at"])
        group = (
            f"s:{row['session_id']}"
            if row["session_id"] is not None
            else f"d:{local_day(at, tz).isoformat()}"
        )
        out.append(
            SetRecord(
                exercise=row["exercise"],
                side=row["side"],
                reps=row["actual_reps"],
                seconds=row["actual_seconds"],
                performed_at=at,
                group=group,
            )
        )
    return out


@dataclass(frozen=True)
class Done:
    """What counts as a routine done: finished guided routines (exact instants) and local
    days with reported sets (a report knows its day, not its hour). Warm-ups are the subset
    that prepares for a run: routines with the pre-run exercises, or reports of them."""

    routines: tuple[datetime, ...]
    report_days: frozenset[date]
    tz: str
    warmups: tuple[datetime, ...] = ()
    warmup_days: frozenset[date] = frozenset()

    def days(self) -> list[date]:
        """One local day per routine, plus each report day no finished routine covers, so
        logging extra moves on a routine day does not count twice."""
        routine_days = [local_day(r, self.tz) for r in self.routines]
        return sorted([*routine_days, *(self.report_days - set(routine_days))])

    def warmed_up(self, run: datetime) -> bool:
        """A warm-up routine in the window around the run, or one reported on its day."""
        if any(run - PRE_RUN_BEFORE <= r <= run + PRE_RUN_AFTER for r in self.warmups):
            return True
        return local_day(run, self.tz) in self.warmup_days


def done_from(
    routines: Sequence[tuple[datetime, bool]],
    sets: Sequence[SetRecord],
    tz: str,
    warmup_exercises: Collection[str],
) -> Done:
    """`routines`: (when it ended, whether it is a warm-up) for each finished routine."""
    reports = [s for s in sets if s.group.startswith("d:")]
    return Done(
        routines=tuple(sorted(at for at, _ in routines)),
        report_days=frozenset(local_day(s.performed_at, tz) for s in reports),
        tz=tz,
        warmups=tuple(sorted(at for at, warmup in routines if warmup)),
        warmup_days=frozenset(
            local_day(s.performed_at, tz) for s in reports if s.exercise in warmup_exercises
        ),
    )


# --- streak ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streak:
    count: int
    unit: Literal["run", "week"]


def streak(done: Done, planned_runs: Sequence[datetime], now: datetime) -> Streak:
    """Consecutive planned runs that got their pre-run routine or, with no plan, consecutive
    weeks with at least two routines. Rest days are not runs, so they never break it; a run
    (or week) still under way counts once it is earned and never breaks it before it ends."""
    if planned_runs:
        return Streak(_run_streak(done, planned_runs, now), "run")
    return Streak(_week_streak(done, now), "week")


def _run_streak(done: Done, runs: Sequence[datetime], now: datetime) -> int:
    count = 0
    for run in sorted((r for r in runs if r - PRE_RUN_BEFORE <= now), reverse=True):
        if done.warmed_up(run):
            count += 1
        elif now < run + PRE_RUN_AFTER:
            continue  # still time to do it
        else:
            break
    return count


def _week_streak(done: Done, now: datetime) -> int:
    per_week = Counter(monday(d) for d in done.days())
    week = monday(local_day(now, done.tz))
    count = 1 if per_week[week] >= ROUTINES_PER_WEEK else 0
    week -= timedelta(weeks=1)
    while per_week[week] >= ROUTINES_PER_WEEK:
        count += 1
        week -= timedelta(weeks=1)
    return count


# --- balance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    """Left against right for one one-sided exercise over its last few sessions."""

    exercise: str
    unit: Literal["reps", "seconds"]
    sessions: int
    right_fewer: int
    left_fewer: int
    right_total: int
    left_total: int


def balance(
    sets: Sequence[SetRecord], exercise: str, last: int = BALANCE_SESSIONS
) -> Balance | None:
    """Compare sides in the last `last` sessions that did both sides; None if there are none."""
    per_group: dict[str, dict[str, int]] = defaultdict(lambda: {"right": 0, "left": 0})
    latest: dict[str, datetime] = {}
    timed = False
    for s in sets:
        if s.exercise != exercise or s.side not in ("right", "left"):
            continue
        per_group[s.group][s.side] += s.amount
        latest[s.group] = max(latest.get(s.group, s.performed_at), s.performed_at)
        timed = timed or s.reps is None
    both = [g for g, sides in per_group.items() if sides["right"] and sides["left"]]
    recent = sorted(both, key=lambda g: latest[g])[-last:]
    if not recent:
        return None
    right = [per_group[g]["right"] for g in recent]
    left = [per_group[g]["left"] for g in recent]
    return Balance(
        exercise=exercise,
        unit="seconds" if timed else "reps",
        sessions=len(recent),
        right_fewer=sum(r < lf for r, lf in zip(right, left, strict=True)),
        left_fewer=sum(lf < r for r, lf in zip(right, left, strict=True)),
        right_total=sum(right),
        left_total=sum(left),
    )


# --- the whole picture -------------------------------------------------------------------


@dataclass(frozen=True)
class ChartData:
    """Sets per exercise for each of the last weeks (oldest first), side totals, and the
    average hip tightness before and after a routine in each of those weeks (None: no
    check-in). The chart cache compares ChartData, so everything drawn is in here."""

    weeks: list[date]
    sets_per_week: dict[str, list[int]]
    sides: dict[str, tuple[int, int]]  # exercise -> (right total, left total)
    units: dict[str, str]
    tight_before: list[float | None] = field(default_factory=list)
    tight_after: list[float | None] = field(default_factory=list)

    @property
    def has_sets(self) -> bool:
        return any(any(v) for v in self.sets_per_week.values())

    @property
    def has_tightness(self) -> bool:
        return any(v is not None for v in (*self.tight_before, *self.tight_after))

    @property
    def empty(self) -> bool:
        """Nothing to draw."""
        return not self.has_sets and not self.has_tightness


@dataclass(frozen=True)
class Progress:
    routines_this_week: int
    runs_this_week: int
    streak: Streak
    sets_this_week: dict[str, int]
    sets_total: dict[str, int]
    balances: list[Balance]
    chart: ChartData
    has_data: bool
    # The coach: each exercise's ladder standing (the catalogue's order), the tightness
    # check-ins of the last weeks, and the zone the last change's day is shown in.
    standings: dict[str, Standing] = field(default_factory=dict)
    tightness: Tightness | None = None
    tz: str = "UTC"


def build_progress(
    sets: Sequence[SetRecord],
    done: Done,
    planned_runs: Sequence[datetime],
    now: datetime,
    tz: str,
    exercises: Sequence[str],
    one_sided: Iterable[str],
    *,
    standings: dict[str, Standing] | None = None,
    tightness: Tightness | None = None,
) -> Progress:
    """Everything /progress shows. `planned_runs` should cover STREAK_LOOKBACK up to a week
    ahead; `exercises` fixes the order (the catalogue's); `tightness` should cover the
    chart's weeks (bot.core.coach.tightness with the same `now` and zone)."""
    start, end = week_bounds(now, tz)
    this_week = [s for s in sets if start <= s.performed_at < end]
    this_monday = monday(local_day(now, tz))
    one_sided = list(one_sided)
    checked_in = tightness is not None and not tightness.empty
    return Progress(
        routines_this_week=sum(monday(d) == this_monday for d in done.days()),
        runs_this_week=sum(start <= r < end for r in planned_runs),
        streak=streak(done, planned_runs, now),
        sets_this_week={e: sum(s.exercise == e for s in this_week) for e in exercises},
        sets_total={e: sum(s.exercise == e for s in sets) for e in exercises},
        balances=[b for e in one_sided if (b := balance(sets, e)) is not None],
        chart=chart_data(sets, now, tz, exercises, one_sided, tightness=tightness),
        has_data=bool(sets) or bool(done.routines) or checked_in,
        standings={e: standings[e] for e in exercises if e in standings} if standings else {},
        tightness=tightness if checked_in else None,
        tz=tz,
    )


def chart_data(
    sets: Sequence[SetRecord],
    now: datetime,
    tz: str,
    exercises: Sequence[str],
    one_sided: Sequence[str],
    weeks: int = CHART_WEEKS,
    tightness: Tightness | None = None,
) -> ChartData:
    this_monday = monday(local_day(now, tz))
    starts = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    index = {w: i for i, w in enumerate(starts)}
    per_week = {e: [0] * weeks for e in exercises}
    sides: dict[str, list[int]] = {e: [0, 0] for e in one_sided}
    units: dict[str, str] = {}
    for s in sets:
        i = index.get(monday(local_day(s.performed_at, tz)))
        if i is None or s.exercise not in per_week:
            continue
        per_week[s.exercise][i] += 1
        if s.exercise in sides and s.side in ("right", "left"):
            sides[s.exercise][0 if s.side == "right" else 1] += s.amount
            units[s.exercise] = "reps" if s.reps is not None else "seconds"
    before: list[float | None] = [None] * weeks
    after: list[float | None] = [None] * weeks
    if tightness is not None and not tightness.empty:
        for week, b, a in zip(
            tightness.weeks, tightness.weekly_before, tightness.weekly_after, strict=True
        ):
            i = index.get(week)
            if i is not None:
                before[i], after[i] = b, a
    has_tightness = any(v is not None for v in (*before, *after))
    return ChartData(
        weeks=starts,
        sets_per_week=per_week,
        sides={e: (r, lf) for e, (r, lf) in sides.items() if r or lf},
        units=units,
        tight_before=before if has_tightness else [],
        tight_after=after if has_tightness else [],
    )


@dataclass(frozen=True)
class HistoryItem:
    """One line of /history: a guided session or a report."""

    at: datetime
    kind: str  # 'session' | 'report'
    routine_id: str | None = None
    status: str | None = None
    sets_done: int = 0
    report: SavedReport | None = None
