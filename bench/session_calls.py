"""Scenario 4: what one guided session costs in Bot API calls and leaves in the chat.

One runner alone per routine, with the rate limits off (nothing is dropped or delayed) and
time running 50 times faster (timers and countdown marks happen for real, just quickly).
Each routine is done by two runners at once, in their own chats of the same bot:

- a first-session runner (new user): the coach asks a watch-point question after each
  exercise; the card's tightness buttons are offered and left alone;
- a returning runner, who did the same routine three times before (at time scale 0, in
  a bot that is then stopped): questions come in the first three sessions and then every
  fourth, so this one has none.

Counted per run: every rate-limited call (everything aimed at the chat except
answerCallbackQuery), by method; the countdown class among them (countdown marks and
get-ready ends, told apart by the time left in the phase when the edit comes, as
`bench.sessions` does under load too); the messages sent, how many of them notify, and how
many bot messages are still in the chat at the end.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from bench.harness import (
    BenchAPI,
    ScenarioResult,
    bench_config,
    memoised_fake_html,
    production_logging,
    started_bot,
    unlimited_updates,
)
from bench.sessions import FRESH, ROUTINES, RoutineRun, SessionWatch, do_routine
from bot.core.content import load_catalogue
from bot.transport import timers

SCALE = 0.02
EARLIER = 3  # sessions a returning runner did before (questions: the first 3, then every 4th)
WAIT = 60.0
QUIET = 0.5  # no call in any watched chat for this long: the runs are over
KINDS = {"first": "first session", "returning": "returning"}
# The goals (issue 15) and where they stood before it.
GOALS = {"post_run": 10, "full": 26}
LEFT_GOAL = {"full": 18}
# Before issue 15 (commit 24e635b), counted as "essential" is now: the calls that could not
# be dropped (sends, get-ready 'go' edits, question edits and the menu-button strip; the
# old flow's tidy-ups and closing edits were droppable). Returning runner: the issue's own
# 'today' figures.
BEFORE = {
    "post_run": {"first": 15, "returning": 14},
    "full": {"first": 39, "returning": 36},
}
# ... and every call the old flow made at time scale 0 (no countdown at all), first
# session, with the messages it left in the chat.
BEFORE_ALL = {"post_run": 22, "full": 64}
LEFT_BEFORE = {"post_run": 9, "full": 27}
METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessages")


async def quiet(api: BenchAPI, chats: set[int], seconds: float = QUIET, most: float = 10.0) -> None:
    """Wait until no call has reached any of `chats` for `seconds` (at most `most`)."""
    deadline = time.monotonic() + most
    while time.monotonic() < deadline:
        last = next((r.at for r in reversed(api.requests) if r.chat_id in chats), 0.0)
        left = last + seconds - time.monotonic()
        if left <= 0:
            return
        await asyncio.sleep(left)


async def earlier_sessions(api: BenchAPI, path: Path, users: dict[str, int]) -> None:
    """The returning runners' first sessions, at time scale 0, in a bot stopped after."""
    config = bench_config(path, time_scale=0.0, rate_limit=0, chat_rate_limit=0)
    async with started_bot(config, api, update_processor=unlimited_updates()):

        async def runner(routine: str, user_id: int) -> None:
            user = api.user(user_id, f"Runner{user_id}")
            for _ in range(EARLIER):
                await do_routine(api, user, ROUTINES[routine], within=WAIT)

        await asyncio.gather(*(runner(r, u) for r, u in users.items()))
        await quiet(api, set(users.values()), 0.3)


async def run(quick: bool, workdir: Path) -> ScenarioResult:
    names = {key: r.name for key, r in load_catalogue().routines.items()}
    result = ScenarioResult(
        "calls",
        "4. Calls per session",
        f"For each routine, a first-session runner and a returning one (after {EARLIER} "
        "sessions, so no watch-point question) do the whole routine from /routine to the "
        f"summary, each alone in their chat, time scale {SCALE:g}, rate limits off (nothing "
        "dropped). Calls: every rate-limited request (all but answerCallbackQuery). "
        "Get-ready ends: the edit moving get-ready on to the hold or paced set, drawn with "
        f"more than {FRESH:.0%} of it left; countdown marks: any other edit redrawing a "
        "running phase (with the session as at the chat's previous call, or showing a hold "
        "late after its get-ready end). Essential calls: all but those two (the countdown "
        "class, silent and droppable) and deletions. Left in the chat: the bot's messages "
        "from the menu on that were not deleted.",
    )
    path = workdir / f"calls-{time.monotonic_ns()}.db"
    api = BenchAPI()
    first = {r: 40_000 + i for i, r in enumerate(ROUTINES)}
    back = {r: 40_100 + i for i, r in enumerate(ROUTINES)}
    with production_logging(workdir / "calls.log"), memoised_fake_html():
        await earlier_sessions(api, path, back)
        chats = set(first.values()) | set(back.values())
        config = bench_config(path, time_scale=SCALE, rate_limit=0, chat_rate_limit=0)
        async with started_bot(config, api, update_processor=unlimited_updates()):
            watch = SessionWatch(api, path, chats, keep_log={first["full"]})
            api.listeners.append(watch)
            follower = asyncio.create_task(watch.follow())
            jobs = {
                (routine, kind): do_routine(
                    api, api.user(user_id, f"Runner{user_id}"), ROUTINES[routine], within=WAIT,
                    watch=watch,
                )
                for kind, users in (("first", first), ("returning", back))
                for routine, user_id in users.items()
            }  # fmt: skip
            outcomes = await asyncio.gather(*jobs.values(), return_exceptions=True)
            await quiet(api, chats)
            follower.cancel()
            api.listeners.remove(watch)
    watch.close()
    runs: dict[str, Any] = {}
    for (routine, kind), outcome in zip(jobs, outcomes, strict=True):
        user_id = (first if kind == "first" else back)[routine]
        if isinstance(outcome, BaseException):
            result.notes.append(f"{names[routine]}, {KINDS[kind]}: runner stuck: {outcome}")
            continue
        runs[f"{routine}/{kind}"] = _figures(api, watch, outcome, user_id, names[routine], kind)
    _report(result, runs)
    full = watch.calls[first["full"]]
    result.raw = {"scale": SCALE, "runs": runs, "transcript_full_first": full.log}
    return result


def _figures(
    api: BenchAPI, watch: SessionWatch, run: RoutineRun, chat_id: int, name: str, kind: str
) -> dict[str, Any]:
    calls = watch.calls[chat_id]
    chat = api.chats[chat_id]
    left = [m for m in chat.bot_messages.values() if m.message_id > run.command_id]
    return {
        "routine": name,
        "kind": kind,
        "calls": calls.total,
        "methods": dict(calls.methods),
        "countdown": calls.countdown,
        "ready_ends": calls.ready_ends,
        "deletes": calls.deletes,
        "essential": calls.essential,
        "sent": calls.sent,
        "notifying": calls.notifying,
        "left": sum(1 for m in left if not m.deleted),
        "failed": calls.failed,
        "questions": run.questions,
        "taps": len(run.taps),
        "stale_taps": run.stale_taps,
        "seconds": (run.finished or run.started) - run.started,
    }


def _report(result: ScenarioResult, runs: dict[str, dict[str, Any]]) -> None:
    for key, r in runs.items():
        routine, kind = key.split("/")
        label = f"{r['routine']}, {KINDS[kind]}"
        goal = GOALS.get(routine)
        if goal is not None:
            met = r["essential"] <= goal
            result.add(f"{label}: essential calls", r["essential"], "", f"≤ {goal}", met)
        left = LEFT_GOAL.get(routine)
        if left is not None:
            met = r["left"] <= left
            result.add(f"{label}: messages left in the chat", r["left"], "", f"≤ {left}", met)
        if kind == "first":
            result.add(f"{label}: all calls", r["calls"])
            result.add(f"{label}: notifying messages", r["notifying"])
        odd = []
        if r["failed"]:
            odd.append(f"{r['failed']} call(s) answered with an error")
        if r["stale_taps"]:
            odd.append(f"{r['stale_taps']} tap(s) answered as out of date")
        if kind == "returning" and r["questions"]:
            odd.append(f"asked {r['questions']} question(s)")
        if kind == "first" and not r["questions"]:
            odd.append("asked no question")
        if odd:
            result.notes.append(f"{label}: " + "; ".join(odd) + ".")
    header = [
        "Routine",
        "Runner",
        "Calls",
        "sendMessage",
        "editMessageText",
        "(countdown marks)",
        "(get-ready ends)",
        "editMessageReplyMarkup",
        "deleteMessage(s)",
        "Essential",
        "Sent",
        "Notifying",
        "Left in chat",
        "Questions",
    ]
    rows = []
    for key, r in runs.items():
        m = r["methods"]
        rows.append(
            [
                r["routine"],
                KINDS[key.split("/")[1]],
                r["calls"],
                m.get("sendMessage", 0),
                m.get("editMessageText", 0),
                r["countdown"],
                r["ready_ends"],
                m.get("editMessageReplyMarkup", 0),
                r["deletes"],
                r["essential"],
                r["sent"],
                r["notifying"],
                r["left"],
                r["questions"],
            ]
        )
    result.add_table("Calls and messages per session", header, rows)
    others = sorted({m for r in runs.values() for m in r["methods"]} - set(METHODS))
    if others:
        result.notes.append(f"Other methods called: {', '.join(others)}.")


def analysis(result: dict[str, Any]) -> str:
    """What the figures mean, for BENCHMARKS.md (filled from this run's figures)."""
    runs = result["raw"].get("runs", {})
    full, back = runs.get("full/first"), runs.get("full/returning")
    post = runs.get("post_run/first")
    if not full or not post:
        return "A runner got stuck: see the notes; no figures to explain."
    lines = []
    for key, r in (("post_run", post), ("full", full)):
        goal = GOALS[key]
        word = "met" if r["essential"] <= goal else "missed"
        lines.append(
            f"- **{r['routine']}** (first session): {r['calls']} calls = "
            f"{r['methods'].get('sendMessage', 0)} sent + "
            f"{r['methods'].get('editMessageText', 0)} text edits "
            f"({r['countdown']} of them countdown marks, {r['ready_ends']} get-ready ends) + "
            f"{r['methods'].get('editMessageReplyMarkup', 0)} keyboard edits + "
            f"{r['deletes']} deletion(s): {r['essential']} essential, goal ≤ {goal}: {word}."
        )
        again = runs.get(f"{key}/returning")
        if again:
            was = BEFORE[key]
            lines[-1] += (
                f" Essential calls before → after issue 15 (first session / returning): "
                f"{was['first']}/{was['returning']} → {r['essential']}/{again['essential']}."
            )
    text = "\n".join(lines) + "\n"
    text += """
Essential calls before issue 15 (commit 24e635b) and now, counted the same way: the calls
that cannot be dropped. Before, those were the sends, the get-ready 'go' edits, the
question edits and the strip of the menu's buttons (its tidy-ups and closing edits were
droppable); 14 and 36 are the issue's own 'today' figures.

| Routine | Before: first session / returning | Now: first session / returning | Goal |
|---|---|---|---|
"""
    for key in GOALS:
        first, again = runs.get(f"{key}/first"), runs.get(f"{key}/returning")
        now = " / ".join(str(r["essential"]) if r else "n/a" for r in (first, again))
        was = BEFORE[key]
        name = (first or again or {}).get("routine", key)
        text += f"| {name} | {was['first']} / {was['returning']} | {now} | ≤ {GOALS[key]} |\n"
    text += f"""
All calls of a first session before issue 15, droppable ones included, at time scale 0
(the old flow's countdown ticks never ran there, so they are not in it): Post-run
{BEFORE_ALL["post_run"]}, Full {BEFORE_ALL["full"]}; it left {LEFT_BEFORE["post_run"]} and
{LEFT_BEFORE["full"]} messages in the chat.
"""
    exercises = max(1, full["questions"])
    if back:
        extra = full["essential"] - back["essential"]
        text += f"""
A watch-point question costs the first-session runner {extra} essential call(s) over the
whole Full routine ({full["essential"]} vs {back["essential"]} for a returning runner, who
gets none): {extra / exercises:.1f} per question asked.
"""
    left_goal = LEFT_GOAL["full"]
    word = "met" if full["left"] <= left_goal else "missed"
    text += f"""
The Full routine sends {full["sent"]} messages, {full["notifying"]} of them notifying;
messages still in the chat at the end: {full["left"]} (goal ≤ {left_goal}: {word}; before
issue 15: {LEFT_BEFORE["full"]}), after {full["deletes"]} deletion call(s). Countdown marks
are fixed per timed phase, whatever the time scale: halfway through a phase of
{timers.HALFWAY_FROM:g} s or more and {timers.LAST_SECONDS:g} s before the end of one of
{timers.LAST_FROM:g} s or more, each at least {timers.MIN_GAP:g} s from another mark and
from the phase's start and end (`bot/transport/timers.py`). Here nothing is dropped, so
all of them are sent; under load they are the first to go. They, the get-ready ends (the
hold starting where the runner already is) and the deletions are left out of the essential
figure: all three are silent and droppable and never hold up a step the runner must
notice. The raw results keep the Full routine's first-session transcript
(`transcript_full_first`: each call's method, whether it notifies, its first line, and the
runner's taps in between).
"""
    return text
