"""Calendars: an .ics file sent as a document, its buttons (`ic:`), /calendar with `link`
and `revoke`, and /runs' *Remove calendar runs* (`cal:rm`)."""

from __future__ import annotations

from telegram import Update

from bot import services
from bot.services.state import Context
from handlers.common import answer_and_redraw, press_of


async def calendar_command(update: Update, context: Context) -> None:
    """/calendar (the file), /calendar link, /calendar revoke."""
    assert update.effective_user is not None and update.effective_chat is not None
    await services.calendar.command(
        context.svc,
        context.bot,
        update.effective_user.id,
        update.effective_chat.id,
        context.args or [],
    )


async def document_received(update: Update, context: Context) -> None:
    """A file: read as a calendar (anything else gets one line saying what is accepted)."""
    message = update.effective_message
    assert message is not None and message.document is not None
    assert update.effective_user is not None and update.effective_chat is not None
    await services.calendar.receive_file(
        context.svc,
        context.bot,
        update.effective_user.id,
        update.effective_chat.id,
        message.document.file_id,
        message.document.file_size,
    )


async def import_button(update: Update, context: Context) -> None:
    """`ic:<import>:<action>`: Add all, Choose and its toggles, Cancel, the all-day time."""
    press = press_of(update)
    answer, view = services.calendar.import_pressed(context.svc, press.user_id, press.data)
    await answer_and_redraw(press, context, answer, view)


async def remove_imported_button(update: Update, context: Context) -> None:
    """`cal:rm` in /runs: every run that came from a calendar goes; /runs redraws."""
    press = press_of(update)
    answer, view = services.calendar.remove_imported(context.svc, press.user_id)
    await answer_and_redraw(press, context, answer, view)
