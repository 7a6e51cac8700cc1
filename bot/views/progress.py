"""What /progress and /history show: pure rendering (the chart itself: bot.views.chart).
The coach's words (levels, doses, why a dose changed, tightness numbers): bot.views.coach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.core.coach import Standing, Tightness
from bot.core.content import Exercise
from bot.core.localtime import local_day
from bot.core.progress import Balance, HistoryItem, Progress, Streak
from bot.views import coach
from bot.views.base import View
from bot.views.i18n import Translator
from bot.views.reports import day_text, sided_amount, upper_first


def streak_text(t: Translator, s: Streak) -> str:
    if s.unit == "run":
        if not s.count:
            return t._("🔥 Streak: starts with a pre-run routine before your next run")
        return t.n_(
            "🔥 Streak: {n} planned run warmed up",
            "🔥 Streak: {n} planned runs in a row warmed up",
            s.count,
        )
    if not s.count:
        return t._("🔥 Streak: two routines in a week start one")
    return t.n_(
        "🔥 Streak: {n} week with 2+ routines", "🔥 Streak: {n} weeks with 2+ routines", s.count
    )


def balance_text(t: Translator, b: Balance, name: str) -> str:
    """One whole sentence per case (which side, reps or time), so each reads naturally in
    every language; the plural follows the number of sessions compared."""
    name, n, reps = escape(name), b.sessions, b.unit == "reps"
    if n == 1:  # "1 of the last 1 session" reads oddly in every language
        return _one_session(t, b, name, reps)
    if b.right_fewer > b.left_fewer:
        count = b.right_fewer
        if reps:
            # Translators: {name} is an exercise; {count} of the last {n} sessions compared.
            return t.n_(
                "{name}: right side did fewer reps on {count} of the last {n} session",
                "{name}: right side did fewer reps on {count} of the last {n} sessions",
                n, name=name, count=t.number(count),
            )  # fmt: skip
        return t.n_(
            "{name}: right side held for less time on {count} of the last {n} session",
            "{name}: right side held for less time on {count} of the last {n} sessions",
            n, name=name, count=t.number(count),
        )  # fmt: skip
    if b.left_fewer > b.right_fewer:
        count = b.left_fewer
        if reps:
            return t.n_(
                "{name}: left side did fewer reps on {count} of the last {n} session",
                "{name}: left side did fewer reps on {count} of the last {n} sessions",
                n, name=name, count=t.number(count),
            )  # fmt: skip
        return t.n_(
            "{name}: left side held for less time on {count} of the last {n} session",
            "{name}: left side held for less time on {count} of the last {n} sessions",
            n, name=name, count=t.number(count),
        )  # fmt: skip
    if b.right_fewer:
        # Translators: both sides came up short of each other equally often.
        return t.n_(
            "{name}: each side came up short on {count} of the last {n} session",
            "{name}: each side came up short on {count} of the last {n} sessions",
            n, name=name, count=t.number(b.right_fewer),
        )  # fmt: skip
    return t.n_(
        "{name}: even on the last {n} session ✓", "{name}: even on the last {n} sessions ✓", n,
        name=name,
    )  # fmt: skip


def _one_session(t: Translator, b: Balance, name: str, reps: bool) -> str:
    if b.right_fewer > b.left_fewer:
        if reps:
            return t._("{name}: right side did fewer reps last session", name=name)
        return t._("{name}: right side held for less time last session", name=name)
    if b.left_fewer > b.right_fewer:
        if reps:
            return t._("{name}: left side did fewer reps last session", name=name)
        return t._("{name}: left side held for less time last session", name=name)
    return t._("{name}: even last session ✓", name=name)


def progress_text(t: Translator, p: Progress) -> str:
    """The week, the streak, sets per exercise, the left/right balance, each exercise's dose
    on its ladder and hip tightness (HTML)."""
    exercises = t.content.exercises
    week = [t.n_("{n} routine done", "{n} routines done", p.routines_this_week)]
    if p.runs_this_week:
        week.append(t.n_("{n} run planned", "{n} runs planned", p.runs_this_week))
    lines = [
        # Translators: {summary} is "2 routines done · 3 runs planned" (or the first part).
        t._("📈 <b>This week:</b> {summary}", summary=" · ".join(week)),
        streak_text(t, p.streak),
        "",
        # Translators: the heading of two columns of numbers: sets this week · sets ever.
        t._("<b>Sets</b> this week · all time"),
    ]
    for exercise_id, total in p.sets_total.items():
        this_week = t.number(p.sets_this_week.get(exercise_id, 0))
        name = escape(exercises[exercise_id].name)
        lines.append(f"{name}: {this_week} · {t.number(total)}")
    if p.balances:
        lines += ["", t._("<b>Left / right</b>")]
        lines += [balance_text(t, b, upper_first(exercises[b.exercise].short)) for b in p.balances]
    if p.standings:
        # Translators: the heading of each exercise's current dose on its ladder of doses.
        lines += ["", t._("<b>Your doses</b>")]
        lines += [
            standing_text(t, exercises[e], s, p.tz)
            for e, s in p.standings.items()
            if e in exercises
        ]
    if p.tightness is not None:
        lines += ["", tightness_text(t, p.tightness)]
    return "\n".join(lines)


def standing_text(t: Translator, exercise: Exercise, s: Standing, tz: str) -> str:
    """`Rotations · level 2 of 3: 2 × 12 each side, 30 s rest`, then why and when it last
    changed, if it has; a paused exercise says so and how to bring it back. Pass the
    exercise from the runner's content (`t.content`)."""
    name = escape(upper_first(exercise.short))
    if s.paused and s.since is not None:  # `since`: when it was paused
        # Translators: {day} is when the exercise was left out of routines ("Thu 3 Dec").
        return t._(
            "{name} · ⏸ paused after pain since {day}: /settings brings it back",
            name=name,
            day=escape(t.day(local_day(s.since, tz))),
        )
    level = escape(coach.level_text(t, exercise, s.step))
    line = f"{name} · {level}: {escape(coach.step_dose(t, exercise, s.step))}"
    if s.last_move is None:
        return line
    return f"{line}\n   ↳ {escape(coach.change_text(t, s.last_move, tz))}"


def tightness_text(t: Translator, tight: Tightness) -> str:
    """`🧘 Hip tightness (0–10): −1.5 per session (12 sessions)` and, with two weeks or
    more of check-ins before a routine, `Before a routine: 6 → 4.5 over 8 weeks`."""
    if tight.average_change is not None:
        # Translators: {change} is the average change in tightness from before a routine
        # to after it, on a 0-10 scale ("−1.5": looser); {n} sessions with both check-ins.
        head = t.n_(
            "🧘 <b>Hip tightness</b> (0–10): {change} per session ({n} session)",
            "🧘 <b>Hip tightness</b> (0–10): {change} per session ({n} sessions)",
            tight.sessions,
            change=coach.signed(t, tight.average_change),
        )
    else:
        head = t._(
            "🧘 <b>Hip tightness</b> (0–10): rate it before and after a routine to see the change"
        )
    if tight.trend is None:
        return head
    first, last, weeks = tight.trend
    # Translators: the weekly average before a routine, from the first week with a check-in
    # to the latest ("6 → 4.5 over 8 weeks").
    trend = t.n_(
        "Before a routine: {first} → {last} over {n} week",
        "Before a routine: {first} → {last} over {n} weeks",
        weeks,
        first=coach.tightness_value(t, first),
        last=coach.tightness_value(t, last),
    )
    return f"{head}\n{trend}"


def chart_label(exercise: Exercise) -> str:
    """A name that fits a phone-width legend: `Hip rotations`, `Band flexion` (pass the
    exercise from the runner's content, `t.content`)."""
    return exercise.name if len(exercise.name) <= 16 else upper_first(exercise.short)


def no_progress(t: Translator) -> View:
    return View(
        t._(
            "Nothing to show yet 🌱 Do a /routine or /log some sets, and your week, streak and "
            "chart will show up here."
        )
    )


def cooldown(t: Translator, command: str, seconds: int) -> View:
    """A heavy command (/progress, /export) asked for again within its cooldown."""
    # Translators: {command} is progress or export; {n} is a number of seconds ("s" may
    # be any short form of "seconds").
    text = t.n_(
        "Just sent that — try /{command} again in {n} s.",
        "Just sent that — try /{command} again in {n} s.",
        seconds,
        command=command,
    )
    return View(text)


def history_line(t: Translator, item: HistoryItem, tz: str, today: date) -> str:
    """One line (HTML-escaped): `Today, 07:30 · 🦵 Full routine — 6 sets ✓`, or a report's
    `Yesterday · ✍️ rotations 2 × 10 each side`. Names come from the runner's content; an
    entry since removed from the content shows by its id."""
    if item.kind == "report" and item.report is not None:
        entry = item.report.report
        day = upper_first(day_text(t, entry.day, today))
        exercise = t.content.exercises.get(entry.exercise)
        name = exercise.short if exercise else entry.exercise
        return escape(f"{day} · ✍️ {name} {sided_amount(t, entry)}")
    local = item.at.astimezone(ZoneInfo(tz))
    when = escape(t.day_time(local, day=upper_first(day_text(t, local.date(), today))))
    routine = t.content.routines.get(item.routine_id or "")
    name = f"{routine.emoji} {routine.name}".strip() if routine else (item.routine_id or "")
    name, n = escape(name), item.sets_done
    if item.status == "partial":
        # Translators: a stopped guided routine in /history: {when} is "Today, 07:30".
        return t.n_(
            "{when} · {routine} — {n} set stopped", "{when} · {routine} — {n} sets stopped", n,
            when=when, routine=name,
        )  # fmt: skip
    if item.status == "active":
        # Translators: a guided routine still going on, in /history: {when} is "Today, 07:30".
        return t.n_(
            "{when} · {routine} — {n} set in progress",
            "{when} · {routine} — {n} sets in progress",
            n, when=when, routine=name,
        )  # fmt: skip
    # Translators: a finished guided routine in /history: {when} is "Today, 07:30".
    return t.n_(
        "{when} · {routine} — {n} set ✓", "{when} · {routine} — {n} sets ✓", n,
        when=when, routine=name,
    )  # fmt: skip


def history(t: Translator, items: Sequence[HistoryItem], tz: str, now: datetime) -> View:
    if not items:
        return View(t._("No sessions or logs yet. /routine starts one; /log adds sets."))
    today = local_day(now, tz)
    # Translators: the heading of /history, over the runner's last {n} sessions and logs.
    lines = [t.n_("🗒 <b>Your last {n}</b>", "🗒 <b>Your last {n}</b>", len(items))]
    lines += [history_line(t, i, tz, today) for i in items]
    return View("\n".join(lines))
