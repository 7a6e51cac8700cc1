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

from bot.core.text import N_

# Rows of (label, callback_data) pairs; callback data comes from bot.views.callbacks.
Buttons = list[list[tuple[str, str]]]

# Answers shared by every flow. A button that no longer does anything (stale, forged, or
# not this user's); one from an earlier step of a flow still open; a step done; a flow left.
OLD_BUTTON = N_("That button doesn't work any more.")
OUT_OF_DATE = N_("That button is out of date.")
SAVED = N_("Saved ✓")
CANCELLED = N_("Cancelled")

# The reply keyboard's two buttons. A reply button sends its label as text, so the handler
# matches "Not now" in every language (handlers.register).
SHARE_LOCATION = N_("📍 Share location")
NOT_NOW = N_("Not now")


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
    """A message with a reply keyboard (Share location, Not now) or one that removes it.

    `share_location` holds the two labels, worded in the runner's language by the view."""

    share_location: tuple[str, str] | None = None

    def markup(self) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
        if self.share_location is None:
            return ReplyKeyboardRemove()
        share, not_now = self.share_location
        return ReplyKeyboardMarkup(
            [[KeyboardButton(share, request_location=True)], [KeyboardButton(not_now)]],
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
