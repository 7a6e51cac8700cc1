"""`hipcoach` / `python -m bot`: the operator's entry point."""

from __future__ import annotations

import argparse
import logging
import sys

from telegram import Update

from bot.config import Config, ConfigError
from bot.content import CatalogueError
from bot.logs import configure_logging

log = logging.getLogger("bot")

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather, then run: "
    "TELEGRAM_BOT_TOKEN=<your token> make run   (or put it in a .env file)"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hipcoach", description="A hip coach for runners on Telegram."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (long polling)")
    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"hipcoach: {exc}", file=sys.stderr)
        return 2
    if command == "run":
        return run(config)
    parser.print_help()
    return 2


def run(config: Config) -> int:
    if not config.token:
        print(f"hipcoach: {NO_TOKEN}", file=sys.stderr)
        return 2
    configure_logging(config.log_level, config.token)
    from bot.app import build_application  # heavy imports only once config is sound

    try:
        app = build_application(config)
    except CatalogueError as exc:
        log.error("content is invalid:\n%s", exc)
        return 2
    log.info("starting hipcoach (polling %s)", config.api_url.split("://", 1)[-1].split("/", 1)[0])
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
