"""The shape of every message: text (Telegram HTML) plus an optional keyboard.

Views are plain values built by pure functions, so their length and callback data can be
checked in unit tests; only the transport turns them into Bot API calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

# Rows of (label, callback_data) pairs; callback data comes from bot.views.callbacks.
Buttons = list[list[tuple[str, str]]]

SHARE_LOCATION = "📍 Share location"
NOT_NOW = "Not now"


@dataclass(frozen=True)
class View:
    text: str
    buttons: Buttons | None = None

    def markup(self) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
        """The keyboard to send with the message."""
        return self.inline_markup()

    def inline_markup(self) -> InlineKeyboardMarkup | None:
        """The inline keyboard: the only kind an edited message can carry."""
        return keyboard(self.buttons) if self.buttons else None


@dataclass(frozen=True)
class ReplyView(View):
    """A message with a reply keyboard (Share location) or one that removes it."""

    share_location: bool = False

    def markup(self) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
        if not self.share_location:
            return ReplyKeyboardRemove()
        return ReplyKeyboardMarkup(
            [[KeyboardButton(SHARE_LOCATION, request_location=True)], [KeyboardButton(NOT_NOW)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )
