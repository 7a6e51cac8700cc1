"""The operator's tools: `hipcoach backup PATH`, `hipcoach doctor`, and the /stats text.

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
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from sqlite_utils import Database
from telegram import Bot
from telegram.error import InvalidToken, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.config import Config, ConfigError
from bot.content import CatalogueError, load_catalogue
from bot.logs import configure_logging, redact
from bot.storage.db import BUSY_TIMEOUT_MS, pending_migrations
from bot.storage.migrations import MIGRATIONS
from bot.storage.stats import Stats
from bot.views import View

API_TIMEOUT = 5.0  # seconds for doctor's getMe: a healthy API answers in well under one


class OpsError(Exception):
    """An operation could not be done; the message says what to do."""


# --- /stats -------------------------------------------------------------------------------


def stats_view(stats: Stats, errors: int, days: int = 7) -> View:
    """The operator's overview, short enough to read on a phone."""

    def maybe(value: int | None) -> str:
        return "—" if value is None else str(value)

    lines = [
        "📊 <b>hipcoach stats</b>",
        f"Users: {stats.users} ({stats.blocked} blocked the bot)",
        f"Active, last {days} days: {stats.active}",
        f"Sessions, last {days} days: {stats.sessions} · sets: {stats.sets}",
        f"Planned runs: {maybe(stats.plans)} · reminders sent: {maybe(stats.reminders_sent)}",
        f"Errors since start: {errors}",
    ]
    return View("\n".join(lines))


# --- backup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    tables: int


def backup(db_path: Path, target: Path, *, now: datetime | None = None) -> BackupResult:
    """Copy the live database with SQLite's online backup API, then check the copy.

    One backup step copies every page inside one read transaction, so the copy is a
    consistent snapshot even while the bot writes (WAL readers never block the writer). The
    copy is written beside the target and renamed into place only once it passed
    `PRAGMA integrity_check`, so a failed run never leaves a half-written backup behind.
    """
    if not db_path.is_file():
        raise OpsError(f"no database at {db_path}: check HIPCOACH_DB")
    if target.is_dir():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        target = target / f"hipcoach-{stamp}.db"
    if target.resolve() == db_path.resolve():
        raise OpsError("the backup target is the live database itself: choose another path")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # The copy holds every runner's data: readable by the bot's user only.
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    try:
        n_tables = _copy(db_path, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return BackupResult(target, target.stat().st_size, n_tables)


def _copy(db_path: Path, partial: Path) -> int:
    """The backup itself, checked; returns the copy's number of tables."""
    source = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000)
    copy = sqlite3.connect(str(partial))
    try:
        source.backup(copy)  # pages=-1: all pages in one step, one snapshot
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        result = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise OpsError(f"the copy failed its integrity check: {'; '.join(result[:3])}")
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        return int(tables.fetchone()[0])
    except sqlite3.Error as exc:
        raise OpsError(f"backup of {db_path} failed: {exc}") from exc
    finally:
        copy.close()
        source.close()


def backup_command(config: Config, target: Path) -> int:
    """`hipcoach backup PATH`: one line on success, one line naming the fix on failure."""
    try:
        result = backup(config.db_path, target)
    except (OpsError, OSError) as exc:
        print(f"hipcoach: backup failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"backup ok: {result.path} ({result.size / 1024:.0f} KB, {result.tables} tables, "
        "integrity ok)"
    )
    return 0


# --- doctor -------------------------------------------------------------------------------


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
        catalogue = load_catalogue()
    except CatalogueError as exc:
        first = str(exc).strip().splitlines()[0]
        return _problem("content", f"{first}: fix data/exercises.toml or reinstall")
    return _ok(
        "content", f"{len(catalogue.exercises)} exercises, {len(catalogue.routines)} routines"
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
