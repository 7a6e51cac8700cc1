"""The sandbox fake Bot API, proven against the real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.sandbox import BotMessage, FakeBotAPI, FakeBotAPIServer, FakeRequest, FakeUser
from bot.sandbox.html_check import parse_html

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Again", callback_data="again")],
        [
            InlineKeyboardButton("Done ✅", callback_data="done"),
            InlineKeyboardButton("Docs", url="https://example.org"),
        ],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("<b>Welcome</b> &amp; stretch!", parse_mode="HTML")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"echo: {update.message.text}", reply_markup=KEYBOARD)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"<i>pressed</i> {query.data}", parse_mode="HTML")


def build_app(builder: ApplicationBuilder) -> Application:
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.fixture
def api() -> FakeBotAPI:
    return FakeBotAPI()


@pytest.fixture
async def app(api: FakeBotAPI) -> AsyncIterator[Application]:
    builder = (
        ApplicationBuilder()
        .token(api.token)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
    )
    async with running(build_app(builder)) as application:
        yield application


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(api.token, request=FakeRequest(api)) as standalone:
        yield standalone


@pytest.fixture
def runner(api: FakeBotAPI) -> FakeUser:
    user = api.user(42, "Ada", username="ada")
    user.open_chat()
    return user


# --- end to end with the real Application ------------------------------------------------


async def test_echo_button_and_edit(api: FakeBotAPI, app: Application) -> None:
    user = api.user(7, "Runner")
    user.send("/start")
    welcome = await user.expect("Welcome")
    assert welcome.plain == "Welcome & stretch!"
    assert welcome.text == "<b>Welcome</b> &amp; stretch!"

    user.send("hello")
    reply = await user.expect("echo: hello")
    assert reply.buttons[0] == [("Again", "again")]
    assert reply.buttons[1][1] == ("Docs", None)
    assert reply.labels == ["Again", "Done ✅", "Docs"]

    query_id = user.press("done")  # unique case-insensitive substring of "Done ✅"
    assert await user.answer_for(query_id) == ("got done", False)
    await user.wait_until(lambda: reply.edit_count == 1)
    assert reply.plain == "pressed done"
    assert reply.buttons == []  # editing without reply_markup drops the keyboard, as in Telegram
    assert reply.edits[0][0] == "echo: hello"
    assert user.callback_answers == {query_id: ("got done", False)}
    assert [r.method for r in api.requests if r.chat_id == 7][-2:] == [
        "answerCallbackQuery",
        "editMessageText",
    ]


async def test_message_ids_shared_between_user_and_bot(api: FakeBotAPI, app: Application) -> None:
    user = api.user(8)
    first = user.send("one")
    reply = await user.expect("echo: one")
    second = user.send("two")
    assert (first["message_id"], reply.message_id, second["message_id"]) == (1, 2, 3)


async def test_group_command_with_bot_mention(api: FakeBotAPI, app: Application) -> None:
    group = api.group(-100123, "Hip club")
    member = group.member(api.user(9, "Grace"))
    member.send("/start@hipcoach_bot")
    welcome = await member.expect("Welcome")
    assert welcome.chat_id == -100123
    assert group.last is welcome


async def test_expect_timeout_dumps_chat(api: FakeBotAPI, app: Application) -> None:
    user = api.user(10)
    user.send("ping")
    await user.expect("echo: ping")
    with pytest.raises(AssertionError, match=r"(?s)waiting for.*echo: ping.*\[Again\]"):
        await user.expect("never", timeout=0.05)
    with pytest.raises(AssertionError, match=r"no button 'Nope'.*available: \['Again'"):
        user.press("Nope")
    with pytest.raises(AssertionError, match=r"no button 'again'"):
        user.press("again", exact=True)  # only the whole label, case and all


async def test_stale_and_double_answered_callback(api: FakeBotAPI, bot: Bot, runner: FakeUser):
    sent = await bot.send_message(runner.id, "pick", reply_markup=KEYBOARD)
    query_id = runner.press_data(sent.message_id, "forged")
    assert await bot.answer_callback_query(query_id, text="ok")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    other = runner.press("Again")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(other, text="x" * 201)


# --- Telegram's validation errors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_html_errors(api: FakeBotAPI, bot: Bot, runner: FakeUser, html: str, reason: str):
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(runner.id, html, parse_mode="HTML")
    assert caught.value.message == f"Can't parse entities: {reason}".capitalize()
    status, body = await api.handle(
        api.token, "sendMessage", {"chat_id": str(runner.id), "text": html, "parse_mode": "HTML"}
    )
    assert status == 400
    assert json.loads(body)["description"] == f"Bad Request: can't parse entities: {reason}"


def test_html_parser_entities() -> None:
    parsed = parse_html('<b>Hip</b> &lt;3 😀<a href="https://x.org">l</a> &#65;&nbsp;')
    assert parsed.text == "Hip <3 😀l A&nbsp;"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "text_link", "offset": 9, "length": 1, "url": "https://x.org"},
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "Message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "Message text is empty"),
        ({"text": "x" * 4097}, "Message is too long"),
        (
            {
                "text": "ok",
                "reply_markup": InlineKeyboardMarkup.from_button(
                    InlineKeyboardButton("b", callback_data="d" * 65)
                ),
            },
            "Button_data_invalid",
        ),
        ({"text": "ok", "chat_id": 999}, "Chat not found"),
    ],
)
async def test_send_validation(bot: Bot, runner: FakeUser, kwargs: dict, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(**{"chat_id": runner.id, **kwargs})
    assert caught.value.message == message


async def test_length_counts_parsed_text(bot: Bot, runner: FakeUser) -> None:
    sent = await bot.send_message(runner.id, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    assert len(sent.text) == 4096
    assert sent.entities[0].type == "bold"
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(runner.id, b"img", caption="c" * 1025)


async def test_edit_errors(bot: Bot, runner: FakeUser) -> None:
    sent = await bot.send_message(
        runner.id, "<b>same</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    with pytest.raises(BadRequest, match="Message is not modified: specified new message content"):
        await bot.edit_message_text(
            "<b>same</b>", runner.id, sent.message_id, parse_mode="HTML", reply_markup=KEYBOARD
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(runner.id, sent.message_id, reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("same", runner.id, sent.message_id)  # entities differ
    assert edited.text == "same"
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("new", runner.id, 999)
    assert await bot.delete_message(runner.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("new", runner.id, sent.message_id)
    assert runner.messages[0].deleted and runner.last is None


async def test_delete_messages(api: FakeBotAPI, bot: Bot, runner: FakeUser) -> None:
    """deleteMessages takes 1 to 100 ids in one call and skips those it cannot find, as
    Telegram does; anything else is a 400 that deletes nothing."""
    sent = [(await bot.send_message(runner.id, f"m{i}")).message_id for i in range(4)]
    typed = runner.send("the runner's own")["message_id"]
    assert await bot.delete_messages(runner.id, [sent[0], 999_999, sent[2], typed])
    assert [m.deleted for m in runner.messages] == [True, False, True, False]
    assert runner.chat is not None and runner.chat.deleted_user_messages == {typed}
    assert runner.last is not None and runner.last.plain == "m3"
    # Already deleted or unknown ids are skipped, not refused.
    assert await bot.delete_messages(runner.id, [sent[0], typed, 999_999])
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("back?", runner.id, sent[0])
    assert [r.chat_id for r in api.requests if r.method == "deleteMessages"] == [runner.id] * 2
    # Bad input: no ids, more than 100, not integers, not a list, or not JSON.
    with pytest.raises(BadRequest, match="1 to 100"):
        await bot.delete_messages(runner.id, [])
    with pytest.raises(BadRequest, match="1 to 100"):
        await bot.delete_messages(runner.id, [sent[1], *range(10_000, 10_100)])
    for ids in ('[1, "2"]', "[true]", "[1.5]", '{"id": 1}', "7", "[1,"):
        status, body = await api.handle(
            api.token, "deleteMessages", {"chat_id": runner.id, "message_ids": ids}
        )
        assert status == 400 and json.loads(body)["description"].startswith("Bad Request"), ids
    status, _ = await api.handle(api.token, "deleteMessages", {"chat_id": runner.id})
    assert status == 400
    assert [m.deleted for m in runner.messages] == [True, False, True, False]
    # Exactly 100 is fine (the last two bot messages among unknown ids).
    assert await bot.delete_messages(runner.id, [sent[1], sent[3], *range(10_000, 10_098)])
    assert all(m.deleted for m in runner.messages) and runner.last is None


async def test_blocked_user_is_forbidden(api: FakeBotAPI, bot: Bot, runner: FakeUser) -> None:
    sent = await bot.send_message(runner.id, "hi")
    api.block(runner.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(runner.id, "still there?")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edit", runner.id, sent.message_id)
    api.unblock(runner.id)
    assert (await bot.send_message(runner.id, "welcome back")).text == "welcome back"


# --- faults, tokens, raw protocol ---------------------------------------------------------


async def test_injected_faults(api: FakeBotAPI, bot: Bot, runner: FakeUser) -> None:
    api.inject_fault(
        "sendmessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(runner.id, "hi")
    assert caught.value.retry_after == timedelta(seconds=7)  # PTB_TIMEDELTA (bot/__init__)
    assert (await bot.send_message(runner.id, "hi")).text == "hi"

    api.inject_timeout("sendMessage")
    with pytest.raises(TimedOut):
        await bot.send_message(runner.id, "lost")
    api.inject_fault("sendMessage", status=0, description="lost reply", executed=True)
    with pytest.raises(TimedOut):
        await bot.send_message(runner.id, "delivered anyway")
    assert runner.last is not None and runner.last.plain == "delivered anyway"
    assert api.faults_served == 3
    assert [r.status for r in api.requests[-2:]] == [0, 0]


async def test_wrong_token(api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", request=FakeRequest(api)):
            pass
    status, body = await api.handle("999:WRONG", "getMe", {})
    assert (status, json.loads(body)) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )


async def test_raw_protocol_json_types(api: FakeBotAPI, runner: FakeUser) -> None:
    status, body = await api.handle(api.token, "unknownMethod", {})
    assert status == 404 and json.loads(body)["description"] == "Not Found"
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    status, body = await api.handle(
        api.token,
        "SENDMESSAGE",
        {
            "chat_id": runner.id,
            "text": "typed",
            "reply_markup": keyboard,
            "disable_notification": True,
        },
    )
    result = json.loads(body)["result"]
    assert status == 200 and result["reply_markup"] == keyboard
    assert runner.last is not None and runner.last.disable_notification
    assert api.requests[-1].method == "sendMessage" and api.requests[-1].chat_id == runner.id


async def test_long_poll_wakes_and_cancels(api: FakeBotAPI) -> None:
    poll = asyncio.ensure_future(api.handle(api.token, "getUpdates", {"timeout": "30"}))
    await api.wait_until(lambda: len(api.requests) == 1)
    update_id = api.user(5).send("wake up") and api.update_log[-1]["update_id"]
    _, body = await asyncio.wait_for(poll, 2)
    assert [u["update_id"] for u in json.loads(body)["result"]] == [update_id]
    await api.handle(api.token, "getUpdates", {"offset": str(update_id + 1), "timeout": "0"})
    assert api.updates == []
    pending = asyncio.ensure_future(api.handle(api.token, "getUpdates", {"timeout": 30}))
    await api.wait_until(lambda: len(api.requests) == 3)
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending


def test_user_updates_parse_as_ptb_objects(api: FakeBotAPI) -> None:
    user = api.user(11, "Lin", username="lin")
    first = user.send("/plan@hipcoach_bot tomorrow")
    user.send_sticker()
    user.send_photo(b"jpeg", caption="form check")
    user.send_document("log.csv", b"a,b", mime_type="text/csv")
    user.send_voice()
    user.send_location(52.5, 13.4)
    user.send_forwarded("fwd")
    user.send_edited(first["message_id"], "/plan")
    updates = [Update.de_json(u, None) for u in api.update_log]
    command = updates[0].message
    assert command.parse_entities() == {command.entities[0]: "/plan@hipcoach_bot"}
    assert updates[1].message.sticker.emoji == "👍"
    assert updates[2].message.photo[-1].file_size == 4
    assert updates[3].message.document.file_name == "log.csv"
    assert updates[4].message.voice.file_size == len(b"OggS fake voice")
    assert updates[5].message.location.latitude == 52.5
    assert updates[6].message.forward_origin.sender_user_name == "Another Runner"
    assert updates[7].edited_message.text == "/plan"
    assert updates[0].message.chat.type == "private" and updates[0].message.chat.id == 11


# --- over real HTTP -----------------------------------------------------------------------


@pytest.fixture
async def server(api: FakeBotAPI) -> AsyncIterator[FakeBotAPIServer]:
    http_server = FakeBotAPIServer(api)
    await http_server.start()
    try:
        yield http_server
    finally:
        await http_server.stop()


async def test_echo_over_http(api: FakeBotAPI, server: FakeBotAPIServer) -> None:
    builder = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
    )
    async with running(build_app(builder)):
        user = api.user(21)
        user.send("over the wire")
        reply: BotMessage = await user.expect("echo: over the wire")
        query_id = user.press("Again")
        assert await user.answer_for(query_id) == ("got again", False)
        await user.wait_until(lambda: reply.plain == "pressed again")


async def test_files_over_http(api: FakeBotAPI, server: FakeBotAPIServer, runner: FakeUser):
    async with Bot(api.token, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        photo = await bot.send_photo(
            runner.id, b"\xff\xd8photo-bytes", caption="<b>hip</b>", parse_mode="HTML"
        )
        document = await bot.send_document(runner.id, b"plan,data", filename="plan.csv")
        assert runner.messages[0].file_data == b"\xff\xd8photo-bytes"
        assert runner.messages[0].plain == "hip" and photo.caption == "hip"
        assert runner.messages[1].filename == "plan.csv"
        downloaded = await (await bot.get_file(photo.photo[-1].file_id)).download_as_bytearray()
        assert bytes(downloaded) == b"\xff\xd8photo-bytes"
        doc_file = await bot.get_file(document.document.file_id)
        assert bytes(await doc_file.download_as_bytearray()) == b"plan,data"
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(runner.id, "1 < 2", parse_mode="HTML")


async def test_http_raw_json_get_and_timeout(api: FakeBotAPI, server: FakeBotAPIServer) -> None:
    user = api.user(31)
    user.open_chat()
    async with httpx.AsyncClient() as client:
        url = f"{server.base_url}{api.token}"
        sent = await client.post(f"{url}/sendMessage", json={"chat_id": 31, "text": "json body"})
        assert sent.status_code == 200 and sent.json()["result"]["text"] == "json body"
        me = await client.get(f"{url}/getme")
        assert me.json()["result"]["username"] == "hipcoach_bot"
        missing = await client.get(f"{server.base_file_url}{api.token}/photos/nope.jpg")
        assert missing.status_code == 404
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(api.token, base_url=server.base_url, request=request) as bot:
        api.inject_timeout("sendMessage")
        with pytest.raises(TimedOut):
            await bot.send_message(31, "held open")
        assert (await bot.send_message(31, "next one")).text == "next one"
