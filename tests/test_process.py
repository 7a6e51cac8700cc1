"""The real `hipcoach run` process against the fake Bot API over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.sandbox import FakeBotAPI, FakeBotAPIServer
from tests.flows import changed, rate, state

from .conftest import TOKEN, spawn_bot

pytestmark = pytest.mark.e2e


async def start_bot(tmp_path: Path, base_url: str) -> asyncio.subprocess.Process:
    return await spawn_bot(tmp_path, base_url, HIPCOACH_LOG_LEVEL="DEBUG")


async def test_quick_routine_through_the_real_process(tmp_path):
    api = FakeBotAPI(TOKEN)
    server = FakeBotAPIServer(api)
    base_url = await server.start()
    proc = await start_bot(tmp_path, base_url)
    try:
        user = api.user(4242, "Runner")
        user.send("/routine")
        menu = await user.expect("Pick a routine", timeout=30)
        user.press("Quick", menu)
        for _ in range(3):
            # The menu turns into the first card; each later card is a new message.
            card = await user.see("Why:", timeout=10)
            acted = state(user)
            user.press("Start", card)
            while True:  # a tap edits the live message in place; a timer may send a new one
                msg = await changed(user, acted, wait=10)
                acted = state(user)
                labels = msg.labels
                if "✓ Done" in labels or any(t.startswith("✓ All") for t in labels):
                    user.press("✓", msg)
                elif "😌 Easy" in labels:
                    await rate(user, msg, "Easy", wait=10)
                    break
        summary = await user.expect("complete!", timeout=10)
        assert "Sets: 6/6" in summary.plain
        # Each finished exercise's messages were deleted: the summary is all that is left.
        await user.wait_until(lambda: [m for m in user.messages if not m.deleted] == [summary])
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
        await server.stop()
    assert code == 0
    conn = sqlite3.connect(tmp_path / "bot.db")
    try:
        sets = conn.execute("SELECT exercise, side, set_no FROM sets ORDER BY id").fetchall()
        status = conn.execute("SELECT status FROM sessions").fetchall()
    finally:
        conn.close()
    assert len(sets) == 6 and status == [("completed",)]
    log = (tmp_path / "bot.log").read_text()
    assert "hipcoach ready" in log and "recorded" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log, "the token leaked into the log"
    assert "getUpdates" in log  # DEBUG really was on, so the redaction was exercised
    for written in tmp_path.iterdir():  # nor into any file the bot wrote
        if written.is_file():
            assert TOKEN.encode() not in written.read_bytes(), written.name


async def test_no_token_exits_with_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "BotFather" in lines[0]


async def test_bad_setting_names_the_variable(tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "HIPCOACH_TIME_SCALE": "soon"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 2 and "HIPCOACH_TIME_SCALE" in err.decode()
