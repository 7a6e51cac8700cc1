"""The web server of webhook mode: Telegram's updates and the runners' calendar feeds.

One ASGI app (Starlette, served by uvicorn) replaces PTB's built-in webhook server, which
serves one route only; this is PTB's "custom webhook" pattern. The webhook answers as PTB's
did (403 without the secret header, 200 once the update is queued). A feed URL's token is a
credential, so it is never logged, not even as a path: uvicorn's access log stays off and
each feed request logs one line of its own. Each token has its own small budget; misses
(unknown tokens) share one budget for the whole server, and past it a guess is answered 429
instead of 404, so guessing is slow, while a runner's real link is never held up by it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import re
import time
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, ExtBot

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; a document arrives as a file id, never as bytes.
MAX_UPDATE_BYTES = 1 << 20
FEED_TOKEN = re.compile(r"^([A-Za-z0-9_-]{20,100})\.ics$")
FEED_HEADERS = {
    "Cache-Control": "private, max-age=300",
    "Content-Disposition": 'inline; filename="hipcoach.ics"',
    "X-Robots-Tag": "noindex",
}
CALENDAR_TYPE = "text/calendar; charset=utf-8"

Feed = Callable[[str], Awaitable[bytes | None]]


@dataclass(frozen=True)
class FeedLimits:
    """A calendar app polls a feed every few minutes at most; a burst covers a refresh
    tapped by hand. Misses are unknown tokens, whoever asks."""

    per_token_per_minute: float = 6.0
    per_token_burst: int = 3
    misses_per_second: float = 10.0
    misses_burst: int = 10
    max_tokens: int = 4096  # tokens remembered at once (least recently asked go first)


class Buckets:
    """Token buckets by key: `burst` requests at once, refilled at `rate` a second.

    A bucket that has refilled is the same as no bucket, so the table forgets it; it never
    holds more than `max_keys` (the least recently used are dropped first).
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_keys: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.max_keys, self.clock = rate, burst, max_keys, clock
        self._table: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key: level, when

    def __len__(self) -> int:
        return len(self._table)

    def _level(self, key: str, now: float) -> float:
        level, when = self._table.get(key, (self.burst, now))
        return min(float(self.burst), level + (now - when) * self.rate)

    def wait(self, key: str = "") -> float:
        """Seconds until `key` may go ahead (0: now), taking nothing."""
        level = self._level(key, self.clock())
        return 0.0 if level >= 1 else (1 - level) / self.rate

    def take(self, key: str = "") -> float:
        """Spend one request of `key`'s budget if it has one: 0. Else the seconds to wait."""
        now = self.clock()
        level = self._level(key, now)
        if level < 1:
            return (1 - level) / self.rate
        self._table[key] = (level - 1, now)
        self._table.move_to_end(key)
        self._prune(now)
        return 0.0

    def _prune(self, now: float) -> None:
        while self._table:
            oldest = next(iter(self._table))
            if len(self._table) <= self.max_keys and self._level(oldest, now) < self.burst:
                return
            del self._table[oldest]


def _too_many(seconds: float) -> Response:
    return PlainTextResponse(
        "Too Many Requests", 429, headers={"Retry-After": str(max(1, math.ceil(seconds)))}
    )


def build_web_app(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    webhook_path: str,
    secret: str,
    feed_prefix: str,
    feed: Feed,
    limits: FeedLimits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The webhook at `webhook_path`, feeds at `<feed_prefix>/<token>.ics`, GET /healthz."""
    limits = limits or FeedLimits()
    per_token = Buckets(
        limits.per_token_per_minute / 60,
        limits.per_token_burst,
        max_keys=limits.max_tokens,
        clock=clock,
    )
    misses = Buckets(limits.misses_per_second, limits.misses_burst, clock=clock)
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.debug("webhook: 403 (no or wrong secret header)")
            return Response(status_code=403)
        body = await request.body()  # over MAX_UPDATE_BYTES: the route answers 413
        try:
            data = json.loads(body)
            # de_json checks no types: an update without an integer id is no update.
            well_formed = isinstance(data, dict) and type(data.get("update_id")) is int
            update = Update.de_json(data, app.bot) if well_formed else None
        except Exception:  # any malformed JSON or not-an-Update, as PTB's server had it
            update = None
        if update is None:
            log.debug("webhook: 400 (not an update)")
            return Response(status_code=400)
        if isinstance(app.bot, ExtBot):  # arbitrary callback data, as PTB's server does
            app.bot.insert_callback_data(update)
        await app.update_queue.put(update)
        log.debug("webhook: update %d queued", update.update_id)
        return Response()

    async def calendar_feed(request: Request) -> Response:
        match = FEED_TOKEN.match(request.path_params["name"])
        if match is None:
            log.debug("calendar feed: 404 (malformed)")
            return Response(status_code=404)
        token = match.group(1)
        key = hashlib.sha256(token.encode()).hexdigest()[:32]
        if wait := per_token.take(key):
            log.debug("calendar feed: 429 (retry in %d s)", math.ceil(wait))
            return _too_many(wait)
        try:
            data = await feed(token)  # a lookup by the token's hash, then the calendar
        except Exception as exc:
            # The message and traceback may quote the token: print neither as they are.
            text = "".join(traceback.format_exception(exc)).replace(token, "<feed-token>")
            log.error("calendar feed: 500\n%s", text)
            return Response(status_code=500)
        if data is None:
            if wait := misses.take():  # guessing: slowed down, whoever asks
                log.debug("calendar feed: 429 (misses, retry in %d s)", math.ceil(wait))
                return _too_many(wait)
            log.debug("calendar feed: 404")
            return Response(status_code=404)
        log.info("calendar feed: %s 200 (%d bytes)", request.method, len(data))
        if request.method == "HEAD":  # the same headers, and the length of what GET sends
            headers = {**FEED_HEADERS, "Content-Length": str(len(data))}
            return Response(headers=headers, media_type=CALENDAR_TYPE)
        return Response(data, headers=FEED_HEADERS, media_type=CALENDAR_TYPE)

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    web = Starlette(
        routes=[
            Route(webhook_path, webhook, methods=["POST"], max_body_size=MAX_UPDATE_BYTES),
            Route(f"{feed_prefix.rstrip('/')}/{{name}}", calendar_feed, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    web.state.feed_buckets = per_token  # to look at (tests): how many tokens it remembers
    return web
