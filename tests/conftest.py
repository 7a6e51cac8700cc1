"""The test harness: the real Application, real JobQueue and a real SQLite file, talking to
the fake Bot API from bot/sandbox. Tests act as users and then check messages and rows."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from bot.config import Config
from bot.core.clock import Clock, OffsetClock
from bot.sandbox import FakeBotAPI, FakeRequest, FakeUser
from bot.services.reminders import JOB_NAME, run_dispatch_pass
from bot.services.state import services_of
from bot.transport.runtime import running

TOKEN = "123456:TEST-sandbox-token-for-hipcoach"
MON_0600 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # where tests with a movable clock start


class Harness:
    """One bot process's worth of state; `restart()` builds a new Application on the same DB."""

    def __init__(self, tmp_path: Path, *, time_scale: float = 0.0, idle_minutes: float = 30.0):
        self.api = FakeBotAPI(TOKEN)
        self.config = Config(
            token=TOKEN,
            db_path=tmp_path / "hipcoach.db",
            api_url="http://fake.invalid/bot",
            time_scale=time_scale,
            idle_timeout_minutes=idle_minutes,
            # No pacing: it is tested on its own (test_reliability); elsewhere it would only
            # slow tests down and thin out their tidy-up edits.
            rate_limit=0.0,
            chat_rate_limit=0.0,
        )
        self.clock: Clock | None = None
        self.rate_limiter: Any = None  # None: built from the config, as in production
        self.only_users: frozenset[int] | None = None  # None: this process serves everyone
        self.app: Any = None
        self._stack: AsyncExitStack | None = None

    def reconfigure(self, **changes: Any) -> None:
        self.config = replace(self.config, **changes)

    async def start(self) -> Any:
        assert self._stack is None, "already running"
        self.app = build_application(
            self.config,
            request=FakeRequest(self.api),
            get_updates_request=FakeRequest(self.api),
            clock=self.clock,
            rate_limiter=self.rate_limiter,
            only_users=self.only_users,
        )
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running(self.app))
        return self.app

    async def stop(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def restart(self) -> Any:
        await self.stop()
        return await self.start()

    async def start_at(self, when: datetime = MON_0600, *, dispatcher: bool = False) -> None:
        """Start with the clock at `when` (real time runs on from there); without the
        repeating dispatcher job unless asked, so reminders go out only on `move_to`."""
        self.clock = OffsetClock()
        self.clock.set(when)
        await self.start()
        if not dispatcher:
            self.stop_dispatcher()

    def stop_dispatcher(self) -> None:
        """Stop the repeating dispatcher job: the test runs dispatch passes itself."""
        for job in self.app.job_queue.get_jobs_by_name(JOB_NAME):
            job.schedule_removal()

    async def move_to(self, when: datetime) -> int:
        """Set the clock and run one dispatcher pass; returns how many were sent."""
        self.clock.set(when)
        return await run_dispatch_pass(self.app)

    @property
    def services(self) -> Any:
        return services_of(self.app)

    def user(
        self, user_id: int = 1001, first_name: str = "Ada", language_code: str = "en"
    ) -> FakeUser:
        return self.api.user(user_id, first_name, language_code=language_code)

    def rows(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        """Read what is committed, through a connection of our own."""
        conn = sqlite3.connect(self.config.db_path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every committed row of every table, to check that something changed nothing;
        without when the user was last seen (every update sets it)."""
        conn = sqlite3.connect(self.config.db_path)
        try:
            tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            rows = {
                t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for (t,) in tables.fetchall()
            }
            users = conn.execute("SELECT * FROM users LIMIT 0")
            seen = [d[0] for d in users.description].index("last_seen_at")
            rows["users"] = [r[:seen] + r[seen + 1 :] for r in rows["users"]]
            return rows
        finally:
            conn.close()


async def spawn_bot(
    tmp_path: Path, base_url: str, *, db: str = "bot.db", **env: str
) -> asyncio.subprocess.Process:
    """Start the real `python -m bot run` against the fake over HTTP, from an unrelated
    working directory (as a service manager would), logging to tmp_path/bot.log."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": base_url,
        "HIPCOACH_DB": str(tmp_path / db),
        "HIPCOACH_TIME_SCALE": "0",
        "HIPCOACH_RATE_LIMIT": "0",
        "HIPCOACH_CHAT_RATE_LIMIT": "0",
        **env,
    }
    log = (tmp_path / "bot.log").open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=environment,
            stdout=log,
            stderr=log,
        )
    finally:
        log.close()  # the child keeps its own descriptor


@pytest.fixture
async def harness(tmp_path):
    h = Harness(tmp_path)
    yield h
    await h.stop()


@pytest.fixture
async def bot(harness):
    """A running bot at time scale 0: every timer fires at once."""
    await harness.start()
    return harness
