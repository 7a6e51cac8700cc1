"""/timezone (by name or a shared location), /remind and /afterrun.

Each change rebuilds the runner's future reminders at once (bot/reminders.py), so the next
reminder already follows the new zone or lead time.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import messaging, plan_views, planning
from bot import reminders as service
from bot.services import services
from bot.views import View

ASKED = "timezone.asked"
REMIND_RANGE = (5, 240)
AFTERRUN_RANGE = (0, 240)


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, view: View) -> None:
    assert update.effective_chat is not None
    await messaging.send(context.bot, services(context).db, update.effective_chat.id, view)


async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/timezone Europe/London`, or `/timezone` alone for the Share location button."""
    assert update.effective_user is not None and context.user_data is not None
    name = " ".join(context.args or [])
    if not name:
        context.user_data[ASKED] = True
        await _send(update, context, plan_views.zone_prompt())
        return
    zone = planning.find_zone(name)
    if zone is None:
        await _send(update, context, plan_views.zone_unknown(name, planning.suggest_zones(name)))
        return
    await _set_zone(update, context, zone)


async def _set_zone(update: Update, context: ContextTypes.DEFAULT_TYPE, zone: str) -> None:
    assert update.effective_user is not None and context.user_data is not None
    svc = services(context)
    context.user_data.pop(ASKED, None)
    moved = service.change_zone(svc, update.effective_user.id, zone)
    await _send(update, context, plan_views.zone_set(zone, svc.clock.now(), moved))


async def location_shared(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A location after /timezone: look its zone up offline; the coordinates are not kept."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    if not context.user_data.get(ASKED) or message.location is None:
        await message.reply_text(
            "I only use a location to find your time zone: send /timezone first."
        )
        return
    zone = planning.zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        context.user_data.pop(ASKED, None)
        await _send(update, context, plan_views.zone_not_found())
        return
    await _set_zone(update, context, zone)


async def not_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "Not now" key of the location keyboard: put the keyboard away."""
    if context.user_data is not None:
        context.user_data.pop(ASKED, None)
    await _send(
        update,
        context,
        plan_views.ReplyView("OK. Send /timezone Area/City whenever you like."),
    )


async def zone_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`tz:<zone>`: a suggested zone was tapped."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_chat is not None
    zone = planning.find_zone(query.data[3:])
    if query.message is not None:
        await messaging.strip_buttons(
            context.bot, update.effective_chat.id, query.message.message_id
        )
    if zone is None:
        await query.answer("That button doesn't work any more.")
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
    if word.isdigit() and low <= int(word) <= high:
        return int(word)
    return "bad"


async def remind_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/remind 30` (5–240) or `/remind off`: how long before a run the reminder comes."""
    assert update.effective_user is not None
    svc = services(context)
    value = _minutes(context.args or [], *REMIND_RANGE)
    if value == "bad":
        current = service.settings_of(svc, update.effective_user.id).remind_minutes
        await _send(update, context, plan_views.setting_usage("remind", current, *REMIND_RANGE))
        return
    assert not isinstance(value, str)
    service.change_remind(svc, update.effective_user.id, value)
    await _send(update, context, plan_views.remind_set(value))


async def afterrun_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/afterrun 15` (0–240) or `/afterrun off`: the stretch prompt after a planned run."""
    assert update.effective_user is not None
    svc = services(context)
    value = _minutes(context.args or [], *AFTERRUN_RANGE)
    if value == "bad":
        current = service.settings_of(svc, update.effective_user.id).afterrun_minutes
        view = plan_views.setting_usage("afterrun", current, *AFTERRUN_RANGE)
        await _send(update, context, view)
        return
    assert not isinstance(value, str)
    service.change_afterrun(svc, update.effective_user.id, value)
    await _send(update, context, plan_views.afterrun_set(value))
