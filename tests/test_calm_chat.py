"""A calm chat (issue 15), end to end against the fake Bot API.

A new, notifying message only at a moment the runner must notice (a hold ends, a rest ends,
a paced set finishes, the next exercise starts); whatever a tap causes is an edit of the
message tapped; countdowns are a few droppable edits; each exercise's messages go in one
deleteMessages call when it ends; and what all that costs in Bot API calls to the chat.

Figures pinned here (calls aimed at the runner's chat, callback answers excluded):

    routine   runner      essential  countdown edits        deleteMessages  left in chat
    Post-run  first       10         13 (at most; scale>0)  1               the summary
    Post-run  returning    9         13 (at most; scale>0)  1               the summary
    Full      first       30          8 (get-ready ends)    3               the summary
    Full      returning   27          8 (get-ready ends)    3               the summary

A *first* runner is on their first session: each exercise ends with a watch-point question
(an edit). A *returning* runner is on their 4th: no question (bot/core/coach.py `question`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from bot.sandbox import BotMessage, FakeUser
from bot.sandbox.html_check import to_plain
from tests.conftest import Harness
from tests.flows import state
from tests.recording import RecordingLimiter

STEP_OVER = ("That step is over.", False)
# Real timers at this scale (a Post-run stretch takes 3.5 s): countdown marks stay further
# from a phase's end than the engine's early-fire slack (50 ms), so each mark is an edit.
SCALE = 0.02
POST_RUN_MOMENTS = [
    "Release ✓ — switch sides 🔄",  # set 1: the right side's hold is over
    "Set 1 done ✓",  # the left side's hold is over: rest
    "Next set ▶",  # the rest is over
    "Release ✓ — switch sides 🔄",
    "✓ 90/90 stretch done. How did it feel?",  # the last hold is over
]
FULL_MOMENTS = [
    "Next set ▶",  # rotations: the rest is over (its sets are tapped, not timed)
    "2/3 · Band hip flexion and hold · strength",  # the next exercise's card
    *["Set done ✓ Did you get all 15?"] * 2,  # paced sets finish (right, left)
    "Next set ▶",
    *["Set done ✓ Did you get all 15?"] * 2,
    "3/3 · 90/90 stretch · flexibility",
    *POST_RUN_MOMENTS,
]


def first_line(message: BotMessage) -> str:
    """What a notification shows of a message: the first line of its first version."""
    return first_text(message).split("\n")[0]


def split(calls: list[tuple[str, str, bool]]) -> tuple[int, int, int]:
    """(essential calls, countdown edits, deleteMessages) among the calls that went out."""
    sent = [(method, mark) for method, mark, ok in calls if ok]
    countdown = sent.count(("editMessageText", "droppable"))
    deletes = sum(method == "deleteMessages" for method, _ in sent)
    assert {m for m in sent if m[1] == "droppable"} <= {
        ("editMessageText", "droppable"),
        ("deleteMessages", "droppable"),
    }
    return len(sent) - countdown - deletes, countdown, deletes


def chat_calls(harness: Harness, user: FakeUser, since: int) -> list[Any]:
    """Every request aimed at the runner's chat since `since`, callback answers excluded."""
    return [
        r
        for r in harness.api.requests[since:]
        if r.chat_id == user.chat_id and r.method != "answerCallbackQuery"
    ]


def _label(message: BotMessage) -> str | None:
    """What a runner doing the routine as prescribed taps on this message, if anything:
    Start on a card, "✓ Done" / "✓ All 15" on a set, "Just right", "Yes" to a question."""
    for label in message.labels:
        if label in ("▶ Start", "👍 Just right", "👍 Yes") or label.startswith("✓"):
            return label
    return None  # a running timer: wait for it


def _is_card_or_summary(message: BotMessage) -> bool:
    return "Why:" in message.plain or "complete!" in message.plain


async def do_routine(user: FakeUser, label: str) -> tuple[BotMessage, list[str]]:
    """Do the routine `label` as prescribed, acting on the newest message each time it
    changes; return its summary and what each tap caused: "edit" (the message tapped was
    edited) or "new" (the next exercise's card, or the summary, as a new message)."""
    user.send("/routine")
    menu = await user.expect("Pick a routine")
    results = [await _tap(user, menu, label, exact=False)]
    done: tuple[int, int] | None = None
    while True:

        def ready(done: tuple[int, int] | None = done) -> bool:
            last = user.last
            return last is not None and (
                "complete!" in last.plain or (state(user) != done and _label(last) is not None)
            )

        await user.wait_until(ready)
        message = user.last
        assert message is not None
        if "complete!" in message.plain:
            user._cursor = len(user.messages)
            return message, results
        tap = _label(message)
        assert tap is not None
        done = state(user)  # never the same step twice: each tap moves the chat on
        results.append(await _tap(user, message, tap))


async def _tap(user: FakeUser, message: BotMessage, label: str, *, exact: bool = True) -> str:
    """Tap and wait for the answer (the bot has done all the tap causes by then)."""
    edits, count = message.edit_count, len(user.messages)
    answer, _ = await user.answer_for(user.press(label, message, exact=exact))
    assert answer != STEP_OVER[0], f"{label!r} came too late"
    if message.edit_count > edits:
        return "edit"
    new = user.messages[count:]
    assert new and _is_card_or_summary(new[0]), user.dump()
    return "new"


async def settled(harness: Harness) -> None:
    """Every tap answered: what a tap causes (the last tidy-up too) comes before."""
    queries = harness.api.callback_queries.values()
    await harness.api.wait_until(lambda: all(q.answered for q in queries))


async def returning_runner(harness: Harness, user: FakeUser) -> None:
    """Three Full routines at time scale 0: the next session is the runner's 4th of each
    exercise, which asks no watch-point question. A restart after each, so the taps of one
    never look like a flood (bot/transport/updates.py) to the next."""
    for _ in range(3):
        await do_routine(user, "Full")
        await settled(harness)
        await harness.restart()


@dataclass
class Run:
    """One routine, start to end: its bot messages, its calls to the chat (as the fake saw
    them), the limiter's record of how each was marked, and the runner's taps."""

    messages: list[BotMessage]
    calls: list[Any]
    recorder: RecordingLimiter
    taps: int


async def measured(
    harness: Harness, user: FakeUser, label: str, *, runner: str, scale: float
) -> Run:
    """Run the routine `label` start to end at time scale `scale`, after setting up a
    returning runner if asked, with a limiter that paces nothing."""
    harness.rate_limiter = RecordingLimiter(0, 0)
    await harness.start()
    if runner == "returning":
        await returning_runner(harness, user)
    harness.reconfigure(time_scale=scale)
    recorder = harness.rate_limiter = RecordingLimiter(0, 0)
    await harness.restart()
    first, since = len(user.messages), len(harness.api.requests)
    summary, taps = await do_routine(user, label)
    await settled(harness)
    messages = user.messages[first:]
    assert messages[-1] is summary
    asked = [m for m in messages if any(_asks(v) for v in [*m.edits, (m.text, m.reply_markup)])]
    assert len(asked) == (0 if runner == "returning" else len(exercises(messages)))
    calls = chat_calls(harness, user, since)
    # The fake saw exactly the calls the limiter let through.
    assert Counter(r.method for r in calls) == Counter(m for m, _, ok in recorder.calls if ok)
    # Whatever a tap causes is an edit of the message tapped, but the tap that ends an
    # exercise: the next exercise's card, or the summary, is a new message.
    assert taps.count("new") == len(exercises(messages)) and taps[-1] == "new"
    return Run(messages, calls, recorder, len(taps))


def _asks(version: tuple[str, Any]) -> bool:
    """Whether a version of a message asked a watch-point question."""
    rows = (version[1] or {}).get("inline_keyboard") or []
    return any("Not quite" in b.get("text", "") for row in rows for b in row)


def exercises(messages: list[BotMessage]) -> list[list[int]]:
    """The ids of each exercise's messages: from its card (the first is the menu, turned
    into the card) up to the next card; the summary is no exercise's."""
    groups: list[list[int]] = []
    for message in messages[:-1]:
        if not groups or "Why:" in first_text(message):
            groups.append([])
        groups[-1].append(message.message_id)
    return groups


def first_text(message: BotMessage) -> str:
    """A message's first version, as the runner read it."""
    text = message.edits[0][0] if message.edits else message.text
    return to_plain(text, message.parse_mode)


def check_notifications(messages: list[BotMessage], moments: list[str]) -> None:
    """The menu answers /routine; then only the must-notice moments (and the next cards)
    notify; the summary is silent."""
    menu, *rest, summary = messages
    assert first_line(menu) == "Pick a routine" and not menu.disable_notification
    assert [first_line(m) for m in rest if not m.disable_notification] == moments
    assert [m for m in rest if m.disable_notification] == []
    assert summary.disable_notification and "complete!" in summary.plain


def check_tidy(user: FakeUser, messages: list[BotMessage], calls: list[Any]) -> None:
    """Each exercise's messages are deleted in one call, right after the next exercise's
    card (or the summary) is sent; the summary and the runner's own messages are left."""
    deletes = [(i, r) for i, r in enumerate(calls) if r.method == "deleteMessages"]
    assert [json.loads(r.params["message_ids"]) for _, r in deletes] == exercises(messages)
    for i, _ in deletes:
        before = calls[i - 1]
        assert before.method == "sendMessage"
        assert "Why:" in before.params["text"] or "complete!" in before.params["text"]
    assert [m for m in messages if not m.deleted] == [messages[-1]]
    chat = user.chat
    assert chat is not None
    own = [m for i, m in chat.user_messages.items() if i not in chat.deleted_user_messages]
    assert own and all(m.get("text") == "/routine" for m in own)


def check_taps_are_edits(run: Run) -> None:
    """Whatever a tap causes is an edit of the message tapped, except the tap that ends an
    exercise (the next card, or the summary): the only sends not driven by a timer are the
    menu, the cards and the summary."""
    groups = exercises(run.messages)
    sends = [m for m, mark, _ in run.recorder.calls if m == "sendMessage" and mark != "urgent"]
    assert len(sends) == 1 + len(groups)  # the menu, the cards after the first, the summary
    edits = run.recorder.calls.count(("editMessageText", "", True))
    assert edits == run.taps - len(groups)


@pytest.mark.parametrize("runner", ["first", "returning"])
async def test_a_post_run_stretch_notifies_only_when_the_runner_must_notice(harness, runner):
    user = harness.user()
    run = await measured(harness, user, "Post-run", runner=runner, scale=SCALE)
    check_notifications(run.messages, POST_RUN_MOMENTS)
    check_taps_are_edits(run)
    essential, countdown, deletes = split(run.recorder.calls)
    # The menu, the card (the menu edited), Start (an edit), the 5 timer-driven moments, the
    # summary; and for a first session the watch-point question (the rating's edit).
    assert essential == {"first": 10, "returning": 9}[runner]
    assert essential <= 10  # the goal (14 before)
    # 4 get-ready ends, then at most two marks per 30 s hold (halfway, 5 s left) and one per
    # 15 s rest (5 s left): 13. A mark that a busy event loop lets drift into the phase's
    # last 50 ms (the engine's early-fire slack) merges with the phase's end.
    assert 4 + 4 <= countdown <= 13
    assert deletes == 1
    assert len(run.calls) == essential + countdown + deletes
    check_tidy(user, run.messages, run.calls)
    assert harness.rows(
        "SELECT status, (SELECT COUNT(*) FROM sets WHERE session_id = s.id) AS sets "
        "FROM sessions s ORDER BY id DESC LIMIT 1"
    ) == [{"status": "completed", "sets": 4}]


@pytest.mark.parametrize("runner", ["first", "returning"])
async def test_a_full_routine_notifies_only_when_the_runner_must_notice(harness, runner):
    user = harness.user()
    run = await measured(harness, user, "Full", runner=runner, scale=0)
    check_notifications(run.messages, FULL_MOMENTS)
    check_taps_are_edits(run)
    essential, countdown, deletes = split(run.recorder.calls)
    # Essential calls: the runner's 15 taps (the menu's routine, Start ×3, Done ×4 for the
    # rotations, All ×4 for the paced flexion, a rating ×3), each one edit or one new
    # message (the next card, the summary), + 11 must-notice moments (rotations: 1 rest
    # ends; flexion: 4 paced sets finish, 1 rest ends; 90/90: 4 holds end, 1 rest ends)
    # + the menu = 27; a first session's 3 watch-point answers add 3 taps (30). The issue's
    # goal of <= 26 would need one must-notice moment dropped, so it is kept (see issue 15).
    assert essential == {"first": 30, "returning": 27}[runner]
    # At time scale 0 there are no countdown marks: only the 8 get-ready ends (flexion's
    # and the 90/90's four sets each), silent droppable edits.
    assert countdown == 8
    assert deletes == 3  # one per exercise
    assert len(run.calls) == essential + countdown + deletes
    check_tidy(user, run.messages, run.calls)
    # Left in the chat by the routine: its summary and the runner's /routine (the goal: <= 18).
    left = [m for m in run.messages if not m.deleted]
    assert len(left) + 1 == 2 <= 18
    assert harness.rows(
        "SELECT status, (SELECT COUNT(*) FROM sets WHERE session_id = s.id) AS sets "
        "FROM sessions s ORDER BY id DESC LIMIT 1"
    ) == [{"status": "completed", "sets": 12}]


def data_of(message: BotMessage, label: str) -> str:
    """The callback data of a button as the message shows it now."""
    [data] = [d for text, d in (b for row in message.buttons for b in row) if label in text]
    assert data is not None
    return data


async def tap_stale(harness: Harness, user: FakeUser, message: BotMessage, data: str) -> None:
    """A button of a step the session has moved past: a free answer, "That step is over.",
    and nothing else: no Bot API call (no edit, no keyboard stripped), no row changed."""
    rows, since = harness.snapshot(), len(harness.api.requests)
    answer = await user.answer_for(user.press_data(message.message_id, data))
    assert answer == STEP_OVER
    calls = [r.method for r in harness.api.requests[since:] if r.chat_id is not None]
    assert calls == ["answerCallbackQuery"]
    assert harness.snapshot() == rows


async def test_a_stale_button_gets_a_free_answer_and_changes_nothing(bot):
    user = bot.user()
    user.send("/routine")
    user.press("Full", await user.expect("Pick a routine"))
    user.press("Start", await user.see("Why:"))
    live = await user.see("Set 1/2 · right side")
    done_right = data_of(live, "✓ Done")
    user.press("✓ Done", live)
    await user.see("Set 1/2 · left side")
    # A double tap: the same message's button, one step late.
    await tap_stale(bot, user, live, done_right)
    user.press("✓ Done", live)
    # The rest is over at once at time scale 0: "Next set ▶" is a new message, and the
    # rest's message is left as it was, buttons and all.
    nxt = await user.see("Next set ▶")
    assert nxt is not live and not live.deleted and "Rest" in live.plain
    await tap_stale(bot, user, live, data_of(live, "Pause"))
    await tap_stale(bot, user, live, data_of(live, "Stop"))
    user.press("✓ Done", nxt)
    user.press("✓ Done", await user.see("Set 2/2 · left side"))
    user.press("Just right", await user.see("How did it feel?"))
    user.press("Yes", await user.see("💭"))
    card = await user.see("2/3 · Band hip flexion")
    # The first exercise's messages are gone; their buttons, tapped anyway (a tap in
    # flight), change nothing either, and the session carries on.
    assert live.deleted and nxt.deleted
    await tap_stale(bot, user, live, data_of(live, "Skip"))
    await tap_stale(bot, user, nxt, data_of(nxt, "Not quite"))
    user.press("Start", card)
    paced = await user.see("Did you get all 15?")
    assert paced is not card and "Rep" in card.plain  # the card's message, left as it was
    await tap_stale(bot, user, card, data_of(card, "Skip"))
    user.press("✓ All 15", paced)
    await user.see("Set 1/2 · left side")
    rows = bot.rows("SELECT exercise, side, set_no FROM sets ORDER BY id")
    assert len(rows) == 5 and rows[-1] == {"exercise": "flexion", "side": "right", "set_no": 1}
    assert bot.rows("SELECT status FROM sessions") == [{"status": "active"}]


def max_in_window(times: list[float], window: float) -> int:
    """The most calls within any `window` seconds."""
    times, best, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_the_chat_budget_holds_with_the_limiter_on(harness):
    """The per-chat sustained budget (20 calls in 60 s at 1 call/s; the window is
    60/chat_rate_limit s) counts every call, and droppable ones go only while the chat is
    under 15 in its window. At 10 calls/s the window is 6 s, and a whole Post-run stretch
    at this time scale (3.5 s) falls inside one: its 24 calls would break the budget, so
    countdown edits give way, and every must-notice moment still arrives."""
    harness.reconfigure(time_scale=SCALE)
    limiter = harness.rate_limiter = RecordingLimiter(30.0, 10.0)
    await harness.start()
    harness.api.enforce_limits(30.0, 10.0)  # the fake answers 429 above these rates
    user = harness.user()
    since = len(harness.api.requests)
    summary, _ = await do_routine(user, "Post-run")
    await settled(harness)
    times = [r.at for r in chat_calls(harness, user, since)]
    window = 60.0 / 10.0
    assert max(times) - min(times) < window  # one window: the budget had to hold
    assert len(times) == max_in_window(times, window) <= 20
    assert harness.api.limit_violations == 0
    # Only droppable calls gave way (countdown edits); the session's last tidy-up is not
    # droppable, so the stretch's messages are gone all the same.
    dropped = [(method, mark) for method, mark, sent in limiter.calls if not sent]
    assert dropped and set(dropped) == {("editMessageText", "droppable")}
    assert [m for m in user.messages if not m.deleted][-1].message_id == summary.message_id
    assert max(limiter.busy_drops) >= 15  # dropped for the chat's budget, not only pacing
    # Every must-notice moment went out (urgent), and notified.
    urgent = [(method, sent) for method, mark, sent in limiter.calls if mark == "urgent"]
    assert urgent == [("sendMessage", True)] * 5
    check_notifications(user.messages, POST_RUN_MOMENTS)
    assert summary is user.messages[-1]
    assert len(harness.rows("SELECT * FROM sets")) == 4
