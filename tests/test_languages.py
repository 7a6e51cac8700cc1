"""A Spanish and a Russian runner use the whole bot in their language, end to end against
the fake Bot API: first contact, a Full routine, /plan with a localized shortcut, the
reminder arriving, /log with a localized exercise name, /progress, /language back to
English; a /plan and a /log it cannot read get its examples in their language. Texts and
rows are both checked, and nothing in English reaches them before they ask for it. The
command menus are published per language."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import views
from bot.core import planning
from bot.core.language import LANGUAGES, SOURCE
from bot.core.reports import Report
from bot.sandbox import BotMessage, FakeUser
from bot.sandbox.html_check import to_plain
from bot.views import commands, session
from bot.views.commands import ADMIN_COMMANDS, COMMANDS
from bot.views.i18n import Translator
from tests.flows import state
from tests.i18n import leftover_english, t

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)  # the runner stays on UTC
RUNNERS = {
    # language: (Telegram language_code, first name, /plan shortcut, /log shortcut, what it
    # logs, a word neither /plan nor /log reads)
    "es": ("es-AR", "Lucía", "mañana 07:30", "ayer rotaciones 2x10",
           Report("rotations", "both", 2, 10, None, MONDAY), "pronto"),
    "ru": ("ru-RU", "Оля", "завтра 07:30", "вчера растяжка 2x30 сек",
           Report("ninety_ninety", "both", 2, None, 30, MONDAY), "скоро"),
}  # fmt: skip


async def do_full_routine(user: FakeUser, tr: Translator) -> BotMessage:
    """Tap through the Full routine in `tr`'s words, doing every set as prescribed."""
    user.send("/routine")
    menu = await user.expect(lambda m: tr.content.routine("full").name in m.labels[0])
    # Each step is a new message or an edit of the live one (the menu turns into the first
    # card): act on the newest message each time it changes.
    acted = state(user)
    await user.answer_for(user.press(menu.labels[0], menu, exact=True))
    done_labels = {tr._("✓ Done"), tr._("▶ Start")}
    done_labels |= {tr.n_("✓ All {n}", "✓ All {n}", n) for n in (10, 15)}
    rating = tr.msg(session.RATING_LABELS["right"])
    yes = tr._("👍 Yes")  # a new runner is asked a watch-point question, in place
    labels = done_labels | {rating, yes}
    complete = tr._("🎉 <b>{routine} complete!</b>", routine=tr.content.routine("full").name)

    def actionable() -> bool:
        last = user.last
        if last is None or state(user) == acted:
            return False
        return bool(set(last.labels) & labels) or "🎉" in last.plain

    while True:
        await user.wait_until(actionable)
        msg = user.last
        assert msg is not None
        acted = state(user)
        if "🎉" in msg.plain:
            assert complete.replace("<b>", "").replace("</b>", "") in msg.plain
            return msg
        label = next(x for x in msg.labels if x in labels)
        await user.answer_for(user.press(label, msg, exact=True))


@pytest.fixture
async def rbot(harness):
    await harness.start_at()  # Monday 06:00; the test runs dispatch passes itself
    # This runner taps at machine speed (a whole routine in a blink): lift the flood guard
    # meant for thumbs (bot/transport/updates.py), as the playground does for scripts.
    harness.app.update_processor.burst = 1_000_000
    return harness


@pytest.mark.parametrize("lang", sorted(RUNNERS))
async def test_a_runner_uses_the_whole_bot_in_their_language(rbot, lang):
    code, name, plan_args, log_args, logged, unreadable = RUNNERS[lang]
    tr, en = t(lang), t(SOURCE)
    user = rbot.api.user(7000 + len(lang) + ord(lang[0]), name, language_code=code)

    # First contact: Telegram's language_code picks the language; nothing is stored yet.
    user.send("/start")
    welcome = await user.expect(tr._("Hi {name}! 👋 I'm your hip coach.", name=name))
    assert welcome.labels == [tr._("▶ Start a routine")]
    [row] = rbot.rows("SELECT language, language_code FROM users")
    assert row == {"language": None, "language_code": code}

    # A Full routine, every set done.
    summary = await do_full_routine(user, tr)
    assert tr.n_("This week: {n} routine done 💪", "This week: {n} routines done 💪", 1) in (
        summary.plain
    )
    [s] = rbot.rows("SELECT routine, status FROM sessions")
    assert s == {"routine": "full", "status": "completed"}
    assert len(rbot.rows("SELECT * FROM sets")) == 12

    # A /plan the bot cannot read: what it understands, in the runner's words; nothing saved.
    user.send(f"/plan {unreadable}")
    examples = views.plans.plan_rejected(tr, planning.ACCEPTED).text
    await user.expect(lambda m: m.text == examples)
    assert rbot.rows("SELECT * FROM plans") == []

    # /plan with a localized day word: a single run tomorrow at 07:30.
    user.send(f"/plan {plan_args}")
    tomorrow = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    saved = await user.expect(lambda m: tr.time(tomorrow) in m.plain)
    assert tr.day_time(tomorrow) in saved.plain
    [plan] = rbot.rows("SELECT run_date, local_time FROM plans")
    assert (plan["run_date"], plan["local_time"]) == ("2026-03-03", "07:30")

    # The pre-run reminder arrives 30 min before, worded when it is sent.
    assert await rbot.move_to(tomorrow - timedelta(minutes=30)) == 1
    reminder = user.last
    assert reminder is not None
    assert tr._("▶ Start warm-up") in reminder.labels
    assert tr.time(tomorrow) in reminder.plain
    [sent] = rbot.rows("SELECT kind, status FROM reminders WHERE status = 'sent'")
    assert sent["kind"] == "pre_run"

    # A /log the bot cannot read: the forms it reads, in the runner's words; nothing saved.
    user.send(f"/log {unreadable}")
    help_text = views.reports.usage_help(tr)
    await user.expect(lambda m: m.text.endswith(help_text))
    assert rbot.rows("SELECT * FROM log_entries") == []

    # /log with the exercise named in the runner's language, for yesterday.
    user.send(f"/log {log_args}")
    done = await user.expect(tr.content.exercise(logged.exercise).name)
    # The exercise, the amount and "yesterday" (it is Tuesday), all in the runner's words.
    assert views.reports.entry_text(tr, logged, TUESDAY) in done.text
    assert tr._("yesterday") in done.plain
    [entry] = rbot.rows("SELECT exercise, side, sets, reps, seconds, day FROM log_entries")
    assert entry == {**asdict(logged), "day": logged.day.isoformat()}

    # /progress: the text and the chart, in the runner's language.
    user.send("/progress")
    chart = await user.expect(lambda m: m.kind == "photo")
    assert chart.file_data and chart.file_data.startswith(b"\x89PNG")
    # Its caption counts this week's routines (the Full one) in the runner's plural forms.
    assert tr.n_("{n} routine done", "{n} routines done", 1) in chart.plain
    text = "\n".join(m.plain for m in user.messages[-2:])
    assert (
        tr.content.exercise("rotations").name in text
        or tr.content.exercise("rotations").short in text
    )

    # Not one English word so far (the article's credit is not among the messages shown),
    # in any version of a message: a session edits its live message in place.
    leftovers = {
        m.message_id: [
            word
            for text in [*(to_plain(old, m.parse_mode) for old, _ in m.edits), m.plain]
            for word in leftover_english(text, lang)
        ]
        for m in user.messages
    }
    assert not any(leftovers.values()), leftovers

    # /language: the buttons, each in its own name; switching back to English.
    user.send("/language")
    picker = await user.expect(lambda m: "English" in m.labels)
    assert picker.labels == [("✓ " if c == lang else "") + n for c, n in LANGUAGES.items()]
    answer, _ = await user.answer_for(user.press("English", picker, exact=True))
    assert answer == en._("Language saved.")
    await user.wait_until(lambda: en._("🌐 Done") in (user.messages[-1].plain))
    assert rbot.rows("SELECT language FROM users") == [{"language": "en"}]
    menu = rbot.api.commands[(json.dumps({"chat_id": user.id, "type": "chat"}), "")]
    assert [c["description"] for c in menu] == [en.msg(d) for _, d in COMMANDS]
    user.send("/help")
    await user.expect("What I can do")


async def test_the_command_menu_is_published_in_every_language(rbot):
    default = json.dumps({"type": "default"})
    for lang in LANGUAGES:
        code = "" if lang == SOURCE else lang
        menu = rbot.api.commands[(default, code)]
        want = commands.command_menu(t(lang), COMMANDS)
        assert [(c["command"], c["description"]) for c in menu] == want
    spanish = dict(commands.command_menu(t("es"), COMMANDS))
    assert spanish["language"] == "Cambiar el idioma"


async def test_a_chosen_language_outlives_the_apps_and_goes_with_deleteme(rbot):
    user = rbot.api.user(7100, "Ana", language_code="en-GB")
    user.send("/language")
    picker = await user.expect(lambda m: "Русский" in m.labels)
    await user.answer_for(user.press("Русский", picker, exact=True))
    # The app still says English; the choice wins, in replies and in the stored row.
    user.send("/help")
    await user.expect(t("ru")._("What I can do"))
    [row] = rbot.rows("SELECT language, language_code FROM users")
    assert row == {"language": "ru", "language_code": "en-GB"}
    # A forged language code changes nothing and gets the usual short answer.
    answer = await user.answer_for(user.press_data(picker.message_id, "lang:de"))
    assert answer[0] == t("ru")._("That button doesn't work any more.")
    assert rbot.rows("SELECT language FROM users") == [{"language": "ru"}]
    # /deleteme removes the row, and with it the choice; the chat's own menu goes too.
    user.send("/deleteme")
    confirm = await user.expect(lambda m: bool(m.buttons))
    user.press_data(confirm.message_id, str(confirm.buttons[0][0][1]))
    await user.wait_until(lambda: not rbot.rows("SELECT * FROM users"))
    chat_menu = (json.dumps({"chat_id": user.id, "type": "chat"}), "")
    await user.wait_until(lambda: chat_menu not in rbot.api.commands)


def test_dates_read_the_way_each_language_writes_them():
    when = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    assert t("en").day_time(when) == "Mon 7 Dec, 07:30"
    assert t("es").day_time(when) == "lun, 7 dic, 7:30"
    assert t("ru").day_time(when) == "пн, 7 дек., 07:30"
    # Weeks run Monday to Sunday in every language: weekday 0 is Monday.
    assert [t(lang).weekday(0, "wide") for lang in ("en", "es", "ru")] == [
        "Monday",
        "lunes",
        "понедельник",
    ]
    assert [t("ru").weekday(d) for d in range(7)] == ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
    # Russian picks one of three forms by the number: 1 and 21, 3, 5.
    forms = {
        n: t("ru").n_("{n} run planned", "{n} runs planned", n).replace(str(n), "{n}")
        for n in (1, 3, 5, 21)
    }
    assert len({forms[1], forms[3], forms[5]}) == 3 and forms[21] == forms[1]


async def test_an_operator_keeps_their_menu_in_their_language_after_deleteme(harness):
    harness.reconfigure(admin_ids=frozenset({7200}))
    await harness.start()
    op = harness.api.user(7200, "Op", language_code="en")
    op.send("/language")
    picker = await op.expect(lambda m: "Русский" in m.labels)
    await op.answer_for(op.press("Русский", picker, exact=True))
    op.send("/deleteme")
    confirm = await op.expect(lambda m: bool(m.buttons))
    op.press_data(confirm.message_id, str(confirm.buttons[0][0][1]))
    await op.wait_until(lambda: not harness.rows("SELECT * FROM users"))
    chat_menu = (json.dumps({"chat_id": op.id, "type": "chat"}), "")
    ru = t("ru")
    want = [ru.msg(d) for _, d in COMMANDS + ADMIN_COMMANDS]
    await op.wait_until(
        lambda: [c["description"] for c in harness.api.commands.get(chat_menu, [])] == want
    )
