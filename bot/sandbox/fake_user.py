"""The user side of the sandbox: a person tapping and typing in one chat with the bot.

Tests drive the bot exclusively through this object and then wait, event-based, for what the
bot does. Failures print the chat's recent messages and buttons, so a red test explains itself.
"""

# The user-facing wait helpers take ``timeout=`` by design (mirrors pytest/asyncio idiom).
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.sandbox.html_check import utf16_len
from bot.sandbox.methods import now
from bot.sandbox.models import BotMessage, ChatState

if TYPE_CHECKING:
    from bot.sandbox.fake_api import FakeBotAPI

Matcher = Callable[[BotMessage], bool] | str


class FakeUser:
    """One user acting in one chat (their private chat, or a group via FakeGroup.member)."""

    def __init__(self, api: FakeBotAPI, info: dict[str, Any], chat_id: int) -> None:
        self.api = api
        self.info = info
        self.chat_id = chat_id
        self._cursor = 0  # index into ``messages`` of the first message expect() hasn't seen

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, chat_id={self.chat_id})"

    @property
    def id(self) -> int:
        """The Telegram user id."""
        return int(self.info["id"])

    @property
    def chat(self) -> ChatState | None:
        """The chat's server-side state, or None before the chat exists."""
        return self.api.chats.get(self.chat_id)

    def open_chat(self) -> ChatState:
        """Make the chat exist without sending anything (as if the user had pressed Start)."""
        if self.chat_id == self.id:
            return self.api.open_private_chat(self.info)
        return self.api.chats[self.chat_id]

    # --- sending --------------------------------------------------------------------------

    def _post(self, fields: dict[str, Any]) -> dict[str, Any]:
        self.open_chat()
        return self.api.post_user_message(self.chat_id, self.info, fields)

    def send(self, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        """Send a text message; a leading ``/word`` gets a bot_command entity like Telegram's."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/") and text.strip():
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        if reply_to is not None:
            chat = self.open_chat()
            if reply_to in chat.bot_messages:
                replied = self.api.message_json(chat.bot_messages[reply_to], with_reply=False)
            else:
                replied = chat.user_messages[reply_to]
            fields["reply_to_message"] = replied
        return self._post(fields)

    def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker (bots often mishandle non-text messages)."""
        stored = self.api.store_file(b"RIFF\x00WEBP", "sticker.webp", "image/webp", "sticker")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post({"sticker": sticker})

    def send_photo(
        self, data: bytes = b"\xff\xd8\xff fake jpeg", *, caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo; its bytes are downloadable by the bot via getFile."""
        stored = self.api.store_file(data, "photo.jpg", "image/jpeg", "photo")
        fields: dict[str, Any] = {"photo": self.api.file_json(stored, "photo")}
        if caption is not None:
            fields["caption"] = caption
        return self._post(fields)

    def send_document(
        self,
        filename: str = "notes.txt",
        data: bytes = b"hello",
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Send a file as a document."""
        stored = self.api.store_file(data, filename, mime_type, "document")
        fields: dict[str, Any] = {"document": self.api.file_json(stored, "document")}
        if caption is not None:
            fields["caption"] = caption
        return self._post(fields)

    def send_voice(self, duration: int = 3, data: bytes = b"OggS fake voice") -> dict[str, Any]:
        """Send a voice note."""
        stored = self.api.store_file(data, "voice.ogg", "audio/ogg", "voice")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._post({"voice": voice})

    def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        """Share a location."""
        return self._post({"location": {"latitude": latitude, "longitude": longitude}})

    def send_forwarded(self, text: str, *, from_name: str = "Another Runner") -> dict[str, Any]:
        """Forward someone else's text message into the chat."""
        origin = {"type": "hidden_user", "date": now() - 60, "sender_user_name": from_name}
        return self._post({"text": text, "forward_origin": origin})

    def send_edited(self, message_id: int, new_text: str) -> dict[str, Any]:
        """Edit one of the user's earlier messages (an ``edited_message`` update)."""
        chat = self.open_chat()
        if message_id not in chat.user_messages:
            raise AssertionError(f"user message #{message_id} does not exist in {self.chat_id}")
        message = {**chat.user_messages[message_id], "text": new_text, "edit_date": now()}
        message.pop("entities", None)
        chat.user_messages[message_id] = message
        self.api.enqueue_update("edited_message", dict(message))
        return message

    # --- buttons --------------------------------------------------------------------------

    def press(self, button: str, message: BotMessage | None = None, *, exact: bool = False) -> str:
        """Tap an inline button by exact text, else (unless `exact`) by unique
        case-insensitive substring."""
        if message is None:
            keyboards = [m for m in self.messages if m.buttons and not m.deleted]
            if not keyboards:
                raise AssertionError(f"no bot message with inline buttons.\n{self.dump()}")
            message = keyboards[-1]
        if message.deleted:
            raise AssertionError(f"message #{message.message_id} was deleted.\n{self.dump()}")
        flat = [b for row in message.buttons for b in row]
        matches = [b for b in flat if b[0] == button]
        if not matches and not exact:
            matches = [b for b in flat if button.lower() in b[0].lower()]
        if len(matches) != 1:
            problem = "no button" if not matches else "ambiguous button"
            raise AssertionError(
                f"{problem} {button!r} in message #{message.message_id}; "
                f"available: {message.labels}\n{self.dump()}"
            )
        text, data = matches[0]
        if data is None:
            raise AssertionError(f"button {text!r} has no callback_data (URL/other button)")
        return self.api.post_callback_query(self.info, message, data)

    def press_data(self, message_id: int, data: str) -> str:
        """Send arbitrary (stale or forged) callback data for a bot message."""
        chat = self.open_chat()
        if message_id not in chat.bot_messages:
            raise AssertionError(f"bot message #{message_id} does not exist.\n{self.dump()}")
        return self.api.post_callback_query(self.info, chat.bot_messages[message_id], data)

    # --- observing ------------------------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages in this chat in order, deleted ones included (flagged)."""
        return self.api.bot_messages(self.chat_id)

    @property
    def last(self) -> BotMessage | None:
        """The newest bot message that is still visible."""
        alive = [m for m in self.messages if not m.deleted]
        return alive[-1] if alive else None

    @property
    def callback_answers(self) -> dict[str, tuple[str | None, bool]]:
        """query_id -> (text, show_alert) for this user's answered button presses."""
        return {
            q.query_id: (q.text, q.show_alert)
            for q in self.api.callback_queries.values()
            if q.user_id == self.id and q.chat_id == self.chat_id and q.answered
        }

    def dump(self, limit: int = 8) -> str:
        """The last ``limit`` bot messages with buttons, for assertion messages."""
        recent = self.messages[-limit:]
        if not recent:
            return f"(chat {self.chat_id}: the bot has sent nothing)"
        body = "\n".join(m.describe() for m in recent)
        return f"--- chat {self.chat_id}, last {len(recent)} bot messages ---\n{body}"

    async def _wait(self, condition: Callable[[], bool], seconds: float, what: str) -> None:
        try:
            await self.api.wait_until(condition, timeout=seconds)
        except TimeoutError:
            message = f"timed out after {seconds}s waiting for {what}\n{self.dump()}"
            raise AssertionError(message) from None

    async def expect(self, match: Matcher, *, timeout: float = 5.0) -> BotMessage:
        """Wait for the next unseen bot message matching ``match`` (str: substring of plain).

        Messages passed over while searching count as seen, so consecutive expects walk the
        conversation in order.
        """
        predicate = match if callable(match) else (lambda m: match in m.plain)
        found: list[BotMessage] = []

        def check() -> bool:
            messages = self.messages
            while self._cursor < len(messages):
                message = messages[self._cursor]
                self._cursor += 1
                if predicate(message):
                    found.append(message)
                    return True
            return False

        await self._wait(check, timeout, f"a new bot message matching {match!r}")
        return found[0]

    async def see(self, match: Matcher, *, timeout: float = 5.0) -> BotMessage:
        """Wait until the newest visible bot message matches ``match``: a new message or an
        edit of one (a guided session edits its live message in place). Later expects look
        only at messages sent after it."""
        predicate = match if callable(match) else (lambda m: match in m.plain)

        def check() -> bool:
            last = self.last
            return last is not None and predicate(last)

        await self._wait(check, timeout, f"the newest bot message to match {match!r}")
        self._cursor = len(self.messages)
        last = self.last
        assert last is not None
        return last

    async def wait_until(self, condition: Callable[[], bool], *, timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds, re-checking after every change in the fake."""
        await self._wait(condition, timeout, f"condition {condition!r}")

    async def answer_for(self, query_id: str, timeout: float = 5.0) -> tuple[str | None, bool]:
        """Wait until the bot answers callback query ``query_id``; return (text, show_alert)."""
        query = self.api.callback_queries[query_id]
        await self._wait(lambda: query.answered, timeout, f"an answer to query {query_id}")
        return query.text, query.show_alert


class FakeGroup:
    """A group chat with the bot; members send through their per-group FakeUser."""

    def __init__(self, api: FakeBotAPI, chat_id: int, title: str) -> None:
        self.api = api
        self.chat_id = chat_id
        self.title = title

    def member(self, user: FakeUser | int) -> FakeUser:
        """``user`` (or a user id) acting in this group."""
        person = user if isinstance(user, FakeUser) else self.api.user(user)
        return self.api.member(self.chat_id, person)

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages in the group, oldest first."""
        return self.api.bot_messages(self.chat_id)

    @property
    def last(self) -> BotMessage | None:
        """The newest visible bot message in the group."""
        alive = [m for m in self.messages if not m.deleted]
        return alive[-1] if alive else None
