"""Configuration from environment variables (and an optional `.env`), read only when asked.

Every value is checked once at start-up; a bad one stops the bot with a message that names
the variable, so an operator never has to read a traceback to fix a typo.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.content import DATA_DIR

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB = DATA_DIR / "hipcoach.db"
TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


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

    @property
    def file_url(self) -> str:
        """The file-download base matching `api_url` (`…/bot` -> `…/file/bot`)."""
        base, _, tail = self.api_url.rstrip("/").rpartition("/")
        return f"{base}/file/{tail}"

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
        return cls(
            token=_token(values.get("TELEGRAM_BOT_TOKEN")),
            db_path=_db_path(values.get("HIPCOACH_DB")),
            api_url=_api_url(values.get("TELEGRAM_API_URL")),
            time_scale=_float(values, "HIPCOACH_TIME_SCALE", 1.0, low=0.0, high=100.0),
            log_level=_log_level(values.get("HIPCOACH_LOG_LEVEL")),
            idle_timeout_minutes=_float(
                values, "HIPCOACH_IDLE_TIMEOUT", 30.0, low=1 / 60, high=24 * 60
            ),
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
