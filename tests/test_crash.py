"""kill -9 the real bot process at many moments: every confirmed set survives exactly once,
and interrupted sessions are offered back and can be finished."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.sandbox import BotMessage, FakeBotAPI, FakeBotAPIServer, FakeUser
from bot.services.reminders import SEND_CONCURRENCY

from .conftest import TOKEN, spawn_bot
from .flows import asks_question

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

CUES = {"hip circles": "rotations", "knee lifts": "flexion", "hold 30 s": "ninety_ninety"}


def set_key(message: BotMessage) -> tuple[str, str, int] | None:
    """(exercise, side, set) named by a set prompt, or None."""
    text = message.plain
    exercise = next((e for cue, e in CUES.items() if cue in text), None)
    found = re.search(r"Set (\d+)/\d+ · (right|left) side", text)
    if exercise is None or found is None:
        return None
    return exercise, found.group(2), int(found.group(1))


def current(user: FakeUser) -> BotMessage | None:
    """The message a runner acts on: the newest visible one with buttons, or a summary.

    A session edits its live message in place, so the newest message is not always it: a
    continue prompt sent after a restart may sit below it, and loses its buttons once used.
    """
    for message in reversed(user.messages):
        if not message.deleted and (message.buttons or "complete!" in message.plain):
            return message
    return None


def state(user: FakeUser) -> tuple[int, int]:
    """Where the runner's chat stands: the current message and how often it was edited."""
    message = current(user)
    return (message.message_id, message.edit_count) if message is not None else (0, 0)


class Runner:
    """One user tapping through a Full routine, noting every set the bot confirmed."""

    def __init__(self, user: FakeUser) -> None:
        self.user = user
        self.confirmed: list[tuple[str, str, int]] = []
        self.done = False
        self.resumed = 0  # times a restart offered the unfinished session back
        self.ready = asyncio.Event()
        self.since = 0  # messages before this index came from an earlier process
        self.acted = (0, 0)  # the state of the chat when the runner last tapped

    async def resume(self) -> None:
        """After a (re)start: /routine, then Continue or pick the Full routine."""
        self.user.send("/routine")

        def offer(m: BotMessage) -> bool:
            return any(
                s in m.plain for s in ("in progress", "Pick a routine", "I was restarted")
            ) and bool(m.buttons)

        await self.user.wait_until(
            lambda: any(offer(m) for m in self.user.messages[self.since :]), timeout=20
        )
        msg = next(m for m in self.user.messages[self.since :] if offer(m))
        self.ready.set()
        self.acted = (msg.message_id, msg.edit_count)
        if "Pick a routine" in msg.plain:
            self.user.press("Full routine", msg)
        else:
            self.resumed += 1
            self.user.press("Continue", msg)

    async def tap(self) -> None:
        """Keep pressing whatever the current message asks for, each time it changes (a
        new message, or an edit in place), until the summary."""
        while not self.done:
            await self.user.wait_until(lambda: state(self.user) != self.acted, timeout=20)
            msg = current(self.user)
            assert msg is not None
            self.acted = state(self.user)
            if "complete!" in msg.plain:
                self.done = True
                return
            await asyncio.sleep(0.3)  # a quick human, not a flood
            if state(self.user) != self.acted:
                continue  # it moved on meanwhile (a timer): look again
            labels = msg.labels
            if "▶ Start" in labels:
                query = self.user.press("Start", msg)
            elif "✓ Done" in labels or any(t.startswith("✓ All") for t in labels):
                key = set_key(msg)
                query = self.user.press("✓", msg)
                text, _ = await self.user.answer_for(query, timeout=20)
                if text == "Saved ✓" and key:
                    self.confirmed.append(key)
                continue
            elif "😌 Easy" in labels:
                # The coach may then ask a watch-point question, in the same message.
                query = self.user.press("Easy", msg)
            elif asks_question(msg):
                query = self.user.press("Yes", msg)
            elif "▶ Continue" in labels:
                query = self.user.press("Continue", msg)
            else:
                continue  # a countdown runs by itself
            await self.user.answer_for(query, timeout=20)


async def spawn(tmp_path: Path, base_url: str) -> asyncio.subprocess.Process:
    return await spawn_bot(tmp_path, base_url, db="crash.db")


async def test_kill_9_at_many_moments_loses_and_duplicates_nothing(tmp_path):
    rng = random.Random(20261125)
    api = FakeBotAPI(TOKEN)
    server = FakeBotAPIServer(api)
    base_url = await server.start()
    runners = [Runner(api.user(8000 + i, f"Runner{i}")) for i in range(3)]
    # Planners only plan runs starting soon, so their reminders fall due among the kills.
    planners = [api.user(8100 + i, f"Planner{i}") for i in range(4)]
    soon = datetime.now(UTC) + timedelta(minutes=10)
    kills = 0
    try:
        for _ in range(6):
            for r in runners:
                r.since = len(r.user.messages)
            proc = await spawn(tmp_path, base_url)
            active = [r for r in runners if not r.done]
            for r in active:
                r.ready.clear()
            tasks = [asyncio.create_task(_run(r)) for r in active]
            await asyncio.wait_for(asyncio.gather(*(r.ready.wait() for r in active)), 30)
            if kills < len(planners):  # one more plan per round, made through the bot
                when = soon + timedelta(minutes=kills)
                planners[kills].send(f"/plan {when:%Y-%m-%d %H:%M}")
            await asyncio.sleep(rng.uniform(0.1, 1.5))  # a random moment mid-routine
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            kills += 1
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, AssertionError):
                    await task
        for r in runners:
            r.since = len(r.user.messages)
        proc = await spawn(tmp_path, base_url)
        await asyncio.gather(*(_run(r) for r in runners if not r.done))
        runners[0].user.send("/help")  # the process is surely up before it is stopped
        await runners[0].user.expect("/routine", timeout=20)
        await _settled(tmp_path / "crash.db")
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), timeout=20) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()

    conn = sqlite3.connect(tmp_path / "crash.db")
    try:
        sets = conn.execute(
            "SELECT user_id, session_id, exercise, side, set_no FROM sets"
        ).fetchall()
        statuses = conn.execute("SELECT user_id, status FROM sessions").fetchall()
        reminders = conn.execute(
            "SELECT id, status FROM reminders WHERE kind = 'pre_run'"
        ).fetchall()
    finally:
        conn.close()
    assert kills == 6
    assert len(sets) == len(set(sets)), "a set was stored twice"
    for runner in runners:
        assert runner.done
        mine = [(e, s, n) for u, _, e, s, n in sets if u == runner.user.id]
        for key in runner.confirmed:
            assert key in mine, f"confirmed set {key} is missing"
        completed = [st for u, st in statuses if u == runner.user.id and st == "completed"]
        assert completed, "each runner finished a routine after the crashes"
        assert all(st != "active" for u, st in statuses if u == runner.user.id)
    # Reminders: one message per sent row, none for any other row, nothing sent twice.
    reminder_messages = [
        m for p in planners for m in p.messages if m.buttons and "rm:" in m.buttons[0][0][1]
    ]
    ids = [int(m.buttons[0][0][1].split(":")[1]) for m in reminder_messages]
    assert len(ids) == len(set(ids)), "a reminder was sent twice"
    sent_rows = {r for r, st in reminders if st == "sent"}
    assert set(ids) == sent_rows, "every sent reminder arrived, and only those"
    lost = [r for r, st in reminders if st == "claimed"]  # at-most-once: a kill mid-send
    assert len(reminders) == 4 and len(sent_rows) + len(lost) == 4
    assert len(lost) <= SEND_CONCURRENCY  # only sends in flight at a kill can be lost
    # The kills really fell mid-routine: runners needed the continue prompt.
    assert sum(len(r.confirmed) for r in runners) >= 12
    assert sum(r.resumed for r in runners) >= 3


async def _settled(db_path: Path) -> None:
    """Wait (a few dispatcher passes at most) until no pre-run reminder is still pending."""
    for _ in range(200):
        conn = sqlite3.connect(db_path)
        try:
            pending = conn.execute(
                "SELECT COUNT(*) FROM reminders WHERE kind = 'pre_run' AND status = 'pending'"
            ).fetchone()[0]
        finally:
            conn.close()
        if not pending:
            return
        await asyncio.sleep(0.1)  # polling the database file of another process
    raise AssertionError("reminders still pending after 20 s")


async def _run(runner: Runner) -> None:
    await runner.resume()
    await runner.tap()
