"""What /log, /undo, /progress, /history, /export and /deleteme show: pure rendering.

Callback data: `lg:` for the /log flow, `md:` for the user's-data confirmations; every
payload is a few bytes, far under Telegram's 64.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.content import Catalogue, Exercise
from bot.logparse import USAGE, LogEntry
from bot.progress import Balance, Progress, Streak
from bot.storage.logs import HistoryItem, LogRecord
from bot.views import Buttons, View

CANCEL = ("✖ Cancel", "lg:cancel")
DAYS_OFFERED = 7


# --- small pieces ------------------------------------------------------------------------


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def day_text(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    return f"{day:%a} {day.day} {day:%b}"


def amount_text(entry: LogEntry) -> str:
    """`2 × 10`, `2 × 30 s`."""
    if entry.seconds is not None:
        return f"{entry.sets} × {entry.seconds} s"
    return f"{entry.sets} × {entry.reps}"


def side_label(side: str, exercise: Exercise | None) -> str:
    if side == "both":
        return "each side" if exercise is None or exercise.dose.sides else ""
    return f"{side} side"


def dose_text(entry: LogEntry, exercise: Exercise | None) -> str:
    """`Hip rotations · 2 × 10 each side` (HTML-escaped; an exercise since removed from the
    content shows by its id)."""
    dose = f"{amount_text(entry)} {side_label(entry.side, exercise)}".strip()
    return escape(f"{exercise.name if exercise else entry.exercise} · {dose}")


def entry_text(entry: LogEntry, exercise: Exercise | None, today: date) -> str:
    """`Hip rotations · 2 × 10 each side · yesterday` (HTML-escaped)."""
    return f"{dose_text(entry, exercise)} · {day_text(entry.day, today)}"


# --- the /log flow -----------------------------------------------------------------------


def exercise_picker(catalogue: Catalogue) -> View:
    rows: Buttons = [[(ex.name, f"lg:x:{ex.id}")] for ex in catalogue.exercises.values()]
    return View("✍️ <b>Log sets</b> — which exercise?", [*rows, [CANCEL]])


def side_picker(exercise: Exercise) -> View:
    return View(
        f"✍️ <b>{escape(exercise.name)}</b> — which side?",
        [
            [("Right", "lg:s:right"), ("Left", "lg:s:left")],
            [("Both sides", "lg:s:both")],
            [CANCEL],
        ],
    )


def sets_picker(exercise: Exercise, side: str) -> View:
    label = side_label(side, exercise)
    head = f"✍️ <b>{escape(exercise.name)}</b>{' · ' + label if label else ''}"
    numbers = [(str(n), f"lg:n:{n}") for n in range(1, 6)]
    return View(f"{head}\nHow many sets?", [numbers, [CANCEL]])


def amount_choices(exercise: Exercise) -> list[int]:
    """A handful of likely numbers around the prescribed dose."""
    if exercise.dose.kind == "hold":
        return sorted({15, 20, 30, 45, 60, exercise.dose.hold_seconds or 30})
    return sorted({5, 8, 10, 12, 15, 20, exercise.dose.reps or 10})


def amount_picker(exercise: Exercise, sets: int) -> View:
    timed = exercise.dose.kind == "hold"
    unit = "seconds" if timed else "reps"
    each = "in each set" if sets > 1 else "in that set"
    buttons = [(f"{n} s" if timed else str(n), f"lg:a:{n}") for n in amount_choices(exercise)]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    text = (
        f"✍️ <b>{escape(exercise.name)}</b> · {sets} set{'s' if sets > 1 else ''}\n"
        f"How many {unit} {each}? Tap one or type a number."
    )
    return View(text, [*rows, [CANCEL]])


def day_picker(entry: LogEntry, exercise: Exercise, today: date) -> View:
    days = [today - timedelta(days=n) for n in range(DAYS_OFFERED)]
    buttons = [(_upper_first(day_text(d, today)), f"lg:d:{d.isoformat()}") for d in days]
    rows = [buttons[:2], buttons[2:5], buttons[5:]]
    text = f"✍️ {dose_text(entry, exercise)}\nWhen? Tap a day or type a date (e.g. 3 may)."
    return View(text, [*rows, [CANCEL]])


def saved(entry: LogEntry, exercise: Exercise, today: date) -> View:
    return View(f"✓ Logged: {entry_text(entry, exercise, today)}\n/undo takes it back.")


def cancelled() -> View:
    return View("Logging cancelled. Nothing was saved.")


def usage(reason: str) -> View:
    """The one line for a shortcut that could not be read."""
    return View(escape(f"{reason} {USAGE}"))


# --- /undo and /deleteme -----------------------------------------------------------------


def undo_prompt(record: LogRecord, exercise: Exercise | None, today: date) -> View:
    rows = f"{record.set_rows} set{'s' if record.set_rows != 1 else ''}"
    return View(
        f"Remove your last log?\n<b>{entry_text(record.entry, exercise, today)}</b> ({rows})",
        [[("🗑 Remove it", f"md:undo:{record.id}"), ("Keep it", "md:keep")]],
    )


def nothing_to_undo() -> View:
    return View("Nothing to undo: you haven't logged anything. /log adds sets.")


def undone(record: LogRecord, exercise: Exercise | None, today: date) -> View:
    return View(f"↩ Removed: {entry_text(record.entry, exercise, today)}")


def kept() -> View:
    return View("Kept. Nothing changed.")


def delete_prompt(issued: int) -> View:
    text = (
        "⚠️ <b>Delete all your data?</b>\n"
        "Your sets, sessions, logs, plans, reminders and settings will be gone for good, "
        "and nothing stays scheduled. /export first if you want a copy."
    )
    return View(
        text, [[("🗑 Yes, delete all my data", f"md:del:{issued}")], [("Keep it", "md:keep")]]
    )


def deleted() -> View:
    return View(
        "Done: I deleted everything I kept about you and cancelled anything scheduled. "
        "If you write again, I start from scratch."
    )


def export_failed() -> View:
    return View("Sorry, I couldn't send the files just now. Try /export again in a moment.")


def export_caption(kind: str) -> str:
    if kind == "csv":
        return "Every set you did, one row each (opens in any spreadsheet)."
    return "Everything I keep about you: settings, plans, sessions, sets."


# --- /progress and /history --------------------------------------------------------------


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
            balance_text(b, _upper_first(catalogue.exercises[b.exercise].short)) for b in p.balances
        ]
    return "\n".join(lines)


def chart_label(exercise: Exercise) -> str:
    """A name that fits a phone-width legend: `Hip rotations`, `Band flexion`."""
    return exercise.name if len(exercise.name) <= 16 else _upper_first(exercise.short)


def no_progress() -> View:
    return View(
        "Nothing to show yet 🌱 Do a /routine or /log some sets, and your week, streak and "
        "chart will show up here."
    )


def history_line(item: HistoryItem, catalogue: Catalogue, tz: str, today: date) -> str:
    local = item.at.astimezone(ZoneInfo(tz))
    when = _upper_first(day_text(local.date(), today))
    if item.kind == "log" and item.log is not None:
        exercise = catalogue.exercises.get(item.log.exercise)
        if exercise is None:
            return f"{when} · ✍️ {escape(item.log.exercise)}"
        entry = item.log.entry
        dose = f"{amount_text(entry)} {side_label(entry.side, exercise)}".strip()
        return escape(f"{_upper_first(day_text(entry.day, today))} · ✍️ {exercise.short} {dose}")
    routine = catalogue.routines.get(item.routine or "")
    name = f"{routine.emoji} {routine.name}".strip() if routine else (item.routine or "")
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
