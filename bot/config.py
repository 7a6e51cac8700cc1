"""Configuration from environment variables (and an optional `.env`), read only when asked.

Every value is checked once at start-up; a bad one stops the bot with a message that names
the variable, so an operator never has to read a traceback to fix a typo.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot import paths
from bot.core.numbers import parse_int

DEFAULT_API_URL = "https://api.telegram.org/bot"
# data/hipcoach.db in a checkout, the user's data directory when installed (bot.paths).
DEFAULT_DB = paths.default_db()
TOKEN_RE = re.compile(r"^[0-9]{3,}:[A-Za-z0-9_-]{20,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# What Telegram accepts as a webhook secret_token.
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Config:
    token: str | None = field(default=None, repr=False)
    db_path: Path = DEFAULT_DB
    api_url: str = DEFAULT_API_URL
    time_scale: float = 1.0
    log_level: str = "INFO"
    idle_timeout_minutes: float = 30.0
    rate_limit: float = 30.0  # Bot API requests per second, whole bot
    chat_rate_limit: float = 1.0  # messages and edits per second, per chat
    webhook_url: str | None = None  # set: Telegram pushes updates (no polling)
    webhook_secret: str | None = field(default=None, repr=False)
    listen: str = "127.0.0.1"
    port: int = 8443
    admin_ids: frozenset[int] = frozenset()

    @property
    def file_url(self) -> str:
        """The file-download base matching `api_url` (`…/bot` -> `…/file/bot`)."""
        base, _, tail = self.api_url.rstrip("/").rpartition("/")
        return f"{base}/file/{tail}"

    @property
    def webhook_path(self) -> str:
        """The local path the webhook server answers on: the public URL's path (a reverse
        proxy forwards it unchanged)."""
        return urlsplit(self.webhook_url or "").path.rstrip("/") or "/"

    @property
    def feed_path(self) -> str:
        """Where calendar feeds are served: next to the webhook (`/a/hook` -> `/a/calendar`),
        so the proxy that forwards the webhook forwards them with one more location."""
        parent = self.webhook_path.rpartition("/")[0]
        return f"{parent}/calendar"

    def feed_url(self, token: str) -> str | None:
        """A runner's public feed URL, or None in polling mode (nothing serves it)."""
        if not self.webhook_url:
            return None
        parts = urlsplit(self.webhook_url)
        return f"{parts.scheme}://{parts.netloc}{self.feed_path}/{token}.ics"

    def scaled(self, seconds: float) -> float:
        """Real seconds for an in-session duration, after HIPCOACH_TIME_SCALE."""
        return seconds * self.time_scale

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")
    ) -> Config:
        """Build from `env` (default os.environ) over the values of an optional `.env` file."""
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(os.environ if env is None else env)
        webhook_url = _webhook_url(values.get("HIPCOACH_WEBHOOK_URL"))
        return cls(
            token=_token(values.get("TELEGRAM_BOT_TOKEN")),
            db_path=_db_path(values.get("HIPCOACH_DB")),
            api_url=_api_url(values.get("TELEGRAM_API_URL")),
            time_scale=_float(values, "HIPCOACH_TIME_SCALE", 1.0, low=0.0, high=100.0),
            log_level=_log_level(values.get("HIPCOACH_LOG_LEVEL")),
            idle_timeout_minutes=_float(
                values, "HIPCOACH_IDLE_TIMEOUT", 30.0, low=1 / 60, high=24 * 60
            ),
            rate_limit=_float(values, "HIPCOACH_RATE_LIMIT", 30.0, low=0.0, high=10_000.0),
            chat_rate_limit=_float(values, "HIPCOACH_CHAT_RATE_LIMIT", 1.0, low=0.0, high=10_000.0),
            webhook_url=webhook_url,
            webhook_secret=_webhook_secret(values.get("HIPCOACH_WEBHOOK_SECRET"), webhook_url),
            listen=_listen(values.get("HIPCOACH_LISTEN")),
            port=_port(values.get("HIPCOACH_PORT")),
            admin_ids=_admin_ids(values.get("HIPCOACH_ADMIN_IDS")),
        )


def _token(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    token = raw.strip()
    if not TOKEN_RE.match(token):
        # Never echo the value: a near-miss token is still a secret.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token "
            "(expected digits, a colon, then letters/digits/_/-, as BotFather gives it)"
        )
    return token


def _db_path(raw: str | None) -> Path:
    if raw is None or not raw.strip():
        return DEFAULT_DB
    path = Path(raw.strip()).expanduser()
    if path.exists() and path.is_dir():
        raise ConfigError(f"HIPCOACH_DB={raw!r} is a directory; give a file path")
    return path.resolve()


def _api_url(raw: str | None) -> str:
    if raw is None or not raw.strip():
        return DEFAULT_API_URL
    url = raw.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise ConfigError(
            f"TELEGRAM_API_URL={raw!r} is not an http(s) URL (example: http://127.0.0.1:8081/bot)"
        )
    return url


def _float(
    values: Mapping[str, str], name: str, default: float, *, low: float, high: float
) -> float:
    raw = values.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r} must be between {low:g} and {high:g}")
    return value


def _log_level(raw: str | None) -> str:
    if raw is None or not raw.strip():
        return "INFO"
    level = raw.strip().upper()
    if level not in LOG_LEVELS or not isinstance(logging.getLevelName(level), int):
        raise ConfigError(f"HIPCOACH_LOG_LEVEL={raw!r} must be one of {', '.join(LOG_LEVELS)}")
    return level


def _webhook_url(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    url = raw.strip()
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        raise ConfigError(f"HIPCOACH_WEBHOOK_URL={raw!r} is not a valid URL") from None
    # Telegram only delivers to https; plain http is for a local Bot API server or tests.
    local = parts.hostname in LOOPBACK_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ConfigError(
            f"HIPCOACH_WEBHOOK_URL={raw!r} must be a public https:// URL "
            "(example: https://bot.example.com/hipcoach)"
        )
    if not parts.hostname or parts.query or parts.fragment or " " in url:
        raise ConfigError(f"HIPCOACH_WEBHOOK_URL={raw!r} is not a valid URL")
    return url


def _webhook_secret(raw: str | None, webhook_url: str | None) -> str | None:
    if raw is None or not raw.strip():
        if webhook_url:
            raise ConfigError(
                "HIPCOACH_WEBHOOK_SECRET is required with HIPCOACH_WEBHOOK_URL "
                "(1-256 characters of A-Z a-z 0-9 _ -, e.g. from: openssl rand -hex 32)"
            )
        return None
    secret = raw.strip()
    if not SECRET_RE.match(secret):
        # Never echo the value: it is a secret.
        raise ConfigError(
            "HIPCOACH_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ - "
            "(as Telegram requires)"
        )
    return secret


def _listen(raw: str | None) -> str:
    if raw is None or not raw.strip():
        return "127.0.0.1"
    host = raw.strip()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not re.match(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$", host):
            raise ConfigError(
                f"HIPCOACH_LISTEN={raw!r} must be an IP address or host name (example: 127.0.0.1)"
            ) from None
    return host


def _port(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return 8443
    port = parse_int(raw.strip(), 1, 65535)
    if port is None:
        raise ConfigError(f"HIPCOACH_PORT={raw!r} must be a port number, 1 to 65535")
    return port


def _admin_ids(raw: str | None) -> frozenset[int]:
    if raw is None or not raw.strip():
        return frozenset()
    ids: set[int] = set()
    for part in raw.split(","):
        item = part.strip()
        if not item:
            continue
        user_id = parse_int(item, 1)  # isdigit() would pass '²', which int() then rejects
        if user_id is None:
            raise ConfigError(
                f"HIPCOACH_ADMIN_IDS={raw!r} must be Telegram user ids separated by commas "
                "(example: 12345678,87654321)"
            )
        ids.add(user_id)
    return frozenset(ids)
