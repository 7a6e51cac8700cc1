"""/settings: every preference in one message, one button each, and the small pickers a
button opens in place (lead times, the weekly note, the language).

The values come in as plain `Prefs` (the service reads them); callback data is `st:`
(bot.views.callbacks). Toggles name what they will do ("Turn check-ins off"), so a tap
never surprises.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from bot.core.language import LANGUAGES
from bot.core.weekly import parse_time
from bot.views import callbacks, language
from bot.views.base import Buttons, View
from bot.views.i18n import Translator
from bot.views.reports import upper_first

# The choices each picker offers; a value set another way (/remind 37) is shown too.
REMIND_CHOICES = (15, 30, 45, 60, 90)
AFTERRUN_CHOICES = (0, 15, 30, 60)
WEEKLY_TIMES = ("07:00", "09:00", "12:00", "18:00", "20:00")


@dataclass(frozen=True)
class Prefs:
    """Everything /settings shows, as the runner set it (the language is `t.lang`)."""

    tz: str
    tz_set: bool
    remind: int | None
    afterrun: int | None
    checkins: bool
    questions: bool
    weekly_note: bool
    weekly_day: int  # Mon=0
    weekly_time: str  # 'HH:MM', local
    paused: tuple[str, ...] = ()  # exercise ids left out after pain, catalogue order


# --- values -----------------------------------------------------------------------------


def _on_off(t: Translator, on: bool) -> str:
    # Translators: a setting's value, as in "Tightness check-ins: on".
    return t.p_("setting", "on") if on else t.p_("setting", "off")


def _minutes(t: Translator, minutes: int | None) -> str:
    if minutes is None:
        return t.p_("setting", "off")
    return t._("{minutes} min", minutes=t.number(minutes))


def _weekly(t: Translator, prefs: Prefs) -> str:
    if not prefs.weekly_note:
        return t.p_("setting", "off")
    # Translators: when the weekly note comes: "Sun at 18:00".
    return t._(
        "{day} at {time}",
        day=upper_first(t.weekday(prefs.weekly_day)),
        time=t.time(parse_time(prefs.weekly_time)),
    )


def _ticked(label: str, on: bool) -> str:
    return f"✓ {label}" if on else label


def _back(t: Translator) -> list[tuple[str, str]]:
    return [(t._("‹ Back"), callbacks.settings_open("main"))]


# --- the list ---------------------------------------------------------------------------


def main(t: Translator, prefs: Prefs) -> View:
    """Every preference with its value, and one button per preference."""
    zone = f"<b>{escape(prefs.tz)}</b>" if prefs.tz_set else t._("UTC — not set")
    names = ", ".join(t.content.exercises[e].short for e in prefs.paused)
    lines = [
        t._("⚙️ <b>Your settings</b>"),
        # Translators: {zone} is an IANA name ("Europe/Madrid") or "UTC — not set".
        t._("🌍 Time zone: {zone}", zone=zone),
        t._("⏰ Reminder before a run: <b>{value}</b>", value=_minutes(t, prefs.remind)),
        t._("🧘 Stretch prompt after a run: <b>{value}</b>", value=_minutes(t, prefs.afterrun)),
        # Translators: "How tight do your hips feel?" before and after a routine.
        t._("📏 Tightness check-ins: <b>{value}</b>", value=_on_off(t, prefs.checkins)),
        # Translators: a question after an exercise, such as "Did you keep your core tight?".
        t._("💭 Technique questions: <b>{value}</b>", value=_on_off(t, prefs.questions)),
        t._("📬 Weekly note: <b>{value}</b>", value=_weekly(t, prefs)),
        t._("🗣 Language: <b>{value}</b>", value=LANGUAGES[t.lang]),
    ]
    if prefs.paused:
        # Translators: {exercises} lists short exercise names: "Rotations, 90/90".
        lines.append(t._("⏸ Paused after pain: <b>{exercises}</b>", exercises=escape(names)))
    lines.append(t._("Tap one to change it."))
    checkins = t._("📏 Turn check-ins off") if prefs.checkins else t._("📏 Turn check-ins on")
    questions = t._("💭 Turn questions off") if prefs.questions else t._("💭 Turn questions on")
    buttons: Buttons = [
        [(t._("🌍 Time zone"), callbacks.settings_open("tz"))],
        [(t._("⏰ Reminder before a run"), callbacks.settings_open("rm"))],
        [(t._("🧘 Stretch prompt after a run"), callbacks.settings_open("ar"))],
        [(checkins, callbacks.settings_switch("ci", not prefs.checkins))],
        [(questions, callbacks.settings_switch("qs", not prefs.questions))],
        [(t._("📬 Weekly note"), callbacks.settings_open("wk"))],
        [(t._("🗣 Language"), callbacks.settings_open("lg"))],
    ]
    for exercise_id in prefs.paused:
        short = t.content.exercises[exercise_id].short
        # Translators: a button that puts a paused exercise back in the routines.
        label = t._("↩ Bring back {exercise}", exercise=short)
        buttons.append([(label, callbacks.settings_bring_back(exercise_id))])
    return View("\n".join(lines), buttons)


# --- pickers ----------------------------------------------------------------------------


def _minute_rows(
    t: Translator, key: callbacks.MinutesKey, choices: tuple[int, ...], current: int | None
) -> Buttons:
    shown = set(choices) if current is None else {*choices, current}
    values: list[int | None] = [None, *sorted(shown)]
    cells = [
        (
            _ticked(t.p_("button", "Off") if v is None else _minutes(t, v), v == current),
            callbacks.settings_minutes(key, v),
        )
        for v in values
    ]
    rows: Buttons = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    return [*rows, _back(t)]


def remind_picker(t: Translator, current: int | None) -> View:
    """How long before a planned run the reminder comes: Off, 15 … 90 min."""
    text = t._(
        "⏰ <b>Reminder before a run</b>\n"
        "How long before each planned run should I remind you? Now: <b>{value}</b>.",
        value=_minutes(t, current),
    )
    return View(text, _minute_rows(t, "rm", REMIND_CHOICES, current))


def afterrun_picker(t: Translator, current: int | None) -> View:
    """How long after a planned run ends the stretch prompt comes: Off, 0 … 60 min."""
    text = t._(
        "🧘 <b>Stretch prompt after a run</b>\n"
        "How long after a planned run ends should I suggest the stretch? Now: <b>{value}</b>.",
        value=_minutes(t, current),
    )
    return View(text, _minute_rows(t, "ar", AFTERRUN_CHOICES, current))


def weekly_picker(t: Translator, prefs: Prefs) -> View:
    """The weekly note: on or off, and (when on) its day and time; stays open while the
    runner picks both."""
    text = t._(
        "📬 <b>Weekly note</b>\n"
        "Once a week: routines done against runs planned, your streak, changes to your "
        "doses, hip tightness and one tip. Now: <b>{value}</b>.",
        value=_weekly(t, prefs),
    )
    if not prefs.weekly_note:
        on = [(t._("🔔 Turn the weekly note on"), callbacks.settings_switch("wk", True))]
        return View(text, [on, _back(t)])
    days = [
        (
            _ticked(upper_first(t.weekday(d)), d == prefs.weekly_day),
            callbacks.settings_weekday(d),
        )
        for d in range(7)
    ]
    times = [
        (
            _ticked(t.time(parse_time(hhmm)), hhmm == prefs.weekly_time),
            callbacks.settings_time(hhmm),
        )
        for hhmm in WEEKLY_TIMES
    ]
    buttons: Buttons = [
        [(t._("🔕 Turn the weekly note off"), callbacks.settings_switch("wk", False))],
        days[:4],
        days[4:],
        times[:3],
        times[3:],
        _back(t),
    ]
    return View(text, buttons)


def language_picker(t: Translator) -> View:
    """/language's question, with buttons that come back to /settings."""
    rows: Buttons = [
        [(_ticked(name, code == t.lang), callbacks.settings_language(code))]
        for code, name in LANGUAGES.items()
    ]
    return View(language.picker(t).text, [*rows, _back(t)])


def brought_back(t: Translator, exercise_id: str) -> str:
    """The short answer when a paused exercise comes back."""
    # Translators: a short pop-up; {exercise} is a short exercise name ("90/90").
    return t._(
        "↩ {exercise} is back in your routines, at its gentlest step. Start gently.",
        exercise=upper_first(t.content.exercises[exercise_id].short),
    )
