"""The web server of webhook mode, in process: the webhook's answers (as PTB's own server
gave them), the calendar feed's answers, headers and rate limits, and no feed token in any
log line."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from telegram.ext import Application

from bot.transport.web import Buckets, FeedLimits, build_web_app

from .conftest import TOKEN

SECRET = "web-Secret_0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
HOOK = "/hipcoach/hook"
PREFIX = "/hipcoach/calendar"
KNOWN = "Known-feed_token-0123456789abcdefABCDEF"
CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
UPDATE = {
    "update_id": 7,
    "message": {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Runner"},
        "from": {"id": 42, "is_bot": False, "first_name": "Runner"},
        "text": "/start",
    },
}


def server_side(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured line but the test's own HTTP client's (which names the URL)."""
    records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    return "\n".join(caplog.handler.format(r) for r in records)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Server:
    """The web app around a real (never started) PTB Application and a fake feed."""

    def __init__(self, limits: FeedLimits | None = None) -> None:
        self.app = Application.builder().token(TOKEN).updater(None).build()
        self.clock = FakeClock()
        self.asked: list[str] = []
        self.broken: Exception | None = None
        self.web = build_web_app(
            self.app,
            webhook_path=HOOK,
            secret=SECRET,
            feed_prefix=PREFIX,
            feed=self.feed,
            limits=limits,
            clock=self.clock,
        )
        transport = httpx.ASGITransport(app=self.web)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://bot.test")

    async def feed(self, token: str) -> bytes | None:
        self.asked.append(token)
        if self.broken is not None:
            raise self.broken
        return CALENDAR if token == KNOWN else None

    def queued(self) -> list[int]:
        ids = []
        while not self.app.update_queue.empty():
            ids.append(self.app.update_queue.get_nowait().update_id)
        return ids


@pytest.fixture
async def server():
    s = Server()
    yield s
    await s.client.aclose()


def feed_url(token: str) -> str:
    return f"{PREFIX}/{token}.ics"


async def post(server: Server, body: bytes, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[HEADER] = secret
    response = await server.client.post(HOOK, content=body, headers=headers)
    return response.status_code


async def test_the_webhook_answers_as_ptbs_server_did(server):
    body = json.dumps(UPDATE).encode()
    assert await post(server, body, None) == 403
    assert await post(server, body, SECRET[:-1] + "X") == 403
    assert await post(server, body, "") == 403
    assert server.queued() == []
    for garbage in (b"not json", b"[1, 2]", b"{}", b'{"update_id": "x"}', b"\xff\xfe", b""):
        assert await post(server, garbage) == 400, garbage
    huge = json.dumps({**UPDATE, "pad": "x" * (1 << 20)}).encode()
    assert await post(server, huge) == 413
    assert server.queued() == []
    response = await server.client.post(HOOK, content=body, headers={HEADER: SECRET})
    assert (response.status_code, response.content) == (200, b"")
    assert server.queued() == [7]


async def test_the_feed_serves_a_known_token_with_private_headers(server):
    response = await server.client.get(feed_url(KNOWN))
    assert response.status_code == 200
    assert response.content == CALENDAR
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, max-age=300"
    assert response.headers["content-disposition"] == 'inline; filename="hipcoach.ics"'
    assert response.headers["x-robots-tag"] == "noindex"
    head = await server.client.head(feed_url(KNOWN))
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(CALENDAR))
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert server.asked == [KNOWN, KNOWN]


async def test_unknown_and_malformed_tokens_are_404_and_malformed_ones_never_looked_up(server):
    unknown = "Unknown-token_0123456789abcdef"
    assert (await server.client.get(feed_url(unknown))).status_code == 404
    assert server.asked == [unknown]
    malformed = [
        f"{PREFIX}/short.ics",  # under 20 characters
        feed_url("x" * 101),  # over 100
        feed_url("has.a.dot-0123456789abcdef"),
        feed_url("percent%20encoded-0123456789"),
        f"{PREFIX}/{KNOWN}",  # no .ics
        f"{PREFIX}/{KNOWN}.ICS",
        f"{PREFIX}/{KNOWN}.ics.bak",
        f"{PREFIX}/sub/{KNOWN}.ics",
        f"/calendar/{KNOWN}.ics",  # not under the prefix
        f"{PREFIX}/",
    ]
    for url in malformed:
        assert (await server.client.get(url)).status_code == 404, url
    assert server.asked == [unknown]
    assert (await server.client.get("/healthz")).text == "ok"
    assert (await server.client.get("/anything")).status_code == 404


async def test_a_burst_then_429_with_retry_after_then_again_after_a_while(server):
    for _ in range(3):  # the burst
        assert (await server.client.get(feed_url(KNOWN))).status_code == 200
    over = await server.client.get(feed_url(KNOWN))
    assert over.status_code == 429
    assert over.headers["retry-after"] == "10"  # 6 a minute: one every 10 s
    assert len(server.asked) == 3  # a limited request reads nothing
    # Another runner's token has its own budget.
    other = "Other-runner-token-0123456789"
    assert (await server.client.get(feed_url(other))).status_code == 404
    server.clock.now += 10
    assert (await server.client.get(feed_url(KNOWN))).status_code == 200
    assert (await server.client.get(feed_url(KNOWN))).status_code == 429


async def test_misses_share_one_budget_so_guessing_is_slow(server):
    guesses = [f"guess-{i:04d}-0123456789abcdef" for i in range(10)]
    for guess in guesses:
        assert (await server.client.get(feed_url(guess))).status_code == 404
    # The budget for misses is spent: the next guess is answered 429, not 404...
    over = await server.client.get(feed_url("guess-9999-0123456789abcdef"))
    assert (over.status_code, over.headers["retry-after"]) == (429, "1")
    # ...while a runner's real link is served as ever: guessing never locks it out.
    assert (await server.client.get(feed_url(KNOWN))).status_code == 200
    server.clock.now += 0.1  # 10 a second: one more guess gets its 404
    assert (await server.client.get(feed_url("guess-9998-0123456789abcdef"))).status_code == 404


async def test_the_per_token_table_stays_bounded():
    s = Server(FeedLimits(max_tokens=50, misses_per_second=1000, misses_burst=1000))
    try:
        for i in range(300):
            response = await s.client.get(feed_url(f"token-{i:05d}-0123456789abcdef"))
            assert response.status_code == 404
            assert len(s.web.state.feed_buckets) <= 50
        # Idle long enough for every bucket to refill: one new request leaves one entry.
        s.clock.now += 31
        assert (await s.client.get(feed_url(KNOWN))).status_code == 200
        assert len(s.web.state.feed_buckets) == 1
    finally:
        await s.client.aclose()


async def test_a_broken_feed_answers_500_without_the_token(server, caplog):
    server.broken = RuntimeError(f"no feed row for {KNOWN}")
    with caplog.at_level(logging.DEBUG):
        assert (await server.client.get(feed_url(KNOWN))).status_code == 500
    logged = server_side(caplog)
    assert "calendar feed: 500" in logged and "RuntimeError: no feed row for <feed-token>" in logged
    assert KNOWN not in logged


async def test_no_token_in_any_log_line_at_debug(server, caplog):
    unknown = "Unknown-token_0123456789abcdef"
    with caplog.at_level(logging.DEBUG):
        for token in (KNOWN, unknown, KNOWN, KNOWN, KNOWN):
            await server.client.get(feed_url(token))
        await server.client.get(f"{PREFIX}/short.ics")
        await server.client.head(feed_url(KNOWN))
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.transport.web"]
    assert lines == [
        f"calendar feed: GET 200 ({len(CALENDAR)} bytes)",
        "calendar feed: 404",
        f"calendar feed: GET 200 ({len(CALENDAR)} bytes)",
        f"calendar feed: GET 200 ({len(CALENDAR)} bytes)",
        "calendar feed: 429 (retry in 10 s)",
        "calendar feed: 404 (malformed)",
        "calendar feed: 429 (retry in 10 s)",
    ]
    logged = server_side(caplog)
    for token in (KNOWN, unknown, "short"):
        assert token not in logged


def test_buckets_refill_and_forget():
    clock = FakeClock()
    buckets = Buckets(rate=0.5, burst=2, max_keys=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 2.0]
    assert buckets.wait("a") == 2.0 and buckets.wait("b") == 0.0
    clock.now += 1
    assert buckets.take("a") == 1.0  # half a request's worth back
    clock.now += 1
    assert buckets.take("a") == 0.0
    for key in "bcde":
        buckets.take(key)
    assert len(buckets) == 3  # the least recently used went first
    clock.now += 4  # everyone refilled: the next take forgets them all
    buckets.take("f")
    assert len(buckets) == 1
