"""`hipcoach doctor`: checks configuration, content, database and the Bot API, one line each.

Nothing here prints the bot token: Bot API errors go through `redact`, and the API is named
by its host only.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from sqlite_utils import Database
from telegram import Bot
from telegram.error import InvalidToken, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.config import Config, ConfigError
from bot.core.content import CatalogueError, load_catalogues
from bot.ops.logsetup import configure_logging, redact
from bot.storage.db import BUSY_TIMEOUT_MS, pending_migrations
from bot.storage.migrations import MIGRATIONS
from bot.views.i18n import load_translators

API_TIMEOUT = 5.0  # seconds for doctor's getMe: a healthy API answers in well under one


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok", "warn" (worth a look, not wrong) or "PROBLEM"
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == "PROBLEM"

    def line(self) -> str:
        return f"{self.status:<8} {self.name:<10} {self.detail}"


def _ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def _problem(name: str, detail: str) -> Check:
    return Check(name, "PROBLEM", detail)


def check_config(config: Config) -> Check:
    if not config.token:
        return _problem(
            "config",
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token "
            "in the environment or .env",
        )
    if config.webhook_url:
        mode = f"webhook {config.webhook_url} -> {config.listen}:{config.port}"
    else:
        mode = "long polling"
    admins = len(config.admin_ids)
    return _ok("config", f"{mode}; log level {config.log_level}; {admins} admin(s)")


def check_content() -> Check:
    try:
        translators = load_translators(load_catalogues())
    except CatalogueError as exc:
        first = str(exc).strip().splitlines()[0]
        return _problem("content", f"{first}: fix it in data/ or bot/locales, or reinstall")
    catalogue = next(iter(translators.values())).content
    return _ok(
        "content",
        f"{len(catalogue.exercises)} exercises, {len(catalogue.routines)} routines; "
        f"languages: {', '.join(translators)}",
    )


def _writable_folder(path: Path) -> Path | None:
    """The first existing ancestor of `path`, if this user cannot create files in it."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return None if os.access(folder, os.W_OK | os.X_OK) else folder


def check_database(path: Path) -> list[Check]:
    """Opens, passes integrity_check, is writable, and is at this code's schema version."""
    all_migrations = pending_migrations(Database(memory=True))
    if not path.exists():
        blocked = _writable_folder(path)
        if blocked is not None:
            return [
                _problem(
                    "database",
                    f"{path} does not exist and {blocked} is not writable by this user: "
                    "create the folder and give the bot's user write access",
                )
            ]
        return [
            _ok("database", f"{path} not created yet: the bot creates it at first start"),
            _ok("migrations", f"all {len(all_migrations)} run at first start"),
        ]
    if not os.access(path, os.R_OK | os.W_OK) or _writable_folder(path) is not None:
        return [
            _problem(
                "database",
                f"{path} or its folder is not writable by this user (SQLite needs both): "
                "fix ownership, e.g. chown -R hipcoach: on the folder",
            )
        ]
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            return [
                _problem(
                    "database",
                    f"{path} failed its integrity check ({'; '.join(result[:2])}): stop the "
                    "bot and restore the latest backup (deploy/README.md)",
                )
            ]
        db = Database(conn)
        pending = pending_migrations(db)
        applied = [m.name for m in MIGRATIONS.applied(db)]
    except sqlite3.DatabaseError as exc:
        return [_problem("database", f"{path} cannot be read ({exc}): is it a hipcoach database?")]
    finally:
        conn.close()
    size = path.stat().st_size / 1024
    checks = [_ok("database", f"{path} ({size:.0f} KB, integrity ok)")]
    unknown = sorted(set(applied) - set(all_migrations))
    if unknown:
        checks.append(
            _problem(
                "migrations",
                f"the database has migrations this version does not know ({', '.join(unknown)}):"
                " it was written by a newer hipcoach; upgrade the code or restore a backup",
            )
        )
    elif pending:
        checks.append(
            _problem(
                "migrations",
                f"{len(pending)} pending ({', '.join(pending)}): restart the bot to apply them "
                "(back up first: hipcoach backup PATH)",
            )
        )
    else:
        checks.append(_ok("migrations", f"up to date ({len(all_migrations)} applied)"))
    return checks


async def check_api(config: Config, api_timeout: float = API_TIMEOUT) -> list[Check]:
    """getMe with the configured URL and token, plus Telegram's view of our webhook."""
    assert config.token is not None
    host = urlsplit(config.api_url).netloc
    request = HTTPXRequest(
        connect_timeout=api_timeout,
        read_timeout=api_timeout,
        write_timeout=api_timeout,
        pool_timeout=api_timeout,
    )
    bot = Bot(config.token, base_url=config.api_url, request=request)
    try:
        async with bot:  # initialize() calls getMe
            checks = [_ok("bot api", f"{host} knows this token as @{bot.username}")]
            if config.webhook_url:
                checks.append(await _check_webhook(bot, config))
            return checks
    except InvalidToken:
        return [
            _problem(
                "bot api",
                f"{host} rejected the token: copy it again from @BotFather "
                "(TELEGRAM_BOT_TOKEN), or check TELEGRAM_API_URL",
            )
        ]
    except TimedOut:
        return [
            _problem(
                "bot api",
                f"no answer from {host} within {api_timeout:g} s: check the network, DNS and "
                "firewall, or TELEGRAM_API_URL",
            )
        ]
    except TelegramError as exc:
        reason = redact(str(exc), config.token)
        return [
            _problem(
                "bot api",
                f"cannot reach {host} ({reason}): check the network, DNS and firewall, "
                "or TELEGRAM_API_URL",
            )
        ]


async def _check_webhook(bot: Bot, config: Config) -> Check:
    """What Telegram says about deliveries: worth a look, but the bot sets it at start."""
    info = await bot.get_webhook_info()
    if info.url != config.webhook_url:
        where = info.url or "not set"
        return Check(
            "webhook", "warn", f"Telegram's webhook is {where}: the bot sets it when it starts"
        )
    if info.last_error_message:
        return Check(
            "webhook",
            "warn",
            f"Telegram's last delivery failed ({info.last_error_message}); "
            f"{info.pending_update_count} update(s) waiting: check that the proxy forwards "
            f"{config.webhook_path} to {config.listen}:{config.port}",
        )
    return _ok("webhook", f"set; {info.pending_update_count} update(s) waiting")


async def run_checks(
    env: Mapping[str, str] | None = None,
    *,
    dotenv: Path | None = Path(".env"),
    api_timeout: float = API_TIMEOUT,
) -> list[Check]:
    """Every check, in the order an operator would fix them."""
    checks: list[Check] = []
    try:
        config: Config | None = Config.from_env(env, dotenv=dotenv)
    except ConfigError as exc:
        config = None
        checks.append(_problem("config", f"{exc}: fix it in the environment or .env"))
    if config is not None:
        checks.append(check_config(config))
    checks.append(check_content())
    if config is None:
        return checks
    checks.extend(check_database(config.db_path))
    if config.token:
        checks.extend(await check_api(config, api_timeout))
    return checks


def doctor(out: TextIO = sys.stdout) -> int:
    """`hipcoach doctor`: one line per check; exit 1 if any check found a problem."""
    try:
        config = Config.from_env()
        # Only warnings, through the redacting filter: httpx and PTB stay quiet.
        configure_logging("WARNING", config.token, config.webhook_secret)
    except ConfigError:
        configure_logging("WARNING")
    checks = asyncio.run(run_checks())
    for check in checks:
        print(check.line(), file=out)
    failed = [c for c in checks if c.failed]
    if failed:
        print(f"{len(failed)} problem(s) found.", file=out)
        return 1
    print("All good.", file=out)
    return 0
