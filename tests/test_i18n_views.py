"""Every view of the bot, in every language, with representative data: nothing is left in
English (tests/i18n.py's `leftover_english`), each fits Telegram and a phone, and no view is
forgotten here.

A new view function (any public function in bot/views taking the Translator `t` first) must
be added to `every_view` below, or `test_no_view_is_missed` fails: that is how a new feature
is made to speak every language.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import matplotlib.text
import pytest

from bot import views
from bot.core import planning
from bot.core.coach import Change, CheckIn, Standing, tightness
from bot.core.dosing import fit, plan_for
from bot.core.engine import Cursor, Walkthrough
from bot.core.language import LANGUAGES, SOURCE
from bot.core.progress import Balance, ChartData, HistoryItem, Progress, Streak
from bot.core.reports import Report, SavedReport
from bot.core.stats import Stats
from bot.core.text import N_, Msg
from bot.core.weekly import Suggestion, Week
from bot.sandbox.html_check import HtmlParseError, parse_html
from bot.views import chart as chart_view
from bot.views.base import View
from bot.views.commands import ADMIN_COMMANDS, COMMANDS
from bot.views.i18n import Translator
from tests.i18n import leftover_english, t

OTHERS = sorted(set(LANGUAGES) - {SOURCE})
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()


def _at(h: int, m: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, h, m, tzinfo=UTC)


def every_view(t: Translator) -> Iterator[tuple[str, object]]:
    """(module.function, what it returned) for every view, with representative data."""
    yield from _session(t)
    yield from _plans(t)
    yield from _reports(t)
    yield from _progress(t)
    yield from _privacy_admin_language(t)
    yield from _coach(t)
    yield from _settings(t)
    yield from _weekly(t)
    yield from _calendar(t)
    yield from _ics(t)


def _session(t: Translator) -> Iterator[tuple[str, object]]:
    s = views.session
    r = Walkthrough(t.content, "full")
    flex = next(x.index for x in r.steps if x.exercise.id == "flexion" and x.kind == "set")
    hold = next(x.index for x in r.steps if x.exercise.id == "ninety_ninety" and x.kind == "set")
    later = NOW + timedelta(seconds=40)
    yield "session.welcome", s.welcome(t, "Ada")
    yield "session.welcome", s.welcome(t, "")
    yield "session.help_text", s.help_text(t, COMMANDS)
    yield "commands.command_menu", views.commands.command_menu(t, COMMANDS + ADMIN_COMMANDS)
    yield "session.menu", s.menu(t)
    for cursor, kwargs in [
        (r.enter(0, NOW), {"note": "skipped_exercise"}),
        (r.enter(flex - 1, NOW), {"note": "pain"}),
        (r.enter(1, NOW), {"note": "set_done"}),
        (r.enter(2, NOW), {"note": "set_done"}),
        (r.enter(1, NOW), {"picker": True}),
        (r.enter(3, NOW), {}),
        (Cursor(3, "paused", paused_phase="rest", remaining=2), {}),
        (r.enter(flex, NOW), {}),
        (Cursor(flex, "work", ends_at=later), {}),
        (Cursor(flex, "work", ends_at=later - timedelta(seconds=1)), {}),
        (Cursor(flex, "confirm"), {"note": "set_skipped"}),
        (Cursor(hold, "work", ends_at=NOW + timedelta(seconds=21)), {}),
        (Cursor(hold + 1, "ready", ends_at=NOW + timedelta(seconds=5)), {"note": "set_done"}),
        (Cursor(hold + 3, "ready", ends_at=NOW + timedelta(seconds=5)), {"note": "rest_over"}),
        (Cursor(hold + 1, "paused", paused_phase="ready", remaining=1), {}),
        (r.enter(len(r.steps) - 1, NOW), {}),
    ]:
        yield "session.session_view", s.session_view(t, r, 1, 1, cursor, NOW, **kwargs)
    yield "session.card_text", s.card_text(t, r, r.steps[0])
    yield "session.set_text", s.set_text(t, r, r.steps[1], r.enter(1, NOW), NOW, None)
    yield "session.rest_text", s.rest_text(t, r, r.steps[3], r.enter(3, NOW), NOW)
    yield "session.where", s.where(t, r, Cursor(3, "confirm"))
    # The live tracker lists the exercise's sets so far ("Done: 10 · 7", "Done: 30 s · 12 s")
    # under a running set or rest ("🔔 I'll ping you when it's over.").
    reps: tuple[s.Result, ...] = ((10, None), (7, None))
    held: tuple[s.Result, ...] = ((None, 30), (None, 12))
    for cursor, done in [
        (Cursor(2, "confirm"), reps[:1]),
        (Cursor(3, "rest", ends_at=later), reps),
        (Cursor(3, "paused", paused_phase="rest", remaining=2), reps),
        (Cursor(flex + 1, "work", ends_at=later), ((15, None),)),
        (Cursor(flex + 1, "confirm"), ((15, None), (12, None))),
        (Cursor(hold + 1, "work", ends_at=NOW + timedelta(seconds=21)), held),
        (Cursor(hold + 1, "paused", paused_phase="work", remaining=9), held[:1]),
    ]:
        yield "session.session_view", s.session_view(t, r, 1, 1, cursor, NOW, done=done)
    yield "session.done_text", s.done_text(t, reps)
    yield "session.done_text", s.done_text(t, held)
    yield "session.results_text", s.results_text(t, held)
    yield (
        "session.continue_prompt",
        s.continue_prompt(t, r, 1, 1, Cursor(3, "confirm"), interrupted=True),
    )
    yield (
        "session.continue_prompt",
        s.continue_prompt(t, r, 1, 1, Cursor(len(r.steps), "done"), interrupted=False),
    )

    def name(e: str) -> str:
        return t.content.exercise(e).name

    def summary(status: str, week: int) -> s.Summary:
        skips = [
            s.Skip(name("rotations")),
            s.Skip(name("flexion"), 2, "left"),
            s.Skip(name("flexion"), 1),
        ]
        return s.Summary(
            t.content.routine("pre_run").name, status, 3, 8, 11.5, skips, [name("flexion")], week
        )

    yield "session.summary", s.summary(t, summary("completed", 1))
    yield "session.summary", s.summary(t, summary("partial", 3), "idle")
    yield "session.summary", s.summary(t, summary("partial", 5), "pain")
    yield "session.summary", s.summary(t, summary("abandoned", 0))
    yield "session.duration_text", s.duration_text(t, 95)
    yield "session.duration_text", s.duration_text(t, 75280)
    yield "session.side_text", s.side_text(t, None)
    yield "session.side_text", s.side_text(t, "left")
    for e in t.content.exercises.values():
        yield "session.dose_summary", s.dose_summary(t, e.dose, 2)
        yield "session.target_text", s.target_text(t, e.dose)


def _plans(t: Translator) -> Iterator[tuple[str, object]]:
    p = views.plans
    weekly = planning.Rule(at=time(7, 30), tz="UTC", weekdays=frozenset({0, 2, 4}))
    one = planning.Rule(
        at=time(18, 0), tz="Europe/Madrid", on=date(2026, 3, 3), duration_minutes=60
    )
    daily = planning.Rule(at=time(6, 0), tz="UTC", weekdays=frozenset(range(7)))
    workweek = planning.Rule(at=time(6, 0), tz="UTC", weekdays=frozenset(range(5)))
    weekend = planning.Rule(
        at=time(9, 0), tz="UTC", weekdays=frozenset({5, 6}), duration_minutes=90
    )
    entries = [p.RunEntry(1, _at(7, 30), 45, False), p.RunEntry(1, _at(7, 30, 4), 45, True)]
    plans = [(1, weekly), (2, one), (3, daily), (4, workweek), (5, weekend)]
    yield (
        "plans.pre_run_reminder",
        p.pre_run_reminder(t, 1, _at(7, 30), _at(7), "UTC", 9, late=False),
    )
    yield (
        "plans.pre_run_reminder",
        p.pre_run_reminder(t, 1, _at(7, 30), _at(7, 5), "UTC", 9, late=True),
    )
    yield "plans.post_run_reminder", p.post_run_reminder(t, 1, 3, can_later=True)
    yield "plans.post_run_reminder", p.post_run_reminder(t, 1, 3, can_later=False)
    yield (
        "plans.plan_saved",
        p.plan_saved(t, weekly, [_at(7, 30), _at(7, 30, 4), _at(7, 30, 6)], False),
    )
    yield "plans.plan_saved", p.plan_saved(t, one, [_at(17, 0, 3)], True)
    for problem in (planning.ACCEPTED, planning.PASSED, planning.TOO_FAR):
        yield "plans.plan_rejected", p.plan_rejected(t, problem)
        yield "plans.step_problem", p.step_problem(t, problem)
    yield "plans.choose_days", p.choose_days(t, frozenset({0, 2}), "UTC", False)
    yield "plans.ask_date", p.ask_date(t)
    yield "plans.when_label", p.when_label(t, frozenset({0, 2}), None)
    yield "plans.ask_time", p.ask_time(t, p.when_label(t, frozenset({0, 2}), None))
    yield "plans.ask_time", p.ask_time(t, p.when_label(t, frozenset(), date(2026, 3, 3)))
    yield "plans.ask_duration", p.ask_duration(t)
    yield "plans.duration_again", p.duration_again(t, 5, 600)
    yield "plans.confirm", p.confirm(t, daily, [_at(6, 0, 3)], True)
    yield "plans.confirm", p.confirm(t, workweek, [_at(6, 0, 3)], False)
    yield "plans.plan_limit", p.plan_limit(t, 12)
    yield "plans.runs_list", p.runs_list(t, p.RunsPage([], [], total=0), "UTC", False)
    yield (
        "plans.runs_list",
        p.runs_list(t, p.RunsPage(entries * 10, plans, 0, 3, 1000), "UTC", True),
    )
    yield "plans.runs_list", p.runs_list(t, p.RunsPage([], plans[:1], 2, 5, 33), "UTC", True)
    yield "plans.runs_list", p.runs_list(t, p.RunsPage([], plans, 0, 1, 5), "UTC", False)
    imported = [p.RunEntry(1, NOW + timedelta(days=1), 50, False, "Parkrun")]
    yield "plans.runs_list", p.runs_list(t, p.RunsPage(imported, [], 0, 1, 0, 9), "UTC", True)
    yield "plans.rule_text", p.rule_text(t, weekend)
    yield "plans.days_text", p.days_text(t, frozenset({1, 3}))
    yield "plans.day_time", p.day_time(t, _at(7, 30), "Europe/Madrid")
    yield "plans.zone_prompt", p.zone_prompt(t)
    yield "plans.zone_set", p.zone_set(t, "Europe/Madrid", _at(7), 0)
    yield "plans.zone_set", p.zone_set(t, "Europe/Madrid", _at(7), 5)
    yield "plans.zone_unknown", p.zone_unknown(t, "Mardid", ["Europe/Madrid"])
    yield "plans.zone_unknown", p.zone_unknown(t, "z" * 5000, [])
    yield "plans.zone_not_found", p.zone_not_found(t)
    yield "plans.remind_set", p.remind_set(t, None)
    yield "plans.remind_set", p.remind_set(t, 30)
    yield "plans.afterrun_set", p.afterrun_set(t, None)
    yield "plans.afterrun_set", p.afterrun_set(t, 15)
    yield "plans.setting_usage", p.setting_usage(t, "remind", None, 5, 240)
    yield "plans.setting_usage", p.setting_usage(t, "afterrun", 15, 0, 240)


def _reports(t: Translator) -> Iterator[tuple[str, object]]:
    r = views.reports
    ex = t.content.exercises
    entry = Report("flexion", "left", 2, 12, None, TODAY - timedelta(days=1))
    held = Report("ninety_ninety", "both", 1, None, 30, TODAY - timedelta(days=3))
    record = SavedReport(7, 1001, entry, NOW, NOW, 2)
    yield "reports.exercise_picker", r.exercise_picker(t)
    yield "reports.side_picker", r.side_picker(t, ex["flexion"])
    yield "reports.sets_picker", r.sets_picker(t, ex["flexion"], "right")
    yield "reports.sets_picker", r.sets_picker(t, ex["rotations"], "both")
    yield "reports.amount_picker", r.amount_picker(t, ex["flexion"], 1)
    yield "reports.amount_picker", r.amount_picker(t, ex["ninety_ninety"], 3)
    yield "reports.day_picker", r.day_picker(t, entry, TODAY)
    yield "reports.saved", r.saved(t, held, TODAY)
    yield "reports.daily_cap", r.daily_cap(t, 50)
    yield "reports.cancelled", r.cancelled(t)
    yield "reports.usage", r.usage(t, N_("How many did you do?"))
    yield "reports.usage_help", r.usage_help(t)
    yield "reports.undo_prompt", r.undo_prompt(t, record, TODAY)
    yield "reports.nothing_to_undo", r.nothing_to_undo(t)
    yield "reports.undone", r.undone(t, record, TODAY)
    yield "reports.entry_text", r.entry_text(t, entry, TODAY)
    yield "reports.dose_text", r.dose_text(t, held)
    yield "reports.amount_text", r.amount_text(t, entry)
    yield "reports.sided_amount", r.sided_amount(t, entry)
    yield "reports.sided_amount", r.sided_amount(t, Report("rotations", "both", 2, 10, None, TODAY))
    for days in (0, 1, 3, 30):
        yield "reports.day_text", r.day_text(t, TODAY - timedelta(days=days), TODAY)


def _progress(t: Translator) -> Iterator[tuple[str, object]]:
    v = views.progress
    chart = ChartData(
        weeks=[date(2026, 1, 5) + timedelta(weeks=i) for i in range(8)],
        sets_per_week={
            "rotations": [0, 2, 0, 4, 2, 0, 2, 4],
            "flexion": [2, 0, 0, 2, 2, 0, 4, 2],
            "ninety_ninety": [1, 0, 0, 0, 1, 1, 0, 2],
        },
        sides={"rotations": (40, 40), "flexion": (31, 36), "ninety_ninety": (60, 45)},
        units={"rotations": "reps", "flexion": "reps", "ninety_ninety": "seconds"},
    )
    balances = [
        Balance("rotations", "reps", 3, 0, 0, 30, 30),
        Balance("flexion", "reps", 3, 2, 0, 31, 36),
        Balance("flexion", "reps", 5, 0, 2, 50, 40),
        Balance("ninety_ninety", "seconds", 2, 1, 0, 60, 75),
        Balance("ninety_ninety", "seconds", 1, 0, 1, 30, 20),
        Balance("rotations", "reps", 4, 1, 1, 40, 40),
    ]
    progress = Progress(
        2, 3, Streak(4, "run"), {"rotations": 4, "flexion": 2, "ninety_ninety": 2},
        {"rotations": 1234, "flexion": 21, "ninety_ninety": 5}, balances, chart, True,
    )  # fmt: skip
    entry = Report("flexion", "left", 2, 15, None, TODAY - timedelta(days=3))
    hold = Report("ninety_ninety", "both", 1, None, 30, TODAY - timedelta(days=1))
    items = [
        HistoryItem(NOW - timedelta(hours=1), "session", "full", "completed", 6),
        HistoryItem(NOW - timedelta(minutes=5), "session", "pre_run", "active", 2),
        HistoryItem(NOW - timedelta(days=1), "session", "quick", "partial", 1),
        HistoryItem(NOW - timedelta(days=1), "report", report=SavedReport(8, 1, hold, NOW, NOW, 1)),
        HistoryItem(
            NOW - timedelta(days=3), "report", report=SavedReport(7, 1, entry, NOW, NOW, 4)
        ),
    ]
    names = {e.id: v.chart_label(e) for e in t.content.exercises.values()}
    yield "progress.progress_text", v.progress_text(t, progress)
    ex = t.content.exercises
    stepped = Change("rotations", 1, 2, "easy", NOW - timedelta(days=3))
    eased = Change("flexion", 1, 0, "pain", NOW - timedelta(days=1))
    paused = Change("ninety_ninety", 1, 1, "paused", NOW, paused=True)
    standings = {
        "rotations": Standing(2, False, stepped.at, stepped),
        "flexion": Standing(0, False, eased.at, eased),
        "ninety_ninety": Standing(1, True, paused.at, paused),
    }
    for e, standing in [*standings.items(), ("flexion", Standing(1))]:
        yield "progress.standing_text", v.standing_text(t, ex[e], standing, "Europe/Madrid")
    checkins = [CheckIn(NOW - timedelta(weeks=w, days=1), 6 - w % 3, 4) for w in range(8)]
    tight = tightness(checkins, NOW, "UTC")
    yield "progress.tightness_text", v.tightness_text(t, tight)
    before_only = tightness([CheckIn(NOW, 6, None)], NOW, "UTC")
    yield "progress.tightness_text", v.tightness_text(t, before_only)
    coached = replace(
        progress,
        standings=standings,
        tightness=tight,
        chart=replace(chart, tight_before=tight.weekly_before, tight_after=tight.weekly_after),
    )
    yield "progress.progress_text", v.progress_text(t, coached)
    figure = chart_view.figure(t, coached.chart, names)
    yield "chart.figure", "\n".join(x.get_text() for x in figure.findobj(matplotlib.text.Text))
    for n, unit in ((0, "run"), (1, "run"), (5, "run"), (0, "week"), (1, "week"), (3, "week")):
        yield "progress.streak_text", v.streak_text(t, Streak(n, unit))
    for b in balances:
        yield "progress.balance_text", v.balance_text(t, b, names[b.exercise])
    yield "progress.no_progress", v.no_progress(t)
    yield "progress.cooldown", v.cooldown(t, "progress", 12)
    yield "progress.cooldown", v.cooldown(t, "export", 21)
    yield "progress.history", v.history(t, items, "Europe/Madrid", NOW)
    yield "progress.history", v.history(t, [], "Europe/Madrid", NOW)
    yield "progress.history_line", v.history_line(t, items[0], "UTC", TODAY)
    figure = chart_view.figure(t, chart, names)
    yield "chart.figure", "\n".join(x.get_text() for x in figure.findobj(matplotlib.text.Text))
    yield "chart.render", chart_view.render(t, chart, names)


def _privacy_admin_language(t: Translator) -> Iterator[tuple[str, object]]:
    p = views.privacy
    yield "privacy.delete_prompt", p.delete_prompt(t, 1_747_000_000)
    yield "privacy.kept", p.kept(t)
    yield "privacy.keep_answer", p.keep_answer(t)
    yield "privacy.deleted", p.deleted(t)
    yield "privacy.deleted_answer", p.deleted_answer(t)
    yield "privacy.delete_expired", p.delete_expired(t)
    yield "privacy.export_failed", p.export_failed(t)
    yield "privacy.export_caption", p.export_caption(t)
    yield "privacy.export_too_large", p.export_too_large(t, 45)
    yield (
        "admin.stats_view",
        views.admin.stats_view(t, Stats(1234, 3, 57, 210, 1890, 44, 380), 2, 7),
    )
    yield "admin.stats_view", views.admin.stats_view(t, Stats(1, 0, 1, 0, 0, None, None), 0, 1)
    yield "language.picker", views.language.picker(t)
    yield "language.changed", views.language.changed(t)
    yield "language.answer", views.language.answer(t)


def _coach(t: Translator) -> Iterator[tuple[str, object]]:
    """The adaptive coach: offers, focus and check-ins on cards, questions, fitted sessions,
    tightness on the summary, and the shared words for ladders (views.coach)."""
    s, c = views.session, views.coach
    base = plan_for(t.content, "full")
    flexion = base.exercises[1]
    for offer in ("up", "hard", "short", "pain"):
        plan = replace(base.with_exercise(replace(flexion, offer=offer, focus=1)), checkin=True)
        r = Walkthrough(t.content, plan)
        card = next(x.index for x in r.steps if x.exercise.id == "flexion")
        yield "session.session_view", s.session_view(t, r, 1, 1, r.enter(card, NOW), NOW)
    asked = base.with_exercise(replace(base.exercises[0], question=1, focus=0))
    r = Walkthrough(t.content, replace(asked, checkin=True))
    check = next(x.index for x in r.steps if x.kind == "check")
    yield "session.session_view", s.session_view(t, r, 1, 1, r.enter(0, NOW), NOW)
    yield "session.session_view", s.session_view(t, r, 1, 1, r.enter(0, NOW), NOW, tight_before=6)
    yield "session.session_view", s.session_view(t, r, 1, 1, r.enter(check, NOW), NOW)
    yield (
        "session.session_view",
        s.session_view(t, r, 1, 1, r.enter(check + 1, NOW), NOW, note="pain_paused"),
    )
    for minutes in (5, 30, 1):
        fitted = Walkthrough(t.content, fit(t.content, base, minutes * 60))
        yield "session.fitted_preview", s.fitted_preview(t, fitted, minutes)
    yield "session.fit_usage", s.fit_usage(t, 1, 120)
    yield "session.all_paused", s.all_paused(t, [t.content.exercise("ninety_ninety").name])
    yield "session.menu", s.menu(t, {"full": 11, "pre_run": 8, "quick": 5})
    for before, after in ((None, None), (6, 3), (3, 6), (5, 5), (None, 4)):
        summary = s.Summary(
            t.content.routine("post_run").name, "completed", 4, 4, 3.2, [], [], 2,
            checkin=True, session_id=1, tight_before=before, tight_after=after,
        )  # fmt: skip
        yield "session.summary", s.summary(t, summary, "pain_paused" if after == 4 else None)
    for e in t.content.exercises.values():
        for step in range(e.ladder.top + 1):
            yield "coach.level_text", c.level_text(t, e, step)
            yield "coach.step_dose", c.step_dose(t, e, step)
    for reason in c.REASONS:
        change = Change("rotations", 1, 2, reason, NOW)  # type: ignore[arg-type]
        yield "coach.change_text", c.change_text(t, change, "Europe/Madrid")
    yield "coach.tightness_value", c.tightness_value(t, 4.5)
    yield "coach.signed", c.signed(t, -1.25)


def _settings(t: Translator) -> Iterator[tuple[str, object]]:
    s = views.settings
    on = s.Prefs(
        "Europe/Madrid", True, 30, 15, True, True, True, 6, "18:00", ("flexion", "ninety_ninety")
    )
    off = s.Prefs("UTC", False, None, None, False, False, False, 6, "18:00")
    yield "settings.main", s.main(t, on)
    yield "settings.main", s.main(t, off)
    yield "settings.remind_picker", s.remind_picker(t, 37)
    yield "settings.remind_picker", s.remind_picker(t, None)
    yield "settings.afterrun_picker", s.afterrun_picker(t, 0)
    yield "settings.weekly_picker", s.weekly_picker(t, on)
    yield "settings.weekly_picker", s.weekly_picker(t, off)
    yield "settings.language_picker", s.language_picker(t)
    yield "settings.brought_back", s.brought_back(t, "flexion")


def _weekly(t: Translator) -> Iterator[tuple[str, object]]:
    """The weekly note: every line (a ladder move, a pause, tightness), each suggestion, and
    tightness with only an average or only a trend."""
    now, since = _at(18, 0, 8), _at(18, 0, 1)
    checkins = [CheckIn(_at(7, 0, 3) - timedelta(weeks=2), 8, 7), CheckIn(_at(7, 0, 3), 6, 4)]
    changes = [
        Change("rotations", 0, 1, "easy", _at(8, 0, 5)),
        Change("flexion", 1, 1, "paused", _at(8, 0, 6), paused=True),
    ]
    tight = tightness(checkins, now, "UTC")
    full = Week(since, 3, 4, 3, Streak(5, "run"), changes, tight, Suggestion("paused", "flexion"))
    yield "weekly.note", views.weekly.note(t, full, "Europe/Madrid", 6)
    for tip in ("warm_up", "warm_up_self", "nothing_done", "plan", "checkins", "keep_up"):
        week = Week(since, 0, 0, 0, Streak(0, "week"), [], None, Suggestion(tip))
        yield "weekly.note", views.weekly.note(t, week, "UTC", 6)
    average_only = [CheckIn(_at(7, 0, 3), 6, 5)]
    trend_only = [CheckIn(_at(7), 8, None), CheckIn(_at(7, 0, 3), 6, None)]
    for c in (average_only, trend_only):
        tight = tightness(c, now, "UTC")
        week = Week(since, 1, 0, 0, Streak(1, "week"), [], tight, Suggestion("keep_up"))
        yield "weekly.note", views.weekly.note(t, week, "UTC", 6)


def _texts(value: object) -> list[str]:
    """The words a runner reads in what a view returned."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return []  # a picture: its words are checked through chart.figure
    if isinstance(value, View):
        labels = [label for row in value.buttons or [] for label, _ in row]
        share = list(getattr(value, "share_location", None) or ())
        return [value.text, *labels, *share]
    if isinstance(value, list):  # the command menu
        return [description for _command, description in value]
    raise AssertionError(f"unexpected view result {type(value)}")


def _all_msgs() -> Iterator[tuple[str, Msg]]:
    """Every module-level message constant (N_) in the code: answers, errors, labels."""
    for package in ("bot", "handlers"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if (
                info.name.endswith("__main__")
                or ".sandbox" in info.name
                or ".playground" in info.name
            ):
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                found = value.values() if isinstance(value, dict) else [value]
                for item in found:
                    if isinstance(item, Msg):
                        yield f"{info.name}.{name}", item


def test_no_view_is_missed() -> None:
    """Every public view function taking `t` is called in `every_view`."""
    defined = set()
    for info in pkgutil.iter_modules(views.__path__):
        module = importlib.import_module(f"bot.views.{info.name}")
        for name, f in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(f).parameters)
            if f.__module__ == module.__name__ and not name.startswith("_") and params[:1] == ["t"]:
                defined.add(f"{info.name}.{name}")
    called = {name for name, _ in every_view(t(SOURCE))}
    assert defined - called == set(), "views missing from every_view: add them"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_view_fits_telegram_and_a_phone(lang: str) -> None:
    """At most 4,096 characters of HTML Telegram accepts; the same buttons (callback data,
    at most 64 bytes) as in English; each label fits a phone: alone in its row at most 45
    characters, sharing a row at most 16."""
    too_wide = []
    english = every_view(t(SOURCE))
    for (name, value), (_, source) in zip(every_view(t(lang)), english, strict=True):
        text = value.text if isinstance(value, View) else value
        if isinstance(text, str):
            try:
                shown = parse_html(text)  # raises on what Telegram would refuse
            except HtmlParseError as e:
                raise AssertionError(f"{name}: {e}\n{text}") from None
            assert 0 < shown.length <= 4096, name
        if not isinstance(value, View):
            continue
        assert _callback_data(value) == _callback_data(source), name
        for row in value.buttons or []:
            for label, data in row:
                assert label and len(data.encode()) <= 64, (name, data)
                if len(label) > (45 if len(row) == 1 else 16):
                    too_wide.append((name, label))
    assert not too_wide, f"too wide for a phone: {too_wide}"


def _callback_data(view: View) -> list[list[str]]:
    return [[data for _, data in row] for row in view.buttons or []]


@pytest.mark.parametrize("lang", OTHERS)
def test_every_view_speaks(lang: str) -> None:
    leftovers = {}
    for name, value in every_view(t(lang)):
        for text in _texts(value):
            found = leftover_english(text, lang)
            if found:
                leftovers.setdefault(name, []).append((found, text[:160]))
    assert not leftovers, "\n".join(f"{k}: {v}" for k, v in leftovers.items())


@pytest.mark.parametrize("lang", OTHERS)
def test_every_message_constant_speaks(lang: str) -> None:
    msgs = list(_all_msgs())
    assert len(msgs) > 50  # answers from services, handlers, core parsers and views
    leftovers = {}
    for name, m in msgs:
        text = t(lang).msg(Msg(m.id, _filled(m), m.plural, m.n))
        found = leftover_english(text, lang)
        if found or text == m.id:
            leftovers[name] = (found, text)
    assert not leftovers, "\n".join(f"{k}: {v}" for k, v in leftovers.items())


def _filled(m: Msg) -> dict[str, object]:
    """The constant's own values, and a number for each placeholder filled in later."""
    names = set(re.findall(r"\{([a-z_]+)\}", m.id + (m.plural or ""))) - {"n"}
    return {**{k: 3 for k in names}, **m.params}


def _calendar(t: Translator) -> Iterator[tuple[str, object]]:
    """An import's summary (runs, all events, no runs), Choose, the all-day time, every line
    of a result, and /calendar's caption, link and answers."""
    from bot.core.ics_import import NOT_A_CALENDAR, Found
    from bot.core.importing import Changes, Group

    c = views.calendar
    found = Found("u", "k", "Parkrun", NOW, None, "UTC", 45, True)
    groups = [
        Group(1, time(7, 0), (0, 1, 2), "Parkrun"),
        Group(None, None, (3,), "10K"),
        Group(None, None, (4, 5), other=True),
    ]
    yield "calendar.found", c.found(t, 7, "runs", groups, runs=6, events=9)
    yield "calendar.found", c.found(t, 7, "all", groups, runs=6, events=6)
    yield "calendar.found", c.found(t, 7, "runs", [], runs=0, events=4)
    yield "calendar.found", c.found(t, 7, "runs", groups, runs=6, events=6, zone_hint="Europe/Oslo")
    yield "calendar.choose", c.choose(t, 7, groups, frozenset({1}))
    yield "calendar.ask_time", c.ask_time(t, 7, 2)
    rule = planning.Rule(time(7, 0), "UTC", on=TODAY)
    every = Changes([(found, rule)] * 3, [(1, found, rule)], [2], 4, 1, 2, 3, 1)
    yield "calendar.added", c.added(t, every)
    yield "calendar.added", c.added(t, Changes())
    yield "calendar.already_added", c.already_added(t)
    yield "calendar.cancelled", c.cancelled(t)
    yield "calendar.unreadable", c.unreadable(t, NOT_A_CALENDAR)
    yield "calendar.download_failed", c.download_failed(t)
    yield "calendar.import_cooldown", c.import_cooldown(t, 8)
    yield "calendar.removed", c.removed(t, 9)
    yield "calendar.removed", c.removed(t, 0)
    yield "calendar.nothing_to_export", c.nothing_to_export(t)
    yield "calendar.export_caption", c.export_caption(t, 12, True)
    yield "calendar.export_caption", c.export_caption(t, 1, False, stretches=False)
    yield "calendar.export_failed", c.export_failed(t)
    yield "calendar.link", c.link(t, "https://bot.example.com/hipcoach/calendar/abc.ics")
    yield "calendar.link_needs_webhook", c.link_needs_webhook(t)
    yield "calendar.revoked", c.revoked(t, True)
    yield "calendar.revoked", c.revoked(t, False)
    yield "calendar.usage", c.usage(t)


def _ics(t: Translator) -> Iterator[tuple[str, object]]:
    """/calendar's file, as the words a calendar app shows: its name, and each event's and
    alarm's summary and description (with reminders and the stretch on, then off)."""
    import icalendar

    runs = [
        views.ics.CalendarRun(1, _at(7), 45, "Europe/Madrid", None),
        views.ics.CalendarRun(2, _at(9, 0, 7), 60, "UTC", "Parkrun"),
    ]
    for options in (
        views.ics.CalendarOptions(30, 9, 15, 3),
        views.ics.CalendarOptions(None, 9, None, 3),
    ):
        data = views.ics.calendar_file(t, runs, options, now=NOW)
        cal = icalendar.Calendar.from_ical(data)
        texts = [str(cal["X-WR-CALNAME"])] + [
            str(c[key])
            for c in cal.walk()
            if c.name in ("VEVENT", "VALARM")
            for key in ("SUMMARY", "DESCRIPTION")
            if key in c
        ]
        yield "ics.calendar_file", "\n".join(texts)


@pytest.mark.parametrize("lang", OTHERS)
def test_live_tracker_lines_speak(lang: str) -> None:
    """The table renders the tracker's "Done: …" line and the ping under a running timer,
    and both come out in the runner's language (numbers and units included)."""
    tr = t(lang)

    def texts(tr: Translator) -> list[str]:
        return [v.text for n, v in every_view(tr) if n == "session.session_view"]

    english, other = texts(t(SOURCE)), texts(tr)
    ping = tr._("🔔 I'll ping you when it's over.")
    assert ping != "🔔 I'll ping you when it's over."
    assert any("I'll ping you" in x for x in english)
    assert sum(ping in x for x in other) == sum("I'll ping you" in x for x in english)
    held = " · ".join(tr._("{seconds} s", seconds=n) for n in (30, 12))
    for english_line, results in (("Done: 10 · 7", "10 · 7"), ("Done: 30 s · 12 s", held)):
        assert any(english_line in x for x in english)
        line = tr._("<i>Done: {results}</i>", results=results)
        assert "Done" not in line and any(line in x for x in other), line
