"""What /log and /undo show: pure rendering of the runner's own reports, in their language.

Exercises are named from the runner's content (`t.content`), whichever catalogue the caller
took them from; one removed from the content since shows by its id.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from bot.core.content import Exercise
from bot.core.reports import Report, SavedReport
from bot.core.text import Msg
from bot.views import callbacks
from bot.views.base import Buttons, View
from bot.views.i18n import Translator
from bot.views.session import side_text

DAYS_OFFERED = 7


# --- small pieces ------------------------------------------------------------------------


def upper_first(text: str) -> str:
    """A button label or a line starts with a capital: `lun` -> `Lun`, `today` -> `Today`."""
    return text[:1].upper() + text[1:]


def _local(t: Translator, exercise: Exercise) -> Exercise:
    """The exercise as the runner's content words it."""
    return t.content.exercises.get(exercise.id, exercise)


def _cancel(t: Translator) -> list[tuple[str, str]]:
    return [(t._("✖ Cancel"), callbacks.REPORT_CANCEL)]


def day_text(t: Translator, day: date, today: date) -> str:
    """`today`, `yesterday`, else `Mon 12 May` (`lun, 12 may`; `пн, 12 мая`)."""
    if day == today:
        # Translators: a day, as in "Hip rotations · 2 × 10 · today"; also a button and the
        # start of a /history line, where the bot capitalises its first letter ("Today").
        return t._("today")
    if day == today - timedelta(days=1):
        # Translators: a day, as in "Hip rotations · 2 × 10 · yesterday"; also a button and
        # the start of a /history line, where the bot capitalises its first letter.
        return t._("yesterday")
    return t.day(day)


def amount_text(t: Translator, entry: Report) -> str:
    """`2 × 10`, `2 × 30 s`."""
    if entry.seconds is not None:
        # Translators: sets × seconds held, e.g. "2 × 30 s".
        return t._(
            "{sets} × {seconds} s", sets=t.number(entry.sets), seconds=t.number(entry.seconds)
        )
    return t._("{sets} × {reps}", sets=t.number(entry.sets), reps=t.number(entry.reps or 0))


def sided_amount(t: Translator, entry: Report) -> str:
    """`2 × 10 each side`, `2 × 12 left side`, `2 × 10` (not escaped): what /log confirms
    and /history lists. An exercise removed from the content counts as done on each side."""
    amount = amount_text(t, entry)
    if entry.side == "right":
        # Translators: an amount done on the right side, e.g. "2 × 12 right side".
        return t._("{amount} right side", amount=amount)
    if entry.side == "left":
        # Translators: an amount done on the left side, e.g. "2 × 12 left side".
        return t._("{amount} left side", amount=amount)
    exercise = t.content.exercises.get(entry.exercise)
    if exercise is None or exercise.dose.sides:
        # Translators: an amount done on each side, e.g. "2 × 10 each side".
        return t._("{amount} each side", amount=amount)
    return amount


def dose_text(t: Translator, entry: Report) -> str:
    """`Hip rotations · 2 × 10 each side` (HTML-escaped)."""
    exercise = t.content.exercises.get(entry.exercise)
    name = exercise.name if exercise else entry.exercise
    return escape(f"{name} · {sided_amount(t, entry)}")


def entry_text(t: Translator, entry: Report, today: date) -> str:
    """`Hip rotations · 2 × 10 each side · yesterday` (HTML-escaped)."""
    return f"{dose_text(t, entry)} · {escape(day_text(t, entry.day, today))}"


def _side_label(t: Translator, side: str, exercise: Exercise) -> str:
    """The side the sets are on, for a step's heading ("" for an exercise without sides)."""
    if side in ("right", "left"):
        return side_text(t, side)
    return t._("each side") if exercise.dose.sides else ""


# --- the /log flow -----------------------------------------------------------------------


def exercise_picker(t: Translator) -> View:
    rows: Buttons = [
        [(ex.name, callbacks.report_step("x", ex.id))] for ex in t.content.exercises.values()
    ]
    return View(t._("✍️ <b>Log sets</b> — which exercise?"), [*rows, _cancel(t)])


def side_picker(t: Translator, exercise: Exercise) -> View:
    name = escape(_local(t, exercise).name)
    return View(
        t._("✍️ <b>{name}</b> — which side?", name=name),
        [
            [
                # Translators: a button: the sets were done on the right side.
                (t.p_("side", "Right"), callbacks.report_step("s", "right")),
                # Translators: a button: the sets were done on the left side.
                (t.p_("side", "Left"), callbacks.report_step("s", "left")),
            ],
            [(t._("Both sides"), callbacks.report_step("s", "both"))],
            _cancel(t),
        ],
    )


def sets_picker(t: Translator, exercise: Exercise, side: str) -> View:
    exercise = _local(t, exercise)
    label = _side_label(t, side, exercise)
    head = f"✍️ <b>{escape(exercise.name)}</b>{' · ' + escape(label) if label else ''}"
    numbers = [(t.number(n), callbacks.report_step("n", n)) for n in range(1, 6)]
    question = t._("How many sets?")
    return View(f"{head}\n{question}", [numbers, _cancel(t)])


def amount_choices(exercise: Exercise) -> list[int]:
    """A handful of likely numbers around the prescribed dose."""
    if exercise.dose.kind == "hold":
        return sorted({15, 20, 30, 45, 60, exercise.dose.hold_seconds or 30})
    return sorted({5, 8, 10, 12, 15, 20, exercise.dose.reps or 10})


def _amount_question(t: Translator, timed: bool, sets: int) -> str:
    if timed and sets > 1:
        return t._("How many seconds in each set? Tap one or type a number.")
    if timed:
        return t._("How many seconds in that set? Tap one or type a number.")
    if sets > 1:
        return t._("How many reps in each set? Tap one or type a number.")
    return t._("How many reps in that set? Tap one or type a number.")


def amount_picker(t: Translator, exercise: Exercise, sets: int) -> View:
    exercise = _local(t, exercise)
    timed = exercise.dose.kind == "hold"
    buttons = [
        (
            # Translators: a button with a number of seconds, e.g. "30 s".
            t._("{seconds} s", seconds=t.number(n)) if timed else t.number(n),
            callbacks.report_step("a", n),
        )
        for n in amount_choices(exercise)
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    # Translators: the heading of a /log step: an exercise and the number of sets chosen.
    head = t.n_(
        "✍️ <b>{name}</b> · {n} set", "✍️ <b>{name}</b> · {n} sets", sets, name=escape(exercise.name)
    )
    return View(f"{head}\n{_amount_question(t, timed, sets)}", [*rows, _cancel(t)])


def day_picker(t: Translator, entry: Report, today: date) -> View:
    days = [today - timedelta(days=n) for n in range(DAYS_OFFERED)]
    buttons = [
        (upper_first(day_text(t, d, today)), callbacks.report_step("d", d.isoformat()))
        for d in days
    ]
    rows = [buttons[:2], buttons[2:5], buttons[5:]]
    # Translators: "3 may" must be a date the bot reads in your language (e.g. "3 mayo").
    when = t._("When? Tap a day or type a date (e.g. 3 may).")
    return View(f"✍️ {dose_text(t, entry)}\n{when}", [*rows, _cancel(t)])


def saved(t: Translator, entry: Report, today: date) -> View:
    # Translators: {entry} is a log, e.g. "Hip rotations · 2 × 10 each side · today".
    return View(t._("✓ Logged: {entry}\n/undo takes it back.", entry=entry_text(t, entry, today)))


def daily_cap(t: Translator, limit: int) -> View:
    return View(
        t.n_(
            "That's {n} log today, the most I keep in one day. Nothing was saved: "
            "log the rest tomorrow.",
            "That's {n} logs today, the most I keep in one day. Nothing was saved: "
            "log the rest tomorrow.",
            limit,
        )
    )


def cancelled(t: Translator) -> View:
    return View(t._("Logging cancelled. Nothing was saved."))


def usage_help(t: Translator) -> str:
    """The accepted forms, with examples that parse in the runner's language (HTML)."""
    names = t.content.exercises
    # Translators: keep each example inside <code>: the bot reads them back in your
    # language. {rotations}, {flexion} and {stretch} are exercise names; write "left" and
    # "yesterday" as a runner would type them to the bot.
    return t._(
        "Try <code>/log {rotations} 2x10</code>, <code>/log {flexion} 2x15 left</code>, "
        "<code>/log {stretch} 2x30s</code> or <code>/log yesterday {rotations} 1x12</code>.",
        rotations=escape(names["rotations"].short),
        flexion=escape(names["flexion"].short),
        stretch=escape(names["ninety_ninety"].short),
    )


def usage(t: Translator, reason: Msg) -> View:
    """The one line for a shortcut that could not be read: what was wrong, then the forms."""
    return View(f"{escape(t.msg(reason))} {usage_help(t)}")


# --- /undo -------------------------------------------------------------------------------


def undo_prompt(t: Translator, record: SavedReport, today: date) -> View:
    # Translators: {entry} is a log, e.g. "Hip rotations · 2 × 10 each side · today";
    # {n} counts the sets it stands for.
    text = t.n_(
        "Remove your last log?\n<b>{entry}</b> ({n} set)",
        "Remove your last log?\n<b>{entry}</b> ({n} sets)",
        record.set_rows,
        entry=entry_text(t, record.report, today),
    )
    return View(
        text,
        [
            [
                (t._("🗑 Remove it"), callbacks.undo_button(record.id)),
                # Translators: a button: keep the last log (not remove it).
                (t.p_("undo", "Keep it"), callbacks.KEEP),
            ]
        ],
    )


def nothing_to_undo(t: Translator) -> View:
    return View(t._("Nothing to undo: you haven't logged anything. /log adds sets."))


def undone(t: Translator, record: SavedReport, today: date) -> View:
    return View(t._("↩ Removed: {entry}", entry=entry_text(t, record.report, today)))
