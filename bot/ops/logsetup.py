"""Logging set-up: one line per event, and the bot token never reaches any handler.

httpx logs every request URL (which contains the token) at INFO, and PTB logs its Bot API
URL at DEBUG; a filter on every handler rewrites any token-shaped string before output.
The webhook secret (in PTB's DEBUG line for setWebhook) is removed the same way, and so are
their percent-encoded spellings (a token in a URL may read `123%3AABC…`), and so is the
token in a calendar link's URL (in PTB's DEBUG line for the message that gives it).

Tracebacks nobody catches are redacted too: configure_logging installs `sys.excepthook`,
`threading.excepthook` and `sys.unraisablehook` (PTB's InvalidToken message quotes the whole
token). asyncio's unhandled task errors are logged, so the filter already covers them.

Lines logged while an update is handled end with ` [user=… update=…]`: a TypeHandler sets a
contextvar first thing, and UpdateContextFilter reads it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
import traceback
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import quote

# Any Telegram bot token: digits, a colon (maybe percent-encoded), and a long url-safe secret.
TOKEN_PATTERN = re.compile(r"\d{3,}(?::|%3[aA])[A-Za-z0-9_-]{20,}")
REDACTED = "<token>"
SECRET_REDACTED = "<secret>"
# A calendar link's path (`/calendar link`): its token is a password to the runner's runs.
# PTB logs the message that hands it over at DEBUG; the web server never logs it at all.
FEED_PATTERN = re.compile(r"/calendar/[A-Za-z0-9_-]{20,100}\.ics")
FEED_REDACTED = "/calendar/<feed-token>.ics"


def _spellings(secret: str) -> re.Pattern[str]:
    """`secret` as written or percent-encoded, character by character (`:` or `%3A`/`%3a`),
    which covers both `quote(secret)` and `quote(secret, safe="")`."""
    parts = []
    for char in secret:
        encoded = quote(char, safe="")
        literal = re.escape(char)
        parts.append(literal if encoded == char else f"(?:{literal}|(?i:{re.escape(encoded)}))")
    return re.compile("".join(parts))


class Redactor:
    """Removes one bot token and one webhook secret, in every spelling, from text."""

    def __init__(self, token: str | None = None, secret: str | None = None) -> None:
        self.rules: list[tuple[re.Pattern[str], str]] = []
        if token:
            self.rules.append((_spellings(token), REDACTED))
            # The part after the colon is the credential itself: never print it alone either.
            _, _, key = token.partition(":")
            if len(key) >= 8:
                self.rules.append((_spellings(key), REDACTED))
        if secret:
            self.rules.append((_spellings(secret), SECRET_REDACTED))

    def __call__(self, text: str) -> str:
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return FEED_PATTERN.sub(FEED_REDACTED, TOKEN_PATTERN.sub(REDACTED, text))


def redact(text: str, token: str | None = None) -> str:
    """Remove the bot token (and anything shaped like one) from text."""
    return Redactor(token)(text)


class RedactTokenFilter(logging.Filter):
    """Rewrites each record's final message and traceback so no token survives."""

    def __init__(self, token: str | None = None, secret: str | None = None) -> None:
        super().__init__()
        self._clean = Redactor(token, secret)  # the webhook secret_token is just as sensitive

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


# PTB lines that only repeat an exception it raises to our code, which says it in one line
# (`hipcoach run` on a rejected token or a wrong API URL, doctor): shown at DEBUG only.
_PTB_REPEATS = (
    ("telegram.ext", "Invalid token. Aborting retry loop."),
    ("telegram.request.BaseRequest", "Can not load invalid JSON data"),
)


class PtbRepeatsFilter(logging.Filter):
    """Drops PTB's own traceback of an error its caller reports anyway, unless at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().isEnabledFor(logging.DEBUG) or not isinstance(record.msg, str):
            return True
        return not any(record.name == name and text in record.msg for name, text in _PTB_REPEATS)


def install_excepthooks(token: str | None, secret: str | None = None) -> None:
    """Uncaught exceptions (main thread, other threads, `__del__`) print as Python would
    print them, redacted: under systemd, stderr is the journal."""
    clean = Redactor(token, secret)

    def show(
        header: str,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        lines = traceback.format_exception(kind, value, tb) if kind is not None else []
        try:
            sys.stderr.write(clean(header + "".join(lines)))
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):  # stderr closed or gone: stay silent
            pass

    def on_uncaught(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        show("", kind, value, tb)

    def on_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:  # what the default hook ignores, too
            return
        name = args.thread.name if args.thread is not None else threading.get_ident()
        show(f"Exception in thread {name}:\n", args.exc_type, args.exc_value, args.exc_traceback)

    def on_unraisable(args: sys.UnraisableHookArgs) -> None:
        where = args.err_msg or "Exception ignored in"
        header = f"{where}: {args.object!r}\n" if args.object is not None else f"{where}:\n"
        show(header, args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = on_uncaught
    threading.excepthook = on_thread
    sys.unraisablehook = on_unraisable


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


def forget_update_user() -> None:
    """From here on, this update's lines carry its update id only: an update that erases
    the runner (/deleteme) must not name them in the log either."""
    tag = _update_tag.get()
    if tag is not None:
        _update_tag.set(UpdateTag(None, tag.update_id, tag.task))


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
    handler.addFilter(PtbRepeatsFilter())
    install_excepthooks(token, secret)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx's per-request INFO lines are noise (and carry the URL); keep its warnings.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
