"""What the runner sees about planned runs, reminders and settings: pure rendering.

Times are always shown in the runner's zone; callback data stays under 64 bytes with the
prefixes `pl:` (the /plan conversation), `rm:` (reminder buttons), `rn:` (/runs and its
pages) and `tz:` (zone suggestions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.core.planning import DAY_NAMES, Rule, days_text
from bot.views import callbacks
from bot.views.base import SHARE_LOCATION, Buttons, ReplyView, View

DURATION_CHOICES = (30, 45, 60, 90)
UTC_NOTE = "Times are in UTC until you set your zone: /timezone Europe/London"


@dataclass(frozen=True)
class RunEntry:
    """One upcoming run in /runs."""

    plan_id: int
    start: datetime
    duration_minutes: int
    skipped: bool


# --- formatting -------------------------------------------------------------------------


def local(when: datetime, tz: str) -> datetime:
    return when.astimezone(ZoneInfo(tz))


def hhmm(when: datetime, tz: str) -> str:
    return local(when, tz).strftime("%H:%M")


def day_time(when: datetime, tz: str) -> str:
    """`Mon 3 Mar 07:30` in the runner's zone."""
    t = local(when, tz)
    return f"{DAY_NAMES[t.weekday()]} {t.day} {t.strftime('%b %H:%M')}"


def rule_text(rule: Rule) -> str:
    """`Mon, Wed, Fri at 07:30 · 45 min` or `Tue 1 Dec at 18:00 · 45 min`."""
    at = rule.at.strftime("%H:%M")
    if rule.on is not None:
        when = f"{DAY_NAMES[rule.on.weekday()]} {rule.on.day} {rule.on.strftime('%b')}"
    else:
        when = days_text(rule.weekdays)
    return f"{when} at {at} · {rule.duration_minutes} min"


def _zone_line(tz: str, tz_set: bool) -> str:
    return f"🕑 {escape(tz)}" if tz_set else f"🕑 {UTC_NOTE}"


# --- reminders --------------------------------------------------------------------------


def pre_run_reminder(
    reminder_id: int,
    run_at: datetime,
    now: datetime,
    tz: str,
    routine_minutes: int,
    *,
    late: bool,
) -> View:
    """🏃 Run at 07:30 (in 30 min). Warm up your hips: ~9 min."""
    minutes = max(0, round((run_at - now).total_seconds() / 60))
    head = "⏰ Sorry, this comes late: I was offline.\n" if late else ""
    text = (
        f"{head}🏃 Run at {hhmm(run_at, tz)} (in {minutes} min). "
        f"Warm up your hips: ~{routine_minutes} min."
    )
    buttons: Buttons = [
        [("▶ Start warm-up", callbacks.reminder_button(reminder_id, "go"))],
        [
            ("⏰ Snooze 10 min", callbacks.reminder_button(reminder_id, "snz")),
            ("⏭ Skip this run", callbacks.reminder_button(reminder_id, "skip")),
        ],
    ]
    return View(text, buttons)


def post_run_reminder(reminder_id: int, routine_minutes: int, *, can_later: bool) -> View:
    """How was the run? 90/90 stretch, ~3 min."""
    text = f"👟 How was the run? 90/90 stretch, ~{routine_minutes} min."
    row = [("Later", callbacks.reminder_button(reminder_id, "later"))] if can_later else []
    row.append(("Not today", callbacks.reminder_button(reminder_id, "no")))
    return View(text, [[("▶ Start stretch", callbacks.reminder_button(reminder_id, "st"))], row])


# --- planning ---------------------------------------------------------------------------


def plan_saved(rule: Rule, upcoming: Sequence[datetime], tz_set: bool) -> View:
    kind = "Weekly run" if rule.weekly else "Run"
    lines = [f"✅ {kind} planned: <b>{escape(rule_text(rule))}</b>"]
    lines += _upcoming_lines(upcoming, rule.tz)
    lines.append(_zone_line(rule.tz, tz_set))
    lines.append("See them all with /runs.")
    return View("\n".join(lines))


def _upcoming_lines(upcoming: Sequence[datetime], tz: str) -> list[str]:
    if not upcoming:
        return []
    return ["Next: " + " · ".join(day_time(t, tz) for t in upcoming)]


def plan_rejected(message: str) -> View:
    return View(f"Nothing saved. {message}")


def choose_days(selected: frozenset[int], tz: str, tz_set: bool) -> View:
    """Step 1 of /plan: weekday toggles, or a single day."""
    text = (
        "<b>When do you run?</b>\nTap your running days, then <b>Next</b>. "
        "Or pick a single day.\n" + _zone_line(tz, tz_set)
    )
    day = [
        (f"{'✓ ' if d in selected else ''}{DAY_NAMES[d]}", callbacks.plan_weekday(d))
        for d in range(7)
    ]
    buttons: Buttons = [
        day[:4],
        day[4:],
        [
            ("Today", callbacks.plan_choice("today")),
            ("Tomorrow", callbacks.plan_choice("tmrw")),
            ("Other date", callbacks.plan_choice("date")),
        ],
        [("Next ➡", callbacks.plan_choice("next")), ("✖ Cancel", callbacks.plan_choice("x"))],
    ]
    return View(text, buttons)


def ask_date() -> View:
    return View("Which date? Send it like <code>2026-12-01</code>. /cancel to stop.")


def ask_time(when: str) -> View:
    return View(f"What time on {escape(when)}? Send it like <code>07:30</code>. /cancel to stop.")


def ask_duration() -> View:
    buttons: Buttons = [[(f"{m} min", callbacks.plan_duration(m)) for m in DURATION_CHOICES]]
    return View("How long is the run? Tap one, or send the minutes.", buttons)


def confirm(rule: Rule, upcoming: Sequence[datetime], tz_set: bool) -> View:
    lines = [f"<b>{escape(rule_text(rule))}</b>"]
    lines += _upcoming_lines(upcoming, rule.tz)
    lines.append(_zone_line(rule.tz, tz_set))
    return View(
        "\n".join(lines),
        [[("✓ Save", callbacks.plan_choice("save")), ("✖ Cancel", callbacks.plan_choice("x"))]],
    )


def when_label(weekdays: frozenset[int], on: date | None) -> str:
    """`Mon, Wed, Fri` or `Tue 1 Dec` for the time question."""
    if on is not None:
        return f"{DAY_NAMES[on.weekday()]} {on.day} {on.strftime('%b')}"
    return days_text(weekdays)


# --- /runs ------------------------------------------------------------------------------

PLANS_PER_PAGE = 8
RUN_LINES = 14  # upcoming runs listed; the rest are counted
SKIP_BUTTONS = 8


@dataclass(frozen=True)
class RunsPage:
    """One page of /runs: the next 7 days' runs (first page only) and some of the plans."""

    entries: Sequence[RunEntry]
    plans: Sequence[tuple[int, Rule]]
    page: int = 0
    pages: int = 1
    total: int = 0  # active plans, on every page


def plan_limit(limit: int) -> View:
    """At the plan cap: what it is and how to free a slot, in one line."""
    return View(f"You have {limit} plans, the most I keep. Delete one in /runs to add another.")


def runs_list(shown: RunsPage, tz: str, tz_set: bool) -> View:
    """Upcoming runs with skip buttons (first page), then a page of plans, each with a delete
    button, and buttons to the other pages. Always far under Telegram's 4,096 characters."""
    if not shown.total:
        return View(
            "No runs planned. Try <code>/plan mon,wed,fri 07:30</code> or send /plan.\n"
            + _zone_line(tz, tz_set)
        )
    lines: list[str] = []
    buttons: Buttons = []
    if shown.page == 0:
        lines.append("<b>Your runs, next 7 days</b>")
        for e in shown.entries[:RUN_LINES]:
            mark = " — <i>skipped</i>" if e.skipped else ""
            lines.append(f"• {day_time(e.start, tz)} · {e.duration_minutes} min{mark}")
            if not e.skipped and len(buttons) < SKIP_BUTTONS:
                label = f"⏭ Skip {day_time(e.start, tz)}"
                buttons.append([(label, callbacks.skip_run_button(e.plan_id, e.start))])
        if len(shown.entries) > RUN_LINES:
            lines.append(f"…and {len(shown.entries) - RUN_LINES:,} more")
        if not shown.entries:
            lines.append("Nothing in the next 7 days.")
        lines.append("")
    if shown.pages == 1:
        lines.append("<b>Plans</b>")
    else:
        first = shown.page * PLANS_PER_PAGE + 1
        last = first + len(shown.plans) - 1
        lines.append(f"<b>Plans {first:,}–{last:,} of {shown.total:,}</b>")
    for plan_id, rule in shown.plans:
        lines.append(f"• {escape(rule_text(rule))}")
        buttons.append(
            [(f"🗑 Delete {rule_text(rule)}"[:60], callbacks.delete_plan_button(plan_id))]
        )
    nav = _page_buttons(shown.page, shown.pages)
    if nav:
        buttons.append(nav)
    lines.append(_zone_line(tz, tz_set))
    return View("\n".join(lines), buttons)


def _page_buttons(page: int, pages: int) -> list[tuple[str, str]]:
    row = []
    if page > 1:
        row.append(("« First", callbacks.runs_page_button(0)))
    if page > 0:
        row.append(("‹ Back", callbacks.runs_page_button(page - 1)))
    if page < pages - 1:
        row.append(("Next ›", callbacks.runs_page_button(page + 1)))
    if page < pages - 2:
        row.append(("Last »", callbacks.runs_page_button(pages - 1)))
    return row


# --- settings ---------------------------------------------------------------------------


def zone_prompt() -> ReplyView:
    return ReplyView(
        "Send <code>/timezone Europe/London</code> (your Area/City), or tap "
        f"<b>{SHARE_LOCATION}</b>: I only use it to look up your time zone, offline, "
        "and don't keep it.",
        share_location=True,
    )


def zone_set(tz: str, now: datetime, moved: int) -> ReplyView:
    text = f"🕑 Time zone set to <b>{escape(tz)}</b> (it's {hhmm(now, tz)} there)."
    if moved:
        text += f"\nYour {moved} plan{'s' if moved != 1 else ''} keep their local times."
    return ReplyView(text)


def zone_unknown(name: str, suggestions: Sequence[str]) -> View:
    text = f"I don't know the time zone “{escape(name[:64])}”."
    if not suggestions:
        return View(text + " Use an Area/City name such as <code>Europe/London</code>.")
    buttons: Buttons = [[(zone, callbacks.zone_button(zone))] for zone in suggestions]
    return View(text + " Did you mean:", buttons)


def zone_not_found() -> ReplyView:
    return ReplyView(
        "I couldn't find a time zone there. Send <code>/timezone Area/City</code> instead."
    )


def remind_set(minutes: int | None) -> View:
    if minutes is None:
        return View("🔕 Pre-run reminders are off. <code>/remind 30</code> turns them back on.")
    return View(f"🔔 I'll remind you {minutes} min before each run.")


def afterrun_set(minutes: int | None) -> View:
    if minutes is None:
        return View("🔕 Post-run stretch prompts are off. <code>/afterrun 15</code> turns them on.")
    return View(f"🔔 I'll prompt the stretch {minutes} min after each planned run ends.")


def setting_usage(command: str, current: int | None, low: int, high: int) -> View:
    now = "off" if current is None else f"{current} min"
    return View(
        f"Now: {now}. Send <code>/{command} N</code> with N from {low} to {high} minutes, "
        f"or <code>/{command} off</code>."
    )
