"""/runs always answers, in pages, and every plan stays deletable: even for a database from
before the plan cap, with 1,000 plans of one runner."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from bot.core.clock import to_db
from bot.sandbox import BotMessage
from tests.conftest import MON_0600
from tests.i18n import translators

ADA, EVE = 5501, 5502
LIMIT = 4096


def add_plans(h, user_id: int, count: int) -> list[int]:
    """`count` weekly plans saved before the cap existed (07:00, 07:01, ... on some days)."""
    db = h.services.db
    stamp = to_db(MON_0600 - timedelta(days=30))
    ids = []
    with db.atomic():
        for i in range(count):
            days = ",".join(str(d) for d in range(7) if (i + d) % 3 == 0)
            local = f"{6 + i // 60 % 12:02d}:{i % 60:02d}"
            ids.append(
                db.execute(
                    "INSERT INTO plans (user_id, weekdays, local_time, tz, materialised_until, "
                    "created_at, updated_at) VALUES (?, ?, ?, 'UTC', ?, ?, ?)",
                    [user_id, days, local, to_db(MON_0600 + timedelta(days=8)), stamp, stamp],
                ).lastrowid
            )
    return ids


def shown(message: BotMessage) -> list[str]:
    """Every version of the message's text: each must fit in one Telegram message."""
    return [message.text, *(text for text, _ in message.edits)]


async def test_runs_pages_through_a_thousand_plans_and_each_stays_deletable(harness):
    await harness.start_at()
    ada = harness.user(ADA, "Ada")
    ada.send("/start")
    await ada.expect("hip coach")
    ids = add_plans(harness, ADA, 1000)

    started = time.perf_counter()
    ada.send("/runs")
    listing = await ada.expect("Your runs, next 7 days")
    print(f"\n/runs with 1,000 plans answered in {time.perf_counter() - started:.3f} s")
    assert "Plans 1–8 of 1,000" in listing.plain
    assert "more" in listing.plain  # the next 7 days are summarised, not all listed
    assert len([t for t in listing.labels if t.startswith("🗑")]) == 8
    assert "›" in " ".join(listing.labels) and "‹" not in " ".join(listing.labels)

    ada.press("›", listing)
    await ada.wait_until(lambda: "Plans 9–16 of 1,000" in listing.plain)
    ada.press("»", listing)  # straight to the last page
    await ada.wait_until(lambda: "Plans 993–1,000 of 1,000" in listing.plain)
    # Delete the very last plan from the last page: the page is redrawn where it was.
    ada.press(_last_delete(listing), listing)
    await ada.wait_until(lambda: "Plans 993–999 of 999" in listing.plain)
    assert harness.rows("SELECT active FROM plans WHERE id = ?", (ids[-1],)) == [{"active": 0}]
    # A page past the end (a stale or forged button) shows the last page.
    ada.press_data(listing.message_id, "rn:p:999999")
    await ada.wait_until(lambda: listing.edits and "993–999" in listing.plain)
    ada.press("«", listing)
    await ada.wait_until(lambda: "Plans 1–8 of 999" in listing.plain)
    for text in shown(listing):
        assert len(text) < LIMIT
    assert len(harness.rows("SELECT * FROM plans WHERE user_id = ? AND active = 1", (ADA,))) == 999
    assert harness.services.errors == 0


def _last_delete(message: BotMessage) -> str:
    return [t for t in message.labels if t.startswith("🗑")][-1]


async def test_runs_page_buttons_show_only_the_pressers_own_plans(harness):
    await harness.start_at()
    ada, eve = harness.user(ADA, "Ada"), harness.user(EVE, "Eve")
    eve.send("/start")
    hello = await eve.expect("hip coach")
    ada.send("/start")
    await ada.expect("hip coach")
    add_plans(harness, ADA, 30)
    for forged in ("rn:p:²", "rn:p:-1", f"rn:p:{2**64}", "rn:p:1:2"):
        text, _ = await eve.answer_for(eve.press_data(hello.message_id, forged))
        assert text == "That button doesn't work any more.", forged
    # A well-formed page button shows the presser's own plans: Eve has none.
    eve.press_data(hello.message_id, "rn:p:1")
    await eve.wait_until(lambda: "No runs planned" in hello.plain)
    assert not any(re.search(r"Plans \d", t) for t in shown(hello))
    assert len(harness.rows("SELECT * FROM plans WHERE active = 1")) == 30
    assert harness.services.errors == 0


async def test_runs_pages_in_russian(harness):
    """The pages, counts and buttons of /runs in the runner's language and number format."""
    ru = translators()["ru"]
    await harness.start_at()
    olga = harness.api.user(ADA, "Оля", language_code="ru")
    olga.send("/start")
    await olga.expect(lambda m: True)
    ids = add_plans(harness, ADA, 1000)

    def header(first: int, last: int, total: int) -> str:
        return ru._(
            "<b>Plans {first}–{last} of {total}</b>",
            first=ru.number(first),
            last=ru.number(last),
            total=ru.number(total),
        )

    olga.send("/runs")
    listing = await olga.expect(lambda m: header(1, 8, 1000) in m.text)
    assert "1\xa0000" in listing.plain  # Russian groups digits with a (no-break) space
    assert ru._("<b>Your runs, next 7 days</b>") in listing.text
    week = _next_week(harness)
    assert ru.n_("…and {n} more", "…and {n} more", len(week) - 14) in listing.text
    assert f"• {ru.day_time(week[0].start)} · " in listing.plain
    assert ru.day_time(week[0].start) == "пн, 2 мар., 06:03"  # CLDR's Russian format
    olga.press(ru._("Last »"), listing)
    await olga.wait_until(lambda: header(993, 1000, 1000) in listing.text)
    last = _last_delete(listing)
    assert last.startswith(ru._("🗑 Delete {plan}", plan="")) and "пн, чт, вс" in last
    olga.press(last, listing)
    await olga.wait_until(lambda: header(993, 999, 999) in listing.text)
    assert harness.rows("SELECT active FROM plans WHERE id = ?", (ids[-1],)) == [{"active": 0}]
    for text in shown(listing):
        assert len(text) < LIMIT
    assert harness.services.errors == 0


def _next_week(h) -> list:
    """The runs /runs lists for ADA in the next 7 days (from the service, as the bot does)."""
    from bot import services

    return services.plans.next_runs(h.services, ADA)
