"""Simulated runners doing guided sessions, and a watch on what the bot sends them.

A runner acts on the chat as it stands, not on a script of expected messages: it looks
at the newest bot message that is still there (its text and buttons, which edits may
change) and taps what a runner would tap there. So the same runner works whether a step
arrives as a new message or as an edit of the one before. It taps each state (message
id, edit count) at most once and waits for the tap's callback answer before looking
again; tightness buttons, pause, skip and stop are never tapped.

`SessionWatch` listens to the fake Bot API: for every rate-limited call in a watched chat
it reads that chat's session row (read-only, the bot commits before it sends) and so
tells countdown marks and get-ready ends (the silent edit from get-ready to the hold) from
the rest, and times each transition's message against the scheduled end of the phase it
closes. The two are told apart by the time left when the edit comes: a get-ready end is
drawn as the hold begins, with about all of it left; a mark, at halfway or later. So when
the get-ready end is dropped, the mark that first shows the hold stays a mark.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.harness import BenchAPI
from bot.core.clock import from_db, to_db
from bot.sandbox import BotMessage, FakeUser
from bot.sandbox.html_check import to_plain
from bot.sandbox.models import (
    CallbackQueryState,
    ChatState,
    RecordedRequest,
    param_bool,
    param_json,
)

# What a runner taps (English labels) and how it knows where it is.
MENU = "Pick a routine"
CARD = "Why:"
START = "▶ Start"
CONFIRM = ("✓ Done", "✓ All")
RATE = "👍 Just right"
QUESTION = "🤏 Not quite"
YES = "👍 Yes"
SUMMARY = "complete!"
# The answers to a tap on an old state (a step that is over, an out-of-date button).
STALE = ("That step is over", "That button is out of date", "That session is over")
FINISHED = "(finished)"
# The routine menu's buttons contain these.
ROUTINES = {
    "post_run": "Post-run",
    "pre_run": "Pre-run",
    "full": "Full routine",
    "quick": "Quick",
}
TIMED = ("ready", "work", "rest")
SENDS = ("sendMessage", "sendPhoto", "sendDocument")
# An edit drawn with more than this share of its timed phase left was drawn as the phase
# began (a get-ready end, a resume); countdown marks come at halfway or later (at most half
# left: bot/transport/timers.py), so the line between them leaves room for a late edit.
FRESH = 0.75


def current(chat: ChatState) -> BotMessage | None:
    """The newest bot message still in the chat."""
    for message in reversed(chat.bot_messages.values()):
        if not message.deleted:
            return message
    return None


def choose(message: BotMessage, routine: str) -> str | None:
    """What a runner taps on `message`; FINISHED on the summary; None: nothing to do
    (a countdown, a rest, a message without buttons)."""
    plain = message.plain
    labels = message.labels
    if SUMMARY in plain:
        return FINISHED
    if MENU in plain:
        return next((label for label in labels if routine in label), None)
    if CARD in plain and START in labels:
        return START
    for label in labels:
        if label.startswith(CONFIRM):
            return label
    if RATE in labels:
        return RATE
    if QUESTION in labels:
        return YES
    return None


@dataclass
class Tap:
    label: str
    at: float  # monotonic, when the press was enqueued
    message_id: int
    answer: str | None = None  # the callback answer's text


@dataclass
class RoutineRun:
    """One runner's go at one routine, as the runner saw it."""

    user_id: int
    routine: str
    started: float  # monotonic, /routine sent
    command_id: int  # the /routine message: bot messages after it belong to this run
    taps: list[Tap] = field(default_factory=list)
    questions: int = 0  # watch-point questions answered
    finished: float | None = None  # monotonic, the summary seen

    @property
    def stale_taps(self) -> int:
        """Taps the bot answered as out of date (the runner tapped an old state)."""
        return sum(1 for tap in self.taps if (tap.answer or "").startswith(STALE))


async def do_routine(
    api: BenchAPI,
    user: FakeUser,
    routine: str,
    *,
    within: float = 180.0,
    watch: SessionWatch | None = None,
) -> RoutineRun:
    """/routine, then tap through the routine whose menu button contains `routine` to its
    summary. Raises TimeoutError (with the chat's last messages) if nothing to tap shows up
    `within` seconds."""
    chat = user.open_chat()
    run = RoutineRun(user.id, routine, time.monotonic(), 0)
    run.command_id = int(user.send("/routine")["message_id"])
    acted: set[tuple[int, int]] = set()
    decided: dict[tuple[int, int], str | None] = {}
    found: list[tuple[BotMessage, str]] = []

    def ready() -> bool:
        message = current(chat)
        if message is None or message.message_id < run.command_id:
            return False
        key = (message.message_id, message.edit_count)
        if key in acted:
            return False
        if key not in decided:
            decided[key] = choose(message, routine)
        label = decided[key]
        if label is None:
            return False
        found[:] = [(message, label)]
        return True

    while True:
        try:
            await api.wait_chat(user.chat_id, ready, within)
        except TimeoutError:
            raise TimeoutError(f"runner {user.id} ({routine}) stuck\n{user.dump(4)}") from None
        message, label = found[0]
        if label == FINISHED:
            run.finished = time.monotonic()
            return run
        acted.add((message.message_id, message.edit_count))
        if label == YES:
            run.questions += 1
        if watch is not None:
            watch.tapped(user.chat_id, label)
        tap = Tap(label, time.monotonic(), message.message_id)
        query = api.callback_queries[user.press(label, message, exact=True)]
        run.taps.append(tap)
        await api.wait_chat(user.chat_id, _answered(query), within)
        tap.answer = query.text


def _answered(query: CallbackQueryState) -> Callable[[], bool]:
    return lambda: query.answered


# --- the fake's side ---------------------------------------------------------------------

# (session id, step, phase, rev, ends_at, updated_at) as read from the sessions table
Row = tuple[int, int, str, int, str | None, str]


@dataclass
class ChatCalls:
    """The rate-limited calls one chat got (callback answers are free and not counted)."""

    methods: Counter[str] = field(default_factory=Counter)
    # editMessageText redrawing a running phase: with the session as at the chat's previous
    # call, or the first to show a hold after a dropped get-ready end (late in the phase)
    countdown: int = 0
    # editMessageText moving get-ready on to the hold or paced set, drawn as it began
    ready_ends: int = 0
    timed: Counter[str] = field(default_factory=Counter)  # made while on its timers, by method
    opening: int = 0  # made before the session first showed a timed phase (Start's included)
    notifying: int = 0  # messages sent without disable_notification
    refused: int = 0  # 429s from the fake (not counted as calls)
    failed: int = 0  # other errors (counted as calls: Telegram counts them too)
    tap_waits: list[float] = field(default_factory=list)  # tap -> the next call, seconds
    log: list[dict[str, Any]] = field(default_factory=list)  # kept only when asked

    @property
    def total(self) -> int:
        return sum(self.methods.values())

    @property
    def deletes(self) -> int:
        return self.methods["deleteMessage"] + self.methods["deleteMessages"]

    @property
    def essential(self) -> int:
        """Every call but the countdown class (countdown marks and the silent get-ready
        ends) and deletions: what is left says what the runner must see."""
        return self.total - self.countdown - self.ready_ends - self.deletes

    @property
    def sent(self) -> int:
        return sum(self.methods[m] for m in SENDS)


def first_line(record: RecordedRequest) -> str:
    """What a call says, in one line, for a transcript."""
    params = record.params
    if record.method == "deleteMessages":
        ids = param_json(params, "message_ids") or []
        return f"{len(ids)} message(s)"
    text = params.get("text") or params.get("caption")
    if not isinstance(text, str):
        return ""
    plain = to_plain(text, params.get("parse_mode") or None)
    return next((line for line in plain.splitlines() if line.strip()), "")


class SessionWatch:
    """Listens to the fake: classifies each chat's calls and times its transitions."""

    def __init__(
        self, api: BenchAPI, db_path: Path, chats: set[int], *, keep_log: set[int] | None = None
    ) -> None:
        self.api = api
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        self.chats = chats
        self.keep_log = keep_log or set()
        self.calls: dict[int, ChatCalls] = {c: ChatCalls() for c in chats}
        self.history: dict[int, list[Row]] = {}  # each chat's session states, oldest first
        self.shown: dict[int, Row] = {}  # the state the chat's newest message showed
        self.running: set[int] = set()  # chats whose session has shown a timed phase
        self.last_call: dict[int, tuple[int, int, str, int] | None] = {}
        self.pending_tap: dict[int, float] = {}
        # (monotonic arrival, arrival - scheduled end, the phase it closed) per transition
        # whose message came: the first message to show the new phase
        self.arrivals: list[tuple[float, float, str]] = []
        self.decision_late: list[float] = []  # transition committed - scheduled end
        # phase changes whose own message never came (dropped edits; a get-ready end whose
        # hold was first shown by a countdown mark counts here)
        self.unshown = 0
        self.offset = time.time() - time.monotonic()  # monotonic -> the bot's wall clock
        self._since = ""

    # -- what the runners do

    def tapped(self, chat_id: int, label: str) -> None:
        self.pending_tap[chat_id] = time.monotonic()
        if chat_id in self.keep_log:
            self.calls[chat_id].log.append({"tap": label})

    # -- the session rows

    def _row(self, chat_id: int) -> Row | None:
        found = self.conn.execute(
            "SELECT id, step, phase, rev, ends_at, updated_at FROM sessions WHERE chat_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [chat_id],
        ).fetchone()
        return None if found is None else tuple(found)

    def _observe(self, chat_id: int, row: Row) -> None:
        """Add a state to the chat's history (a new step or phase), timing timer decisions."""
        history = self.history.setdefault(chat_id, [])
        if history and history[-1][:3] == row[:3]:
            history[-1] = row  # same step and phase (a new rev or ends_at): keep the latest
            return
        if history and history[-1][0] == row[0]:
            before = history[-1]
            if before[2] in TIMED and before[4] is not None:
                scheduled = from_db(before[4]).timestamp()
                self.decision_late.append(from_db(row[5]).timestamp() - scheduled)
        history.append(row)

    async def follow(self, every: float = 0.05) -> None:
        """Read changed session rows now and then, so phases whose message was dropped (a
        droppable edit) are known too. Runs until cancelled."""
        while True:
            query = "SELECT chat_id, id, step, phase, rev, ends_at, updated_at FROM sessions"
            rows = self.conn.execute(
                query + " WHERE updated_at >= ?" if self._since else query,
                [self._since] if self._since else [],
            ).fetchall()
            newest = self._since
            for chat_id, *rest in rows:
                if chat_id in self.chats:
                    self._observe(chat_id, tuple(rest))
                newest = max(newest, rest[-1])
            if newest:  # a little back, in case two commits' clocks crossed
                self._since = to_db(from_db(newest) - timedelta(seconds=0.25))
            await asyncio.sleep(every)

    # -- the calls

    def __call__(self, record: RecordedRequest) -> None:
        chat_id = record.chat_id
        if chat_id not in self.chats or record.method == "answerCallbackQuery":
            return
        calls = self.calls[chat_id]
        if record.status == 429:
            calls.refused += 1
            return
        row = self._row(chat_id)
        state = None if row is None else row[:4]
        before = self.last_call.get(chat_id)
        self.last_call[chat_id] = state
        edit = record.method == "editMessageText" and state is not None
        # The same session and step in a new phase (or rev) since the chat's previous call.
        moved = (
            before is not None and state is not None and before[:2] == state[:2] and before != state
        )
        fresh = self._fresh(record, row)
        ready_end = (
            edit
            and moved
            and fresh
            and before is not None
            and state is not None
            and (before[2], state[2]) == ("ready", "work")
        )
        countdown = edit and (before == state or (moved and not fresh))
        calls.methods[record.method] += 1
        calls.opening += chat_id not in self.running
        calls.countdown += countdown
        calls.ready_ends += ready_end
        shown = self.shown.get(chat_id)
        if shown is not None and shown[2] in TIMED and row is not None and row[0] == shown[0]:
            calls.timed[record.method] += 1
        notify = None
        if record.method in SENDS:
            notify = not param_bool(record.params, "disable_notification")
            calls.notifying += notify
        if record.status != 200:
            calls.failed += 1
        elif chat_id in self.pending_tap:
            calls.tap_waits.append(record.at - self.pending_tap.pop(chat_id))
        if chat_id in self.keep_log:
            entry: dict[str, Any] = {"method": record.method, "text": first_line(record)}
            if notify is not None:
                entry["notify"] = notify
            if countdown:
                entry["countdown"] = True
            if ready_end:
                entry["get_ready_end"] = True
            if record.status != 200:
                entry["status"] = record.status
            calls.log.append(entry)
        if row is None or record.status != 200 or not self._shows(record):
            return
        self._observe(chat_id, row)
        self.shown[chat_id] = row
        if row[2] in TIMED:
            self.running.add(chat_id)
        if shown is None or shown[:3] == row[:3]:
            return
        history = self.history[chat_id]
        # The phase this message closes is the one just before it (maybe never shown).
        if len(history) >= 2 and history[-2][0] == row[0]:
            closed = history[-2]
            if closed[2] == "ready" and edit and not fresh:
                # The get-ready end was dropped: a countdown mark shows the hold first.
                self.unshown += 1
            elif closed[2] in TIMED and closed[4] is not None:
                scheduled = from_db(closed[4]).timestamp()
                late = record.at + self.offset - scheduled
                self.arrivals.append((record.at, late, closed[2]))
        # States between the one shown last and this one came and went unseen.
        last = next(
            (i for i in range(len(history) - 2, -1, -1) if history[i][:3] == shown[:3]), None
        )
        if last is not None:
            self.unshown += len(history) - 2 - last

    def _fresh(self, record: RecordedRequest, row: Row | None) -> bool:
        """Whether the call came with about all of the row's timed phase still left: drawn
        as the phase began, not as a countdown mark. True outside a timed phase."""
        if row is None or row[2] not in TIMED or row[4] is None:
            return True
        ends = from_db(row[4]).timestamp()
        length = ends - from_db(row[5]).timestamp()  # updated_at: when the phase began
        left = ends - (record.at + self.offset)
        return length <= 0 or left > FRESH * length

    def _shows(self, record: RecordedRequest) -> bool:
        """Whether the runner sees this call as where the session is now: a new message, or
        an edit of the newest one (not the closing edit of an older message)."""
        if record.method == "sendMessage":
            return True
        if record.method != "editMessageText" or record.chat_id is None:
            return False
        newest = current(self.api.chats[record.chat_id])
        return newest is not None and str(record.params.get("message_id")) == str(newest.message_id)

    def close(self) -> None:
        self.conn.close()
