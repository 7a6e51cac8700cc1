"""Who the bot talks to: first contact, coming back after a block, groups told to go private."""

from __future__ import annotations

from bot import storage
from bot.services.state import Services


def remember(
    svc: Services, user_id: int, chat_id: int, first_name: str, language_code: str | None
) -> None:
    """Every private update: record who wrote (and reactivate a user who unblocked us)."""
    storage.users.touch_user(svc.db, user_id, chat_id, first_name, language_code, svc.clock.now())


def first_group_notice(svc: Services, chat_id: int) -> bool:
    """True only the first time a group writes: it gets one note, then silence."""
    return storage.users.note_group(svc.db, chat_id, svc.clock.now())
