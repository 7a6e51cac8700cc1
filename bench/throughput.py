"""Scenario 1: N runners do the whole Full routine at once; the same load on an echo bot.

Both bots get identical Application settings (builder options, HipcoachRateLimiter,
FairUpdateProcessor with flood protection lifted) and an identical closed-loop load: every
simulated runner waits for everything the bot does about its update (the next message it
can act on and, for a button, the callback answer) and then taps at once. Latency is timed
at the fake: from an update being enqueued to the last request the bot made in that chat
before the runner's next update.
"""

from __future__ import annotations

import asyncio
import bisect
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bench.harness import (
    BenchAPI,
    ScenarioResult,
    bench_config,
    memoised_fake_html,
    percentile,
    production_logging,
    profiled,
    share,
    started_bot,
    unlimited_updates,
)
from bench.sessions import current
from bot.config import Config
from bot.sandbox import BotMessage, FakeRequest
from bot.transport.ratelimit import HipcoachRateLimiter
from bot.transport.runtime import running

# The point here is our own overhead, not Telegram's ceiling: limits far above any load.
RATE = 100_000.0
ACTIONS = ("▶ Start", "✓ Done", "✓ All", "Just right")
WAIT = 120.0


def _actionable(message: BotMessage) -> bool:
    """A message the runner acts on: a card, a reps prompt, a rating, or the summary."""
    if "complete!" in message.text:
        return True
    labels = " | ".join(text for row in message.buttons for text, _ in row)
    return any(action in labels for action in ACTIONS)


async def _think(rng: random.Random | None, think: float) -> None:
    if rng is not None:
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def coach_runner(api: BenchAPI, user_id: int, think: float = 0.0) -> int:
    """One runner through the whole Full routine, tapping once the bot is done.

    The runner acts on the chat's newest message each time it changes: a step is a new
    message or an edit of the one tapped. `think` > 0: wait that long on average before
    each tap (a paced, not saturating, load).
    """
    rng = random.Random(user_id) if think > 0 else None
    user = api.user(user_id, f"Runner{user_id}")
    chat = user.open_chat()
    acted: set[tuple[int, int]] = set()

    async def next_state(query: str | None = None) -> BotMessage:
        found: list[BotMessage] = []

        def ready() -> bool:
            if query is not None and not api.callback_queries[query].answered:
                return False
            message = current(chat)
            if message is None or (message.message_id, message.edit_count) in acted:
                return False
            if "Pick a routine" in message.text or _actionable(message) or _asks(message):
                found[:] = [message]
                return True
            return False

        await api.wait_chat(user.chat_id, ready, WAIT)
        acted.add((found[0].message_id, found[0].edit_count))
        return found[0]

    await _think(rng, think)
    user.send("/routine")
    message = await next_state()
    await _think(rng, think)
    query = user.press("Full routine", message)
    updates = 2
    while True:
        message = await next_state(query)
        if "complete!" in message.text:
            return updates
        await _think(rng, think)
        labels = [text for row in message.buttons for text, _ in row]
        if "▶ Start" in labels:
            query = user.press("▶ Start", message)
        elif "Just right" in " ".join(labels):
            query = user.press("Just right", message)
        elif _asks(message):  # a new runner's watch-point question, in the same message
            query = user.press("👍 Yes", message)
        else:
            query = user.press("✓", message)
        updates += 1


def _asks(message: BotMessage) -> bool:
    return any("Not quite" in text for row in message.buttons for text, _ in row)


async def echo_runner(api: BenchAPI, user_id: int, count: int, think: float = 0.0) -> int:
    """One user sending `count` texts, each after the echo of the previous one."""
    rng = random.Random(user_id) if think > 0 else None
    user = api.user(user_id, f"Echo{user_id}")
    chat = user.open_chat()
    for i in range(count):
        await _think(rng, think)
        before = len(chat.bot_messages)
        user.send(f"hello {i}")

        def echoed(before: int = before) -> bool:
            return len(chat.bot_messages) > before

        await api.wait_chat(user.chat_id, echoed, WAIT)
    return count


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "?")


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()


def build_echo(config: Config, api: BenchAPI) -> Application[Any, Any, Any, Any, Any, Any]:
    """A minimal echo bot with the builder options bot.app.build_application uses."""
    app = (
        ApplicationBuilder()
        .token(config.token or "")
        .base_url(config.api_url)
        .base_file_url(config.file_url)
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(HipcoachRateLimiter(config.rate_limit, config.chat_rate_limit))
        .concurrent_updates(unlimited_updates())
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    app.add_handler(CallbackQueryHandler(_answer))
    return app


def latencies(api: BenchAPI) -> tuple[list[float], list[float], float, float]:
    """Per update: enqueue -> last bot request in its chat before the chat's next update.

    Returns (latencies of updates answered with at most one new message, latencies of
    those answered with several, first enqueue, last answer). At time scale 0 a tap that
    starts timed phases is answered by the whole chain of them: several messages.
    """
    per_chat: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for update_id, (at, chat_id) in api.enqueued.items():
        if chat_id is not None:
            per_chat[chat_id].append((at, update_id))
    last_answer: dict[int, float] = {}
    messages: dict[int, int] = defaultdict(int)
    for record in api.requests:
        updates = per_chat.get(record.chat_id or 0)
        if not updates or record.method == "getUpdates":
            continue
        index = bisect.bisect_right(updates, (record.at, float("inf"))) - 1
        if index >= 0:
            update_id = updates[index][1]
            last_answer[update_id] = max(last_answer.get(update_id, 0.0), record.at)
            messages[update_id] += record.method == "sendMessage"
    single: list[float] = []
    chain: list[float] = []
    for update_id, (at, _) in api.enqueued.items():
        if update_id in last_answer:
            kind = chain if messages[update_id] > 1 else single
            kind.append(last_answer[update_id] - at)
    first = min(at for at, _ in api.enqueued.values())
    return single, chain, first, max(last_answer.values())


async def _one_round(
    kind: str, users: int, per_user: int, workdir: Path, think: float = 0.0
) -> dict[str, float]:
    api = BenchAPI()
    config = bench_config(workdir / f"{kind}.db", rate_limit=RATE, chat_rate_limit=RATE)
    cpu = time.process_time()
    if kind == "coach":
        async with started_bot(config, api, update_processor=unlimited_updates()):
            done = await asyncio.gather(
                *(coach_runner(api, 10_000 + i, think) for i in range(users))
            )
    else:
        async with running(build_echo(config, api)):
            done = await asyncio.gather(
                *(echo_runner(api, 20_000 + i, per_user, think) for i in range(users))
            )
    cpu = time.process_time() - cpu
    single, chain, first, last = latencies(api)
    values = single + chain
    count = sum(done)
    assert len(values) == count, f"{kind}: {len(values)} answered of {count} updates"
    wall = last - first
    return {
        "updates": count,
        "seconds": wall,
        "per_second": count / wall,
        "p50_ms": (percentile(values, 50) or 0) * 1000,
        "p99_ms": (percentile(values, 99) or 0) * 1000,
        "single_p99_ms": (percentile(single, 99) or 0) * 1000,
        "chains": len(chain),
        "chain_p50_ms": (percentile(chain, 50) or 0) * 1000,
        "chain_p99_ms": (percentile(chain, 99) or 0) * 1000,
        "requests": sum(1 for r in api.requests if r.method != "getUpdates"),
        "cpu_ms_per_update": cpu * 1000 / count,
    }


async def run(quick: bool, workdir: Path) -> ScenarioResult:
    users = 50 if quick else 200
    rounds = 1 if quick else 3
    result = ScenarioResult(
        "throughput",
        "1. Throughput",
        f"{users} runners each do the whole Full routine at once (time scale 0, in-process "
        "fake); an echo bot gets the same number of users sending the same number of "
        "updates each. Both bots: HipcoachRateLimiter at "
        f"{RATE:,.0f}/s overall and per chat (high on purpose: this measures our own "
        "overhead, not Telegram's ceiling) and FairUpdateProcessor with its flood "
        "protection lifted (burst, rate and pending at 10^9: simulated runners tap at "
        "machine speed), logging as in production (INFO, to a file). Saturated: every user "
        "taps the instant the bot is done (closed loop); "
        f"{rounds} alternating round(s) per bot, the median round reported. Paced: the same "
        "users wait a random think time first, sized so the offered load is half the "
        "coach's saturated throughput, the same think time for both bots.",
    )
    coach_rounds: list[dict[str, float]] = []
    echo_rounds: list[dict[str, float]] = []
    per_user = 16
    with production_logging(workdir / "throughput.log"), memoised_fake_html():
        for i in range(rounds):
            coach = await _one_round("coach", users, per_user, workdir / f"r{i}")
            per_user = round(coach["updates"] / users)
            coach_rounds.append(coach)
            echo_rounds.append(await _one_round("echo", users, per_user, workdir / f"r{i}"))
        coach = _median_round(coach_rounds)
        echo = _median_round(echo_rounds)
        think = users / (0.5 * coach["per_second"])
        paced_coach = await _one_round("coach", users, per_user, workdir / "paced", think)
        paced_echo = await _one_round("echo", users, per_user, workdir / "paced", think)
        # Where the coach's time goes (cProfile slows everything; figures above are without).
        for kind in () if quick else ("coach", "echo"):
            with profiled() as profile:
                await _one_round(kind, users // 4, per_user, workdir / "profiled")
            result.add_profile(f"{kind}: saturated round, {users // 4} users, cProfile", profile)
    ratio = coach["per_second"] / echo["per_second"]
    result.add("coach: updates handled (saturated)", coach["per_second"], "/s")
    result.add("echo bot: updates handled (saturated)", echo["per_second"], "/s")
    result.add("coach / echo throughput", ratio, "×", "≥ 0.6", ratio >= 0.6)
    result.add("coach: p50 update → last answer (saturated)", coach["p50_ms"], "ms")
    result.add(
        "coach: p99 update → last answer (saturated)",
        coach["p99_ms"],
        "ms",
        "< 50 ms",
        coach["p99_ms"] < 50,
    )
    result.add("echo bot: p50 update → answer (saturated)", echo["p50_ms"], "ms")
    result.add("echo bot: p99 update → answer (saturated)", echo["p99_ms"], "ms")
    result.add("paced load offered to both", paced_coach["per_second"], "updates/s")
    result.add("coach: p50 update → last answer (paced)", paced_coach["p50_ms"], "ms")
    result.add(
        "coach: p99 update → last answer (paced)",
        paced_coach["p99_ms"],
        "ms",
        "< 50 ms",
        paced_coach["p99_ms"] < 50,
    )
    result.add(
        "coach: p99, updates answered with one message (paced)",
        paced_coach["single_p99_ms"],
        "ms",
    )
    result.add(
        "coach: p99, taps answered with a timed chain (paced)", paced_coach["chain_p99_ms"], "ms"
    )
    result.add("echo bot: p50 update → answer (paced)", paced_echo["p50_ms"], "ms")
    result.add("echo bot: p99 update → answer (paced)", paced_echo["p99_ms"], "ms")
    result.add("coach: CPU per update", coach["cpu_ms_per_update"], "ms")
    result.add("echo bot: CPU per update", echo["cpu_ms_per_update"], "ms")
    result.add("coach: Bot API requests per update", coach["requests"] / coach["updates"])
    result.add("echo bot: Bot API requests per update", echo["requests"] / echo["updates"])
    result.notes.append(
        f"{coach['updates']:,.0f} coach updates ({per_user} per runner) in "
        f"{coach['seconds']:.2f} s. Saturated rounds, updates/s: coach "
        + ", ".join(f"{r['per_second']:.0f}" for r in coach_rounds)
        + "; echo "
        + ", ".join(f"{r['per_second']:.0f}" for r in echo_rounds)
        + f". Paced think time {think * 1000:.0f} ms on average. CPU per update is the whole "
        "process (bot, in-process fake and simulated users) divided by updates."
    )
    result.raw = {
        "coach_rounds": coach_rounds,
        "echo_rounds": echo_rounds,
        "paced_coach": paced_coach,
        "paced_echo": paced_echo,
        "think_seconds": think,
        "users": users,
    }
    return result


def _median_round(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median throughput (its latencies stay from the same round)."""
    ordered = sorted(rounds, key=lambda r: r["per_second"])
    return ordered[len(ordered) // 2]


def analysis(result: dict[str, Any]) -> str:
    """What the figures mean, for BENCHMARKS.md (filled from this run's figures)."""
    raw = result["raw"]
    if not result["profiles"]:
        return "(A quick run: no profile taken, so no analysis; run `make bench`.)"
    coach, echo = _median_round(raw["coach_rounds"]), _median_round(raw["echo_rounds"])
    users = raw["users"]
    cpu = coach["cpu_ms_per_update"]
    rpu = coach["requests"] / coach["updates"]
    parts = {
        label: share(result, 0, label) * cpu
        for label in (
            "python-telegram-bot",
            "hipcoach (bot/, handlers/)",
            "SQLite (sqlite3, sqlite-utils)",
            "APScheduler (JobQueue)",
            "fake Bot API + simulated users",
        )
    }
    paced = raw["paced_coach"]
    return f"""
**Missed: coach/echo throughput ≥ 0.6 ({coach["per_second"] / echo["per_second"]:.2f}) and
saturated p99 < 50 ms ({coach["p99_ms"]:.0f} ms).** Cause, from the cProfile runs above
(shares applied to the unprofiled {cpu:.2f} ms of CPU per coach update):

- The coach makes **{rpu:.2f} Bot API calls per update** where the echo bot makes 1: answer
  the button, strip the old keyboard, send the next step, and at time scale 0 every timed
  phase that follows a tap (get-ready, hold, rest: each a strip plus a send, or an in-place
  edit). python-telegram-bot spends about {parts["python-telegram-bot"]:.2f} ms per update
  on them (request building, JSON, and above all turning each returned Message and its
  inline keyboard into objects: `Message.de_json`, `TelegramObject.__setattr__`).
- hipcoach's own Python is about {parts["hipcoach (bot/, handlers/)"]:.2f} ms per update,
  SQLite {parts["SQLite (sqlite3, sqlite-utils)"]:.2f} ms (every step is committed before
  it is shown), the JobQueue (APScheduler, one job per timed phase)
  {parts["APScheduler (JobQueue)"]:.2f} ms, and the in-process fake plus the simulated
  runners {parts["fake Bot API + simulated users"]:.2f} ms (charged to both bots alike).
- So the ratio is set by the number of calls per update, not by slow code of ours: with
  our own code, SQLite and timers free, python-telegram-bot's share alone would hold the
  coach to at most {echo["cpu_ms_per_update"] / parts["python-telegram-bot"]:.2f}× the
  echo bot's throughput.
- The saturated p99 is queueing, not slowness: {users} runners who each tap the instant
  the bot is done keep the process 100 % busy, so by Little's law an update waits about
  runners / throughput = {users / coach["per_second"] * 1000:.0f} ms on average, tail
  higher. No bot can have a 50 ms saturated p99 with {users} waiting users unless it
  handles {users / 0.05:,.0f} updates/s. At half the coach's capacity (the paced run)
  its p50 is {paced["p50_ms"]:.1f} ms and p99 {paced["p99_ms"]:.0f} ms. That tail comes
  from the {paced["chains"]} taps ({paced["chains"] / paced["updates"]:.0%}) answered with
  several messages: at time scale 0 the "last answer" to a tap that starts timed phases
  (a rest after a set, a get-ready, a hold) includes every phase that follows, the
  longest being Start on the 90/90 card (two sets on both sides, about 17 calls). Those
  taps: p50 {paced["chain_p50_ms"]:.0f} ms, p99 {paced["chain_p99_ms"]:.0f} ms; updates
  answered with one message: p99 {paced["single_p99_ms"]:.0f} ms.

Run to run (five full runs on the 2-core machine during issue 7, load average under 0.6):
saturated throughput varied by under 10 %, the paced p99 between about 55 and 90 ms (it
rests on a few dozen chain taps), so read the paced p99 as "tens of milliseconds".

Not fixed here: the calls are the coaching UX (one notifying message per step, stale
buttons removed), and hipcoach's own code is a small share. Levers for later, measured
by this benchmark: fewer calls per timed step (e.g. an in-place edit instead of strip +
send where no notification is needed). Timers already cost one dict lookup per timed step
(`bot/transport/timers.py` keeps each chat's job; no scan of the JobQueue).
"""
