"""Calendars: runs imported from an .ics file, /calendar's file, and the live link.

- **Import.** A file is downloaded (size checked first), read in a worker thread
  (bot.core.ics_import), and what it found is kept as a pending `calendar_imports` row, so
  the runner's *Add all* still works after a restart. Adding reconciles the choice with
  earlier imports (bot.core.importing) and rebuilds the runner's reminders, in one
  transaction.
- **Export.** The runner's runs of the next 8 weeks with warm-ups and stretches, rendered by
  bot.views.ics: sent as a file, or served to a subscribed calendar.
- **Live link.** Its token is an HMAC of the runner's id and a random nonce under the
  webhook secret: only the nonce and the token's SHA-256 are stored, so the database alone
  gives no working link, rotating the secret revokes every link, and /calendar link shows
  the same URL again.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlite_utils import Database
from telegram import Bot
from telegram.error import TelegramError

from bot import storage, views
from bot.core import ics_import, importing
from bot.core.ics_import import Unreadable
from bot.core.importing import Existing
from bot.core.planning import occurrences
from bot.core.text import Msg
from bot.services import coach, plans, reminders
from bot.services.state import Services
from bot.transport import messaging
from bot.views import callbacks
from bot.views.base import View
from bot.views.ics import CalendarOptions, CalendarRun

log = logging.getLogger(__name__)

IMPORT_COOLDOWN_SECONDS = 10
EXPORT_COOLDOWN_SECONDS = 10
WINDOW = timedelta(days=ics_import.WINDOW_DAYS)


# --- import -----------------------------------------------------------------------------


async def receive_file(
    svc: Services, bot: Bot, user_id: int, chat_id: int, file_id: str, size: int | None
) -> None:
    """A document from the runner: read it as a calendar and show what it holds."""
    t = svc.t(user_id)
    wait = svc.cooldown("import", user_id, IMPORT_COOLDOWN_SECONDS)
    if wait:
        await messaging.send(bot, svc.db, chat_id, views.calendar.import_cooldown(t, wait))
        return
    if size is not None and size > ics_import.MAX_BYTES:
        await _unreadable(svc, bot, chat_id, user_id, ics_import.TOO_BIG)
        return
    try:
        telegram_file = await bot.get_file(file_id)
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("calendar file from chat %s could not be downloaded: %s", chat_id, exc)
        await messaging.send(bot, svc.db, chat_id, views.calendar.download_failed(t))
        return
    if len(data) > ics_import.MAX_BYTES:
        await _unreadable(svc, bot, chat_id, user_id, ics_import.TOO_BIG)
        return
    now = svc.clock.now()
    tz = storage.users.user_tz(svc.db, user_id)
    result = await asyncio.to_thread(ics_import.read_file, data, now, tz)
    if isinstance(result, Unreadable):
        log.info("user %s sent a calendar file that was not read (%d bytes)", user_id, len(data))
        await messaging.send(bot, svc.db, chat_id, views.calendar.unreadable(t, result.message))
        return
    with svc.db.atomic():
        import_id = storage.calendar.start_import(svc.db, user_id, result, "runs", now)
    log.info("user %s sent a calendar: %d occurrences ahead", user_id, len(result.found))
    pending = storage.calendar.get_import(svc.db, import_id)
    assert pending is not None
    await messaging.send(bot, svc.db, chat_id, _summary(svc, pending))


async def _unreadable(svc: Services, bot: Bot, chat_id: int, user_id: int, message: Msg) -> None:
    view = views.calendar.unreadable(svc.t(user_id), message)
    await messaging.send(bot, svc.db, chat_id, view)


def _summary(svc: Services, pending: storage.calendar.PendingImport) -> View:
    settings = storage.users.get_settings(svc.db, pending.user_id)
    found = pending.found
    shown = importing.groups(found, importing.in_scope(found, pending.scope), settings.tz)
    return views.calendar.found(
        svc.t(pending.user_id),
        pending.id,
        pending.scope,
        shown,
        runs=len(importing.in_scope(found, "runs")),
        events=len(found),
        # Times are shown in the runner's zone: until they set one, say so (and name the
        # calendar's own zone as the one to set).
        zone_hint=None if settings.tz_set else (pending.zone or "Europe/London"),
    )


def _choices(svc: Services, pending: storage.calendar.PendingImport) -> View:
    tz = storage.users.user_tz(svc.db, pending.user_id)
    shown = importing.groups(pending.found, importing.in_scope(pending.found, pending.scope), tz)
    return views.calendar.choose(svc.t(pending.user_id), pending.id, shown, pending.dropped)


def import_pressed(svc: Services, user_id: int, data: str) -> tuple[str | None, View | None]:
    """An import button (`ic:`): the callback answer, and the message to redraw (or None)."""
    t = svc.t(user_id)
    button = callbacks.parse_import_button(data)
    pending = storage.calendar.get_import(svc.db, button.import_id) if button else None
    if button is None or pending is None or pending.user_id != user_id:
        return t.msg(views.base.OLD_BUTTON), None
    if pending.status != "pending":
        return t.msg(views.calendar.IMPORT_OVER), None
    now = svc.clock.now()
    action = button.action
    if action == "x":
        with svc.db.atomic():
            storage.calendar.finish_import(svc.db, pending.id, "cancelled", now)
        return None, views.calendar.cancelled(t)
    if action == "sc":  # runs only <-> every event; what was left out starts over
        scope = "all" if pending.scope == "runs" else "runs"
        with svc.db.atomic():
            storage.calendar.set_choice(svc.db, pending.id, scope, frozenset(), now)
        return None, _summary(svc, _reread(svc, pending.id))
    if action == "ch":
        return None, _choices(svc, pending)
    if action == "bk":
        return None, _summary(svc, pending)
    if action == "g":
        assert button.arg is not None
        dropped = pending.dropped ^ {button.arg}
        with svc.db.atomic():
            storage.calendar.set_choice(svc.db, pending.id, pending.scope, dropped, now)
        return None, _choices(svc, _reread(svc, pending.id))
    tz = storage.users.user_tz(svc.db, user_id)
    picked = importing.chosen(pending.found, pending.scope, pending.dropped, tz)
    if not picked:
        return t.msg(views.calendar.NOTHING_CHOSEN), None
    all_day = sum(1 for i in picked if pending.found[i].all_day)
    if action == "add" and all_day:
        return None, views.calendar.ask_time(t, pending.id, all_day)
    at = None
    if action == "t":
        assert button.arg is not None
        at = time(button.arg // 100, button.arg % 100)
    return None, _add(svc, user_id, pending, picked, at)


def _reread(svc: Services, import_id: int) -> storage.calendar.PendingImport:
    pending = storage.calendar.get_import(svc.db, import_id)
    assert pending is not None
    return pending


def _add(
    svc: Services,
    user_id: int,
    pending: storage.calendar.PendingImport,
    picked: list[int],
    at: time | None,
) -> View:
    """Add the picked runs: new ones inserted, moved ones updated, gone ones removed, and the
    runner's reminders rebuilt, all in one transaction."""
    now = svc.clock.now()
    found = pending.found
    since = now.date() - timedelta(days=1)  # a day's margin: local dates
    with svc.db.atomic():
        if not storage.calendar.finish_import(svc.db, pending.id, "added", now):
            return views.calendar.already_added(svc.t(user_id))
        existing = [
            Existing(
                p.id, p.source_uid or "", p.source_key or "", p.rule, p.title or "",
                p.source_calendar,
            )
            for p in storage.calendar.imported_plans(svc.db, user_id, since)
        ]  # fmt: skip
        room = importing.MAX_IMPORTED - storage.calendar.count_imported_ahead(
            svc.db, user_id, since
        )
        changes = importing.reconcile(
            found,
            picked,
            at,
            existing,
            _hand_starts(svc, user_id, now),
            now,
            room,
            uids=pending.uids,
            calendar=pending.calendar,
        )
        for f, rule in changes.add:
            storage.calendar.insert_imported(svc.db, user_id, rule, f, pending.calendar, now)
        for plan_id, f, rule in changes.update:
            storage.calendar.update_imported(svc.db, plan_id, rule, f.title, now)
        for plan_id in changes.remove:
            storage.plans.deactivate_plan(svc.db, plan_id, now)
            storage.reminders.delete_plan_pending(svc.db, plan_id)
        if changes.touched:
            reminders.rebuild_user(svc.db, user_id, now)
    log.info(
        "user %s imported runs: %d added, %d updated, %d removed, %d unchanged",
        user_id,
        len(changes.add),
        len(changes.update),
        len(changes.remove),
        changes.unchanged,
    )
    return views.calendar.added(svc.t(user_id), changes)


def _hand_starts(svc: Services, user_id: int, now: datetime) -> set[datetime]:
    """Starts of the runs of the runner's /plan plans in the import's window."""
    starts: set[datetime] = set()
    since = now.date() - timedelta(days=1)
    for plan in storage.plans.user_plans(svc.db, user_id, kind="hand", since=since):
        starts.update(occurrences(plan.rule, now, now + WINDOW))
    return starts


def remove_imported(svc: Services, user_id: int) -> tuple[str, View]:
    """/runs' *Remove calendar runs*: every imported run still ahead goes, with its
    reminders; /runs is redrawn."""
    now = svc.clock.now()
    with svc.db.atomic():  # from the runner's today, as /runs counts them
        removed = storage.calendar.remove_imported(
            svc.db, user_id, plans.today_for(svc, user_id), now
        )
        if removed:
            reminders.rebuild_user(svc.db, user_id, now)
    log.info("user %s removed %d imported runs", user_id, removed)
    return views.calendar.removed(svc.t(user_id), removed), plans.runs_view(svc, user_id)


# --- /calendar --------------------------------------------------------------------------


async def command(svc: Services, bot: Bot, user_id: int, chat_id: int, args: list[str]) -> None:
    """/calendar (the file), /calendar link, /calendar revoke; anything else: the usage."""
    words = [a.lower() for a in args]
    if not words:
        await send_calendar(svc, bot, user_id, chat_id)
        return
    if words == ["link"]:
        view = link(svc, user_id)
    elif words == ["revoke"]:
        view = revoke(svc, user_id)
    else:
        view = views.calendar.usage(svc.t(user_id))
    await messaging.send(bot, svc.db, chat_id, view)


# --- export -----------------------------------------------------------------------------


def calendar_runs(db: Database, user_id: int, now: datetime) -> list[CalendarRun]:
    """The runner's runs in the next 8 weeks, skipped ones left out, in order."""
    runs: list[CalendarRun] = []
    for plan in storage.plans.user_plans(db, user_id, since=now.date() - timedelta(days=1)):
        for start in storage.plans.plan_runs(db, plan, now, now + WINDOW):
            runs.append(
                CalendarRun(
                    plan.id,
                    start,
                    plan.rule.duration_minutes,
                    plan.rule.tz,
                    plan.title,
                    one_off=not plan.rule.weekly,
                    updated=plan.updated_at or plan.created_at,
                )
            )
    runs.sort(key=lambda r: (r.start, r.plan_id))
    return runs


def _options(svc: Services, db: Database, user_id: int) -> CalendarOptions:
    settings = storage.users.get_settings(db, user_id)
    return CalendarOptions(
        remind_minutes=settings.remind_minutes,
        warmup_minutes=coach.minutes_of(svc, user_id, "pre_run", db),
        stretch_after=settings.afterrun_minutes,
        stretch_minutes=coach.minutes_of(svc, user_id, "post_run", db),
        tz=settings.tz,
    )


def _render(svc: Services, path: Path, user_id: int, now: datetime) -> tuple[bytes, int, bool]:
    """In a worker thread, on a read-only connection of its own: the runner's calendar file,
    how many runs it holds, and whether it has stretches. Rendering hundreds of events takes
    a good part of a second; the event loop keeps serving everyone meanwhile."""
    with storage.db.snapshot(path) as db:
        runs = calendar_runs(db, user_id, now)
        options = _options(svc, db, user_id)
        t = svc.t(user_id, db=db)
        data = views.ics.calendar_file(t, runs, options, now=now)
        return data, len(runs), options.stretch_after is not None


async def calendar_bytes(svc: Services, user_id: int, now: datetime) -> tuple[bytes, int, bool]:
    path = storage.db.file_of(svc.db)
    return await asyncio.to_thread(_render, svc, path, user_id, now)


async def send_calendar(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """/calendar: the next 8 weeks as a file any calendar app imports."""
    t = svc.t(user_id)
    wait = svc.cooldown("calendar", user_id, EXPORT_COOLDOWN_SECONDS)
    if wait:
        await messaging.send(bot, svc.db, chat_id, views.progress.cooldown(t, "calendar", wait))
        return
    now = svc.clock.now()
    data, count, stretches = await calendar_bytes(svc, user_id, now)
    if not count:
        await messaging.send(bot, svc.db, chat_id, views.calendar.nothing_to_export(t))
        return
    live = svc.config.webhook_url is not None
    try:
        await bot.send_document(
            chat_id,
            document=data,
            filename=views.ics.filename(now),
            caption=views.calendar.export_caption(t, count, live, stretches=stretches),
        )
    except TelegramError as exc:
        log.warning("calendar file to chat %s failed: %s", chat_id, exc)
        await messaging.send(bot, svc.db, chat_id, views.calendar.export_failed(t))


# --- the live link ----------------------------------------------------------------------


def _token(secret: str, user_id: int, nonce: str) -> str:
    digest = hmac.new(
        secret.encode(), f"hipcoach-feed:{user_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(svc: Services, user_id: int) -> View:
    """/calendar link: the runner's private subscription URL (made on first use)."""
    t = svc.t(user_id)
    secret = svc.config.webhook_secret
    if svc.config.webhook_url is None or secret is None:
        return views.calendar.link_needs_webhook(t)
    now = svc.clock.now()
    with svc.db.atomic():
        feed = storage.calendar.get_feed(svc.db, user_id)
        nonce = feed.nonce if feed else secrets.token_urlsafe(16)
        token = _token(secret, user_id, nonce)
        # Stored again each time: after a secret rotation the old hash matches nothing.
        storage.calendar.set_feed(
            svc.db, user_id, nonce, _hash(token), feed.created_at if feed else now
        )
    url = svc.config.feed_url(token)
    assert url is not None
    log.info("user %s asked for their calendar link", user_id)
    return views.calendar.link(t, url)


def revoke(svc: Services, user_id: int) -> View:
    """/calendar revoke: the link stops working; a new one can be made."""
    with svc.db.atomic():
        had = storage.calendar.delete_feed(svc.db, user_id)
    if had:
        log.info("user %s revoked their calendar link", user_id)
    return views.calendar.revoked(svc.t(user_id), had)


async def feed(svc: Services, token: str) -> bytes | None:
    """The calendar behind a link's token, or None (unknown, revoked, or made under an
    earlier webhook secret)."""
    secret = svc.config.webhook_secret
    if secret is None:
        return None
    found = storage.calendar.feed_by_hash(svc.db, _hash(token))
    if found is None:
        return None
    if not hmac.compare_digest(_token(secret, found.user_id, found.nonce), token):
        return None
    data, _, _ = await calendar_bytes(svc, found.user_id, svc.clock.now())
    return data
