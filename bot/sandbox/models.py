"""Data records and parameter coercion shared by the fake Bot API and its user side.

Kept separate from the request handling so tests can import the records (BotMessage,
RecordedRequest) without reading the whole fake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.sandbox.html_check import to_plain

MessageKind = Literal["text", "photo", "document"]


class ApiError(Exception):
    """A Bot API error response; raised inside handlers and rendered as Telegram's JSON."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """Telegram's error envelope, including ``parameters.retry_after`` for 429s."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """Shorthand for the ubiquitous ``400 Bad Request: ...``."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class RecordedRequest:
    """One call the bot made, so tests can assert on traffic (and its timing)."""

    method: str
    params: dict[str, Any]
    at: float
    chat_id: int | None
    status: int = 0


@dataclass
class StoredFile:
    """An uploaded file, kept so getFile + download return the very same bytes."""

    file_id: str
    file_unique_id: str
    data: bytes
    filename: str
    mime_type: str
    file_path: str


@dataclass
class BotMessage:
    """A message the bot sent, with its full edit history, as seen by the user."""

    chat_id: int
    message_id: int
    kind: MessageKind
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    disable_notification: bool
    date: int
    edits: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    deleted: bool = False
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    file_id: str | None = None
    file_data: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None

    @property
    def plain(self) -> str:
        """The text as the user sees it (tags stripped, entities unescaped)."""
        return to_plain(self.text, self.parse_mode)

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as (text, callback_data); URL buttons have None data."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    @property
    def labels(self) -> list[str]:
        """The inline buttons' texts, row after row."""
        return [text for row in self.buttons for text, _ in row]

    @property
    def edit_count(self) -> int:
        """How often the bot changed this message."""
        return len(self.edits)

    def describe(self) -> str:
        """One readable block for failure dumps."""
        flags = " [deleted]" if self.deleted else ""
        flags += f" [edited x{self.edit_count}]" if self.edits else ""
        head = f"#{self.message_id} {self.kind}{flags}: {self.plain!r}"
        rows = [" | ".join(f"[{t}]->{d!r}" for t, d in row) for row in self.buttons]
        return "\n".join([head, *("    " + row for row in rows)])


@dataclass
class CallbackQueryState:
    """A button press waiting for answerCallbackQuery (answered exactly once)."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False


@dataclass
class Fault:
    """An injected failure: served instead of (or, if ``executed``, after) the real call."""

    method: str | None
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None
    executed: bool = False

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Whether this fault applies to a call of ``method`` aimed at ``chat_id``."""
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class ChatState:
    """Per-chat storage; one message-id counter shared by user and bot, as in Telegram."""

    info: dict[str, Any]
    next_message_id: int = 1
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted_user_messages: set[int] = field(default_factory=set)
    actions: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.info["id"])

    def allocate_id(self) -> int:
        """Next message id in this chat."""
        self.next_message_id += 1
        return self.next_message_id - 1


# --- parameter coercion -------------------------------------------------------------------
# PTB sends every parameter as a string (ints as "123", objects as JSON text, bools as
# "true"); a JSON body carries real types. These helpers accept both.


def param_str(params: dict[str, Any], name: str) -> str | None:
    """A string parameter, or None when absent."""
    value = params.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def param_int(params: dict[str, Any], name: str) -> int | None:
    """An integer parameter; non-numeric values are a 400 like Telegram's."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def param_float(params: dict[str, Any], name: str) -> float | None:
    """A float parameter (timeouts may be fractional)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def param_bool(params: dict[str, Any], name: str, default: bool = False) -> bool:
    """A boolean parameter: true/false/1/0 strings or real bools."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes"}


def param_json(params: dict[str, Any], name: str) -> Any:
    """An object/array parameter, decoding JSON text when needed."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value
