"""The calendar's messages: what a file holds, Choose, the all-day time, the result, and
/calendar's file caption and live link.

A file's runs are shown as groups ("Tue 07:00 ×8"), a few lines on a phone whatever the
file; callback data is `ic:` (bot.views.callbacks).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core.importing import MAX_IMPORTED, Changes, Group
from bot.core.text import N_, Msg
from bot.views import callbacks
from bot.views.base import Buttons, View
from bot.views.i18n import Translator

# Answers to a button of an import that is over (added or cancelled).
IMPORT_OVER = N_("That calendar is already dealt with. Send the file again to start over.")
NOTHING_CHOSEN = N_("Nothing is chosen: tick at least one group.")
# The times offered for all-day events, one tap for the whole batch.
ALL_DAY_TIMES = ("06:00", "07:00", "08:00", "12:00", "17:00", "18:00", "19:00", "20:00")
# A group's title is cut to this on a phone.
TITLE_CHARS = 24


def _group_label(t: Translator, g: Group) -> str:
    """`Tue 07:00 ×8`, `All day ×3`, `Other times ×5`."""
    count = t.number(g.count)
    if g.other:
        # Translators: the group of everything that did not fit; {count} is how many.
        return t._("Other times ×{count}", count=count)
    if g.weekday is None or g.at is None:
        # Translators: all-day events of a calendar; {count} is how many.
        return t._("All day ×{count}", count=count)
    # A weekday, a time and how many fall on them ("Tue 07:00 ×8"): the same in every language.
    return f"{t.weekday(g.weekday)} {t.time(g.at)} ×{count}"


def _title(g: Group, *, html: bool = True) -> str:
    """` · Long run`: the group's most common title, short (HTML-escaped for a message,
    as is for a button's label)."""
    title = g.title if len(g.title) <= TITLE_CHARS else g.title[: TITLE_CHARS - 1] + "…"
    if not title or g.other:
        return ""
    return f" · {escape(title) if html else title}"


def found(
    t: Translator,
    import_id: int,
    scope: str,
    groups: Sequence[Group],
    *,
    runs: int,
    events: int,
    zone_hint: str | None = None,
) -> View:
    """What a file holds in the next 8 weeks, and *Add all* / *Choose* / *Cancel*; with a
    `zone_hint`, the runner has no zone yet, and the times shown are UTC."""
    view = _found(t, import_id, scope, groups, runs=runs, events=events)
    if zone_hint is None:
        return view
    # Translators: a runner without a time zone sent a calendar; {zone} is the calendar's.
    hint = t._(
        "🕑 These times are UTC: you haven't set your time zone. Set it with "
        "<code>/timezone {zone}</code>, then send the file again.",
        zone=escape(zone_hint),
    )
    return View(f"{view.text}\n{hint}", view.buttons)


def _found(
    t: Translator, import_id: int, scope: str, groups: Sequence[Group], *, runs: int, events: int
) -> View:
    shown = sum(g.count for g in groups)
    if scope == "runs" and not runs:
        text = t.n_(
            "📅 No runs among the {n} event in the next 8 weeks.",
            "📅 No runs among the {n} events in the next 8 weeks.",
            events,
        )
        buttons: Buttons = [
            [(t.n_("📋 Use the {n} event", "📋 Use all {n} events", events),
              callbacks.import_button(import_id, "sc"))],
            [(t._("✖ Cancel"), callbacks.import_button(import_id, "x"))],
        ]  # fmt: skip
        return View(text, buttons)
    if scope == "runs":
        head = t.n_(
            "📅 <b>{n} run found</b> in the next 8 weeks:",
            "📅 <b>{n} runs found</b> in the next 8 weeks:",
            shown,
        )
    else:
        head = t.n_(
            "📅 <b>{n} event</b> in the next 8 weeks, all as runs:",
            "📅 <b>{n} events</b> in the next 8 weeks, all as runs:",
            shown,
        )
    lines = [head, *(f"• {_group_label(t, g)}{_title(g)}" for g in groups)]
    all_day = sum(g.count for g in groups if g.at is None and not g.other)
    if all_day:
        lines.append(t._("All-day ones get a time you pick next."))
    buttons = [
        [
            (
                t.n_("✅ Add {n}", "✅ Add all {n}", shown),
                callbacks.import_button(import_id, "add"),
            ),
            (t._("☑️ Choose"), callbacks.import_button(import_id, "ch")),
        ]
    ]
    if scope == "runs" and events > runs:
        label = t.n_("📋 All {n} event", "📋 All {n} events", events)
        buttons.append([(label, callbacks.import_button(import_id, "sc"))])
    elif scope == "all" and runs:
        buttons.append([(t._("🏃 Only runs"), callbacks.import_button(import_id, "sc"))])
    buttons.append([(t._("✖ Cancel"), callbacks.import_button(import_id, "x"))])
    return View("\n".join(lines), buttons)


def choose(t: Translator, import_id: int, groups: Sequence[Group], dropped: frozenset[int]) -> View:
    """One toggle per group; *Add* counts what is ticked."""
    kept = sum(g.count for n, g in enumerate(groups) if n not in dropped)
    buttons: Buttons = []
    for n, g in enumerate(groups):
        mark = "⬜" if n in dropped else "✅"
        label = f"{mark} {_group_label(t, g)}{_title(g, html=False)}"
        buttons.append([(label, callbacks.import_button(import_id, "g", n))])
    add = t.n_("✅ Add {n} run", "✅ Add {n} runs", kept)
    buttons.append([(add, callbacks.import_button(import_id, "add"))])
    buttons.append([(t._("‹ Back"), callbacks.import_button(import_id, "bk"))])
    return View(t._("Tick the runs to add:"), buttons)


def ask_time(t: Translator, import_id: int, all_day: int) -> View:
    """All-day events have no time: one for the whole batch."""
    text = t.n_(
        "{n} of them is all-day. What time do you run on that day?",
        "{n} of them are all-day. What time do you run on those days?",
        all_day,
    )
    row: list[tuple[str, str]] = []
    buttons: Buttons = []
    for hhmm in ALL_DAY_TIMES:
        hours, minutes = (int(x) for x in hhmm.split(":"))
        row.append((hhmm, callbacks.import_button(import_id, "t", hours * 100 + minutes)))
        if len(row) == 4:
            buttons.append(row)
            row = []
    if row:
        buttons.append(row)
    buttons.append([(t._("Leave all-day ones out"), callbacks.import_button(import_id, "tn"))])
    buttons.append([(t._("✖ Cancel"), callbacks.import_button(import_id, "x"))])
    return View(text, buttons)


def added(t: Translator, changes: Changes) -> View:
    """The result, in a few short lines."""
    lines: list[str] = []
    if changes.add:
        lines.append(t.n_("✅ Added {n} run.", "✅ Added {n} runs.", len(changes.add)))
    if changes.update:
        lines.append(t.n_("🔄 Updated {n} run.", "🔄 Updated {n} runs.", len(changes.update)))
    if changes.remove:
        lines.append(
            t.n_(
                "🗑 Removed {n} run no longer in the calendar.",
                "🗑 Removed {n} runs no longer in the calendar.",
                len(changes.remove),
            )
        )
    if changes.unchanged:
        lines.append(t.n_("{n} was already added.", "{n} were already added.", changes.unchanged))
    if changes.planned:
        lines.append(
            t.n_(
                "{n} is already one of your /plan runs.",
                "{n} are already among your /plan runs.",
                changes.planned,
            )
        )
    if changes.passed:
        lines.append(t.n_("{n} has already started.", "{n} have already started.", changes.passed))
    if changes.no_time:
        lines.append(
            t.n_("{n} all-day one left out.", "{n} all-day ones left out.", changes.no_time)
        )
    if changes.over_cap:
        lines.append(
            t.n_(
                "{n} left out: I keep up to {limit} calendar runs ahead.",
                "{n} left out: I keep up to {limit} calendar runs ahead.",
                changes.over_cap,
                limit=t.number(MAX_IMPORTED),
            )
        )
    if not lines:
        lines.append(t._("Nothing to add."))
    if changes.touched:
        lines.append(t._("Reminders follow them. See /runs; /calendar sends them back."))
    return View("\n".join(lines))


def already_added(t: Translator) -> View:
    return View(t.msg(IMPORT_OVER))


def cancelled(t: Translator) -> View:
    return View(t._("Cancelled: nothing from that calendar was added."))


def unreadable(t: Translator, problem: Msg) -> View:
    return View(t.msg(problem))


def download_failed(t: Translator) -> View:
    return View(t._("I couldn't download that file. Try sending it again."))


def import_cooldown(t: Translator, seconds: int) -> View:
    return View(
        t.n_(
            "One calendar at a time: send it again in {n} s.",
            "One calendar at a time: send it again in {n} s.",
            seconds,
        )
    )


def removed(t: Translator, count: int) -> str:
    """The answer to *Remove calendar runs* (a callback answer: plain text)."""
    if not count:
        return t._("No calendar runs to remove.")
    return t.n_("Removed {n} calendar run.", "Removed {n} calendar runs.", count)


# --- /calendar --------------------------------------------------------------------------


def nothing_to_export(t: Translator) -> View:
    return View(
        t._(
            "No runs in the next 8 weeks to put in a calendar. Plan some with /plan, or send "
            "me your calendar as an .ics file."
        )
    )


def export_caption(t: Translator, runs: int, live: bool, *, stretches: bool = True) -> str:
    """The file's caption: what is in it; the live link when the bot can serve one."""
    if stretches:
        text = t.n_(
            "📅 {n} run in the next 8 weeks, with a warm-up before and a stretch after. Open "
            "the file to add it to your calendar.",
            "📅 {n} runs in the next 8 weeks, with warm-ups before and stretches after. Open "
            "the file to add them to your calendar.",
            runs,
        )
    else:  # the after-run prompt is off: no stretch events
        text = t.n_(
            "📅 {n} run in the next 8 weeks, with a warm-up before it. Open the file to add "
            "it to your calendar.",
            "📅 {n} runs in the next 8 weeks, with a warm-up before each. Open the file to add "
            "them to your calendar.",
            runs,
        )
    if live:
        text += "\n" + t._("A link that stays up to date: /calendar link")
    return text


def export_failed(t: Translator) -> View:
    return View(t._("Sorry, I couldn't send the file just now. Try /calendar again in a moment."))


def link(t: Translator, url: str) -> View:
    """The private subscription URL, and where to paste it."""
    return View(
        "\n".join(
            [
                t._("🔗 <b>Your private calendar link</b>"),
                f"<code>{escape(url)}</code>",
                # Translators: where to paste the link. Google's option exists only on the
                # website; use the menu names the apps show in your language.
                t._(
                    "Google Calendar, on the website (calendar.google.com): Other calendars → "
                    "+ → From URL. iPhone: Settings → Calendar → Accounts → Add Account → "
                    "Other → Add Subscribed Calendar."
                ),
                t._(
                    "It stays up to date by itself. Anyone with the link sees your runs: "
                    "/calendar revoke turns it off."
                ),
            ]
        )
    )


def link_needs_webhook(t: Translator) -> View:
    return View(
        t._(
            "A live link needs this bot to run with a public web address (webhook mode); its "
            "operator can turn that on (deploy guide: “Calendar subscription”). Meanwhile, "
            "/calendar sends a file to import."
        )
    )


def revoked(t: Translator, had: bool) -> View:
    if not had:
        return View(t._("You have no calendar link. /calendar link makes one."))
    return View(
        t._(
            "🔒 Link turned off: calendars subscribed to it stop updating. "
            "/calendar link makes a new one."
        )
    )


def usage(t: Translator) -> View:
    return View(
        t._(
            "<code>/calendar</code> — a file of your next runs with warm-ups\n"
            "<code>/calendar link</code> — a link your calendar app keeps up to date\n"
            "<code>/calendar revoke</code> — turn that link off\n"
            "To add runs from your calendar, send me its .ics file."
        )
    )
