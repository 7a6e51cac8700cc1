"""Shared steps of a guided session, as a runner taps them (see bot.sandbox.FakeUser)."""

from __future__ import annotations

from bot.sandbox import BotMessage, FakeUser

QUESTION = "Not quite"  # the label that marks a watch-point question (English)


def asks_question(message: BotMessage) -> bool:
    return any(QUESTION in label for label in message.labels)


def state(user: FakeUser) -> tuple[int, int]:
    """Where the chat stands: the newest visible message and how often it was edited."""
    last = user.last
    return (last.message_id, last.edit_count) if last is not None else (0, 0)


async def changed(user: FakeUser, since: tuple[int, int], *, wait: float = 5.0) -> BotMessage:
    """Wait until the chat moves on from `since` (a new message, or an edit of the newest),
    and return the newest visible message."""
    await user.wait_until(lambda: state(user) != since, timeout=wait)
    last = user.last
    assert last is not None
    return last


async def rate(
    user: FakeUser,
    message: BotMessage,
    rating: str = "Just right",
    answer: str = "Yes",
    *,
    wait: float = 5.0,
) -> tuple[int, int] | None:
    """Rate an exercise on its "How did it feel?" message; when the coach then asks a
    watch-point question (the same message, edited in place), answer it with `answer` and
    return the chat's state as it was answered."""
    before = state(user)
    user.press(rating, message)
    after = await changed(user, before, wait=wait)
    if asks_question(after):
        user.press(answer, after)
        return state(user)  # the question, answered
    return None


def _has(message: BotMessage, label: str) -> bool:
    return any(label in text for text in message.labels)


async def routine(
    user: FakeUser,
    label: str,
    ratings: dict[str, str] | None = None,
    *,
    card: str = "Start",
    answer: str = "Yes",
    wait: float = 5.0,
) -> BotMessage:
    """Do the routine whose menu button contains `label`, every set as prescribed (at time
    scale 0), rating each exercise `ratings[its name]` (default "Just right") and answering
    any watch-point question with `answer`. On a card, press `card` if it is there (an
    offer's answer), else Start. Returns the summary."""
    user.send("/routine")
    user.press(label, await user.expect("Pick a routine", timeout=wait))
    return await carry_on(user, ratings, card=card, answer=answer, wait=wait)


async def carry_on(
    user: FakeUser,
    ratings: dict[str, str] | None = None,
    *,
    card: str = "Start",
    answer: str = "Yes",
    wait: float = 5.0,
) -> BotMessage:
    """Tap through the running session to its summary (see `routine`), acting on the
    newest message each time it changes (steps are new messages or edits in place)."""
    acted = (0, -1)
    while True:

        def actionable(acted: tuple[int, int] = acted) -> bool:
            last = user.last
            if last is None:
                return False
            if "complete!" in last.plain or "stopped" in last.plain:
                return True  # the summary, however the last tap's wait ended
            return state(user) != acted and bool(last.buttons)

        await user.wait_until(actionable, timeout=wait)
        msg = user.last
        assert msg is not None
        acted = state(user)
        if "complete!" in msg.plain or "stopped" in msg.plain:
            user._cursor = len(user.messages)
            return msg
        if _has(msg, "Why:") or "Why:" in msg.plain:
            user.press(card if _has(msg, card) else "Start", msg)
        elif _has(msg, "✓ Done") or _has(msg, "✓ All"):
            user.press("✓", msg)
        elif _has(msg, "Just right"):
            name = next((n for n in (ratings or {}) if n in msg.plain), None)
            rating = (ratings or {}).get(name or "", "Just right")
            acted = await rate(user, msg, rating, answer, wait=wait) or acted
        elif asks_question(msg):
            user.press(answer, msg)
