"""An in-memory fake of the Telegram Bot API for driving the real PTB Application offline.

``FakeBotAPI.handle`` answers one Bot API call with Telegram's status code and JSON body; the
transports (in-process ``FakeRequest`` and the HTTP ``FakeBotAPIServer``) only translate.
Everything runs on one asyncio loop; every handled request and every enqueued update bumps a
change notification so tests wait on events instead of sleeping.
"""

# The user-facing wait helpers take ``timeout=`` by design (mirrors pytest/asyncio idiom).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from bot.sandbox.fake_user import FakeGroup, FakeUser
from bot.sandbox.methods import BotApiMethods, Files, Params, now
from bot.sandbox.models import (
    ApiError,
    BotMessage,
    CallbackQueryState,
    ChatState,
    Fault,
    RecordedRequest,
    StoredFile,
    param_float,
    param_int,
    param_str,
)

_METHODS = (
    "getMe",
    "getUpdates",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "sendChatAction",
    "sendPhoto",
    "sendDocument",
    "getFile",
    "close",
    "logOut",
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


CHAT_BURST = 3  # messages a chat may get at once before the per-chat rate applies


def _json_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class FakeBotAPI(BotApiMethods):
    """The fake Telegram server: bot-facing methods plus a user-facing driver API."""

    def __init__(
        self,
        token: str = "123456:TEST-sandbox-token",
        *,
        bot_id: int = 123456,
        bot_username: str = "hipcoach_bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "HipCoach",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.requests: list[RecordedRequest] = []
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook_url = ""
        self.faults: list[Fault] = []
        self.faults_served = 0
        self.chaos_served: dict[int, int] = {}
        self._chaos: (
            tuple[float, random.Random, tuple[int, ...], int, frozenset[str] | None] | None
        ) = None
        self._limits: tuple[float | None, float | None] = (None, None)
        self._sent_window: deque[tuple[float, int]] = deque()
        self._chat_level: dict[int, tuple[float, float]] = {}  # leaky bucket: level, when
        self.limit_violations = 0
        self.updates: list[dict[str, Any]] = []  # delivered but not yet confirmed via offset
        self.update_log: list[dict[str, Any]] = []  # every update ever enqueued
        self.version = 0
        self._changed = asyncio.Event()
        self._next_update_id = 1
        self._file_counter = itertools.count(1)
        self._query_counter = itertools.count(1)
        self._users: dict[tuple[int, int], FakeUser] = {}
        self._methods: dict[str, tuple[str, Callable[[Params, Files], Any]]] = {
            name.lower(): (name, getattr(self, f"_m_{name}")) for name in _METHODS
        }

    # --- request entry point --------------------------------------------------------------

    async def handle(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> tuple[int, bytes]:
        """Answer one Bot API call; status 0 with an empty body means "simulate a timeout"."""
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        record = RecordedRequest(name, dict(params), time.monotonic(), self._chat_hint(params))
        self.requests.append(record)
        self._notify()  # lets tests wait for "the bot is now long-polling", too
        try:
            status, body = await self._dispatch(token, entry, params, files or {}, record)
        finally:
            self._notify()
        record.status = status
        return status, b"" if body is None else _json_bytes(body)

    async def _dispatch(
        self,
        token: str,
        entry: tuple[str, Callable[[Params, Files], Any]] | None,
        params: Params,
        files: Files,
        record: RecordedRequest,
    ) -> tuple[int, dict[str, Any] | None]:
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            limited = self._over_limit(record)
            if limited is not None:
                return limited
            fault = self._take_fault(record.method, record.chat_id) or self._chaos_fault(record)
            if fault is not None and not fault.executed:
                return self._fault_response(fault)
            result = entry[1](params, files)
            if inspect.isawaitable(result):
                result = await result
            if fault is not None:
                return self._fault_response(fault)
            return 200, {"ok": True, "result": result}
        except ApiError as err:
            return err.status, err.body()

    def _chat_hint(self, params: Params) -> int | None:
        """Which chat a request targets, for recording and chat-scoped faults."""
        query = self.callback_queries.get(str(params.get("callback_query_id", "")))
        if query is not None:
            return query.chat_id
        try:
            return param_int(params, "chat_id")
        except ApiError:
            return None

    def download(self, token: str, file_path: str) -> tuple[int, bytes]:
        """Serve ``/file/bot<token>/<file_path>`` for stored uploads."""
        if token != self.token:
            return 401, _json_bytes(ApiError(401, "Unauthorized").body())
        for stored in self.files.values():
            if stored.file_path == file_path:
                return 200, stored.data
        return 404, _json_bytes(ApiError(404, "Not Found").body())

    # --- fault injection ------------------------------------------------------------------

    def inject_fault(
        self,
        method: str | None = None,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        executed: bool = False,
    ) -> Fault:
        """Make the next ``times`` matching calls fail.

        ``status=0`` simulates a timeout (the transports raise TimedOut / never answer).
        ``executed=True`` performs the call first and then fails, like a response lost in
        transit. ``method=None`` matches every method except getUpdates, so polling survives.
        """
        fault = Fault(method, status, description, retry_after, times, chat_id, executed)
        self.faults.append(fault)
        return fault

    def inject_timeout(
        self, method: str | None = None, *, times: int = 1, chat_id: int | None = None
    ) -> Fault:
        """Shorthand for a status-0 (timeout) fault."""
        return self.inject_fault(
            method, status=0, description="timeout", times=times, chat_id=chat_id
        )

    def chaos(
        self,
        share: float,
        *,
        seed: int = 0,
        statuses: tuple[int, ...] = (429, 500, 0),
        retry_after: int = 1,
        timeout_methods: frozenset[str] | None = None,
    ) -> None:
        """Fail a random (but reproducible) share of the bot's chat calls.

        Status 429 comes with ``retry_after``, 500 is a server error, 0 a timeout. Polling
        and getMe are spared so the bot stays connected. ``timeout_methods`` limits which
        methods may time out (others get a 500 instead); None lets any. ``share=0`` turns
        it off.
        """
        self._chaos = (share, random.Random(seed), statuses, retry_after, timeout_methods)

    def _chaos_fault(self, record: RecordedRequest) -> Fault | None:
        if self._chaos is None or record.chat_id is None:
            return None
        share, rng, statuses, retry_after, timeout_methods = self._chaos
        if share <= 0 or rng.random() >= share:
            return None
        status = rng.choice(statuses)
        if status == 0 and timeout_methods is not None and record.method not in timeout_methods:
            status = 500
        description = {429: "Too Many Requests: retry after 1", 500: "Internal Server Error"}
        self.faults_served += 1
        self.chaos_served[status] = self.chaos_served.get(status, 0) + 1
        return Fault(
            record.method,
            status,
            description.get(status, "timeout"),
            retry_after if status == 429 else None,
            1,
            record.chat_id,
        )

    def enforce_limits(
        self, overall_per_second: float | None, chat_per_second: float | None = None
    ) -> None:
        """Behave like Telegram's flood control: above these rates, answer 429.

        Overall: at most ``overall_per_second`` calls in any sliding second. Per chat: a
        burst of three, then ``chat_per_second`` (a leaky bucket). Only calls aimed at a
        chat count (not callback answers). Each refusal is counted in ``limit_violations``;
        ``None`` switches a limit off.
        """
        self._limits = (overall_per_second, chat_per_second)

    def _over_limit(self, record: RecordedRequest) -> tuple[int, dict[str, Any]] | None:
        overall, per_chat = self._limits
        if record.chat_id is None or record.method == "answerCallbackQuery":
            return None
        now = record.at
        window = self._sent_window
        while window and now - window[0][0] > 1.0:
            window.popleft()
        refused = overall is not None and len(window) >= overall
        level = 0.0
        if per_chat is not None and not refused:
            last_level, last_at = self._chat_level.get(record.chat_id, (0.0, now))
            level = max(0.0, last_level - (now - last_at) * per_chat)
            refused = level + 1 > CHAT_BURST + 1e-9
        if refused:
            self.limit_violations += 1
            error = ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
            return 429, error.body()
        window.append((now, record.chat_id))
        if per_chat is not None:
            self._chat_level[record.chat_id] = (level + 1, now)
        return None

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.method is None and method == "getUpdates":
                continue
            if fault.matches(method, chat_id):
                fault.remaining -= 1
                self.faults_served += 1
                return fault
        return None

    @staticmethod
    def _fault_response(fault: Fault) -> tuple[int, dict[str, Any] | None]:
        if fault.status == 0:
            return 0, None
        error = ApiError(fault.status, fault.description, retry_after=fault.retry_after)
        return fault.status, error.body()

    # --- change notification --------------------------------------------------------------

    def _notify(self) -> None:
        """Wake every waiter; called when a request arrives, after it is handled and after
        each enqueued update."""
        self.version += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_for_change(self, within: float | None = None) -> bool:
        """Wait for the next change; False if none happens ``within`` seconds."""
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), within)
        except TimeoutError:
            return False
        return True

    async def wait_until(self, condition: Callable[[], bool], *, timeout: float = 5.0) -> None:
        """Re-check ``condition`` on every change; raise TimeoutError when time runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed  # grabbed before checking, so no wake-up is lost
            if condition():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # --- updates & webhook ----------------------------------------------------------------

    def enqueue_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update for getUpdates and return its update_id."""
        update: dict[str, Any] = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.update_log.append(update)
        self._notify()
        return int(update["update_id"])

    async def _m_getUpdates(self, p: Params, files: Files) -> Any:
        """Long polling: confirm below ``offset``, then wait up to ``timeout`` for updates."""
        if self.webhook_url:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        offset = param_int(p, "offset")
        limit = min(max(param_int(p, "limit") or 100, 1), 100)
        timeout = max(param_float(p, "timeout") or 0.0, 0.0)
        if offset is not None and offset < 0:
            self.updates = self.updates[offset:]
        elif offset is not None:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.updates and (remaining := deadline - loop.time()) > 0:
            await self.wait_for_change(remaining)
        return self.updates[:limit]

    def _m_setWebhook(self, p: Params, files: Files) -> Any:
        self.webhook_url = param_str(p, "url") or ""
        return True

    def _m_deleteWebhook(self, p: Params, files: Files) -> Any:
        self.webhook_url = ""
        if p.get("drop_pending_updates") in (True, "true", "True", "1"):
            self.updates.clear()
        return True

    def _m_getWebhookInfo(self, p: Params, files: Files) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    def _m_close(self, p: Params, files: Files) -> Any:
        return True

    def _m_logOut(self, p: Params, files: Files) -> Any:
        return True

    # --- user side ------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Runner",
        *,
        username: str | None = None,
        language_code: str = "en",
    ) -> FakeUser:
        """The user driving their private chat with the bot (same object per id)."""
        key = (user_id, user_id)
        if key not in self._users:
            info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
            if username:
                info["username"] = username
            info["language_code"] = language_code
            self._users[key] = FakeUser(self, info, user_id)
        return self._users[key]

    def group(self, chat_id: int, title: str) -> FakeGroup:
        """A group chat the bot is in; users talk there via ``FakeGroup.member``."""
        if chat_id not in self.chats:
            self.chats[chat_id] = ChatState({"id": chat_id, "type": "group", "title": title})
        return FakeGroup(self, chat_id, title)

    def member(self, chat_id: int, user: FakeUser) -> FakeUser:
        """``user`` acting inside the (group) chat ``chat_id``."""
        key = (chat_id, user.id)
        if key not in self._users:
            self._users[key] = FakeUser(self, user.info, chat_id)
        return self._users[key]

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends and edits to their chat now fail with 403."""
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """The user restarts the bot."""
        self.blocked.discard(user_id)

    def open_private_chat(self, info: dict[str, Any]) -> ChatState:
        """Create the private chat (normally on the user's first message)."""
        user_id = int(info["id"])
        if user_id not in self.chats:
            chat_info = {"id": user_id, "type": "private", "first_name": info["first_name"]}
            if "username" in info:
                chat_info["username"] = info["username"]
            self.chats[user_id] = ChatState(chat_info)
        return self.chats[user_id]

    def bot_messages(self, chat_id: int) -> list[BotMessage]:
        """All bot messages in a chat, oldest first, deleted ones included."""
        chat = self.chats.get(chat_id)
        return list(chat.bot_messages.values()) if chat else []

    def post_user_message(
        self, chat_id: int, sender: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Store a user's message (sharing the chat's id counter) and enqueue its update."""
        chat = self.chats[chat_id]
        message = {
            "message_id": chat.allocate_id(),
            "date": now(),
            "chat": chat.info,
            "from": sender,
            **fields,
        }
        chat.user_messages[message["message_id"]] = message
        self.enqueue_update("message", dict(message))
        return message

    def post_callback_query(self, sender: dict[str, Any], message: BotMessage, data: str) -> str:
        """Enqueue a button press on ``message`` and return the callback query id."""
        query_id = str(4_000_000_000_000 + next(self._query_counter))
        self.callback_queries[query_id] = CallbackQueryState(
            query_id, int(sender["id"]), message.chat_id, message.message_id, data
        )
        payload = {
            "id": query_id,
            "from": sender,
            "chat_instance": str(message.chat_id * 7919 + self.bot_id),
            "data": data,
            "message": self.message_json(message),
        }
        self.enqueue_update("callback_query", payload)
        return query_id
