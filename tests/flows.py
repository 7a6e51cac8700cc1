"""Shared steps of a guided session, as a runner taps them (see bot.sandbox.FakeUser)."""

from __future__ import annotations

from bot.sandbox import BotMessage, FakeUser

QUESTION = "Not quite"  # the label that marks a watch-point question (English)


def asks_question(message: BotMessage) -> bool:
    return any(QUESTION in label for label in message.labels)


async def rate(
    user: FakeUser,
    message: BotMessage,
    rating: str = "Just right",
    answer: str = "Yes",
    *,
    wait: float = 5.0,
) -> None:
    """Rate an exercise on its "How did it feel?" message; when the coach then asks a
    watch-point question (the same message, edited in place), answer it with `answer`."""
    before = user.messages[-1].message_id if user.messages else 0
    user.press(rating, message)
    await user.wait_until(
        lambda: asks_question(message) or user.messages[-1].message_id > before,
        timeout=wait,
    )
    if asks_question(message):
        user.press(answer, message)


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
    """Tap through the running session to its summary (see `routine`)."""
    while True:
        msg = await user.expect(
            lambda m: bool(m.buttons) or "complete!" in m.plain or "stopped" in m.plain,
            timeout=wait,
        )
        if "complete!" in msg.plain or "stopped" in msg.plain:
            return msg
        if _has(msg, "Why:") or "Why:" in msg.plain:
            user.press(card if _has(msg, card) else "Start", msg)
        elif _has(msg, "✓ Done") or _has(msg, "✓ All"):
            user.press("✓", msg)
        elif _has(msg, "Just right"):
            name = next((n for n in (ratings or {}) if n in msg.plain), None)
            await rate(user, msg, (ratings or {}).get(name or "", "Just right"), answer, wait=wait)
        elif asks_question(msg):
            user.press(answer, msg)
