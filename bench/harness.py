"""What every scenario shares: an instrumented fake Bot API, the real Application, figures.

The bot under test is always the real one from `bot.app.build_application`, started with
`bot.transport.runtime.running` exactly as the tests do; only the fake Telegram side is
instrumented.
"""

from __future__ import annotations

import asyncio
import cProfile
import functools
import io
import logging
import math
import os
import platform
import pstats
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

from bot.app import build_application
from bot.config import Config
from bot.core.clock import Clock
from bot.sandbox import FakeBotAPI, FakeRequest
from bot.sandbox.models import RecordedRequest
from bot.transport.ratelimit import HipcoachRateLimiter
from bot.transport.runtime import running
from bot.transport.updates import FairUpdateProcessor

TOKEN = "123456:BENCH-sandbox-token-for-hipcoach"
API_URL = "http://fake.invalid/bot"

Listener = Callable[[RecordedRequest], None]


class BenchAPI(FakeBotAPI):
    """The sandbox's fake Bot API, plus what a benchmark needs to time it from outside.

    - `enqueued[update_id] = (monotonic time, chat id)` for every update a user makes;
    - a per-chat event, set whenever the bot calls a method aimed at that chat, so a
      simulated user waits for its own chat only (FakeUser.expect re-checks on every
      change anywhere, which costs O(users) per request and would swamp the bot's figures);
    - optional listeners called with each finished request (its status is set by then);
    - `response_delay`: seconds before each answer (getUpdates excepted) reaches the bot,
      standing in for the network round trip to Telegram.
    """

    def __init__(self, token: str = TOKEN, *, response_delay: float = 0.0) -> None:
        super().__init__(token)
        self.response_delay = response_delay
        self.enqueued: dict[int, tuple[float, int | None]] = {}
        self.listeners: list[Listener] = []
        self._chat_events: dict[int, asyncio.Event] = {}

    def enqueue_update(self, kind: str, payload: dict[str, Any]) -> int:
        at = time.monotonic()
        update_id = super().enqueue_update(kind, payload)
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or {}
        self.enqueued[update_id] = (at, chat.get("id"))
        return update_id

    async def handle(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> tuple[int, bytes]:
        # The parent appends this call's record before its first await: remember where.
        index = len(self.requests)
        result = await super().handle(token, method, params, files)
        record = self.requests[index]
        if self.response_delay and record.method != "getUpdates":
            await asyncio.sleep(self.response_delay)
        for listener in self.listeners:
            listener(record)
        if record.chat_id is not None:
            event = self._chat_events.get(record.chat_id)
            if event is not None:
                event.set()
        return result

    async def wait_chat(self, chat_id: int, condition: Callable[[], bool], within: float) -> None:
        """Wait until `condition()` holds, re-checking only when this chat sees traffic."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        event = self._chat_events.setdefault(chat_id, asyncio.Event())
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: condition not met within {within:g} s")
            event.clear()
            if condition():
                return
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue


@contextmanager
def memoised_fake_html() -> Iterator[None]:
    """Memoise the fake's HTML parsing (same answers, same errors) while a scenario runs.

    The fake re-parses a message's HTML on every send, edit and echo of it; profiling showed
    that alone took about 30% of the CPU of a throughput run, all of it charged to the bot
    under test (whose messages are HTML, unlike the echo bot's). Caching the pure
    `render(text, parse_mode)` keeps the fake's checks and takes its cost out of the figures.
    """
    from bot.sandbox import methods

    original = methods.render
    methods.render = functools.lru_cache(maxsize=8192)(original)  # type: ignore[assignment]
    try:
        yield
    finally:
        methods.render = original  # type: ignore[assignment]


def bench_config(db_path: Path, **changes: Any) -> Config:
    """The Config a scenario runs with; scenarios state what they change."""
    values: dict[str, Any] = {
        "token": TOKEN,
        "db_path": db_path,
        "api_url": API_URL,
        "time_scale": 0.0,
        "log_level": "WARNING",
    }
    values.update(changes)
    return Config(**values)


def unlimited_updates() -> FairUpdateProcessor:
    """FairUpdateProcessor with its flood protection lifted (same class, same code path).

    Simulated users tap the instant a button appears, far faster than any thumb; the
    default token bucket (burst 20, then 3/s per chat) would drop their updates.
    """
    return FairUpdateProcessor(burst=10**9, per_second=10.0**9, max_pending=10**9)


@asynccontextmanager
async def started_bot(
    config: Config,
    api: FakeBotAPI,
    *,
    clock: Clock | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    update_processor: BaseUpdateProcessor | None = None,
) -> AsyncIterator[Any]:
    """The real hipcoach Application against `api`, in this event loop."""
    app = build_application(
        config,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        clock=clock,
        rate_limiter=rate_limiter,
        update_processor=update_processor,
    )
    async with running(app):
        yield app


# --- what-if ----------------------------------------------------------------------------


class SlidingWindow:
    """At most `max_rate` grants in any `period` seconds: the rule the fake enforces.

    For the what-if run only (not shipped): it stands in for HipcoachRateLimiter's overall
    token bucket, whose burst lets up to 1.2x the rate into one second.
    """

    def __init__(self, max_rate: float, period: float = 1.0, margin: float = 0.05) -> None:
        self.max_rate = max_rate
        self.period = period + margin
        self._grants: deque[float] = deque()
        self._turn = asyncio.Lock()

    def _trim(self, now: float) -> None:
        while self._grants and now - self._grants[0] >= self.period:
            self._grants.popleft()

    def has_capacity(self, amount: float = 1) -> bool:
        self._trim(time.monotonic())
        return len(self._grants) + amount <= self.max_rate

    async def acquire(self, amount: float = 1) -> None:
        async with self._turn:  # first come, first served
            while True:
                now = time.monotonic()
                self._trim(now)
                if len(self._grants) + amount <= self.max_rate:
                    self._grants.extend([now] * int(amount))
                    return
                await asyncio.sleep(self._grants[0] + self.period - now)


def exact_limiter(overall: float, per_chat: float) -> HipcoachRateLimiter:
    """HipcoachRateLimiter with its overall bucket swapped for SlidingWindow (what-if)."""
    limiter = HipcoachRateLimiter(overall, per_chat)
    limiter.overall = SlidingWindow(overall)  # type: ignore[assignment]
    return limiter


# --- figures ----------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured number, with the goal it is judged against (if it has one)."""

    name: str
    value: float | int | None
    unit: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "n/a"
        if isinstance(self.value, int):
            return f"{self.value:,}{(' ' + self.unit) if self.unit else ''}"
        digits = 3 if abs(self.value) < 1 else 2 if abs(self.value) < 100 else 0
        text = f"{self.value:,.{digits}f}"
        return f"{text}{(' ' + self.unit) if self.unit else ''}"


@dataclass
class ScenarioResult:
    key: str
    title: str
    setup: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # (what was profiled, [(category, own seconds, share)], top functions by own time)
    profiles: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    # Extra tables for BENCHMARKS.md: {"title", "header": [...], "rows": [[...], ...]}
    tables: list[dict[str, Any]] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> Figure:
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        return figure

    def add_table(self, title: str, header: list[str], rows: list[list[Any]]) -> None:
        self.tables.append({"title": title, "header": header, "rows": rows})

    def add_profile(self, what: str, profile: Profile) -> None:
        self.profiles.append(
            {
                "what": what,
                "total_seconds": round(profile.total, 3),
                "by_category": [
                    [label, round(secs, 3), round(share, 3)]
                    for label, secs, share in profile.shares()
                ],
                "top_functions": profile.top,
            }
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (no interpolation: a p99 is a value that really happened)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any sliding window of `window` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


CATEGORIES = (
    ("fake Bot API + simulated users", ("/bot/sandbox/", "/bench/")),
    ("hipcoach (bot/, handlers/)", ("/bot/", "/handlers/")),
    ("python-telegram-bot", ("/telegram/",)),
    ("APScheduler (JobQueue)", ("/apscheduler/",)),
    ("SQLite (sqlite3, sqlite-utils)", ("sqlite3", "/sqlite_utils/")),
    ("aiolimiter", ("/aiolimiter/",)),
    ("asyncio", ("/asyncio/", "_asyncio")),
    ("json", ("/json/", "_json")),
    ("logging", ("/logging/",)),
)


def _category(filename: str, name: str) -> str:
    where = f"{filename} {name}"
    for label, needles in CATEGORIES:
        if any(needle in where for needle in needles):
            return label
    return "other (stdlib, builtins)"


@dataclass
class Profile:
    """Own time (cProfile tottime) per library, and the top functions, for BENCHMARKS.md."""

    total: float = 0.0
    by_category: dict[str, float] = field(default_factory=dict)
    top: str = ""

    def shares(self) -> list[tuple[str, float, float]]:
        rows = sorted(self.by_category.items(), key=lambda kv: -kv[1])
        return [(label, secs, secs / self.total if self.total else 0.0) for label, secs in rows]


@contextmanager
def profiled(enabled: bool = True, top: int = 20) -> Iterator[Profile]:
    """cProfile the block (when `enabled`) and fill the yielded Profile afterwards."""
    result = Profile()
    if not enabled:
        yield result
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield result
    finally:
        profiler.disable()
        stats = pstats.Stats(profiler)
        for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
            own = row[2]
            label = _category(filename, name)
            result.by_category[label] = result.by_category.get(label, 0.0) + own
            result.total += own
        out = io.StringIO()
        stats.stream = out  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(top)
        # Paths relative to site-packages / the repository, so results.json says nothing local.
        text = re.sub(r"\S*/site-packages/", "", out.getvalue())
        text = re.sub(r"\S*/lib/python3\.\d+/", "", text)
        result.top = text.replace(str(Path(__file__).resolve().parent.parent) + "/", "")


@contextmanager
def production_logging(path: Path) -> Iterator[None]:
    """Log as `hipcoach run` does (INFO, token redaction, update context), into a file.

    Log lines are part of what the bot spends per update, so the figures include them.
    """
    from bot.ops.logsetup import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("INFO", TOKEN)
    stream = path.open("a", encoding="utf-8")
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    try:
        yield
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        stream.close()


def figure(result: dict[str, Any], name: str) -> Any:
    """A figure's value from a result as stored in results.json, by its exact name."""
    for f in result["figures"]:
        if f["name"] == name:
            return f["value"]
    return None


def share(result: dict[str, Any], profile: int, label: str) -> float:
    """The share of own time a library took in one of the result's profiles."""
    profiles = result.get("profiles") or []
    if profile >= len(profiles):
        return 0.0
    for name, _secs, part in profiles[profile]["by_category"]:
        if name == label:
            return float(part)
    return 0.0
