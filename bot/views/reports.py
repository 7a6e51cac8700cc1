"""What /log and /undo show: pure rendering of the runner's own reports."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from bot.core.content import Catalogue, Exercise
from bot.core.reports import USAGE, Report, SavedReport
from bot.views import callbacks
from bot.views.base import Buttons, View

CANCEL = ("✖ Cancel", callbacks.REPORT_CANCEL)
DAYS_OFFERED = 7


# --- small pieces ------------------------------------------------------------------------


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def day_text(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    return f"{day:%a} {day.day} {day:%b}"


def amount_text(entry: Report) -> str:
    """`2 × 10`, `2 × 30 s`."""
    if entry.seconds is not None:
        return f"{entry.sets} × {entry.seconds} s"
    return f"{entry.sets} × {entry.reps}"


def side_label(side: str, exercise: Exercise | None) -> str:
    if side == "both":
        return "each side" if exercise is None or exercise.dose.sides else ""
    return f"{side} side"


def dose_text(entry: Report, exercise: Exercise | None) -> str:
    """`Hip rotations · 2 × 10 each side` (HTML-escaped; an exercise since removed from the
    content shows by its id)."""
    dose = f"{amount_text(entry)} {side_label(entry.side, exercise)}".strip()
    return escape(f"{exercise.name if exercise else entry.exercise} · {dose}")


def entry_text(entry: Report, exercise: Exercise | None, today: date) -> str:
    """`Hip rotations · 2 × 10 each side · yesterday` (HTML-escaped)."""
    return f"{dose_text(entry, exercise)} · {day_text(entry.day, today)}"


# --- the /log flow -----------------------------------------------------------------------


def exercise_picker(catalogue: Catalogue) -> View:
    rows: Buttons = [
        [(ex.name, callbacks.report_step("x", ex.id))] for ex in catalogue.exercises.values()
    ]
    return View("✍️ <b>Log sets</b> — which exercise?", [*rows, [CANCEL]])


def side_picker(exercise: Exercise) -> View:
    return View(
        f"✍️ <b>{escape(exercise.name)}</b> — which side?",
        [
            [
                ("Right", callbacks.report_step("s", "right")),
                ("Left", callbacks.report_step("s", "left")),
            ],
            [("Both sides", callbacks.report_step("s", "both"))],
            [CANCEL],
        ],
    )


def sets_picker(exercise: Exercise, side: str) -> View:
    label = side_label(side, exercise)
    head = f"✍️ <b>{escape(exercise.name)}</b>{' · ' + label if label else ''}"
    numbers = [(str(n), callbacks.report_step("n", n)) for n in range(1, 6)]
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
    buttons = [
        (f"{n} s" if timed else str(n), callbacks.report_step("a", n))
        for n in amount_choices(exercise)
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    text = (
        f"✍️ <b>{escape(exercise.name)}</b> · {sets} set{'s' if sets > 1 else ''}\n"
        f"How many {unit} {each}? Tap one or type a number."
    )
    return View(text, [*rows, [CANCEL]])


def day_picker(entry: Report, exercise: Exercise, today: date) -> View:
    days = [today - timedelta(days=n) for n in range(DAYS_OFFERED)]
    buttons = [
        (upper_first(day_text(d, today)), callbacks.report_step("d", d.isoformat())) for d in days
    ]
    rows = [buttons[:2], buttons[2:5], buttons[5:]]
    text = f"✍️ {dose_text(entry, exercise)}\nWhen? Tap a day or type a date (e.g. 3 may)."
    return View(text, [*rows, [CANCEL]])


def saved(entry: Report, exercise: Exercise, today: date) -> View:
    return View(f"✓ Logged: {entry_text(entry, exercise, today)}\n/undo takes it back.")


def daily_cap(limit: int) -> View:
    return View(
        f"That's {limit} logs today, the most I keep in one day. Nothing was saved: "
        "log the rest tomorrow."
    )


def cancelled() -> View:
    return View("Logging cancelled. Nothing was saved.")


def usage(reason: str) -> View:
    """The one line for a shortcut that could not be read."""
    return View(escape(f"{reason} {USAGE}"))


# --- /undo -----------------------------------------------------------------


def undo_prompt(record: SavedReport, exercise: Exercise | None, today: date) -> View:
    rows = f"{record.set_rows} set{'s' if record.set_rows != 1 else ''}"
    return View(
        f"Remove your last log?\n<b>{entry_text(record.report, exercise, today)}</b> ({rows})",
        [[("🗑 Remove it", callbacks.undo_button(record.id)), ("Keep it", callbacks.KEEP)]],
    )


def nothing_to_undo() -> View:
    return View("Nothing to undo: you haven't logged anything. /log adds sets.")


def undone(record: SavedReport, exercise: Exercise | None, today: date) -> View:
    return View(f"↩ Removed: {entry_text(record.report, exercise, today)}")
