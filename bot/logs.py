"""Logging set-up: one line per event, and the bot token never reaches any handler.

httpx logs every request URL (which contains the token) at INFO, and PTB logs its Bot API
URL at DEBUG; a filter on every handler rewrites any token-shaped string before output.
"""

from __future__ import annotations

import logging
import re
import sys

# Any Telegram bot token: digits, a colon, and a long url-safe secret.
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "<token>"


def redact(text: str, token: str | None = None) -> str:
    """Remove the bot token (and anything shaped like one) from text."""
    if token:
        text = text.replace(token, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactTokenFilter(logging.Filter):
    """Rewrites each record's final message and traceback so no token survives."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.token)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, and drop the live exception.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info), self.token)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.token)
        return True


def configure_logging(level: str = "INFO", token: str | None = None) -> None:
    """Called once from main(): never at import, so tests and tools keep their own logging."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    handler.addFilter(RedactTokenFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx's per-request INFO lines are noise (and carry the URL); keep its warnings.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
