"""Logging set-up: one line per event, and the bot token never reaches any handler.

httpx logs every request URL (which contains the token) at INFO, and PTB logs its Bot API
URL at DEBUG; a filter on every handler rewrites any token-shaped string before output.
The webhook secret (in PTB's DEBUG line for setWebhook) is removed the same way.

Lines logged while an update is handled end with ` [user=… update=…]`: a TypeHandler sets a
contextvar first thing, and UpdateContextFilter reads it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from contextvars import ContextVar
from dataclasses import dataclass

# Any Telegram bot token: digits, a colon, and a long url-safe secret.
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "<token>"
SECRET_REDACTED = "<secret>"


def redact(text: str, token: str | None = None) -> str:
    """Remove the bot token (and anything shaped like one) from text."""
    if token:
        text = text.replace(token, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactTokenFilter(logging.Filter):
    """Rewrites each record's final message and traceback so no token survives."""

    def __init__(self, token: str | None = None, secret: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.secret = secret  # the webhook secret_token, just as sensitive

    def _clean(self, text: str) -> str:
        text = redact(text, self.token)
        return text.replace(self.secret, SECRET_REDACTED) if self.secret else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self._clean(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, and drop the live exception.
            formatter = logging.Formatter()
            record.exc_text = self._clean(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


@dataclass(frozen=True)
class UpdateTag:
    user_id: int | None
    update_id: int
    task: asyncio.Task[object] | None  # the task handling the update


_update_tag: ContextVar[UpdateTag | None] = ContextVar("hipcoach_update", default=None)


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop (a thread, or shutdown)
        return None


def set_update_context(user_id: int | None, update_id: int) -> None:
    """Called first thing for every update: later lines from the same task carry its ids."""
    _update_tag.set(UpdateTag(user_id, update_id, _current_task()))


class UpdateContextFilter(logging.Filter):
    """Adds `record.update_ctx`: ` [user=… update=…]` while an update is handled, else "".

    Tasks copy contextvars when they are created, so a job scheduled from a handler would
    inherit the tag; comparing the task keeps job lines untagged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        tag = _update_tag.get()
        record.update_ctx = ""
        if tag is not None and tag.task is _current_task():
            user = f"user={tag.user_id} " if tag.user_id is not None else ""
            record.update_ctx = f" [{user}update={tag.update_id}]"
        return True


def configure_logging(
    level: str = "INFO", token: str | None = None, secret: str | None = None
) -> None:
    """Called once from main(): never at import, so tests and tools keep their own logging."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s%(update_ctx)s", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler.addFilter(RedactTokenFilter(token, secret))
    handler.addFilter(UpdateContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx's per-request INFO lines are noise (and carry the URL); keep its warnings.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
