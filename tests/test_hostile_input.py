"""Hostile input through the real bot: odd digits, forged buttons with odd or huge numbers,
dates at the end of the calendar. Each gets exactly one short answer (a pressed button is
answered), nothing changes in the database, and nothing counts as an error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.sandbox import FakeUser
from tests.tagged import tag_languages

SORRY = "something went wrong"
UNKNOWN = "I don't know that command"
UNKNOWN_ANSWER = "I don't know that command. Send /help for the list."
HUGE = "99999999999999999999"  # 20 digits: past SQLite's integers
PAST_SQLITE = str(2**63)  # 19 digits, one past SQLite's largest integer
HELP = "What I can do"


async def replies_to(user: FakeUser, act: Callable[[], Any]) -> tuple[list[str], Any]:
    """Everything the bot sends in answer to `act()` (and what `act()` returned): a /help
    sent right after is handled after it (each chat's updates run in order), so its answer
    closes the list."""
    before = len(user.messages)
    result = act()
    user.send("/help")
    await user.expect(lambda m: m.plain.startswith(HELP))
    sent = [m.plain for m in user.messages[before:]]
    assert sent[-1].startswith(HELP) and not any(t.startswith(HELP) for t in sent[:-1])
    return sent[:-1], result


async def ready_user(harness, zone: str = "America/Los_Angeles") -> FakeUser:
    """A runner with a zone, a daily plan and its reminder rows, on a clock that stands still
    (Monday 2 March 2026, 06:00 UTC) with no dispatcher: no reminder joins the answers."""
    await harness.start_at()
    user = harness.user()
    user.send(f"/timezone {zone}")
    await user.expect(zone)
    user.send("/plan daily 07:30")
    await user.expect("planned")
    user.send("/remind 45")
    await user.expect("45")
    return user


def one_short_answer(sent: list[str]) -> str:
    assert len(sent) == 1, sent
    (text,) = sent
    assert SORRY not in text and UNKNOWN not in text, text
    return text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/remind ²", "/remind"),
        ("/afterrun ³", "/afterrun"),
        ("/remind ٣٠", "/remind"),
        (f"/afterrun {HUGE}", "/afterrun"),
        ("/plan 9999-12-31 23:59", "more than a year"),
        ("/plan 0001-01-01 00:00", "already passed"),
        ("/plan daily ٧:30", "/plan"),
        ("/plan daily 07:30 ٤٥", "/plan"),
        ("/plan ٢٠٢٦-١٢-٠١ 07:30", "/plan"),
        ("/log rotations ٢x١٠", "catch"),
        ("/log rotations ²x10", "catch"),
        (f"/log rotations {HUGE}x10", "Sets go from 1"),
    ],
)
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
async def test_odd_numbers_typed_get_one_answer(harness, zone, text, expected):
    user = await ready_user(harness, zone)
    rows = harness.snapshot()
    sent, _ = await replies_to(user, lambda: user.send(text))
    assert expected in one_short_answer(sent)
    assert harness.snapshot() == rows
    assert harness.services.errors == 0


async def test_the_guided_plan_at_the_end_of_the_calendar(harness):
    user = await ready_user(harness, "America/Los_Angeles")
    rows = harness.snapshot()
    user.send("/plan")
    question = await user.expect("When do you run?")
    user.press("Other date", question)
    await user.wait_until(lambda: "Which date?" in user.messages[-1].plain)
    # Refused at the date step, not only once a time is typed.
    sent, _ = await replies_to(user, lambda: user.send("9999-12-31"))
    assert "more than a year away" in one_short_answer(sent)
    assert harness.snapshot() == rows
    assert harness.services.errors == 0


@pytest.mark.parametrize(
    "data",
    [
        "rm:²:go",
        "r:1:0:done:²",
        "c:1:0:go:²",
        f"rn:d:{HUGE}",
        f"rm:{HUGE}:go",
        f"r:{HUGE}:0:stop",
        f"c:{HUGE}:0:go",
        f"rn:d:{PAST_SQLITE}",
        f"rm:{PAST_SQLITE}:go",
        f"r:{PAST_SQLITE}:0:stop",
        f"c:{PAST_SQLITE}:0:go",
        f"rn:s:{PAST_SQLITE}:1767225600",
        "md:undo:٣",
        f"md:undo:{HUGE}",
        f"md:del:{HUGE}",
    ],
)
async def test_forged_buttons_are_answered_once(harness, data):
    user = await ready_user(harness)
    rows = harness.snapshot()
    message = user.messages[-1]
    sent, query = await replies_to(user, lambda: user.press_data(message.message_id, data))
    assert sent == []  # the answer is the button's own, nothing more
    answer, _ = await user.answer_for(query)
    assert answer and len(answer) < 60 and SORRY not in answer, answer
    assert harness.snapshot() == rows
    assert harness.services.errors == 0


# --- whatever still fails: one answer, and no later handler group -----------------------


async def test_a_failing_conversation_step_gets_one_answer(harness, monkeypatch):
    """A step of /plan (handler group -1) that raises: before, the update went on to group 0
    and the runner got "I don't know that command" after the apology."""
    from bot.core import planning

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    user = await ready_user(harness)
    rows = harness.snapshot()
    monkeypatch.setattr(planning, "parse_plan", boom)
    sent, _ = await replies_to(user, lambda: user.send("/plan sat 09:00"))
    assert len(sent) == 1 and SORRY in sent[0], sent
    assert harness.snapshot() == rows
    assert harness.services.errors == 1


async def test_a_failing_button_is_answered_once(harness, monkeypatch):
    from bot import services

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    user = await ready_user(harness)
    (plan,) = harness.rows("SELECT id FROM plans")
    rows = harness.snapshot()
    monkeypatch.setattr(services.plans, "runs_pressed", boom)
    message_id = user.messages[-1].message_id
    sent, query = await replies_to(user, lambda: user.press_data(message_id, f"rn:d:{plan['id']}"))
    assert len(sent) == 1 and SORRY in sent[0], sent
    assert (await user.answer_for(query)) == (None, False)  # the spinner stops
    assert harness.snapshot() == rows
    assert harness.services.errors == 1


# --- the shared answers, in the runner's language ------------------------------------------


async def test_shared_answers_speak_the_runners_language(bot):
    """Unknown commands and text, stickers, dead buttons and the apology after a failure:
    each one answer, worded in the runner's language."""
    tag_languages(bot, "es")
    user = bot.api.user(4242, "Lucía", language_code="es-ES")
    user.send("/nosuchcommand")
    assert (await user.expect(lambda m: True)).plain == "[es] " + UNKNOWN_ANSWER
    user.send("hola")
    assert (await user.expect(lambda m: True)).plain.startswith("[es] I work with buttons")
    user.send_sticker()
    assert (await user.expect(lambda m: True)).plain.startswith("[es] I can only read text")
    user.send("/help")
    menu = await user.expect(lambda m: True)
    query = user.press_data(menu.message_id, "zz:not-a-button")
    assert await user.answer_for(query) == ("[es] That button doesn't work any more.", False)
    bot.api.inject_fault("sendMessage", status=400, description="Bad Request: boom", chat_id=4242)
    user.send("/nosuchcommand")
    sorry = await user.expect(SORRY)
    assert sorry.plain.startswith("[es] Sorry, something went wrong")
    assert bot.services.errors == 1
    assert bot.rows("SELECT language, language_code FROM users") == [
        {"language": None, "language_code": "es-ES"}
    ]


async def test_a_group_is_told_in_the_writers_language(bot):
    """Nobody in a group has a row (groups are not coached), so the note goes by the
    member's Telegram language; before, it fell back to English."""
    tag_languages(bot, "ru")
    group = bot.api.group(-501, "Беговой клуб")
    member = group.member(bot.api.user(3004, "Гриша", language_code="ru"))
    member.send("/routine")
    await bot.api.wait_until(lambda: len(group.messages) == 1)
    note = group.messages[0].plain
    print(f"group note: {note[:40]!r}")
    assert note.startswith("[ru] I coach runners one to one. Message me privately: @")
    assert bot.rows("SELECT id FROM users") == []


async def test_the_language_falls_back_to_telegrams_when_the_database_fails(bot, monkeypatch):
    """On the error path the database may be what failed: the answer is still in the
    runner's language (their app's), and it is still exactly one answer."""
    import sqlite3 as sqlite

    from bot import storage

    tag_languages(bot, "ru")
    user = bot.api.user(4243, "Аня", language_code="ru-RU")
    user.send("/help")
    await user.expect(lambda m: True)

    def locked(*args: object) -> None:
        raise sqlite.OperationalError("database is locked")

    monkeypatch.setattr(storage.users, "language_of", locked)
    before = len(user.messages)
    user.send("/nosuchcommand")
    await user.wait_until(lambda: len(user.messages) > before)
    monkeypatch.undo()  # the database is back: /help closes the list of answers
    user.send("/help")
    await user.expect(lambda m: HELP in m.plain)
    assert [m.plain for m in user.messages[before:-1]] == ["[ru] " + UNKNOWN_ANSWER]
    assert bot.services.errors == 0
