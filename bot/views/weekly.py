"""The weekly note from the coach: one short message a phone shows whole.

Each line says one thing (the week's routines and runs, the streak, ladder moves, hip
tightness as /progress words it), then one suggestion, then how to change or stop the note.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from zoneinfo import ZoneInfo

from bot.core.text import N_
from bot.core.weekly import Suggestion, Week
from bot.views.base import View
from bot.views.coach import change_text
from bot.views.i18n import Translator
from bot.views.progress import streak_text, tightness_text
from bot.views.reports import upper_first

# The week's one suggestion (bot.core.weekly.suggest), after a 💡.
TIPS = {
    # Translators: {name} is an exercise left out of routines after two pain reports.
    "paused": N_(
        "{name} is paused after pain. If it still hurts, see a physio; bring it back in "
        "/settings when it feels right."
    ),
    "warm_up": N_(
        "Warm up before every run: tap ▶ Start warm-up on the run reminder, and it fits the "
        "minutes you have."
    ),
    # Translators: for a runner who turned the run reminders off.
    "warm_up_self": N_(
        "Warm up before every run: the pre-run warm-up in /routine, or turn the run reminders "
        "back on in /settings."
    ),
    # Translators: {minutes} is how long the Quick round of /routine takes.
    "nothing_done": N_(
        "Short on time? A quick round takes about {minutes} min and counts: /routine"
    ),
    "plan": N_("Plan your runs with /plan, and I'll remind you to warm up before each one."),
    "checkins": N_(
        "Tap a number on the tightness check-in before and after a routine: in a few weeks "
        "you'll see the trend."
    ),
    "keep_up": N_("Keep it up: the same again next week keeps your hips ready for the miles."),
}


def note(t: Translator, week: Week, tz: str, quick_minutes: int) -> View:
    """The whole note (HTML). `tz` words its days in the runner's zone; `quick_minutes` is
    the Quick round's estimate, for the suggestion that needs it."""
    since = week.since.astimezone(ZoneInfo(tz))
    lines = [
        # Translators: the weekly note's title; {when} is when the 7 days it covers began,
        # "Sun 1 Mar, 18:00" (the last note's time).
        t._("📬 <b>Your week</b> since {when}", when=t.day_time(since)),
        _done_text(t, week),
        streak_text(t, week.streak),
    ]
    exercises = t.content.exercises
    for change in week.changes:
        exercise = exercises.get(change.exercise)
        name = upper_first(exercise.short) if exercise else change.exercise
        lines.append(f"📶 {escape(name)}: {change_text(t, change, tz)}")
    if week.tightness is not None:
        lines.append(tightness_text(t, week.tightness))  # as /progress words it
    lines.append("💡 " + _tip_text(t, week.suggestion, quick_minutes))
    # Translators: the weekly note's last line.
    lines.append(t._("<i>Another day or time, or no more notes: /settings</i>"))
    return View("\n".join(lines))


def _done_text(t: Translator, week: Week) -> str:
    """`🗓 3 routines done · 4 runs planned, 3 warmed up` (the runs part only with runs)."""
    routines = t.n_("{n} routine done", "{n} routines done", week.routines)
    if not week.runs:
        return f"🗓 {routines}"
    # Translators: planned runs this week, and how many got a pre-run warm-up.
    runs = t.n_(
        "{n} run planned, {warmed} warmed up",
        "{n} runs planned, {warmed} warmed up",
        week.runs,
        warmed=t.number(week.warmed_up),
    )
    return f"🗓 {routines} · {runs}"


def _tip_text(t: Translator, s: Suggestion, quick_minutes: int) -> str:
    """The suggestion, worded; an exercise by its short name in the runner's content."""
    tip = TIPS[s.tip]
    if s.tip == "paused":
        exercise = t.content.exercises.get(s.exercise or "")
        name = upper_first(exercise.short) if exercise else (s.exercise or "")
        tip = replace(tip, params={"name": escape(name)})
    elif s.tip == "nothing_done":
        tip = replace(tip, params={"minutes": t.number(quick_minutes)})
    return t.msg(tip)
