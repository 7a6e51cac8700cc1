"""What the runner sees about planned runs, reminders and settings: pure rendering.

Every function takes the runner's Translator first. Times are always shown in the runner's
zone, with the runner's language's formats (`t.time`, `t.day`); callback data stays under
64 bytes with the prefixes `pl:` (the /plan conversation), `rm:` (reminder buttons), `rn:`
(/runs and its pages) and `tz:` (zone suggestions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.core.planning import Rule
from bot.core.text import N_, Msg
from bot.views import callbacks
from bot.views.base import NOT_NOW, SHARE_LOCATION, Buttons, ReplyView, View
from bot.views.i18n import Translator
from bot.views.reports import upper_first

DURATION_CHOICES = (30, 45, 60, 90)

# Short answers in the /plan flow and the settings: a button's callback answer or a
# one-line reply, worded with `t.msg`.
NEED_A_DAY = N_("Tap at least one day, or pick a single day.")
NO_PLAN_SAVED = N_("No plan saved.")
OK_NO_PLAN_SAVED = N_("OK, no plan saved.")
DATE_AGAIN = N_("Send a date that's still ahead, like 2026-12-01 (or /cancel).")
TIME_AGAIN = N_("Send the time like 07:30 (or /cancel).")
LOCATION_UNASKED = N_("I only use a location to find your time zone: send /timezone first.")
ZONE_LATER = N_("OK. Send /timezone Area/City whenever you like.")


@dataclass(frozen=True)
class RunEntry:
    """One upcoming run in /runs."""

    plan_id: int
    start: datetime
    duration_minutes: int
    skipped: bool
    title: str | None = None  # a run imported from a calendar: its event's title


# --- formatting -------------------------------------------------------------------------


def local(when: datetime, tz: str) -> datetime:
    return when.astimezone(ZoneInfo(tz))


def day_time(t: Translator, when: datetime, tz: str) -> str:
    """`Mon 3 Mar, 07:30` (es `lun, 3 mar, 7:30`) in the runner's zone."""
    return t.day_time(local(when, tz))


def days_text(t: Translator, weekdays: Iterable[int]) -> str:
    """`Mon, Wed, Fri`; `every day`; `weekdays`; `weekends`."""
    days = sorted(set(weekdays))
    if days == list(range(7)):
        # Translators: a weekly plan's days, as in "every day at 07:30".
        return t.p_("when", "every day")
    if days == list(range(5)):
        # Translators: Monday to Friday, as in "weekdays at 07:30".
        return t.p_("when", "weekdays")
    if days == [5, 6]:
        # Translators: Saturday and Sunday, as in "weekends at 07:30".
        return t.p_("when", "weekends")
    return ", ".join(t.weekday(d) for d in days)


def when_label(t: Translator, weekdays: frozenset[int], on: date | None) -> str:
    """`Mon, Wed, Fri` or `Tue 1 Dec`: the days of a plan."""
    return t.day(on) if on is not None else days_text(t, weekdays)


def rule_text(t: Translator, rule: Rule) -> str:
    """`Mon, Wed, Fri at 07:30 · 45 min` or `Tue 1 Dec at 18:00 · 45 min`."""
    # Translators: a plan. {when} is its days ("Mon, Wed", "every day") or its date
    # ("Tue 1 Dec"); {time} its start ("07:30"); {minutes} how long the run is.
    return t._(
        "{when} at {time} · {minutes} min",
        when=when_label(t, rule.weekdays, rule.on),
        time=t.time(rule.at),
        minutes=t.number(rule.duration_minutes),
    )


def _zone_line(t: Translator, tz: str, tz_set: bool) -> str:
    if tz_set:
        return f"🕑 {escape(tz)}"
    return t._("🕑 Times are in UTC until you set your zone: /timezone Europe/London")


def _upcoming_lines(t: Translator, upcoming: Sequence[datetime], tz: str) -> list[str]:
    if not upcoming:
        return []
    # Translators: {runs} lists the next runs' days and times: "Mon 2 Mar, 07:30 · Wed …".
    return [t._("Next: {runs}", runs=" · ".join(day_time(t, when, tz) for when in upcoming))]


# --- reminders --------------------------------------------------------------------------


def pre_run_reminder(
    t: Translator,
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
    lines = [t._("⏰ Sorry, this comes late: I was offline.")] if late else []
    lines.append(
        # Translators: {time} is when the run starts, {minutes} how soon, {routine}
        # how long the warm-up routine takes.
        t._(
            "🏃 Run at {time} (in {minutes} min). Warm up your hips: ~{routine} min.",
            time=t.time(local(run_at, tz)),
            minutes=t.number(minutes),
            routine=t.number(routine_minutes),
        )
    )
    # One button a row: their words fit a phone in every language.
    buttons: Buttons = [
        [(t._("▶ Start warm-up"), callbacks.reminder_button(reminder_id, "go"))],
        [(t._("⏰ Snooze 10 min"), callbacks.reminder_button(reminder_id, "snz"))],
        [(t._("⏭ Skip this run"), callbacks.reminder_button(reminder_id, "skip"))],
    ]
    return View("\n".join(lines), buttons)


def post_run_reminder(
    t: Translator, reminder_id: int, routine_minutes: int, *, can_later: bool
) -> View:
    """How was the run? 90/90 stretch, ~3 min."""
    text = t._(
        "👟 How was the run? 90/90 stretch, ~{minutes} min.", minutes=t.number(routine_minutes)
    )
    row = []
    if can_later:
        # Translators: a button under the after-run prompt: ask again in 30 minutes.
        row.append((t._("Later"), callbacks.reminder_button(reminder_id, "later")))
    row.append((t._("Not today"), callbacks.reminder_button(reminder_id, "no")))
    start = (t._("▶ Start stretch"), callbacks.reminder_button(reminder_id, "st"))
    return View(text, [[start], row])


# --- planning ---------------------------------------------------------------------------


def plan_saved(t: Translator, rule: Rule, upcoming: Sequence[datetime], tz_set: bool) -> View:
    what = escape(rule_text(t, rule))
    if rule.weekly:
        lines = [t._("✅ Weekly run planned: <b>{plan}</b>", plan=what)]
    else:
        lines = [t._("✅ Run planned: <b>{plan}</b>", plan=what)]
    lines += _upcoming_lines(t, upcoming, rule.tz)
    lines.append(_zone_line(t, rule.tz, tz_set))
    lines.append(t._("See them all with /runs."))
    return View("\n".join(lines))


def plan_rejected(t: Translator, problem: Msg) -> View:
    """`problem` is the parser's message (bot.core.planning), e.g. what /plan accepts."""
    # Translators: {problem} says why, e.g. "That time has already passed. …".
    return View(t._("Nothing saved. {problem}", problem=t.msg(problem)))


def step_problem(t: Translator, problem: Msg) -> str:
    """A typed date or time the /plan flow cannot use, and the way out."""
    # Translators: {problem} says why, e.g. "That's more than a year away. …".
    return t._("{problem} (Or /cancel.)", problem=t.msg(problem))


def choose_days(t: Translator, selected: frozenset[int], tz: str, tz_set: bool) -> View:
    """Step 1 of /plan: weekday toggles, or a single day."""
    # Translators: <b>Next</b> is the button "Next ➡" under this message.
    text = t._(
        "<b>When do you run?</b>\nTap your running days, then <b>Next</b>. Or pick a single day."
    )
    day = [
        (f"{'✓ ' if d in selected else ''}{upper_first(t.weekday(d))}", callbacks.plan_weekday(d))
        for d in range(7)
    ]
    buttons: Buttons = [
        day[:4],
        day[4:],
        [
            (upper_first(t._("today")), callbacks.plan_choice("today")),
            # Translators: a button of /plan: a run tomorrow (its first letter is capitalised).
            (upper_first(t._("tomorrow")), callbacks.plan_choice("tmrw")),
            (t._("Other date"), callbacks.plan_choice("date")),
        ],
        [
            (t._("Next ➡"), callbacks.plan_choice("next")),
            (t._("✖ Cancel"), callbacks.plan_choice("x")),
        ],
    ]
    return View(f"{text}\n{_zone_line(t, tz, tz_set)}", buttons)


def ask_date(t: Translator) -> View:
    return View(t._("Which date? Send it like <code>2026-12-01</code>. /cancel to stop."))


def ask_time(t: Translator, when: str) -> View:
    """`when`: the plan's days or date (`when_label`)."""
    return View(
        t._(
            "What time on {when}? Send it like <code>07:30</code>. /cancel to stop.",
            when=escape(when),
        )
    )


def ask_duration(t: Translator) -> View:
    buttons: Buttons = [
        [
            (t._("{minutes} min", minutes=t.number(m)), callbacks.plan_duration(m))
            for m in DURATION_CHOICES
        ]
    ]
    return View(t._("How long is the run? Tap one, or send the minutes."), buttons)


def duration_again(t: Translator, low: int, high: int) -> str:
    """A typed duration out of range or unreadable."""
    return t._(
        "Send the minutes, {low} to {high} (or /cancel).", low=t.number(low), high=t.number(high)
    )


def confirm(t: Translator, rule: Rule, upcoming: Sequence[datetime], tz_set: bool) -> View:
    lines = [f"<b>{escape(rule_text(t, rule))}</b>"]
    lines += _upcoming_lines(t, upcoming, rule.tz)
    lines.append(_zone_line(t, rule.tz, tz_set))
    return View(
        "\n".join(lines),
        [
            [
                (t._("✓ Save"), callbacks.plan_choice("save")),
                (t._("✖ Cancel"), callbacks.plan_choice("x")),
            ]
        ],
    )


# --- /runs ------------------------------------------------------------------------------

PLANS_PER_PAGE = 8
RUN_LINES = 14  # upcoming runs listed; the rest are counted
SKIP_BUTTONS = 8
# A button alone in its row shows about this many characters on a phone.
BUTTON_CHARS = 45


@dataclass(frozen=True)
class RunsPage:
    """One page of /runs: the next 7 days' runs (first page only) and some of the plans."""

    entries: Sequence[RunEntry]
    plans: Sequence[tuple[int, Rule]]
    page: int = 0
    pages: int = 1
    total: int = 0  # active plans made with /plan, on every page
    imported: int = 0  # runs still ahead that came from a calendar file (/calendar)


def plan_limit(t: Translator, limit: int) -> View:
    """At the plan cap: what it is and how to free a slot, in one line."""
    return View(
        t.n_(
            "You have {n} plan, the most I keep. Delete one in /runs to add another.",
            "You have {n} plans, the most I keep. Delete one in /runs to add another.",
            limit,
        )
    )


def runs_list(t: Translator, shown: RunsPage, tz: str, tz_set: bool) -> View:
    """Upcoming runs with skip buttons (first page), then a page of plans, each with a delete
    button, and buttons to the other pages. Always far under Telegram's 4,096 characters."""
    if not shown.total and not shown.imported:
        # Translators: the example must be a /plan your language's runners can type
        # (it is tested to plan a run).
        empty = t._("No runs planned. Try <code>/plan mon,wed,fri 07:30</code> or send /plan.")
        return View(f"{empty}\n{_zone_line(t, tz, tz_set)}")
    lines: list[str] = []
    buttons: Buttons = []
    if shown.page == 0:
        lines.append(t._("<b>Your runs, next 7 days</b>"))
        for e in shown.entries[:RUN_LINES]:
            when = day_time(t, e.start, tz)
            minutes = t.number(e.duration_minutes)
            if e.skipped:
                line = t._("• {when} · {minutes} min — <i>skipped</i>", when=when, minutes=minutes)
            else:
                line = t._("• {when} · {minutes} min", when=when, minutes=minutes)
            if e.title:
                line += f" · {escape(e.title)}"
            lines.append(line)
            if not e.skipped and len(buttons) < SKIP_BUTTONS:
                # Translators: a button that skips one run; {when} is its day and time.
                label = t._("⏭ Skip {when}", when=when)
                buttons.append([(label, callbacks.skip_run_button(e.plan_id, e.start))])
        if len(shown.entries) > RUN_LINES:
            more = len(shown.entries) - RUN_LINES
            lines.append(t.n_("…and {n} more", "…and {n} more", more))
        if not shown.entries:
            lines.append(t._("Nothing in the next 7 days."))
        lines.append("")
    if shown.page == 0 and shown.imported:
        # Translators: runs added from a calendar file; /calendar sends them back as one.
        lines.append(
            t.n_("📅 {n} run from your calendar", "📅 {n} runs from your calendar", shown.imported)
        )
        buttons.append([(t._("🗑 Remove calendar runs"), callbacks.REMOVE_IMPORTED)])
    if shown.total:
        lines.append(_plans_heading(t, shown))
    for plan_id, rule in shown.plans:
        text = rule_text(t, rule)
        lines.append(f"• {escape(text)}")
        label = t._("🗑 Delete {plan}", plan=text)
        if len(label) > BUTTON_CHARS:  # a plan of many days: the line above shows it whole
            label = label[: BUTTON_CHARS - 1] + "…"
        buttons.append([(label, callbacks.delete_plan_button(plan_id))])
    nav = _page_buttons(t, shown.page, shown.pages)
    if nav:
        buttons.append(nav)
    lines.append(_zone_line(t, tz, tz_set))
    return View("\n".join(lines), buttons)


def _plans_heading(t: Translator, shown: RunsPage) -> str:
    if shown.pages == 1:
        return t._("<b>Plans</b>")
    first = shown.page * PLANS_PER_PAGE + 1
    last = first + len(shown.plans) - 1
    # Translators: the plans shown on this page of /runs: "Plans 9–16 of 30".
    return t._(
        "<b>Plans {first}–{last} of {total}</b>",
        first=t.number(first),
        last=t.number(last),
        total=t.number(shown.total),
    )


def _page_buttons(t: Translator, page: int, pages: int) -> list[tuple[str, str]]:
    row = []
    if page > 1:
        row.append((t._("« First"), callbacks.runs_page_button(0)))
    if page > 0:
        row.append((t._("‹ Back"), callbacks.runs_page_button(page - 1)))
    if page < pages - 1:
        row.append((t._("Next ›"), callbacks.runs_page_button(page + 1)))
    if page < pages - 2:
        row.append((t._("Last »"), callbacks.runs_page_button(pages - 1)))
    return row


# --- settings ---------------------------------------------------------------------------


def zone_prompt(t: Translator) -> ReplyView:
    share = t.msg(SHARE_LOCATION)
    # Translators: {button} is the "📍 Share location" button below the message. The
    # zone name stays in English (an IANA name): pick one your runners know.
    text = t._(
        "Send <code>/timezone Europe/London</code> (your Area/City), or tap <b>{button}</b>: "
        "I only use it to look up your time zone, offline, and don't keep it.",
        button=escape(share),
    )
    return ReplyView(text, share_location=(share, t.msg(NOT_NOW)))


def zone_set(t: Translator, tz: str, now: datetime, moved: int) -> ReplyView:
    lines = [
        t._(
            "🕑 Time zone set to <b>{zone}</b> (it's {time} there).",
            zone=escape(tz),
            time=t.time(local(now, tz)),
        )
    ]
    if moved:
        lines.append(
            t.n_(
                "Your {n} plan keeps its local time.",
                "Your {n} plans keep their local times.",
                moved,
            )
        )
    return ReplyView("\n".join(lines))


def zone_unknown(t: Translator, name: str, suggestions: Sequence[str]) -> View:
    shown = escape(name[:64])
    if not suggestions:
        return View(
            t._(
                "I don't know the time zone “{name}”. "
                "Use an Area/City name such as <code>Europe/London</code>.",
                name=shown,
            )
        )
    buttons: Buttons = [[(zone, callbacks.zone_button(zone))] for zone in suggestions]
    # Translators: the zone names it suggests follow as buttons.
    return View(t._("I don't know the time zone “{name}”. Did you mean:", name=shown), buttons)


def zone_not_found(t: Translator) -> ReplyView:
    return ReplyView(
        t._("I couldn't find a time zone there. Send <code>/timezone Area/City</code> instead.")
    )


def remind_set(t: Translator, minutes: int | None) -> View:
    if minutes is None:
        return View(
            t._("🔕 Pre-run reminders are off. <code>/remind 30</code> turns them back on.")
        )
    return View(t._("🔔 I'll remind you {minutes} min before each run.", minutes=t.number(minutes)))


def afterrun_set(t: Translator, minutes: int | None) -> View:
    if minutes is None:
        return View(
            t._("🔕 Post-run stretch prompts are off. <code>/afterrun 15</code> turns them on.")
        )
    return View(
        t._(
            "🔔 I'll prompt the stretch {minutes} min after each planned run ends.",
            minutes=t.number(minutes),
        )
    )


def setting_usage(t: Translator, command: str, current: int | None, low: int, high: int) -> View:
    """How to use /remind or /afterrun, and its value now."""
    if current is None:
        # Translators: a reminder setting that is switched off ("Now: off.").
        now = t.p_("setting", "off")
    else:
        now = t._("{minutes} min", minutes=t.number(current))
    return View(
        # Translators: {command} is remind or afterrun; keep "N" and "off" as they are
        # (what the runner types). The plural follows {n}, the highest value.
        t.n_(
            "Now: {now}. Send <code>/{command} N</code> with N from {low} to {n} minute, "
            "or <code>/{command} off</code>.",
            "Now: {now}. Send <code>/{command} N</code> with N from {low} to {n} minutes, "
            "or <code>/{command} off</code>.",
            high,
            now=now,
            command=command,
            low=t.number(low),
        )
    )
