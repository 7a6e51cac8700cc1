"""Bot API methods that touch chats: messages, edits, media, callback answers, commands.

Each handler takes the coerced request parameters and returns the JSON ``result``, or raises
``ApiError`` with Telegram's exact wording. The state itself lives in ``FakeBotAPI``; this
mixin keeps the message rules readable in one place.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path
from typing import Any

from bot.sandbox.html_check import HtmlParseError, ParsedText, render, utf16_len
from bot.sandbox.models import (
    ApiError,
    BotMessage,
    CallbackQueryState,
    ChatState,
    MessageKind,
    StoredFile,
    bad_request,
    param_bool,
    param_int,
    param_json,
    param_str,
)

Params = dict[str, Any]
Files = dict[str, tuple[str, bytes, str]]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_PARSE_MODES = {"html", "markdown", "markdownv2"}
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_FOLDERS = {"photo": "photos", "document": "documents", "voice": "voice", "sticker": "stickers"}


def now() -> int:
    """Unix time in seconds, the Bot API's date format."""
    return int(time.time())


def inline_part(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only inline keyboards stay attached to a message (and are compared on edit)."""
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


class BotApiMethods:
    """Message-related Bot API handlers, mixed into FakeBotAPI."""

    bot_user: dict[str, Any]
    chats: dict[int, ChatState]
    blocked: set[int]
    files: dict[str, StoredFile]
    callback_queries: dict[str, CallbackQueryState]
    commands: dict[tuple[str, str], list[dict[str, Any]]]
    _file_counter: itertools.count[int]

    # --- shared helpers -------------------------------------------------------------------

    def _target_chat(self, p: Params, *, writing: bool = True) -> ChatState:
        """Resolve ``chat_id`` like Telegram: unknown -> 400, blocked user -> 403."""
        raw = p.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat = self.chats.get(int(raw))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        if writing and chat.id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    @staticmethod
    def _parse(text: str, parse_mode: str | None) -> ParsedText:
        """Apply parse_mode, turning HTML mistakes into Telegram's 400."""
        if parse_mode is not None and parse_mode.lower() not in _PARSE_MODES:
            raise bad_request("unsupported parse_mode")
        try:
            return render(text, parse_mode)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None

    def _message_text(self, p: Params) -> tuple[str, str | None]:
        """Validate ``text`` (empty / too long after parsing) and return it with parse_mode."""
        text = param_str(p, "text") or ""
        parse_mode = param_str(p, "parse_mode")
        parsed = self._parse(text, parse_mode)
        if not parsed.text.strip():
            raise bad_request("message text is empty")
        if parsed.length > 4096:
            raise bad_request("message is too long")
        return text, parse_mode

    def _caption(self, p: Params) -> tuple[str, str | None]:
        """Validate an optional caption (max 1024 after parsing)."""
        caption = param_str(p, "caption") or ""
        parse_mode = param_str(p, "parse_mode")
        if self._parse(caption, parse_mode).length > 1024:
            raise bad_request("message caption is too long")
        return caption, parse_mode

    @staticmethod
    def _markup(p: Params) -> dict[str, Any] | None:
        """Validate reply_markup; inline buttons need exactly one action and 1-64 byte data."""
        markup = param_json(p, "reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            if len(button) < 2:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def _reply_to(chat: ChatState, p: Params) -> int | None:
        """Check reply targets exist, honouring allow_sending_without_reply."""
        target = param_int(p, "reply_to_message_id")
        allow = param_bool(p, "allow_sending_without_reply")
        params = param_json(p, "reply_parameters")
        if isinstance(params, dict):
            target = params.get("message_id")
            allow = bool(params.get("allow_sending_without_reply", allow))
        if target is None:
            return None
        target = int(target)
        bot_msg = chat.bot_messages.get(target)
        alive_bot = bot_msg is not None and not bot_msg.deleted
        alive_user = target in chat.user_messages and target not in chat.deleted_user_messages
        if alive_bot or alive_user:
            return target
        if allow:
            return None
        raise bad_request("message to be replied not found")

    def _editable(self, chat: ChatState, p: Params) -> BotMessage:
        """Find the bot message an edit refers to."""
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message_id = param_int(p, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            if message_id in chat.user_messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return message

    def _apply_edit(
        self,
        message: BotMessage,
        text: str,
        parse_mode: str | None,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Store a new version, refusing no-op edits exactly like Telegram."""
        old = render(message.text, message.parse_mode)
        new = render(text, parse_mode)
        same_markup = inline_part(message.reply_markup) == inline_part(markup)
        if old.text == new.text and old.entities == new.entities and same_markup:
            raise bad_request(NOT_MODIFIED)
        message.edits.append((message.text, message.reply_markup))
        message.text, message.parse_mode, message.reply_markup = text, parse_mode, markup
        message.edit_date = now()
        return self.message_json(message)

    def store_file(self, data: bytes, filename: str, mime_type: str, kind: str) -> StoredFile:
        """Keep uploaded bytes so getFile and the file URL can serve them back."""
        number = next(self._file_counter)
        suffix = Path(filename).suffix or (".jpg" if kind == "photo" else ".bin")
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}AgAD{number:06d}{self.bot_user['id']}",
            file_unique_id=f"AQAD{number:06d}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{_FOLDERS.get(kind, 'files')}/file_{number}{suffix}",
        )
        self.files[stored.file_id] = stored
        return stored

    def _input_file(self, p: Params, files: Files, field: str) -> StoredFile:
        """An upload (direct or attach://), a known file_id, or a URL."""
        ref = param_str(p, field)
        upload = files.get(field)
        if upload is None and ref and ref.startswith("attach://"):
            upload = files.get(ref.removeprefix("attach://"))
        if upload is not None:
            filename, data, mime_type = upload
            return self.store_file(bytes(data), filename or field, mime_type, field)
        if not ref:
            raise bad_request(f"there is no {field} in the request")
        if ref in self.files:
            return self.files[ref]
        if ref.startswith(("http://", "https://")):
            name = ref.rstrip("/").rsplit("/", 1)[-1] or field
            return self.store_file(b"", name, "application/octet-stream", field)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _add_bot_message(
        self,
        chat: ChatState,
        p: Params,
        kind: MessageKind,
        text: str,
        parse_mode: str | None,
        stored: StoredFile | None = None,
    ) -> dict[str, Any]:
        """Create and store a bot message after all validation passed."""
        markup = self._markup(p)
        reply_to = self._reply_to(chat, p)
        message = BotMessage(
            chat_id=chat.id,
            message_id=chat.allocate_id(),
            kind=kind,
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            disable_notification=param_bool(p, "disable_notification"),
            date=now(),
            reply_to_message_id=reply_to,
        )
        if stored is not None:
            message.file_id, message.file_data = stored.file_id, stored.data
            message.filename, message.mime_type = stored.filename, stored.mime_type
        chat.bot_messages[message.message_id] = message
        return self.message_json(message)

    def file_json(self, stored: StoredFile, kind: str) -> Any:
        """The Bot API object describing a stored file of the given kind."""
        base = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if kind == "photo":
            return [{**base, "width": 640, "height": 480}]
        return {**base, "file_name": stored.filename, "mime_type": stored.mime_type}

    def message_json(self, message: BotMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """Serialize a bot message the way Telegram returns it (and embeds it in updates)."""
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.info,
            "from": self.bot_user,
        }
        parsed = render(message.text, message.parse_mode)
        prefix = "" if message.kind == "text" else "caption_"
        if parsed.text:
            data["text" if message.kind == "text" else "caption"] = parsed.text
        if parsed.entities:
            data[f"{prefix}entities"] = parsed.entities
        if message.file_id is not None:
            data[message.kind] = self.file_json(self.files[message.file_id], message.kind)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if inline_part(message.reply_markup) is not None:
            data["reply_markup"] = inline_part(message.reply_markup)
        target = message.reply_to_message_id
        if with_reply and target is not None:
            if target in chat.bot_messages:
                data["reply_to_message"] = self.message_json(
                    chat.bot_messages[target], with_reply=False
                )
            elif target in chat.user_messages:
                original = dict(chat.user_messages[target])
                original.pop("reply_to_message", None)
                data["reply_to_message"] = original
        return data

    # --- Bot API methods ------------------------------------------------------------------

    def _m_getMe(self, p: Params, files: Files) -> Any:
        return self.bot_user

    def _m_sendMessage(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p)
        text, parse_mode = self._message_text(p)
        return self._add_bot_message(chat, p, "text", text, parse_mode)

    def _m_sendPhoto(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p)
        caption, parse_mode = self._caption(p)
        stored = self._input_file(p, files, "photo")
        return self._add_bot_message(chat, p, "photo", caption, parse_mode, stored)

    def _m_sendDocument(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p)
        caption, parse_mode = self._caption(p)
        stored = self._input_file(p, files, "document")
        return self._add_bot_message(chat, p, "document", caption, parse_mode, stored)

    def _m_editMessageText(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p)
        message = self._editable(chat, p)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, parse_mode = self._message_text(p)
        return self._apply_edit(message, text, parse_mode, self._markup(p))

    def _m_editMessageCaption(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p)
        message = self._editable(chat, p)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption, parse_mode = self._caption(p)
        return self._apply_edit(message, caption, parse_mode, self._markup(p))

    def _m_editMessageReplyMarkup(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p)
        message = self._editable(chat, p)
        return self._apply_edit(message, message.text, message.parse_mode, self._markup(p))

    def _m_deleteMessage(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p, writing=False)
        message_id = param_int(p, "message_id")
        message = chat.bot_messages.get(message_id or 0)
        if message is not None and not message.deleted:
            message.deleted = True
            return True
        if message_id in chat.user_messages and message_id not in chat.deleted_user_messages:
            chat.deleted_user_messages.add(message_id)
            return True
        raise bad_request("message to delete not found")

    def _m_deleteMessages(self, p: Params, files: Files) -> Any:
        """1 to 100 ids at once; ids that cannot be found are skipped, as Telegram does."""
        chat = self._target_chat(p, writing=False)
        ids = param_json(p, "message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must hold 1 to 100 message identifiers")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise bad_request("message_ids must be integers")
        for message_id in ids:
            message = chat.bot_messages.get(message_id)
            if message is not None:
                message.deleted = True
            elif message_id in chat.user_messages:
                chat.deleted_user_messages.add(message_id)
        return True

    def _m_answerCallbackQuery(self, p: Params, files: Files) -> Any:
        query = self.callback_queries.get(param_str(p, "callback_query_id") or "")
        if query is None or query.answered:
            raise bad_request(QUERY_INVALID)
        text = param_str(p, "text")
        if text is not None and utf16_len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered, query.text = True, text
        query.show_alert = param_bool(p, "show_alert")
        return True

    def _m_sendChatAction(self, p: Params, files: Files) -> Any:
        chat = self._target_chat(p)
        action = param_str(p, "action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _m_getFile(self, p: Params, files: Files) -> Any:
        stored = self.files.get(param_str(p, "file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    @staticmethod
    def _commands_key(p: Params) -> tuple[str, str]:
        scope = param_json(p, "scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), param_str(p, "language_code") or ""

    def _m_setMyCommands(self, p: Params, files: Files) -> Any:
        commands = param_json(p, "commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            if not _COMMAND_RE.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        # Telegram takes a two-letter ISO 639-1 code, or none for the default menu.
        if not re.fullmatch(r"(?:[a-z]{2})?", param_str(p, "language_code") or ""):
            raise bad_request("LANGUAGE_CODE_INVALID")
        self.commands[self._commands_key(p)] = commands
        return True

    def _m_getMyCommands(self, p: Params, files: Files) -> Any:
        return self.commands.get(self._commands_key(p), [])

    def _m_deleteMyCommands(self, p: Params, files: Files) -> Any:
        self.commands.pop(self._commands_key(p), None)
        return True
