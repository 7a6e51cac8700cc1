"""`hipcoach` / `python -m bot`: the operator's entry point."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken

from bot import paths
from bot.config import DEFAULT_API_URL, Config, ConfigError
from bot.core.content import CatalogueError
from bot.core.language import LANGUAGES
from bot.ops.logsetup import configure_logging

if TYPE_CHECKING:
    from bot.services.state import HipcoachApp

log = logging.getLogger("bot")

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather, then run: "
    "TELEGRAM_BOT_TOKEN=<your token> make run   (or put it in a .env file)"
)
PLAYGROUND_DB = paths.playground_db()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hipcoach", description="A hip coach for runners on Telegram.")
    sub = p.add_subparsers(dest="command")
    run = sub.add_parser(
        "run", help="run the bot against Telegram (long polling, or a webhook if configured)"
    )
    run.add_argument(
        "--play-without-token",
        action="store_true",
        help="with no TELEGRAM_BOT_TOKEN, open the offline playground instead of exiting",
    )
    run.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        default="en",
        help="the playground's Telegram app language (with --play-without-token)",
    )
    play = sub.add_parser("play", help="chat with the bot in this terminal, offline")
    play.add_argument(
        "--fast", action="store_true", help="play timers at a small fraction of real time"
    )
    play.add_argument(
        "--db", type=Path, default=None, help=f"database file (default {PLAYGROUND_DB})"
    )
    play.add_argument("--user", default="runner", help="who you are (two names = two users)")
    play.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        default="en",
        help="your Telegram app's language (language_code): the coach answers in it",
    )
    play.add_argument(
        "--script", type=Path, default=None, help="read inputs from FILE, print the transcript"
    )
    backup = sub.add_parser(
        "backup", help="copy the database safely, even while the bot runs (SQLite backup API)"
    )
    backup.add_argument("path", type=Path, help="backup file, or a folder for a dated file")
    sub.add_parser("doctor", help="check config, content, database and the Bot API")
    return p


# Files the process creates (the database, backups, the playground's) are this user's only,
# as under systemd's UMask=0077; bot.storage.db also creates them 0600 explicitly.
PRIVATE_UMASK = 0o077


def main(argv: list[str] | None = None) -> int:
    previous = os.umask(PRIVATE_UMASK)
    try:
        return _main(argv)
    finally:
        os.umask(previous)  # main() called in-process (tests) leaves the umask as it was


def _main(argv: list[str] | None) -> int:
    args = parser().parse_args(argv)
    command = args.command or "run"
    if command == "doctor":  # reports a bad config as one of its checks
        from bot.ops.doctor import doctor

        return doctor()
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"hipcoach: {exc}", file=sys.stderr)
        return 2
    if command == "run":
        if not config.token and getattr(args, "play_without_token", False):
            print("hipcoach: no TELEGRAM_BOT_TOKEN set, so starting the offline playground.")
            return play(config, parser().parse_args(["play", "--lang", args.lang]))
        return run(config)
    if command == "play":
        return play(config, args)
    if command == "backup":
        from bot.ops.backup import backup_command

        return backup_command(config, args.path)
    parser().print_help()
    return 2


def run(config: Config) -> int:
    if not config.token:
        print(f"hipcoach: {NO_TOKEN}", file=sys.stderr)
        return 2
    configure_logging(config.log_level, config.token, config.webhook_secret)
    try:
        from bot.app import build_application  # heavy imports only once config is sound

        app = build_application(config)
    except CatalogueError as exc:
        log.error("content is invalid:\n%s", exc)
        return 2
    try:
        return _serve(app, config)
    except InvalidToken as exc:
        # PTB's own message quotes the whole token; this line names the fix instead.
        log.error("%s", rejected(exc, config))
        return 2  # a configuration error, like a missing token: restarting cannot fix it


def rejected(exc: InvalidToken, config: Config) -> str:
    """One line for a Bot API that refused us at start-up: the token (401) or the URL (404)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, InvalidToken) else exc
    not_found = cause.message.startswith("Not Found") or "(404)" in cause.message
    if not_found and config.api_url != DEFAULT_API_URL:
        parts = urlsplit(config.api_url)
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()  # no user:pw@
        return (
            f"the Bot API at {shown} answered 404 Not Found: check "
            f"TELEGRAM_API_URL (Telegram's is {DEFAULT_API_URL}; a local Bot API server's "
            "ends in /bot too)"
        )
    status = "404 Not Found" if not_found else "401 Unauthorized"
    return (
        f"Telegram rejected TELEGRAM_BOT_TOKEN ({status}): it was mistyped or revoked. "
        "Copy it again from @BotFather (/mybots, API Token)"
    )


def _serve(app: HipcoachApp, config: Config) -> int:
    """Serve until stopped; both start with getMe, which raises on a rejected token."""
    api_host = config.api_url.split("://", 1)[-1].split("/", 1)[0]
    if config.webhook_url:
        # Telegram pushes updates to the public URL; a reverse proxy (or Telegram itself)
        # reaches this server, which answers 403 unless the secret header matches.
        log.info(
            "starting hipcoach (webhook %s, listening on %s:%s, API %s)",
            config.webhook_url,
            config.listen,
            config.port,
            api_host,
        )
        asyncio.run(_serve_webhook(app, config))
        return 0
    log.info("starting hipcoach (polling %s)", api_host)
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


async def _serve_webhook(app: HipcoachApp, config: Config) -> None:
    """PTB's custom-webhook pattern: our own server (bot.transport.web: the webhook and the
    calendar feeds) around an Application without its Updater. Each step is one that
    run_webhook took itself; `initialize()` alone runs neither post_init nor post_shutdown."""
    import uvicorn

    from bot.transport.web import build_web_app

    assert config.webhook_url and config.webhook_secret  # Config requires both together
    web_app = build_web_app(
        app,
        webhook_path=config.webhook_path,
        secret=config.webhook_secret,
        feed_prefix=config.feed_path,
        feed=partial(_feed, app),
    )
    server = uvicorn.Server(
        uvicorn.Config(
            web_app,
            host=config.listen,
            port=config.port,
            log_config=None,  # uvicorn's lines go through our handler, and its redaction
            log_level=config.log_level.lower(),
            access_log=False,  # a feed's path is its token: bot.transport.web logs each
            lifespan="off",
            server_header=False,
            timeout_graceful_shutdown=10,  # a stuck connection never holds up a stop
        )
    )
    # uvicorn catches SIGTERM/SIGINT while it serves, then raises the signal again for the
    # handler it found: this one, so the process ends with 0 (and a signal during start-up
    # stops the server as soon as it is up).
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, setattr, server, "should_exit", True)
    try:
        try:
            await app.initialize()  # getMe: raises InvalidToken on a rejected token
        except InvalidToken:
            log.debug("the Bot API refused getMe", exc_info=True)
            raise
        if app.post_init:
            await app.post_init(app)
        await app.bot.set_webhook(
            url=config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        await app.start()
        try:
            await server.serve()
        finally:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _feed(app: HipcoachApp, token: str) -> bytes | None:
    """A calendar feed's bytes (the server serves only once post_init made the services)."""
    from bot.services import calendar
    from bot.services.state import services_of

    return await calendar.feed(services_of(app), token)


def play(config: Config, args: argparse.Namespace) -> int:
    """The offline playground: the real bot against the in-process fake Bot API."""
    from bot.playground import run_playground

    db_path = args.db.resolve() if args.db else PLAYGROUND_DB
    config = replace(config, db_path=db_path, time_scale=0.05 if args.fast else config.time_scale)
    return run_playground(config, user=args.user, script=args.script, language_code=args.lang)


if __name__ == "__main__":
    sys.exit(main())
