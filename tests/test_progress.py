"""Progress arithmetic with a fixed, movable clock: weeks in the runner's zone, streaks across
rest days and weeks, left/right balance, the chart's data and picture, and the views."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import views
from bot.core.clock import ManualClock
from bot.core.content import load_catalogue
from bot.core.progress import (
    PRE_RUN_AFTER,
    Done,
    SetRecord,
    balance,
    build_progress,
    chart_data,
    done_from,
    streak,
    week_bounds,
)
from bot.core.reports import Report

CATALOGUE = load_catalogue()
EXERCISES = list(CATALOGUE.exercises)
ONE_SIDED = [e.id for e in CATALOGUE.exercises.values() if e.dose.sides]
LONDON = "Europe/London"


def at(day: str, hm: str = "07:00", tz: str = "UTC") -> datetime:
    """A local wall time as a UTC instant."""
    local = datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC)


def done(routines=(), report_days=(), tz: str = "UTC") -> Done:
    """Everything done counts as a warm-up too (the warm-up rule has its own test)."""
    return Done(
        tuple(sorted(routines)),
        frozenset(report_days),
        tz,
        tuple(sorted(routines)),
        frozenset(report_days),
    )


def logged(exercise: str, side: str, amount: int, when: datetime, group: str, seconds=False):
    return SetRecord(
        exercise, side, None if seconds else amount, amount if seconds else None, when, group
    )


# --- weeks ---------------------------------------------------------------------------------


def test_week_bounds_follow_the_zone_across_dst():
    # The week of Mon 24 Mar 2025 in London: clocks go forward on Sun 30 Mar.
    start, end = week_bounds(at("2025-03-26", "12:00"), LONDON)
    assert start == datetime(2025, 3, 24, 0, 0, tzinfo=UTC)
    assert end == datetime(2025, 3, 30, 23, 0, tzinfo=UTC)  # Mon 31 Mar 00:00 BST
    assert end - start == timedelta(hours=167)


def test_a_late_sunday_routine_counts_in_the_local_week():
    tz = "America/New_York"
    sunday_night = at("2025-05-11", "23:30", tz)  # already Monday in UTC
    assert sunday_night.weekday() == 0
    now = at("2025-05-14", "12:00", tz)
    # Two routines in the week of 5 May (local), none yet this week.
    s = streak(done([at("2025-05-06", "07:00", tz), sunday_night], tz=tz), [], now)
    assert (s.count, s.unit) == (1, "week")


# --- streaks without a plan ----------------------------------------------------------------


def test_week_streak_counts_weeks_with_two_routines_and_ignores_rest_days():
    clock = ManualClock(at("2025-05-14", "12:00"))  # Wednesday
    routines = [
        at("2025-04-21"),
        at("2025-04-24"),  # week of 21 Apr: 2
        at("2025-04-28"),
        at("2025-05-03"),  # week of 28 Apr: 2, four rest days between
        at("2025-05-05"),
        at("2025-05-09"),
        at("2025-05-10"),  # week of 5 May: 3
    ]
    assert streak(done(routines), [], clock.now()).count == 3
    # One routine so far this week: the week is still under way, so nothing breaks.
    routines.append(at("2025-05-13"))
    assert streak(done(routines), [], clock.now()).count == 3
    # A second one earns this week too.
    routines.append(at("2025-05-14", "08:00"))
    assert streak(done(routines), [], clock.now()).count == 4
    # Next Wednesday with nothing done since: this new week is still open, last week counts.
    clock.advance(timedelta(weeks=1))
    assert streak(done(routines), [], clock.now()).count == 4
    # Another week later, the empty week has ended and breaks it.
    clock.advance(timedelta(weeks=1))
    assert streak(done(routines), [], clock.now()).count == 0


def test_a_week_with_one_routine_breaks_the_streak():
    now = at("2025-05-14", "12:00")
    routines = [at("2025-04-28"), at("2025-04-30"), at("2025-05-06")]
    assert streak(done(routines), [], now).count == 0


def test_report_days_count_once_per_day_and_not_on_top_of_a_routine():
    d = done([at("2025-05-05")], [date(2025, 5, 5), date(2025, 5, 7)])
    assert d.days() == [date(2025, 5, 5), date(2025, 5, 7)]
    assert streak(d, [], at("2025-05-14")).count == 1


def test_done_from_reads_report_days_in_the_zone():
    tz = "Pacific/Auckland"
    sets = [
        logged("rotations", "right", 10, datetime(2025, 5, 14, 23, 0, tzinfo=UTC), "d:x"),
        logged("rotations", "right", 10, datetime(2025, 5, 14, 9, 0, tzinfo=UTC), "s:1"),
    ]
    d = done_from([], sets, tz, ["rotations"])
    assert d.report_days == d.warmup_days == {date(2025, 5, 15)}


def test_only_pre_run_exercises_warm_up_for_a_run():
    run = at("2025-05-12", "18:00")
    stretch = [logged("ninety_ninety", "right", 30, at("2025-05-12", "17:00"), "d:x", True)]
    post_run_routine = [(run - timedelta(minutes=30), False)]
    d = done_from(post_run_routine, stretch, "UTC", ["rotations", "flexion"])
    assert not d.warmed_up(run)
    assert streak(d, [run], at("2025-05-13")).count == 0
    assert len(d.days()) == 1, "still a routine done that week"
    warmup = done_from([(run - timedelta(minutes=30), True)], [], "UTC", ["rotations"])
    assert streak(warmup, [run], at("2025-05-13")).count == 1


# --- streaks with a plan -------------------------------------------------------------------


RUNS = [at(day, "07:00") for day in ("2025-05-05", "2025-05-07", "2025-05-09", "2025-05-12")]


def test_run_streak_counts_warmed_up_runs_and_rest_days_never_break_it():
    warmups = [r - timedelta(minutes=30) for r in RUNS]
    now = at("2025-05-13", "12:00")  # a rest day after the last run
    s = streak(done(warmups), RUNS, now)
    assert (s.count, s.unit) == (4, "run")


def test_a_missed_run_breaks_the_run_streak():
    warmups = [RUNS[0] - timedelta(hours=1), RUNS[2] - timedelta(hours=1), RUNS[3]]
    assert streak(done(warmups), RUNS, at("2025-05-13")).count == 2
    # A routine long before the run (outside the window) does not count for it.
    early = [r - timedelta(hours=5) for r in RUNS]
    assert streak(done(early), RUNS, at("2025-05-13")).count == 0


def test_a_run_still_ahead_or_under_way_never_breaks_the_streak():
    warmups = [r - timedelta(minutes=20) for r in RUNS[:3]]
    runs = [*RUNS[:3], at("2025-05-12", "18:00"), at("2025-05-14", "07:00")]
    clock = ManualClock(at("2025-05-12", "17:00"))  # warm-up window of the 18:00 run open
    assert streak(done(warmups), runs, clock.now()).count == 3
    clock.set(runs[3] + PRE_RUN_AFTER - timedelta(minutes=1))
    assert streak(done(warmups), runs, clock.now()).count == 3
    clock.set(runs[3] + PRE_RUN_AFTER + timedelta(minutes=1))
    assert streak(done(warmups), runs, clock.now()).count == 0


def test_sets_reported_on_a_run_day_count_as_its_warm_up():
    report_days = {date(2025, 5, 5), date(2025, 5, 7), date(2025, 5, 9), date(2025, 5, 12)}
    assert streak(done([], report_days), RUNS, at("2025-05-13")).count == 4


def test_a_new_plan_starts_the_run_streak_at_zero():
    routines = [at("2025-05-05"), at("2025-05-06")]
    s = streak(done(routines), [at("2025-05-20", "07:00")], at("2025-05-14"))
    assert (s.count, s.unit) == (0, "run")


# --- balance -------------------------------------------------------------------------------


def sessions_with(rights_lefts, exercise="flexion", seconds=False):
    sets = []
    for i, (right, left) in enumerate(rights_lefts):
        when = at("2025-05-01") + timedelta(days=i)
        sets.append(logged(exercise, "right", right, when, f"s:{i}", seconds))
        sets.append(logged(exercise, "left", left, when, f"s:{i}", seconds))
    return sets


def test_balance_compares_the_last_five_sessions_that_did_both_sides():
    sets = sessions_with([(10, 15), (15, 15), (12, 15), (15, 15), (13, 15), (14, 15)])
    sets.append(logged("flexion", "right", 2, at("2025-05-20"), "s:99"))  # one side only
    b = balance(sets, "flexion")
    assert b is not None
    assert (b.sessions, b.right_fewer, b.left_fewer, b.unit) == (5, 3, 0, "reps")
    text = views.progress.balance_text(b, "Band flexion")
    assert text == "Band flexion: right side did fewer reps on 3 of the last 5 sessions"


def test_balance_even_left_weaker_timed_and_none():
    even = balance(sessions_with([(10, 10), (10, 10)], "rotations"), "rotations")
    assert even is not None and views.progress.balance_text(even, "Rotations").endswith("✓")
    holds = balance(sessions_with([(30, 20)], "ninety_ninety", seconds=True), "ninety_ninety")
    assert holds is not None and holds.unit == "seconds"
    assert views.progress.balance_text(holds, "90/90") == (
        "90/90: left side held for less time on 1 of the last 1 session"
    )
    assert balance(sessions_with([]), "flexion") is None


# --- the whole picture ---------------------------------------------------------------------


def test_build_progress_this_week_and_totals():
    now = at("2025-05-14", "12:00", LONDON)
    sets = [
        logged("rotations", "right", 10, at("2025-05-12", "08:00", LONDON), "s:1"),
        logged("rotations", "left", 10, at("2025-05-12", "08:00", LONDON), "s:1"),
        logged("ninety_ninety", "right", 30, at("2025-05-04", "20:00", LONDON), "d:a", True),
    ]
    routines = [(at("2025-05-12", "08:10", LONDON), True)]
    d = done_from(routines, sets, LONDON, ["rotations", "flexion"])
    runs = [at("2025-05-13", "07:00", LONDON), at("2025-05-17", "09:00", LONDON)]
    p = build_progress(sets, d, runs, now, LONDON, EXERCISES, ONE_SIDED)
    assert (p.routines_this_week, p.runs_this_week) == (1, 2)
    assert p.sets_this_week == {"rotations": 2, "flexion": 0, "ninety_ninety": 0}
    assert p.sets_total == {"rotations": 2, "flexion": 0, "ninety_ninety": 1}
    assert (p.streak.count, p.streak.unit) == (0, "run")  # the 13 May run got no warm-up
    assert p.has_data
    text = views.progress.progress_text(p, CATALOGUE)
    assert "This week:</b> 1 routine done · 2 runs planned" in text
    assert "Hip rotations: 2 · 2" in text


def test_chart_data_buckets_eight_local_weeks():
    now = at("2025-05-14", "12:00", LONDON)
    sets = [
        logged("rotations", "right", 10, at("2025-05-12", "00:30", LONDON), "s:1"),
        logged("rotations", "left", 8, at("2025-05-11", "23:30", LONDON), "s:1"),
        logged("flexion", "right", 15, at("2025-03-24", "08:00", LONDON), "s:2"),
        logged("flexion", "right", 15, at("2025-03-23", "08:00", LONDON), "s:3"),  # too old
    ]
    data = chart_data(sets, now, LONDON, EXERCISES, ONE_SIDED)
    assert data.weeks[0] == date(2025, 3, 24) and data.weeks[-1] == date(2025, 5, 12)
    assert data.sets_per_week["rotations"] == [0, 0, 0, 0, 0, 0, 1, 1]
    assert data.sets_per_week["flexion"] == [1, 0, 0, 0, 0, 0, 0, 0]
    assert data.sides == {"rotations": (10, 8), "flexion": (15, 0)}
    assert not data.empty
    assert chart_data([], now, LONDON, EXERCISES, ONE_SIDED).empty


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("with_sides", [True, False])
def test_chart_renders_a_phone_sized_png(with_sides):
    now = at("2025-05-14", "12:00")
    side = "right" if with_sides else "both"
    sets = [logged("rotations", side, 10, now - timedelta(days=d), f"s:{d}") for d in range(40)]
    data = chart_data(sets, now, "UTC", EXERCISES, ONE_SIDED)
    names = {e.id: views.progress.chart_label(e) for e in CATALOGUE.exercises.values()}
    png = views.chart.render(data, names)
    width, height = png_size(png)
    assert width == 1080
    assert (height > 1000) if with_sides else (800 < height < 1000)
    assert 10_000 < len(png) < 1_000_000


def test_every_button_fits_telegrams_callback_limit():
    today = date(2025, 5, 14)
    shown = [views.reports.exercise_picker(CATALOGUE), views.privacy.delete_prompt(2**40)]
    for exercise in CATALOGUE.exercises.values():
        shown += [
            views.reports.side_picker(exercise),
            views.reports.sets_picker(exercise, "both"),
            views.reports.amount_picker(exercise, 2),
        ]
    entry = Report("rotations", "left", 2, 10, None, today)
    shown.append(views.reports.day_picker(entry, CATALOGUE.exercises["rotations"], today))
    for view in shown:
        for row in view.buttons or []:
            for label, data in row:
                assert data.startswith(("lg:", "md:")) and len(data.encode()) <= 64, label
