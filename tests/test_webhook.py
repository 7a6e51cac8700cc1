"""Webhook mode: the real `python -m bot run` process receives updates over HTTP from
"Telegram" (the test), answers through the fake Bot API, and rejects requests without the
secret header."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.sandbox import FakeBotAPI, FakeBotAPIServer

from .conftest import TOKEN, spawn_bot

pytestmark = pytest.mark.e2e

SECRET = "hook-Secret_0123456789abcdef"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
GUESS = "Gu3ss-the_Feed-Token-0123456789abcdefXYZ"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_bot(tmp_path: Path, base_url: str, port: int) -> asyncio.subprocess.Process:
    return await spawn_bot(
        tmp_path,
        base_url,
        HIPCOACH_LOG_LEVEL="DEBUG",
        HIPCOACH_WEBHOOK_URL=f"http://127.0.0.1:{port}/hipcoach/hook",
        HIPCOACH_WEBHOOK_SECRET=SECRET,
        HIPCOACH_LISTEN="127.0.0.1",
        HIPCOACH_PORT=str(port),
    )


async def deliver(
    client: httpx.AsyncClient, url: str, update: dict[str, Any], secret: str | None
) -> int:
    """POST one update as Telegram does; the status code the bot's server answered."""
    headers = {HEADER: secret} if secret is not None else {}
    response = await client.post(url, json=update, headers=headers)
    return response.status_code


async def wait_listening(client: httpx.AsyncClient, base: str) -> None:
    """Until the bot's web server at `base` (`http://127.0.0.1:<port>`) answers /healthz
    (it starts listening once setWebhook is done), for 10 s at most."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        try:
            response = await client.get(f"{base}/healthz")
        except httpx.ConnectError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)  # nothing to wait on but the socket itself
            continue
        assert (response.status_code, response.text) == (200, "ok")
        return


async def test_webhook_mode_end_to_end(tmp_path):
    api = FakeBotAPI(TOKEN)
    server = FakeBotAPIServer(api)
    base_url = await server.start()
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hipcoach/hook"
    proc = await start_bot(tmp_path, base_url, port)
    try:
        # The bot registers its webhook, with the secret, instead of polling.
        await api.wait_until(
            lambda: any(r.method == "setWebhook" and r.status == 200 for r in api.requests),
            timeout=30,
        )
        [set_webhook] = [r for r in api.requests if r.method == "setWebhook"]
        assert set_webhook.params["url"] == hook
        assert set_webhook.params["secret_token"] == SECRET
        assert api.webhook_url == hook

        user = api.user(4242, "Runner")
        user.send("/help")
        forged = api.update_log[-1]
        async with httpx.AsyncClient(timeout=10) as client:
            await wait_listening(client, f"http://127.0.0.1:{port}")
            no_secret = await deliver(client, hook, forged, None)
            wrong_secret = await deliver(client, hook, forged, SECRET[:-1] + "X")
            user.send("/start")
            genuine = api.update_log[-1]
            accepted = await deliver(client, hook, genuine, SECRET)
            # Calendar feeds live next to the webhook; an unknown token is a plain 404.
            feed = f"http://127.0.0.1:{port}/hipcoach/calendar/{GUESS}.ics"
            unknown = await client.get(feed)
            unknown_head = await client.head(feed)
            elsewhere = await client.get(f"http://127.0.0.1:{port}/hipcoach/{GUESS}.ics")
        assert (no_secret, wrong_secret, accepted) == (403, 403, 200)
        assert (unknown.status_code, unknown_head.status_code) == (404, 404)
        assert elsewhere.status_code == 404

        welcome = await user.expect("hip coach", timeout=10)
        assert welcome.buttons
        assert [m.plain for m in user.messages] == [welcome.plain]  # /help never got in
        assert not any(r.method == "getUpdates" for r in api.requests)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
        await server.stop()
    assert code == 0

    conn = sqlite3.connect(tmp_path / "bot.db")
    try:
        users = conn.execute("SELECT id FROM users").fetchall()
    finally:
        conn.close()
    assert users == [(4242,)]
    log = (tmp_path / "bot.log").read_text()
    assert "starting hipcoach (webhook" in log
    assert SECRET not in log, "the webhook secret leaked into the log"
    assert "<secret>" in log  # PTB's DEBUG line for setWebhook was there, redacted
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    tag = f"[user=4242 update={genuine['update_id']}]"
    assert any("sendMessage" in line and line.endswith(tag) for line in log.splitlines())
    assert f"update={forged['update_id']}]" not in log
    # Each feed request is one line of its own, without the token (no access log either).
    assert log.count("calendar feed: 404") == 2
    assert GUESS not in log, "a feed token reached the log"


async def test_a_runners_calendar_link_over_http(tmp_path):
    """`/calendar link` in webhook mode: the URL it gives serves the runner's runs (200 and
    a calendar icalendar reads), a wrong token and the revoked link get 404, and the token
    never reaches the log, even at DEBUG."""
    import icalendar

    api = FakeBotAPI(TOKEN)
    server = FakeBotAPIServer(api)
    base_url = await server.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = await start_bot(tmp_path, base_url, port)
    user = api.user(4242, "Runner")
    try:
        await api.wait_until(lambda: api.webhook_url is not None, timeout=30)
        async with httpx.AsyncClient(timeout=10) as client:
            await wait_listening(client, base)

            async def say(text: str, answer: str) -> str:
                user.send(text)
                assert await deliver(client, f"{base}/hipcoach/hook", api.update_log[-1], SECRET)
                return (await user.expect(answer, timeout=10)).plain

            await say("/timezone Europe/Madrid", "Europe/Madrid")
            await say("/plan tue 07:00", "planned")
            shown = await say("/calendar link", "calendar link")
            [url] = [w for w in shown.split() if w.startswith("http://")]
            assert url.startswith(f"{base}/hipcoach/calendar/") and url.endswith(".ics")
            token = url.rsplit("/", 1)[1].removesuffix(".ics")

            ok = await client.get(url)
            wrong = await client.get(
                url.replace(token, token[:-2] + ("yx" if token.endswith("xy") else "xy"))
            )
            await say("/calendar revoke", "turned off")
            revoked = await client.get(url)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
        await server.stop()
    assert code == 0

    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ok.content)
    runs = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("run-")]
    assert len(runs) == 8  # a weekly run over the next 8 weeks
    for event in runs:
        start = event.decoded("DTSTART")
        assert (start.weekday(), start.hour, start.minute) == (1, 7, 0)
        assert str(start.tzinfo) == "Europe/Madrid" or "Madrid" in str(event["DTSTART"].params)
    assert (wrong.status_code, revoked.status_code) == (404, 404)

    log = (tmp_path / "bot.log").read_text()
    assert token not in log, "the calendar link's token reached the log"
    assert "calendar feed: GET 200" in log
    assert log.count("calendar feed: 404") == 2
