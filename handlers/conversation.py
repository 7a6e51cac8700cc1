"""One builder for the conversations that read typed input (/log, /plan).

Both share the same shape: a command opens them, each step is `owned` (its /cancel or
typed value goes no further), /cancel or the flow's ✖ button leaves without saving, any
other command ends the flow and runs as usual, and a flow left unfinished for
`TIMEOUT_SECONDS` loses its draft and its keyboard, so a late tap can never half-save.

The draft lives in `user_data` as a dataclass: nothing is saved before the last step, so a
restart that loses it loses nothing the runner confirmed.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.services.state import Context
from bot.transport import messaging
from handlers.common import PRIVATE, Callback, owned

END = ConversationHandler.END
TIMEOUT_SECONDS = 15 * 60


class Draft(Protocol):
    """What every conversation's draft has: the message whose keyboard the flow owns."""

    message_id: int | None


D = TypeVar("D", bound=Draft)


def draft(context: Context, key: str, factory: Callable[[], D]) -> D:
    """The conversation's draft, created on first use."""
    assert context.user_data is not None
    found: D = context.user_data.setdefault(key, factory())
    return found


def forget(context: Context, key: str) -> None:
    if context.user_data is not None:
        context.user_data.pop(key, None)


async def discard(update: Update, context: Context, key: str) -> None:
    """Drop the draft and take the keyboard off the flow's message."""
    found: Draft | None = context.user_data.get(key) if context.user_data is not None else None
    if found is not None and found.message_id is not None and update.effective_chat is not None:
        await messaging.strip_buttons(context.bot, update.effective_chat.id, found.message_id)
    forget(context, key)


def build_conversation(
    *,
    name: str,
    command: str,
    entry: Callback,
    states: dict[object, list[BaseHandler[Update, Context, Any]]],
    cancel: Callback,
    cancel_pattern: re.Pattern[str],
) -> ConversationHandler[Context]:
    """A conversation with the shared fallbacks and timeout; its draft key is `name`.draft."""
    key = draft_key(name)

    async def leave(update: Update, context: Context) -> int:
        """Another command mid-flow: drop the draft and let that command run."""
        await discard(update, context, key)
        return END

    async def timed_out(update: Update, context: Context) -> None:
        """The flow sat unfinished: take its buttons away so a late tap can't half-save."""
        await discard(update, context, key)

    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, not per message: intended here.
        warnings.filterwarnings("ignore", message=".*per_message=False.*")
        return ConversationHandler(
            entry_points=[CommandHandler(command, owned(entry), filters=PRIVATE)],
            states={**states, ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)]},
            fallbacks=[
                CommandHandler("cancel", owned(cancel), filters=PRIVATE),
                CallbackQueryHandler(owned(cancel), pattern=cancel_pattern),
                MessageHandler(filters.COMMAND & PRIVATE, leave),
            ],
            allow_reentry=True,
            conversation_timeout=TIMEOUT_SECONDS,
            name=name,
        )


def draft_key(name: str) -> str:
    return f"{name}.draft"
