"""Reports of sets done away from a guided routine: /log (one line or step by step) and
/undo. A report is committed before the bot confirms it. Lines are read in the runner's
language and in English (the Translator's `vocabulary`)."""

from __future__ import annotations

import logging
from datetime import date, datetime

from telegram import Bot

from bot import storage, views
from bot.core import reports
from bot.core.localtime import local_day, today_start
from bot.core.reports import Report
from bot.services.state import Services
from bot.transport import messaging
from bot.views import callbacks
from bot.views.base import View
from bot.views.i18n import Translator

log = logging.getLogger(__name__)

# Reports one runner may log per local day: far above any real day's training, and a bound
# on how fast one account can grow the database (and with it /export and /progress).
MAX_REPORTS_PER_DAY = 50


def today(svc: Services, user_id: int) -> date:
    """Today where the runner is: what "today" and "yesterday" mean in a report."""
    return local_day(svc.clock.now(), storage.users.user_tz(svc.db, user_id))


def _at_daily_cap(svc: Services, user_id: int, now: datetime, tz: str) -> bool:
    """True once the runner made MAX_REPORTS_PER_DAY reports since their local midnight."""
    since = today_start(now, tz)
    made = storage.reports.reports_made_since(svc.db, user_id, since, MAX_REPORTS_PER_DAY)
    return made >= MAX_REPORTS_PER_DAY


def daily_cap(svc: Services, user_id: int, t: Translator) -> View | None:
    """What to say before a /log flow once the runner is at the daily cap; None below it."""
    tz = storage.users.user_tz(svc.db, user_id)
    if _at_daily_cap(svc, user_id, svc.clock.now(), tz):
        return views.reports.daily_cap(t, MAX_REPORTS_PER_DAY)
    return None


def save(svc: Services, user_id: int, report: Report, t: Translator) -> View:
    """Commit one report (performed today = now, an earlier day = that day's local noon), and
    the view that confirms it; at the daily cap, nothing is saved and the view says so."""
    now = svc.clock.now()
    tz = storage.users.user_tz(svc.db, user_id)
    if _at_daily_cap(svc, user_id, now, tz):
        log.info("user %s is at the daily cap of %s reports", user_id, MAX_REPORTS_PER_DAY)
        return views.reports.daily_cap(t, MAX_REPORTS_PER_DAY)
    when = reports.performed_at(report.day, now, tz)
    exercise = svc.catalogue.exercises[report.exercise]
    saved = storage.reports.save_report(svc.db, user_id, report, exercise, when, now)
    log.info(
        "user %s logged %s/%s (%s sets)", user_id, report.exercise, report.side, saved.set_rows
    )
    return views.reports.saved(t, report, local_day(now, tz))


# --- /undo -------------------------------------------------------------------------------


async def offer_undo(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """/undo: show the last report with a Remove button."""
    last = storage.reports.last_report(svc.db, user_id)
    t = svc.t(user_id)
    if last is None:
        view = views.reports.nothing_to_undo(t)
    else:
        view = views.reports.undo_prompt(t, last, today(svc, user_id))
    await messaging.send(bot, svc.db, chat_id, view)


async def undo_pressed(
    svc: Services, bot: Bot, user_id: int, chat_id: int, message_id: int | None, data: str
) -> str:
    """`md:undo:<report>`: remove that report, if it is the presser's; the callback answer
    (in the presser's language)."""
    t = svc.t(user_id)
    report_id = callbacks.parse_undo_button(data)
    found = storage.reports.get_report(svc.db, report_id) if report_id is not None else None
    if report_id is None or found is None or found.user_id != user_id:
        if message_id is not None:
            await messaging.strip_buttons(bot, chat_id, message_id)
        return t._("Already removed.") if found is None else t._("That isn't yours.")
    if not storage.reports.delete_report(svc.db, user_id, report_id):
        return t._("Already removed.")
    log.info("user %s undid report %s (%s sets)", user_id, report_id, found.set_rows)
    view = views.reports.undone(t, found, today(svc, user_id))
    if message_id is not None:
        await messaging.edit(bot, chat_id, message_id, view)
    else:
        await messaging.send(bot, svc.db, chat_id, view)
    # Translators: the short answer to the Remove button, once the log is gone.
    return t._("Removed")
