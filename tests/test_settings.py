"""/settings end to end: one message with every preference, its buttons editing it in place,
each change stored (and the reminders rebuilt where they depend on it), forged buttons
answered once and changing nothing, and the old commands still shortcuts to the same values.

Every test starts on Monday 2 March 2026, 06:00 UTC (`Harness.start_at`), without the
repeating dispatcher job.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.core.language import LANGUAGES
from bot.sandbox import BotMessage, FakeUser
from bot.views import callbacks as cb
from bot.views.base import OLD_BUTTON, SAVED
from bot.views.commands import COMMANDS
from tests.i18n import t

EN = t("en")
MAIN = ["🌍 Time zone", "⏰ Reminder before a run", "🧘 Stretch prompt after a run"]


@pytest.fixture
async def sbot(harness):
    await harness.start_at()
    return harness


async def open_settings(user: FakeUser) -> BotMessage:
    user.send("/settings")
    return await user.expect(
        lambda m: "st:main" not in str(m.buttons) and "st:tz" in str(m.buttons)
    )


async def press(user: FakeUser, label: str, message: BotMessage, **kw) -> str | None:
    """Tap and wait for the answer; returns the toast."""
    edits = message.edit_count
    answer, _ = await user.answer_for(user.press(label, message, **kw))
    await user.wait_until(lambda: message.edit_count > edits)
    return answer


def data_of(message: BotMessage) -> list[list[str | None]]:
    return [[d for _, d in row] for row in message.buttons]


def user_row(h, *columns: str) -> dict:
    [row] = h.rows(f"SELECT {', '.join(columns)} FROM users")
    return row


# --- the list ---------------------------------------------------------------------------


async def test_settings_lists_every_preference_with_its_default(sbot):
    user = sbot.user()
    listing = await open_settings(user)
    assert listing.plain.splitlines() == [
        "⚙️ Your settings",
        "🌍 Time zone: UTC — not set",
        "⏰ Reminder before a run: 30 min",
        "🧘 Stretch prompt after a run: 15 min",
        "📏 Tightness check-ins: on",
        "💭 Technique questions: on",
        "📬 Weekly note: Sun at 18:00",
        "🗣 Language: English",
        "Tap one to change it.",
    ]
    assert listing.labels == [
        *MAIN,
        "📏 Turn check-ins off",
        "💭 Turn questions off",
        "📬 Weekly note",
        "🗣 Language",
    ]
    assert all(len(row) == 1 for row in listing.buttons)  # one a row: thumb-friendly
    # In the command menu, with the commands it gathers.
    names = [c for c, _ in COMMANDS]
    assert {"settings", "timezone", "remind", "afterrun", "language"} <= set(names)


async def test_lead_times_are_picked_in_place_and_rebuild_the_reminders(sbot):
    user = sbot.user()
    user.send("/plan mon,wed 09:30")
    await user.expect("planned")
    listing = await open_settings(user)

    assert await press(user, "Reminder before a run", listing) is None
    assert "How long before each planned run" in listing.plain
    assert listing.labels == ["Off", "15 min", "✓ 30 min", "45 min", "60 min", "90 min", "‹ Back"]
    assert await press(user, "60 min", listing) == EN.msg(SAVED)
    assert "⏰ Reminder before a run: 60 min" in listing.plain
    assert listing.labels[:3] == MAIN  # back to the list
    assert user_row(sbot, "remind_minutes") == {"remind_minutes": 60}
    pre = sbot.rows("SELECT due_at FROM reminders WHERE kind = 'pre_run' ORDER BY due_at")
    assert [r["due_at"][:16] for r in pre] == [
        "2026-03-02T08:30",
        "2026-03-04T08:30",
        "2026-03-09T08:30",
    ]

    await press(user, "Reminder before a run", listing)
    assert "✓ 60 min" in listing.labels
    await press(user, "Off", listing, exact=True)
    assert "⏰ Reminder before a run: off" in listing.plain
    assert user_row(sbot, "remind_minutes") == {"remind_minutes": None}
    assert sbot.rows("SELECT * FROM reminders WHERE kind = 'pre_run'") == []

    await press(user, "Stretch prompt after a run", listing)
    assert listing.labels == ["Off", "0 min", "✓ 15 min", "30 min", "60 min", "‹ Back"]
    await press(user, "0 min", listing)
    assert "🧘 Stretch prompt after a run: 0 min" in listing.plain
    assert user_row(sbot, "afterrun_minutes") == {"afterrun_minutes": 0}
    post = sbot.rows("SELECT due_at FROM reminders WHERE kind = 'post_run' ORDER BY due_at")
    assert post[0]["due_at"][:16] == "2026-03-02T10:15"  # right as the 45-min run ends

    # ‹ Back changes nothing.
    before = sbot.snapshot()
    await press(user, "Stretch prompt after a run", listing)
    assert "✓ 0 min" in listing.labels
    assert await press(user, "‹ Back", listing) is None
    assert listing.labels[:3] == MAIN
    assert sbot.snapshot() == before


async def test_check_ins_and_questions_toggle(sbot):
    user = sbot.user()
    listing = await open_settings(user)
    assert await press(user, "Turn check-ins off", listing) == EN.msg(SAVED)
    assert "📏 Tightness check-ins: off" in listing.plain
    assert "📏 Turn check-ins on" in listing.labels
    await press(user, "Turn questions off", listing)
    assert "💭 Technique questions: off" in listing.plain
    assert user_row(sbot, "checkins", "questions") == {"checkins": 0, "questions": 0}

    # A stale copy of the first button (sent twice, another device) says what it did again.
    before = sbot.snapshot()
    answer, _ = await user.answer_for(user.press_data(listing.message_id, "st:ci:0"))
    assert answer == EN.msg(SAVED)
    assert sbot.snapshot() == before

    await press(user, "Turn check-ins on", listing)
    assert user_row(sbot, "checkins", "questions") == {"checkins": 1, "questions": 0}
    assert "📏 Tightness check-ins: on" in listing.plain


async def test_weekly_note_day_time_and_off(sbot):
    user = sbot.user()
    listing = await open_settings(user)
    await press(user, "📬 Weekly note", listing)
    assert "Now: Sun at 18:00." in listing.plain
    assert listing.labels == [
        "🔕 Turn the weekly note off",
        *["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "✓ Sun"],
        *["07:00", "09:00", "12:00", "✓ 18:00", "20:00"],
        "‹ Back",
    ]
    # A day, then a time: the note's view stays open for both.
    assert await press(user, "Sat", listing, exact=True) == EN.msg(SAVED)
    assert "Now: Sat at 18:00." in listing.plain and "✓ Sat" in listing.labels
    await press(user, "09:00", listing)
    assert "Now: Sat at 09:00." in listing.plain
    assert user_row(sbot, "weekly_note", "weekly_day", "weekly_time") == {
        "weekly_note": 1,
        "weekly_day": 5,
        "weekly_time": "09:00",
    }
    weekly = sbot.rows("SELECT due_at FROM reminders WHERE kind = 'weekly' AND status = 'pending'")
    if weekly:  # once the weekly note's rows are built (bot.services.reminders)
        # A runner who joined on Monday gets a first note six days or more later.
        assert [r["due_at"][:16] for r in weekly] == ["2026-03-14T09:00"]

    await press(user, "Turn the weekly note off", listing)
    assert "Now: off." in listing.plain
    assert listing.labels == ["🔔 Turn the weekly note on", "‹ Back"]
    assert user_row(sbot, "weekly_note", "weekly_day") == {"weekly_note": 0, "weekly_day": 5}
    assert sbot.rows("SELECT * FROM reminders WHERE kind = 'weekly' AND status = 'pending'") == []
    await press(user, "Turn the weekly note on", listing)
    await press(user, "‹ Back", listing)
    assert "📬 Weekly note: Sat at 09:00" in listing.plain
    assert user_row(sbot, "weekly_note") == {"weekly_note": 1}


async def test_language_from_settings_words_the_list_and_the_menu(sbot):
    user = sbot.user()
    listing = await open_settings(user)
    await press(user, "🗣 Language", listing)
    assert "Which language" in listing.plain
    assert listing.labels == ["✓ English", "Español", "Русский", "‹ Back"]
    es = t("es")
    assert await press(user, "Español", listing) == es._("Language saved.")
    assert user_row(sbot, "language") == {"language": "es"}
    assert "Español" in listing.plain and len(listing.buttons) == 7
    menu = sbot.api.commands[(json.dumps({"chat_id": user.id, "type": "chat"}), "")]
    assert [c["description"] for c in menu] == [es.msg(d) for _, d in COMMANDS]


async def test_time_zone_button_asks_like_timezone_and_takes_a_location(sbot):
    user = sbot.user()
    listing = await open_settings(user)
    answer, _ = await user.answer_for(user.press("Time zone", listing))
    assert answer is None
    prompt = await user.expect("Share location")
    keyboard = prompt.reply_markup["keyboard"]
    assert keyboard[0][0] == {"text": "📍 Share location", "request_location": True}
    user.send_location(40.4168, -3.7038)
    await user.expect("Time zone set to Europe/Madrid")
    assert user_row(sbot, "tz") == {"tz": "Europe/Madrid"}
    listing = await open_settings(user)
    assert "🌍 Time zone: Europe/Madrid" in listing.plain


async def test_a_paused_exercise_is_brought_back(sbot):
    user = sbot.user()
    await open_settings(user)
    conn = sqlite3.connect(sbot.config.db_path)
    with conn:
        conn.execute(
            "INSERT INTO ladder_changes (user_id, exercise, step_from, step_to, paused, reason, "
            "created_at) VALUES (?, 'flexion', 2, 2, 1, 'paused', '2026-03-01T10:00:00.000000Z')",
            [user.id],
        )
    conn.close()
    listing = await open_settings(user)
    assert "⏸ Paused after pain: band flexion" in listing.plain
    assert listing.labels[-1] == "↩ Bring back band flexion"
    bring_back = listing.buttons[-1][0][1]
    assert bring_back == "st:bb:flexion"

    answer = await press(user, "Bring back band flexion", listing)
    assert answer == "↩ Band flexion is back in your routines, at its gentlest step. Start gently."
    assert "Paused" not in listing.plain and "Bring back" not in str(listing.labels)
    rows = sbot.rows("SELECT exercise, step_from, step_to, paused, reason FROM ladder_changes")
    assert rows[-1] == {
        "exercise": "flexion",
        "step_from": 2,
        "step_to": 0,
        "paused": 0,
        "reason": "resumed",
    }

    # The same button again: it is not paused any more.
    before, edits = sbot.snapshot(), listing.edit_count
    answer, _ = await user.answer_for(user.press_data(listing.message_id, bring_back))
    assert answer == EN.msg(OLD_BUTTON)
    assert sbot.snapshot() == before and listing.edit_count == edits


FORGED = [
    "st:rm:3",  # under /remind's 5
    "st:rm:241",
    "st:ar:999",
    "st:rm:٣",
    "st:rm:+30",
    "st:rm:30:1",
    "st:wd:7",
    "st:wd:-1",
    "st:wt:2400",
    "st:wt:0960",
    "st:wt:18:00",
    "st:ci:2",
    "st:ci",
    "st:lg:fr",
    "st:bb:flexion",  # not paused
    "st:bb:nope",
    "st:bb:Flexion",
    "st:zz",
    "st:",
    "st:main\n",
    "st:main ",
]


async def test_forged_and_stale_settings_buttons_change_nothing(sbot):
    """Each gets exactly one answer, and no row, message or menu changes. (Two chats: one
    chat tapping this fast counts as a flood.)"""
    half = len(FORGED) // 2
    users = [sbot.user(), sbot.user(2002, "Mallory")]
    listings = [await open_settings(u) for u in users]
    before = sbot.snapshot()
    seen = [(len(u.messages), m.edit_count) for u, m in zip(users, listings, strict=True)]
    for user, listing, forged in zip(users, listings, (FORGED[:half], FORGED[half:]), strict=True):
        for data in forged:
            answer, _ = await user.answer_for(user.press_data(listing.message_id, data))
            assert answer == EN.msg(OLD_BUTTON), data
    assert sbot.snapshot() == before
    assert [(len(u.messages), m.edit_count) for u, m in zip(users, listings, strict=True)] == seen
    assert sum(len(u.callback_answers) for u in users) == len(FORGED)  # one answer each
    assert sbot.services.errors == 0


def test_settings_callback_data_round_trips_and_stays_small():
    assert cb.parse_settings_button(cb.settings_open("rm")) == cb.SettingsButton("rm")
    assert cb.parse_settings_button(cb.settings_minutes("rm", 240)) == cb.SettingsButton(
        "rm", True, 240
    )
    assert cb.parse_settings_button(cb.settings_minutes("ar", 0)).value == 0
    assert cb.parse_settings_button(cb.settings_minutes("ar", None)) == cb.SettingsButton(
        "ar", True, None
    )
    assert cb.parse_settings_button(cb.settings_switch("wk", False)).value == 0
    assert cb.parse_settings_button(cb.settings_weekday(6)).value == 6
    assert cb.parse_settings_button(cb.settings_time("07:05")).value == "07:05"
    assert cb.parse_settings_button(cb.settings_language("ru")).value == "ru"
    longest = cb.settings_bring_back("x" * 32)
    assert cb.parse_settings_button(longest).value == "x" * 32
    assert len(longest.encode()) <= cb.MAX_BYTES
    for data in FORGED[:13]:
        assert cb.parse_settings_button(data) is None, data


# --- shortcuts and languages ------------------------------------------------------------


async def test_the_old_commands_still_work_and_settings_shows_them(sbot):
    user = sbot.user()
    user.send("/remind 45")
    await user.expect("45 min before each run")
    user.send("/afterrun off")
    await user.expect("prompts are off")
    user.send("/timezone Europe/Madrid")
    await user.expect("Time zone set to Europe/Madrid")
    listing = await open_settings(user)
    assert "🌍 Time zone: Europe/Madrid" in listing.plain
    assert "⏰ Reminder before a run: 45 min" in listing.plain
    assert "🧘 Stretch prompt after a run: off" in listing.plain
    # A lead time set by command, not among the choices, is shown ticked among them.
    await press(user, "Reminder before a run", listing)
    assert listing.labels[:5] == ["Off", "15 min", "30 min", "✓ 45 min", "60 min"]
    user.send("/remind 37")
    await user.expect("37 min")
    await press(user, "‹ Back", listing)
    await press(user, "Reminder before a run", listing)
    assert "✓ 37 min" in listing.labels


@pytest.mark.parametrize("lang", ["es", "ru"])
async def test_settings_in_spanish_and_russian(sbot, lang):
    """The same buttons as in English, the values in the runner's formats and words."""
    tr = t(lang)
    english = sbot.user()
    runner = sbot.user(2002, "Lu", language_code=lang)
    mine, theirs = await open_settings(english), await open_settings(runner)
    assert data_of(theirs) == data_of(mine)
    assert f": {LANGUAGES[lang]}" in theirs.plain
    sunday = tr.weekday(6)
    await press(runner, tr._("📬 Weekly note"), theirs)
    await press(english, "📬 Weekly note", mine)
    assert data_of(theirs) == data_of(mine)
    sunday_label = f"✓ {sunday[:1].upper()}{sunday[1:]}"
    assert sunday_label in theirs.labels
    assert tr.time(datetime(2026, 3, 2, 18, 0, tzinfo=UTC)) in theirs.plain
