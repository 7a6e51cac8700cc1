"""What /progress and /history show: pure rendering (the chart itself: bot.views.chart)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.core.content import Catalogue, Exercise
from bot.core.progress import Balance, HistoryItem, Progress, Streak
from bot.views.base import View
from bot.views.reports import amount_text, day_text, side_label, upper_first


def streak_text(s: Streak) -> str:
    if s.unit == "run":
        if not s.count:
            return "🔥 Streak: starts with a pre-run routine before your next run"
        runs = "run" if s.count == 1 else "runs in a row"
        return f"🔥 Streak: {s.count} planned {runs} warmed up"
    if not s.count:
        return "🔥 Streak: two routines in a week start one"
    return f"🔥 Streak: {s.count} week{'s' if s.count != 1 else ''} with 2+ routines"


def balance_text(b: Balance, name: str) -> str:
    less = "did fewer reps" if b.unit == "reps" else "held for less time"
    last = f"the last {b.sessions} session{'s' if b.sessions != 1 else ''}"
    if b.right_fewer > b.left_fewer:
        return f"{escape(name)}: right side {less} on {b.right_fewer} of {last}"
    if b.left_fewer > b.right_fewer:
        return f"{escape(name)}: left side {less} on {b.left_fewer} of {last}"
    if b.right_fewer:
        return f"{escape(name)}: each side came up short on {b.right_fewer} of {last}"
    return f"{escape(name)}: even on {last} ✓"


def progress_text(p: Progress, catalogue: Catalogue) -> str:
    routines = f"{p.routines_this_week} routine{'s' if p.routines_this_week != 1 else ''}"
    if p.runs_this_week:
        runs = f"{p.runs_this_week} run{'s' if p.runs_this_week != 1 else ''} planned"
        week = f"{routines} done · {runs}"
    else:
        week = f"{routines} done"
    lines = [
        f"📈 <b>This week:</b> {week}",
        streak_text(p.streak),
        "",
        "<b>Sets</b> this week · all time",
    ]
    for exercise_id, total in p.sets_total.items():
        name = catalogue.exercises[exercise_id].name
        lines.append(f"{escape(name)}: {p.sets_this_week.get(exercise_id, 0)} · {total}")
    if p.balances:
        lines += ["", "<b>Left / right</b>"]
        lines += [
            balance_text(b, upper_first(catalogue.exercises[b.exercise].short)) for b in p.balances
        ]
    return "\n".join(lines)


def chart_label(exercise: Exercise) -> str:
    """A name that fits a phone-width legend: `Hip rotations`, `Band flexion`."""
    return exercise.name if len(exercise.name) <= 16 else upper_first(exercise.short)


def no_progress() -> View:
    return View(
        "Nothing to show yet 🌱 Do a /routine or /log some sets, and your week, streak and "
        "chart will show up here."
    )


def cooldown(seconds: int) -> View:
    return View(f"Just sent that — try /progress again in {seconds} s.")


def history_line(item: HistoryItem, catalogue: Catalogue, tz: str, today: date) -> str:
    local = item.at.astimezone(ZoneInfo(tz))
    when = upper_first(day_text(local.date(), today))
    if item.kind == "report" and item.report is not None:
        entry = item.report.report
        exercise = catalogue.exercises.get(entry.exercise)
        if exercise is None:
            return f"{when} · ✍️ {escape(entry.exercise)}"
        dose = f"{amount_text(entry)} {side_label(entry.side, exercise)}".strip()
        return escape(f"{upper_first(day_text(entry.day, today))} · ✍️ {exercise.short} {dose}")
    routine = catalogue.routines.get(item.routine_id or "")
    name = f"{routine.emoji} {routine.name}".strip() if routine else (item.routine_id or "")
    status = {"completed": "✓", "partial": "stopped", "active": "in progress"}.get(
        item.status or "", item.status or ""
    )
    sets = f"{item.sets_done} set{'s' if item.sets_done != 1 else ''}"
    return escape(f"{when} {local:%H:%M} · {name} — {sets} {status}")


def history(items: Sequence[HistoryItem], catalogue: Catalogue, tz: str, now: datetime) -> View:
    if not items:
        return View("No sessions or logs yet. /routine starts one; /log adds sets.")
    today = now.astimezone(ZoneInfo(tz)).date()
    lines = [f"🗒 <b>Your last {len(items)}</b>"]
    lines += [history_line(i, catalogue, tz, today) for i in items]
    return View("\n".join(lines))
