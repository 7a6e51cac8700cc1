"""No runner can hurt another through reminders: the plan cap, fair dispatch across chats
under real pacing, and nothing sent after /deleteme.

Setup runs unpaced (the harness default); each test then restarts the bot with Telegram's
real per-chat pacing (~1 message a second, a burst of 3) and the real dispatcher job.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import to_db
from bot.core.planning import MAX_PLANS
from bot.sandbox import FakeUser
from tests.conftest import MON_0600

DUE = MON_0600 + timedelta(hours=1)  # pre-run reminders of 07:30 runs
ADA, BOB = 4401, 4402


async def plan(user: FakeUser, args: str) -> None:
    user.send(f"/plan {args}")
    await user.expect("planned")


def add_old_plans(h, user_id: int, count: int, run: datetime) -> None:
    """Plans saved before the cap existed, each with a pre-run reminder due 30 min before."""
    db = h.services.db
    stamp = to_db(MON_0600 - timedelta(days=30))
    with db.atomic():
        for _ in range(count):
            plan_id = db.execute(
                "INSERT INTO plans (user_id, run_date, local_time, tz, materialised_until, "
                "created_at, updated_at) VALUES (?, ?, ?, 'UTC', "
                "'9999-12-31T00:00:00.000000Z', ?, ?)",
                [user_id, run.date().isoformat(), run.strftime("%H:%M"), stamp, stamp],
            ).lastrowid
            db.execute(
                "INSERT INTO reminders (user_id, plan_id, occurrence, kind, due_at, "
                "created_at, updated_at) VALUES (?, ?, ?, 'pre_run', ?, ?, ?)",
                [user_id, plan_id, to_db(run), to_db(run - timedelta(minutes=30)), stamp, stamp],
            )


async def paced_restart(h, clock_at: datetime) -> float:
    """Restart with real pacing and the real dispatcher job; returns the monotonic instant
    the clock showed `clock_at`."""
    await h.stop()
    h.reconfigure(rate_limit=30.0, chat_rate_limit=1.0)
    h.clock.set(clock_at)
    set_at = time.monotonic()
    await h.start()
    return set_at


def reminder_sends(h, chat_id: int) -> list[Any]:
    return [
        r
        for r in h.api.requests
        if r.method == "sendMessage" and r.chat_id == chat_id and "Run at" in r.params["text"]
    ]


# --- the cap --------------------------------------------------------------------------------


async def test_plans_are_capped_with_one_clear_line_and_nothing_saved(harness):
    await harness.start_at(dispatcher=True)
    ada = harness.user(ADA, "Ada")
    for _ in range(MAX_PLANS):
        await plan(ada, "daily 07:30")
    count = "SELECT COUNT(*) AS n FROM {} WHERE user_id = ?"
    before = [harness.rows(count.format(t), (ADA,)) for t in ("plans", "reminders")]
    ada.send("/plan sat 09:00")
    refused = await ada.expect(f"{MAX_PLANS} plans")
    assert refused.plain == (
        f"You have {MAX_PLANS} plans, the most I keep. Delete one in /runs to add another."
    )
    # The guided flow says the same at once, instead of letting her tap through for nothing.
    ada.send("/plan")
    again = await ada.expect(f"{MAX_PLANS} plans")
    assert again.buttons == []
    assert [harness.rows(count.format(t), (ADA,)) for t in ("plans", "reminders")] == before
    # Deleting one in /runs frees a slot.
    ada.send("/runs")
    listing = await ada.expect("Your runs")
    first = next(d for row in listing.buttons for t, d in row if t.startswith("🗑"))
    ada.press_data(listing.message_id, first)  # twelve alike: the first one
    await ada.wait_until(
        lambda: len(harness.rows("SELECT * FROM plans WHERE active = 1")) == MAX_PLANS - 1
    )
    await plan(ada, "sat 09:00")
    assert len(harness.rows("SELECT * FROM plans WHERE active = 1")) == MAX_PLANS
    assert harness.services.errors == 0


async def test_the_guided_plan_is_refused_at_save_if_the_cap_was_reached_meanwhile(harness):
    await harness.start_at(dispatcher=True)
    ada = harness.user(ADA, "Ada")
    for _ in range(MAX_PLANS - 1):
        await plan(ada, "daily 07:30")
    ada.send("/plan")
    days = await ada.expect("When do you run?")
    ada.press("Tomorrow", days)
    await ada.wait_until(lambda: "What time" in days.plain)
    ada.send("18:00")
    confirm = await ada.expect("How long")
    ada.press("45 min", confirm)
    await ada.wait_until(lambda: "Save" in str(confirm.buttons))
    add_old_plans(harness, ADA, 1, DUE + timedelta(days=5))  # e.g. saved from another device
    ada.press("Save", confirm)
    await ada.wait_until(lambda: f"{MAX_PLANS} plans" in confirm.plain)
    assert confirm.buttons == []
    plans = harness.rows("SELECT run_date FROM plans WHERE user_id = ?", (ADA,))
    assert len(plans) == MAX_PLANS and {"run_date": "2026-03-03"} not in plans


# --- fairness -------------------------------------------------------------------------------


async def test_many_reminders_of_one_runner_do_not_delay_another_runners(harness):
    await harness.start_at(dispatcher=True)
    ada, bob = harness.user(ADA, "Ada"), harness.user(BOB, "Bob")
    for _ in range(MAX_PLANS):
        await plan(ada, "today 07:30")  # pre-run reminders due 07:00
    add_old_plans(harness, ADA, 8, DUE + timedelta(minutes=30))  # an old database: 20 in all
    await plan(bob, "today 07:31")
    bob_due = DUE + timedelta(seconds=1)  # one second after Ada's twenty
    harness.services.db.execute(
        "UPDATE reminders SET due_at = ? WHERE user_id = ? AND kind = 'pre_run'",
        [to_db(bob_due), BOB],
    )
    ada_due = harness.rows(
        "SELECT COUNT(*) AS n FROM reminders WHERE user_id = ? AND due_at = ?", (ADA, to_db(DUE))
    )
    assert ada_due == [{"n": 20}]

    # The dispatcher's first pass is 0.5 s after start: Ada's twenty are due, Bob's is not.
    set_at = await paced_restart(harness, DUE - timedelta(seconds=0.1))
    await bob.expect("Run at 07:31", timeout=4)
    [bob_send] = reminder_sends(harness, BOB)
    lateness = bob_send.at - (set_at + 1.1)
    print(f"\nBob's reminder {lateness:.2f} s after its due time")
    assert lateness < 2.0
    # Meanwhile Ada's reminders keep to her chat's pace: a burst of 3, then about 1 a second.
    await ada.wait_until(lambda: len(reminder_sends(harness, ADA)) >= 6, timeout=6)
    times = [r.at for r in reminder_sends(harness, ADA)]
    gaps = [b - a for a, b in itertools.pairwise(times[2:])]
    assert all(g > 0.9 for g in gaps), gaps
    assert len(times) <= 3 + (times[-1] - times[0]) * 1.0 + 1

    await harness.stop()
    [bob_row] = harness.rows(
        "SELECT status, message_id FROM reminders WHERE user_id = ? AND kind = 'pre_run'", (BOB,)
    )
    assert bob_row == {"status": "sent", "message_id": bob.messages[-1].message_id}
    ada_rows = harness.rows(
        "SELECT status, message_id FROM reminders WHERE user_id = ? AND due_at = ?",
        (ADA, to_db(DUE)),
    )
    sent = {r["message_id"] for r in ada_rows if r["status"] == "sent"}
    shown = {m.message_id for m in ada.messages if "Run at" in m.plain}
    assert sent <= shown and len(shown - sent) <= 1  # at most the send cut off by the stop
    assert len(sent) >= 6 and all(r["status"] in ("sent", "claimed", "pending") for r in ada_rows)


# --- /deleteme while reminders are in flight --------------------------------------------------


async def test_no_reminder_leaves_after_deleteme(harness):
    await harness.start_at(dispatcher=True)
    ada, bob = harness.user(ADA, "Ada"), harness.user(BOB, "Bob")
    for _ in range(8):
        await plan(ada, "today 07:30")
    await plan(bob, "today 07:30")
    # Note, for every reminder as it reaches "Telegram", whether Ada's rows still existed.
    seen: list[tuple[int, bool]] = []
    handle = harness.api.handle

    async def watching(token, method, params, files=None):
        if method == "sendMessage" and "Run at" in str(params.get("text")):
            chat = int(params["chat_id"])
            exists = bool(harness.rows("SELECT 1 FROM users WHERE id = ?", (chat,)))
            seen.append((chat, exists))
        return await handle(token, method, params, files)

    harness.api.handle = watching
    await paced_restart(harness, DUE + timedelta(seconds=2))
    ada.send("/deleteme")
    prompt = await ada.expect("Delete all your data?")
    await ada.expect("Run at 07:30", timeout=3)  # the first few are out: the rest are paced
    ada.press("Yes, delete", prompt)
    await ada.wait_until(lambda: "I deleted everything" in prompt.plain)
    confirmed = next(
        r.at for r in harness.api.requests if "I deleted everything" in str(r.params.get("text"))
    )
    await bob.expect("Run at 07:30", timeout=3)
    await asyncio.sleep(3)  # long enough for the paced sends that were in flight to land
    late = [r for r in reminder_sends(harness, ADA) if r.at > confirmed]
    print(f"\nreminders after the deletion was confirmed: {len(late)}")
    print(f"reminders sent to a deleted user: {sum(1 for c, e in seen if c == ADA and not e)}")
    assert late == []
    assert all(exists for _, exists in seen), seen
    assert 1 <= len(reminder_sends(harness, ADA)) < 8  # the deletion cut them short
    for table in ("users", "plans", "reminders"):
        column = "id" if table == "users" else "user_id"
        assert harness.rows(f"SELECT * FROM {table} WHERE {column} = ?", (ADA,)) == []
    assert harness.rows(
        "SELECT status FROM reminders WHERE user_id = ? AND kind = 'pre_run'", (BOB,)
    ) == [{"status": "sent"}]
