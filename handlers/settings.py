"""/settings and its buttons; /timezone (by name or a shared location), /remind and
/afterrun, its shortcuts.

Each change rebuilds the runner's future reminders at once (bot.services.plans), so the
next reminder already follows the new zone or lead time.
"""

from __future__ import annotations

from telegram import Update

from bot import services, views
from bot.core import planning
from bot.core.numbers import parse_int
from bot.services.state import Context
from bot.transport import messaging
from bot.views import callbacks
from bot.views.base import OLD_BUTTON, ReplyView, View
from handlers.common import press_of, translator

ASKED = "timezone.asked"
REMIND_RANGE = callbacks.REMIND_MINUTES
AFTERRUN_RANGE = callbacks.AFTERRUN_MINUTES


async def _send(update: Update, context: Context, view: View) -> None:
    assert update.effective_chat is not None
    await messaging.send(context.bot, context.svc.db, update.effective_chat.id, view)


async def timezone_command(update: Update, context: Context) -> None:
    """`/timezone Europe/London`, or `/timezone` alone for the Share location button."""
    assert context.user_data is not None
    name = " ".join(context.args or [])
    t = translator(update, context)
    if not name:
        context.user_data[ASKED] = True
        await _send(update, context, views.plans.zone_prompt(t))
        return
    zone = planning.find_zone(name)
    if zone is None:
        view = views.plans.zone_unknown(t, name, planning.suggest_zones(name))
        await _send(update, context, view)
        return
    await _set_zone(update, context, zone)


async def _set_zone(update: Update, context: Context, zone: str) -> None:
    assert update.effective_user is not None and context.user_data is not None
    svc = context.svc
    context.user_data.pop(ASKED, None)
    moved = services.plans.change_zone(svc, update.effective_user.id, zone)
    view = views.plans.zone_set(translator(update, context), zone, svc.clock.now(), moved)
    await _send(update, context, view)


async def location_shared(update: Update, context: Context) -> None:
    """A location after /timezone: look its zone up offline; the coordinates are not kept."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    t = translator(update, context)
    if not context.user_data.get(ASKED) or message.location is None:
        await message.reply_text(t.msg(views.plans.LOCATION_UNASKED))
        return
    zone = planning.zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        context.user_data.pop(ASKED, None)
        await _send(update, context, views.plans.zone_not_found(t))
        return
    await _set_zone(update, context, zone)


async def not_now(update: Update, context: Context) -> None:
    """The "Not now" key of the location keyboard: put the keyboard away."""
    if context.user_data is not None:
        context.user_data.pop(ASKED, None)
    await _send(update, context, ReplyView(translator(update, context).msg(views.plans.ZONE_LATER)))


async def zone_button(update: Update, context: Context) -> None:
    """`tz:<zone>`: a suggested zone was tapped."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    name = callbacks.parse_zone_button(query.data)
    zone = planning.find_zone(name) if name is not None else None
    if query.message is not None:
        await messaging.strip_buttons(
            context.bot, update.effective_chat.id, query.message.message_id
        )
    if zone is None:
        await query.answer(translator(update, context).msg(OLD_BUTTON))
        return
    await query.answer(zone)
    await _set_zone(update, context, zone)


def _minutes(args: list[str], low: int, high: int) -> int | str | None:
    """`off` -> None, a number in range -> it, anything else -> 'bad'."""
    if len(args) != 1:
        return "bad"
    word = args[0].lower().removesuffix("min").removesuffix("m")
    if word == "off":
        return None
    value = parse_int(word, low, high)
    return "bad" if value is None else value


async def remind_command(update: Update, context: Context) -> None:
    """`/remind 30` (5–240) or `/remind off`: how long before a run the reminder comes."""
    assert update.effective_user is not None
    svc = context.svc
    t = translator(update, context)
    value = _minutes(context.args or [], *REMIND_RANGE)
    if value == "bad":
        current = services.plans.settings_of(svc, update.effective_user.id).remind_minutes
        view = views.plans.setting_usage(t, "remind", current, *REMIND_RANGE)
        await _send(update, context, view)
        return
    assert not isinstance(value, str)
    services.plans.change_remind(svc, update.effective_user.id, value)
    await _send(update, context, views.plans.remind_set(t, value))


async def afterrun_command(update: Update, context: Context) -> None:
    """`/afterrun 15` (0–240) or `/afterrun off`: the stretch prompt after a planned run."""
    assert update.effective_user is not None
    svc = context.svc
    t = translator(update, context)
    value = _minutes(context.args or [], *AFTERRUN_RANGE)
    if value == "bad":
        current = services.plans.settings_of(svc, update.effective_user.id).afterrun_minutes
        view = views.plans.setting_usage(t, "afterrun", current, *AFTERRUN_RANGE)
        await _send(update, context, view)
        return
    assert not isinstance(value, str)
    services.plans.change_afterrun(svc, update.effective_user.id, value)
    await _send(update, context, views.plans.afterrun_set(t, value))


# --- /settings --------------------------------------------------------------------------


async def settings_command(update: Update, context: Context) -> None:
    """`/settings`: every preference and its value, one button each."""
    assert update.effective_user is not None and update.effective_chat is not None
    await services.settings.show(
        context.svc, context.bot, update.effective_user.id, update.effective_chat.id
    )


async def settings_button(update: Update, context: Context) -> None:
    """`st:…`: open a picker or save a choice; Time zone sends /timezone's prompt."""
    assert context.user_data is not None
    press = press_of(update)
    button = callbacks.parse_settings_button(press.data)
    if button is None:
        await press.query.answer(translator(update, context).msg(OLD_BUTTON))
        return
    svc = context.svc
    if button.key == "tz":
        context.user_data[ASKED] = True  # a location shared next sets the zone
        await press.query.answer()
        await services.settings.ask_zone(svc, context.bot, press.user_id, press.chat_id)
        return
    answer = await services.settings.pressed(
        svc, context.bot, press.user_id, press.chat_id, press.message_id, button
    )
    await press.query.answer(answer)
