"""`hipcoach` / `python -m bot`: the operator's entry point."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path

from telegram import Update

from bot import paths
from bot.config import Config, ConfigError
from bot.core.content import CatalogueError
from bot.ops.logsetup import configure_logging

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
    play = sub.add_parser("play", help="chat with the bot in this terminal, offline")
    play.add_argument(
        "--fast", action="store_true", help="play timers at a small fraction of real time"
    )
    play.add_argument(
        "--db", type=Path, default=None, help=f"database file (default {PLAYGROUND_DB})"
    )
    play.add_argument("--user", default="runner", help="who you are (two names = two users)")
    play.add_argument(
        "--script", type=Path, default=None, help="read inputs from FILE, print the transcript"
    )
    backup = sub.add_parser(
        "backup", help="copy the database safely, even while the bot runs (SQLite backup API)"
    )
    backup.add_argument("path", type=Path, help="backup file, or a folder for a dated file")
    sub.add_parser("doctor", help="check config, content, database and the Bot API")
    return p


def main(argv: list[str] | None = None) -> int:
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
            return play(config, parser().parse_args(["play"]))
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
    from bot.app import build_application  # heavy imports only once config is sound

    try:
        app = build_application(config)
    except CatalogueError as exc:
        log.error("content is invalid:\n%s", exc)
        return 2
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
        app.run_webhook(
            listen=config.listen,
            port=config.port,
            url_path=config.webhook_path,
            webhook_url=config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        return 0
    log.info("starting hipcoach (polling %s)", api_host)
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def play(config: Config, args: argparse.Namespace) -> int:
    """The offline playground: the real bot against the in-process fake Bot API."""
    from bot.playground import run_playground

    db_path = args.db.resolve() if args.db else PLAYGROUND_DB
    config = replace(config, db_path=db_path, time_scale=0.05 if args.fast else config.time_scale)
    return run_playground(config, user=args.user, script=args.script)


if __name__ == "__main__":
    sys.exit(main())
