"""The one place an Application is built, for production, tests and the playground alike."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest

from bot import services, views
from bot.config import Config
from bot.core.clock import Clock, SystemClock
from bot.core.content import load_catalogues
from bot.core.language import LANGUAGES, SOURCE
from bot.services.state import SERVICES_KEY, Context, HipcoachApp, Services, services_of
from bot.storage.db import open_db
from bot.transport.ratelimit import HipcoachRateLimiter
from bot.transport.timers import Timers
from bot.transport.updates import FairUpdateProcessor
from bot.views.commands import ADMIN_COMMANDS, COMMANDS
from bot.views.i18n import Translator, load_translators
from handlers import register

log = logging.getLogger(__name__)

__all__ = ["HipcoachApp", "build_application"]


def build_application(
    config: Config,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    translators: dict[str, Translator] | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    update_processor: BaseUpdateProcessor | None = None,
    only_users: frozenset[int] | None = None,
) -> HipcoachApp:
    """Build the bot. Content and catalogs in every language are validated here, so a
    missing translation fails before any I/O.

    `update_processor` defaults to FairUpdateProcessor(); the benchmarks pass one with its
    flood protection lifted, since their simulated users tap at machine speed.
    """
    if not config.token:
        raise ValueError("build_application needs a token (see bot.config)")
    translators = translators or load_translators(load_catalogues())
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_url)
        .base_file_url(config.file_url)
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(
            rate_limiter or HipcoachRateLimiter(config.rate_limit, config.chat_rate_limit)
        )
        .concurrent_updates(update_processor or FairUpdateProcessor())
        .context_types(ContextTypes(context=Context))
        .post_init(
            partial(
                _post_init,
                config=config,
                translators=translators,
                clock=clock or SystemClock(),
                only_users=only_users,
            )
        )
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app: HipcoachApp = builder.build()
    register(app, translators)
    return app


async def _post_init(
    app: HipcoachApp,
    *,
    config: Config,
    translators: dict[str, Translator],
    clock: Clock,
    only_users: frozenset[int] | None,
) -> None:
    """Open the database, publish the command menu, and pick up what was persisted."""
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    app.bot_data[SERVICES_KEY] = Services(
        config=config,
        db=open_db(config.db_path),
        translators=translators,
        clock=clock,
        timers=Timers(app.job_queue),
        only_users=only_users,
    )
    await _publish_menus(app, config)
    # Sessions interrupted mid-timer are offered back once the bot is fully up.
    app.job_queue.run_once(services.session.recover_sessions, when=0, name="recover-sessions")
    sweep = max(1.0, min(60.0, config.idle_timeout_minutes * 30))
    app.job_queue.run_repeating(
        services.session.sweep_idle, interval=sweep, first=sweep, name="sweep-idle"
    )
    # Planned-run reminders are rows; this one repeating job sends whatever is due.
    services.reminders.schedule_dispatcher(app.job_queue)
    log.info("hipcoach ready: database %s, time scale %g", config.db_path, config.time_scale)


async def _publish_menus(app: HipcoachApp, config: Config) -> None:
    """The command menu in every language (Telegram shows the one matching the app's
    language, English otherwise), and one with /stats in each admin's chat."""
    svc = services_of(app)
    for lang in LANGUAGES:
        menu = views.commands.command_menu(svc.translators[lang], COMMANDS)
        await app.bot.set_my_commands(
            [BotCommand(name, text) for name, text in menu],
            language_code=None if lang == SOURCE else lang,
        )
    for admin_id in sorted(config.admin_ids):
        menu = views.commands.command_menu(svc.t(admin_id), COMMANDS + ADMIN_COMMANDS)
        admin_menu = [BotCommand(name, text) for name, text in menu]
        try:
            await app.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:
            # Telegram knows a chat only once its user has written to the bot.
            log.info("no admin menu for %s yet (%s); it comes on the next start", admin_id, exc)


async def _post_shutdown(app: HipcoachApp) -> None:
    if SERVICES_KEY in app.bot_data:
        services_of(app).db.close()
        log.info("database closed")
