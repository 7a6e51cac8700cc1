"""Callback data: one definition per prefix, every decoder strict, every payload small."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.numbers import parse_int
from bot.views import callbacks as cb

BIG = 2**63 - 1


def test_round_trips():
    assert cb.parse_routine_choice(cb.routine_choice("post_run")) == ("post_run", None)
    assert cb.parse_routine_choice(cb.routine_choice("full", 5)) == ("full", 5)
    assert cb.parse_checkin_button(cb.checkin_button(BIG, "b", 10)) == cb.CheckinButton(
        BIG, "before", 10
    )
    assert cb.parse_session_button(cb.session_button(3, 4, "ck", "nq")).arg == "nq"
    press = cb.parse_session_button(cb.session_button(BIG, BIG, "n", 7))
    assert press == cb.SessionButton(BIG, BIG, "n", 7)
    assert cb.parse_session_button(cb.session_button(3, 4, "fb", "easy")).arg == "easy"
    assert cb.parse_resume_button(cb.resume_button(3, 4, "new")) == cb.SessionButton(3, 4, "new")
    assert cb.parse_reminder_button(cb.reminder_button(BIG, "snz")) == (BIG, "snz")
    run = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    assert cb.parse_runs_button(cb.skip_run_button(5, run)) == cb.RunsButton(5, run)
    assert cb.parse_runs_button(cb.delete_plan_button(5)) == cb.RunsButton(5, None)
    assert cb.parse_zone_button(cb.zone_button("America/Argentina/Buenos_Aires")) is not None
    assert cb.parse_undo_button(cb.undo_button(BIG)) == BIG
    assert cb.parse_delete_button(cb.delete_button(1_764_000_000)) == 1_764_000_000
    assert cb.parse_report_day(cb.report_step("d", "2026-02-28")) == date(2026, 2, 28)
    assert cb.parse_report_side(cb.report_step("s", "left")) == "left"
    assert cb.parse_report_number("a", cb.report_step("a", 30), 1, 600) == 30
    assert cb.parse_plan_days(cb.plan_weekday(6)) == 6
    assert cb.parse_plan_days(cb.plan_choice("tmrw")) == "tmrw"
    assert cb.parse_plan_duration(cb.plan_duration(90), 5, 600) == 90


@pytest.mark.parametrize(
    "data",
    [
        "r:1:2:n:²",  # str.isdigit() says yes, int() says no
        "r:1:2:n:٣",  # int() would accept this Arabic-Indic three
        "r:1:2:n:99999",  # more reps than any picker offers
        f"r:{2**63}:1:go",  # past SQLite's integers
        "r:-1:2:go",
        "r:1:2:explode",  # not an action
        "r:1:2:go\n",
        "c:1:2:maybe",
        "rm:1:detonate",
        "rm:01x:go",
        "rn:s:1:999999999999",  # a run past the year 9999
        "rn:x:1",
        "md:undo:1e3",
        "md:del:",
        "lg:d:2026-02-30",  # no such day
        "lg:s:up",
        "lg:a:1000",
        "pl:d:7",
        "pl:dur:0",
        "tz:../../etc/passwd",
        "m:Full",
        "m:full:0",
        "m:full:121",
        "m:full:5:5",
        "k:1:b:11",
        "k:1:c:1",
        "k:1:a:²",
        "r:1:2:up:x:y",
    ],
)
def test_forged_or_odd_payloads_decode_to_nothing(data):
    decoders = [
        cb.parse_session_button,
        cb.parse_resume_button,
        cb.parse_reminder_button,
        cb.parse_runs_button,
        cb.parse_undo_button,
        cb.parse_routine_choice,
        cb.parse_checkin_button,
        cb.parse_report_day,
        cb.parse_report_side,
        lambda d: cb.parse_report_number("a", d, 1, 600),
        lambda d: cb.parse_plan_duration(d, 5, 600),
        lambda d: cb.parse_plan_days(d),
    ]
    assert all(decode(data) is None for decode in decoders), data
    if data.startswith("tz:"):
        assert cb.parse_zone_button(data) is None
    if data.startswith("md:del:"):
        assert cb.parse_delete_button(data) is None


def test_handler_patterns_match_only_what_their_decoder_accepts():
    # A handler registered with a pattern never sees a payload its decoder rejects by shape.
    assert re.match(cb.SESSION_PATTERN, "r:1:2:go")
    assert not re.match(cb.SESSION_PATTERN, "r:1:2:go:x:y")
    assert re.match(cb.MENU_PATTERN, "menu") and not re.match(cb.MENU_PATTERN, "menus")
    assert not re.match(cb.KEEP_PATTERN, "md:keeper")


@given(st.text(max_size=80))
def test_decoders_never_raise(data):
    for decode in (
        cb.parse_session_button,
        cb.parse_resume_button,
        cb.parse_reminder_button,
        cb.parse_runs_button,
        cb.parse_zone_button,
        cb.parse_undo_button,
        cb.parse_delete_button,
        cb.parse_report_day,
        cb.parse_report_side,
        cb.parse_plan_days,
        cb.parse_routine_choice,
        cb.parse_checkin_button,
    ):
        decode(data)


def test_the_longest_payload_of_each_kind_fits_64_bytes():
    run = datetime(9999, 12, 31, tzinfo=UTC)
    longest = [
        cb.session_button(BIG, BIG, "resume"),
        cb.session_button(BIG, BIG, "fb", "right"),
        cb.resume_button(BIG, BIG, "end"),
        cb.reminder_button(BIG, "later"),
        cb.skip_run_button(BIG, run),
        cb.zone_button("America/Argentina/ComodRivadavia"),
        cb.undo_button(BIG),
        cb.report_step("x", "x" * 32),
        cb.routine_choice("r" * 32, cb.MAX_MINUTES),
        cb.checkin_button(BIG, "a", 10),
        cb.session_button(BIG, BIG, "gentle"),
    ]
    for data in longest:
        assert len(data.encode()) <= cb.MAX_BYTES, data


@pytest.mark.parametrize(
    "text, expected",
    [("7", 7), ("007", 7), ("²", None), ("٣", None), ("+7", None), (" 7", None), ("7.0", None)],
)
def test_the_one_number_parser(text, expected):
    assert parse_int(text, 0, 100) == expected
    assert parse_int("9" * 19) is None  # longer than any id SQLite can hold
    assert parse_int("101", 0, 100) is None


# --- through the real bot: one short answer, nothing changed -------------------------------


async def test_forged_session_buttons_change_nothing(harness):
    await harness.start()
    ada, eve = harness.user(), harness.user(2002, "Eve")
    ada.send("/routine")
    ada.press("Quick round", await ada.expect("Pick a routine"))
    ada.press("Start", await ada.see("Hip rotations"))  # the menu turned into the card
    step = await ada.see("Set 1/1 · right side")  # the card turned into the live set
    (session,) = harness.rows("SELECT id, rev FROM sessions")
    base = f"r:{session['id']}:{session['rev']}"
    for forged in (f"{base}:n:²", f"{base}:n:٣", f"{base}:n:99999", f"r:{2**64}:0:go"):
        text, _ = await ada.answer_for(ada.press_data(step.message_id, forged))
        assert text == "That button doesn't work any more.", forged
    eve.send("/start")
    hello = await eve.expect("hip coach")
    # Eve forges a press of Ada's session on a message of her own chat.
    text, _ = await eve.answer_for(eve.press_data(hello.message_id, f"{base}:done"))
    assert text == "That isn't your session."
    assert harness.rows("SELECT * FROM sets") == []
    assert harness.rows("SELECT rev FROM sessions") == [{"rev": session["rev"]}]
    assert harness.services.errors == 0


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999", "-5", "30.5"])
async def test_odd_digits_in_a_setting_get_the_usage_line(harness, value):
    await harness.start()
    user = harness.user()
    user.send("/remind 45")
    await user.expect("45")
    user.send(f"/remind {value}")
    await user.expect("/remind")
    assert harness.rows("SELECT remind_minutes FROM users") == [{"remind_minutes": 45}]
    assert harness.services.errors == 0
