"""The two typed-input conversations (/log, /plan) share one builder: the same fallbacks,
and a timeout that drops the draft and takes the keyboard away (handlers/conversation.py)."""

from __future__ import annotations

import pytest

from handlers import conversation


@pytest.fixture
async def short_timeout(harness, monkeypatch):
    monkeypatch.setattr(conversation, "TIMEOUT_SECONDS", 0.3)
    await harness.start()
    return harness


@pytest.mark.parametrize(
    "command, prompt, step, late",
    [
        ("/plan", "When do you run?", "Mon", "pl:next"),
        ("/log", "which exercise?", "Band", "lg:s:left"),
    ],
)
async def test_an_abandoned_flow_loses_its_buttons_and_draft(
    short_timeout, command, prompt, step, late
):
    h = short_timeout
    user = h.user()
    user.send(command)
    message = await user.expect(prompt)
    user.press(step, message)
    draft_key = conversation.draft_key(command[1:])
    await user.wait_until(lambda: draft_key in h.app.user_data[user.id])
    # Nobody taps for longer than the timeout: the buttons go and so does the draft.
    await user.wait_until(lambda: not message.buttons)
    assert draft_key not in h.app.user_data[user.id]
    # A late tap is only an old button now, and nothing was saved.
    text, _ = await user.answer_for(user.press_data(message.message_id, late))
    assert "doesn't work" in text
    assert h.rows("SELECT * FROM plans") == [] and h.rows("SELECT * FROM log_entries") == []


async def test_another_command_mid_plan_takes_its_buttons_away(harness):
    await harness.start()
    user = harness.user()
    user.send("/plan")
    days = await user.expect("When do you run?")
    user.press("Tue", days)
    await user.wait_until(lambda: "✓ Tue" in str(days.buttons))
    user.send("/runs")
    await user.expect("runs")
    assert not days.buttons, "leaving /plan strips its keyboard, as leaving /log does"
    assert "plan.draft" not in harness.app.user_data[user.id]
    text, _ = await user.answer_for(user.press_data(days.message_id, "pl:next"))
    assert "doesn't work" in text
    assert harness.rows("SELECT * FROM plans") == []
