"""Progress arithmetic with a fixed, movable clock: weeks in the runner's zone, streaks across
rest days and weeks, left/right balance, the chart's data and picture, and the views."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import matplotlib.text
import pytest

from bot import views
from bot.core.clock import ManualClock
from bot.core.content import load_catalogue
from bot.core.progress import (
    PRE_RUN_AFTER,
    Done,
    HistoryItem,
    SetRecord,
    Streak,
    balance,
    build_progress,
    chart_data,
    done_from,
    streak,
    week_bounds,
)
from bot.core.reports import Report, SavedReport
from bot.views import chart
from tests.i18n import translators
from tests.tagged import tagged

CATALOGUE = load_catalogue()
EN = translators()["en"]
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
    text = views.progress.balance_text(EN, b, "Band flexion")
    assert text == "Band flexion: right side did fewer reps on 3 of the last 5 sessions"


def test_balance_even_left_weaker_timed_and_none():
    even = balance(sessions_with([(10, 10), (10, 10)], "rotations"), "rotations")
    assert even is not None and views.progress.balance_text(EN, even, "Rotations").endswith("✓")
    holds = balance(sessions_with([(30, 20)], "ninety_ninety", seconds=True), "ninety_ninety")
    assert holds is not None and holds.unit == "seconds"
    assert views.progress.balance_text(EN, holds, "90/90") == (
        "90/90: left side held for less time last session"
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
    text = views.progress.progress_text(EN, p)
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
    """(width, height) of a PNG, checking its signature and header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("with_sides", [True, False])
def test_chart_renders_a_phone_sized_png(with_sides):
    now = at("2025-05-14", "12:00")
    side = "right" if with_sides else "both"
    sets = [logged("rotations", side, 10, now - timedelta(days=d), f"s:{d}") for d in range(40)]
    data = chart_data(sets, now, "UTC", EXERCISES, ONE_SIDED)
    names = {e.id: views.progress.chart_label(e) for e in CATALOGUE.exercises.values()}
    png = chart.render(EN, data, names)
    width, height = png_size(png)
    assert width == 1080
    assert (height > 1000) if with_sides else (800 < height < 1000)
    assert 10_000 < len(png) < 1_000_000


def test_every_button_fits_telegrams_callback_limit():
    today = date(2025, 5, 14)
    shown = [views.reports.exercise_picker(EN), views.privacy.delete_prompt(EN, 2**40)]
    for exercise in CATALOGUE.exercises.values():
        shown += [
            views.reports.side_picker(EN, exercise),
            views.reports.sets_picker(EN, exercise, "both"),
            views.reports.amount_picker(EN, exercise, 2),
        ]
    entry = Report("rotations", "left", 2, 10, None, today)
    shown.append(views.reports.day_picker(EN, entry, today))
    for view in shown:
        for row in view.buttons or []:
            for label, data in row:
                assert data.startswith(("lg:", "md:")) and len(data.encode()) <= 64, label


# --- in every language ---------------------------------------------------------------------


def a_week(tz: str = LONDON):
    """A week with sets on both sides, a routine and two planned runs, as build_progress sees it."""
    now = at("2025-05-14", "12:00", tz)
    sets = [
        *sessions_with([(10, 12), (12, 12), (9, 12)], "flexion"),
        logged("rotations", "right", 10, at("2025-05-12", "08:00", tz), "s:1"),
        logged("rotations", "left", 10, at("2025-05-12", "08:00", tz), "s:1"),
        logged("ninety_ninety", "right", 30, at("2025-05-13", "20:00", tz), "d:a", True),
        logged("ninety_ninety", "left", 20, at("2025-05-13", "20:00", tz), "d:a", True),
    ]
    routines = [(at("2025-05-12", "08:10", tz), True)]
    d = done_from(routines, sets, tz, ["rotations", "flexion"])
    runs = [at("2025-05-13", "07:00", tz), at("2025-05-17", "09:00", tz)]
    return build_progress(sets, d, runs, now, tz, EXERCISES, ONE_SIDED), now


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_progress_text_in_the_runners_language(lang):
    """Every line is the runner's language's (tagged), names come from their content, and
    each plural is chosen by the number it counts."""
    t = tagged(lang)
    p, _ = a_week()
    text = views.progress.progress_text(t, p)
    content = t.content.exercises
    assert (
        f"[{lang}] 📈 <b>This week:</b> [{lang} n=2] 2 routines done · [{lang} n=2] 2 runs" in text
    )
    assert f"[{lang} n=0] 🔥 Streak" not in text and f"[{lang}] 🔥 Streak: starts" in text
    assert f"{content['rotations'].name}: 2 · 2" in text
    assert f"{content['flexion'].name}: 0 · 6" in text
    # Balance: the plural follows the sessions compared (3 of flexion), not the count short.
    flexion = views.progress.upper_first(content["flexion"].short)
    assert f"[{lang} n=3] {flexion}: right side did fewer reps on 2 of the last 3 sessions" in text
    assert f"[{lang}] 90/90: left side held for less time last session" in text
    for line in text.splitlines():
        assert (
            not line
            or f"[{lang}" in line
            or line.startswith(tuple(e.name for e in content.values()))
        ), line
    # Untagged, the real catalog words it; English names never show through.
    real = views.progress.progress_text(translators()[lang], p)
    assert CATALOGUE.exercises["flexion"].name not in real


@pytest.mark.parametrize(
    "count, unit, expected",
    [(0, "run", "starts with a pre-run"), (1, "run", "1 planned run warmed up"),
     (4, "run", "4 planned runs in a row"), (0, "week", "two routines in a week"),
     (1, "week", "1 week with"), (22, "week", "22 weeks with")],
)  # fmt: skip
def test_streak_text_chooses_its_plural_by_the_count(count, unit, expected):
    text = views.progress.streak_text(tagged("ru"), Streak(count, unit))
    assert expected in text
    assert text.startswith(f"[ru n={count}] " if count else "[ru] ")


def test_numbers_follow_the_locale():
    """Totals go through Babel: 12,345 in English, 12 345 in Russian, 12.345 in Spanish."""
    sets = [logged("rotations", "right", 10, at("2025-05-12"), f"s:{i}") for i in range(12_345)]
    p = build_progress(sets, done(), [], at("2025-05-14"), "UTC", EXERCISES, [])
    assert "Hip rotations: 12,345 · 12,345" in views.progress.progress_text(EN, p)
    ru = translators()["ru"]
    assert f"{ru.content.exercises['rotations'].name}: 12\xa0345 · 12\xa0345" in (
        views.progress.progress_text(ru, p)
    )
    es = translators()["es"]
    assert "12.345 · 12.345" in views.progress.progress_text(es, p)


def history_items(now: datetime) -> list[HistoryItem]:
    three_days_ago = now - timedelta(days=3)
    entry = Report("flexion", "left", 2, 15, None, three_days_ago.date())
    saved = SavedReport(7, 1001, entry, three_days_ago, three_days_ago, 4)
    return [
        HistoryItem(now - timedelta(hours=1), "session", "full", "completed", 6),
        HistoryItem(now - timedelta(days=1), "session", "quick", "partial", 1),
        HistoryItem(now - timedelta(minutes=5), "session", "pre_run", "active", 2),
        HistoryItem(three_days_ago, "report", report=saved),
    ]


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
def test_history_in_the_runners_language(lang):
    """Dates and times in the runner's locale (Babel), routine and exercise names from their
    content, the plural chosen by the sets each line counts."""
    now = at("2025-05-14", "12:00", LONDON)
    t = tagged(lang)
    view = views.progress.history(t, history_items(now), LONDON, now)
    head, full, stopped, going, report = view.text.splitlines()
    assert head == f"[{lang} n=4] 🗒 <b>Your last 4</b>"
    routines = t.content.routines
    local = (now - timedelta(hours=1)).astimezone(ZoneInfo(LONDON))  # 11:00 BST
    # The day and time in the locale's date-time pattern ("Today, 11:00"), as /runs has them.
    when = t.day_time(local, day=f"[{lang}] today")
    assert full.startswith(f"[{lang} n=6] {when} · ")
    assert routines["full"].name in full
    assert full.endswith("— 6 sets ✓")
    assert stopped.startswith(f"[{lang} n=1] ") and stopped.endswith("— 1 set stopped")
    assert routines["quick"].name in stopped
    assert going.startswith(f"[{lang} n=2] ") and going.endswith("— 2 sets in progress")
    # Three days ago: the locale's own short date (`Sun 11 May`, `dom, 11 may`, `вс, 11 мая`).
    day = views.progress.upper_first(t.day(date(2025, 5, 11)))
    short = t.content.exercises["flexion"].short
    # "2 × 15", then "{amount} left side": each worded by the catalog.
    assert report == f"{day} · ✍️ {short} [{lang}] [{lang}] 2 × 15 left side"
    if lang != "en":
        assert "Sun" not in report and "May" not in report
    empty = views.progress.history(t, [], LONDON, now)
    assert empty.text.startswith(f"[{lang}] No sessions or logs yet")


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
def test_history_words_days_like_runs_and_keeps_a_removed_exercises_amount(lang):
    """A day before yesterday reads as /runs words it (`lun, 11 may, 7:30`, capitalised at
    the start of the line); a report of an exercise since removed from the content keeps its
    amount, as /log and /undo show it."""
    now = at("2025-05-14", "12:00", LONDON)
    t = translators()[lang]
    three_days_ago = now - timedelta(days=3)
    entry = Report("retired_move", "both", 2, 10, None, three_days_ago.date())
    saved = SavedReport(8, 1001, entry, three_days_ago, three_days_ago, 4)
    items = [
        HistoryItem(three_days_ago, "session", "full", "completed", 6),
        HistoryItem(three_days_ago, "report", report=saved),
    ]
    _, session, report = views.progress.history(t, items, LONDON, now).text.splitlines()
    when = views.reports.upper_first(views.plans.day_time(t, three_days_ago, LONDON))
    assert session.startswith(f"{when} · ")
    day = views.reports.upper_first(t.day(three_days_ago.date()))
    assert report == f"{day} · ✍️ retired_move {views.reports.sided_amount(t, entry)}"
    if lang == "en":
        assert session.startswith("Sun 11 May, 12:00 · ")
        assert report == "Sun 11 May · ✍️ retired_move 2 × 10 each side"


def chart_texts(fig) -> list[str]:
    """Every piece of text drawn on the figure: titles, tick labels, legend, bar labels."""
    return [a.get_text() for a in fig.findobj(matplotlib.text.Text) if a.get_text()]


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_chart_is_labelled_in_the_runners_language(lang):
    p, _ = a_week()
    t = tagged(lang)
    names = {e.id: views.progress.chart_label(e) for e in t.content.exercises.values()}
    texts = chart_texts(chart.figure(t, p.chart, names))
    assert f"[{lang} n=8] Sets per week · last 8 weeks" in texts
    assert f"[{lang} n=8] Right vs left · last 8 weeks" in texts
    assert f"[{lang}] This\nweek" in texts
    # Week ticks: the day and the locale's month (24 Mar ... 5 May), no English month.
    assert f"24\n{t.month(3)}" in texts and f"5\n{t.month(5)}" in texts
    assert not [x for x in texts if "Mar" in x or "Apr" in x]
    assert (
        names["rotations"] in texts and names["rotations"] != CATALOGUE.exercises["rotations"].name
    )
    assert f"[{lang}] R 30" in texts and f"[{lang}] L 20" in texts
    assert f"[{lang}] {names['ninety_ninety']} (s)" in texts
    assert f"[{lang}] {names['flexion']} (reps)" in texts


def test_cyrillic_labels_draw_with_the_default_font(recwarn):
    """Russian names and months are drawn, not replaced by empty boxes: matplotlib warns
    about every glyph its font lacks."""
    p, _ = a_week()
    ru = translators()["ru"]
    names = {e.id: views.progress.chart_label(e) for e in ru.content.exercises.values()}
    assert any("\u0400" <= c <= "\u04ff" for c in "".join(names.values()))
    png = chart.render(ru, p.chart, names)
    assert png_size(png)[0] == 1080
    assert not [w for w in recwarn if "missing from" in str(w.message)]
