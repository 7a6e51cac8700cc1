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
            # The server starts listening right after setWebhook; wait for it to answer.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while True:
                try:
                    no_secret = await deliver(client, hook, forged, None)
                    break
                except httpx.ConnectError:
                    if loop.time() > deadline:
                        raise
                    await api.wait_for_change(0.05)
            wrong_secret = await deliver(client, hook, forged, SECRET[:-1] + "X")
            user.send("/start")
            genuine = api.update_log[-1]
            accepted = await deliver(client, hook, genuine, SECRET)
        assert (no_secret, wrong_secret, accepted) == (403, 403, 200)

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
