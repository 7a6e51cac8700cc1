"""/settings: every preference in one message, changed with its buttons in place.

Each change goes through the same use case as its shortcut command (/remind, /afterrun,
/language) or one of its own, committed (with a rebuild of the runner's reminders where
they depend on it) before the message is edited back to the list with the new value.
"""

from __future__ import annotations

import logging

from telegram import Bot

from bot import storage, views
from bot.core.language import LANGUAGES
from bot.services import coach, plans, users, weekly
from bot.services.state import Services
from bot.transport import messaging
from bot.views.base import View
from bot.views.callbacks import SettingsButton

log = logging.getLogger(__name__)


def prefs(svc: Services, user_id: int) -> views.settings.Prefs:
    s = storage.users.get_settings(svc.db, user_id)
    return views.settings.Prefs(
        tz=s.tz,
        tz_set=s.tz_set,
        remind=s.remind_minutes,
        afterrun=s.afterrun_minutes,
        checkins=s.checkins,
        questions=s.questions,
        weekly_note=s.weekly_note,
        weekly_day=s.weekly_day,
        weekly_time=s.weekly_time,
        paused=tuple(coach.paused(svc, user_id)),
    )


def main_view(svc: Services, user_id: int) -> View:
    return views.settings.main(svc.t(user_id), prefs(svc, user_id))


async def show(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """`/settings`: the list, as a new message."""
    await messaging.send(bot, svc.db, chat_id, main_view(svc, user_id))


async def ask_zone(svc: Services, bot: Bot, user_id: int, chat_id: int) -> None:
    """The Time zone button: /timezone's own prompt, with the Share location key (the
    handler marks the location as asked for)."""
    await messaging.send(bot, svc.db, chat_id, views.plans.zone_prompt(svc.t(user_id)))


def change_weekly(svc: Services, user_id: int, on: bool, day: int, time: str) -> None:
    """The weekly note on or off, its local weekday (Mon=0) and 'HH:MM'; its reminder row
    is rebuilt in the same transaction."""
    with svc.db.atomic():  # only the note's row: run reminders are not touched
        storage.users.set_weekly(svc.db, user_id, on, day, time)
        weekly.schedule(svc.db, user_id, svc.clock.now())
    log.info("user %s set the weekly note: %s, day %s, %s", user_id, on, day, time)


async def pressed(
    svc: Services,
    bot: Bot,
    user_id: int,
    chat_id: int,
    message_id: int | None,
    button: SettingsButton,
) -> str | None:
    """A `st:` button other than Time zone: open a picker or save a choice, then show the
    result in place. Returns the button's answer (None: no toast)."""
    t = svc.t(user_id)
    saved = t.msg(views.base.SAVED)
    now = storage.users.get_settings(svc.db, user_id)
    key, value = button.key, button.value
    answer: str | None = None
    view: View
    if not button.chosen:  # open a view
        if key == "rm":
            view = views.settings.remind_picker(t, now.remind_minutes)
        elif key == "ar":
            view = views.settings.afterrun_picker(t, now.afterrun_minutes)
        elif key == "wk":
            view = views.settings.weekly_picker(t, prefs(svc, user_id))
        elif key == "lg":
            view = views.settings.language_picker(t)
        else:
            view = main_view(svc, user_id)
        await _show(svc, bot, chat_id, message_id, view)
        return None
    if key in ("rm", "ar"):
        minutes = value if isinstance(value, int) else None
        if key == "rm" and minutes != now.remind_minutes:
            plans.change_remind(svc, user_id, minutes)
        elif key == "ar" and minutes != now.afterrun_minutes:
            plans.change_afterrun(svc, user_id, minutes)
        answer = saved
    elif key in ("ci", "qs"):
        with svc.db.atomic():
            if key == "ci":
                storage.users.set_checkins(svc.db, user_id, bool(value))
            else:
                storage.users.set_questions(svc.db, user_id, bool(value))
        answer = saved
    elif key in ("wk", "wd", "wt"):
        on, day, time = now.weekly_note, now.weekly_day, now.weekly_time
        if key == "wk":
            on = bool(value)
        elif key == "wd" and isinstance(value, int):
            day = value
        elif isinstance(value, str):
            time = value
        if (on, day, time) != (now.weekly_note, now.weekly_day, now.weekly_time):
            change_weekly(svc, user_id, on, day, time)
        # The note has a day and a time to pick: its view stays open until ‹ Back.
        view = views.settings.weekly_picker(t, prefs(svc, user_id))
        await _show(svc, bot, chat_id, message_id, view)
        return saved
    elif key == "lg":
        if value not in LANGUAGES:
            return t.msg(views.base.OLD_BUTTON)
        # /language's own use case: stored, and the chat's command menu follows.
        chosen = await users.choose_language(svc, bot, user_id, chat_id, str(value))
        answer = views.language.answer(chosen)
    elif key == "bb":
        exercise = str(value)
        if not coach.resume(svc, user_id, exercise):
            return t.msg(views.base.OLD_BUTTON)
        answer = views.settings.brought_back(t, exercise)
    else:
        return t.msg(views.base.OLD_BUTTON)
    await _show(svc, bot, chat_id, message_id, main_view(svc, user_id))
    return answer


async def _show(svc: Services, bot: Bot, chat_id: int, message_id: int | None, view: View) -> None:
    """In place; as a new message when Telegram no longer says which message it was."""
    if message_id is None:
        await messaging.send(bot, svc.db, chat_id, view)
    else:
        await messaging.edit(bot, chat_id, message_id, view)
