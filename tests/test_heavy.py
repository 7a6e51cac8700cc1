"""Heavy commands against a long history: /export and /progress read and render off the
event loop, so another runner's /help stays quick meanwhile; the export is one zip that
matches the database and is refused with a clear line when it cannot fit in one Telegram
file; the chart is drawn again only when its data changes; repeats wait a short cooldown."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import ManualClock, to_db
from bot.sandbox import FakeUser
from bot.services import privacy, progress
from tests.tagged import tag_languages
from tests.test_privacy import unzip

NOW = datetime(2025, 5, 14, 9, 30, tzinfo=UTC)
ADA, BOB = 880_001_234, 880_005_678
# Ada's history: reports of 2 sets x 2 sides on one exercise, one every few hours. Big enough
# that reading and rendering it on the event loop stalls every other chat for well over the
# bound below, small enough to build in a fraction of a second.
REPORTS = 15_000
SETS_EACH = 4
# Bob's /help while Ada's heavy command runs: a person would notice anything slower.
LATENCY_BOUND = 0.25

EXERCISES = ["rotations", "flexion", "ninety_ninety"]


@pytest.fixture
async def clocked(harness):
    harness.clock = ManualClock(NOW)
    await harness.start()
    return harness


def add_history(h, user_id: int, reports: int = REPORTS) -> int:
    """`reports` /log reports with their sets, straight into the database in one transaction
    (as many years of logging would leave them); returns the number of set rows."""
    db = h.services.db
    entries, sets = [], []
    first_id = (db.execute("SELECT COALESCE(MAX(id), 0) FROM log_entries").fetchone()[0]) + 1
    for i in range(reports):
        report_id = first_id + i
        when = NOW - timedelta(hours=3 * (reports - i))
        stamp = to_db(when)
        exercise = EXERCISES[i % len(EXERCISES)]
        timed = exercise == "ninety_ninety"
        reps, seconds = (None, 30) if timed else (10 + i % 5, None)
        entries.append(
            (report_id, user_id, exercise, "both", 2, reps, seconds, when.date().isoformat(), stamp)
        )
        for n in range(SETS_EACH):
            side, set_no = ("right", "left")[n // 2], n % 2 + 1
            target_reps, target_seconds = (None, 30) if timed else (12, None)
            amounts = (target_reps, reps, target_seconds, seconds)
            sets.append((user_id, exercise, side, set_no, *amounts, report_id, stamp))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO log_entries (id, user_id, exercise, side, sets, reps, seconds, day, "
            "performed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?9)",
            entries,
        )
        db.conn.executemany(
            "INSERT INTO sets (user_id, session_id, exercise, side, set_no, target_reps, "
            "actual_reps, target_seconds, actual_seconds, source, log_id, performed_at, "
            "created_at) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, 'log', ?, ?10, ?10)",
            sets,
        )
    return len(sets)


async def start(user: FakeUser) -> None:
    user.send("/start")
    await user.expect("hip coach")


async def help_latency(user: FakeUser) -> float:
    """Seconds from sending /help to the bot's answer."""
    before = len(user.messages)
    sent = time.perf_counter()
    user.send("/help")
    await user.wait_until(lambda: len(user.messages) > before, timeout=30)
    return time.perf_counter() - sent


async def latencies_while(heavy: FakeUser, command: str, probe: FakeUser) -> list[float]:
    """`heavy` sends `command`; `probe` sends /help right away and then every 0.1 s (within
    the flood guard's allowance) until `heavy` has its answer. The latencies measured."""
    before = len(heavy.messages)
    heavy.send(command)
    latencies = [await help_latency(probe)]
    while len(heavy.messages) == before:
        await asyncio.sleep(0.1)
        latencies.append(await help_latency(probe))
    return latencies


# --- /export ------------------------------------------------------------------------------


async def test_export_of_a_long_history_never_stalls_another_runner(clocked):
    ada, bob = clocked.user(ADA, "Ada"), clocked.user(BOB, "Bob")
    await start(ada)
    await start(bob)
    n_sets = add_history(clocked, ADA)

    started = time.perf_counter()
    latencies = await latencies_while(ada, "/export", bob)
    took = time.perf_counter() - started
    print(f"/export of {n_sets} sets: {took:.2f} s; Bob's /help: max {max(latencies):.3f} s")
    assert max(latencies) < LATENCY_BOUND, latencies

    # One zip, its members parse, and they hold exactly what the database holds.
    doc = ada.messages[-1]
    assert doc.kind == "document" and doc.filename == "hipcoach-export-2025-05-14.zip"
    assert len(doc.file_data) < privacy.EXPORT_MAX_BYTES
    csv_text, _, data = unzip(doc)
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert (
        len(rows)
        == n_sets
        == clocked.rows("SELECT COUNT(*) AS n FROM sets WHERE user_id = ?", (ADA,))[0]["n"]
    )
    assert (
        rows[0]["timestamp"]
        == clocked.rows("SELECT MIN(performed_at) AS t FROM sets WHERE user_id = ?", (ADA,))[0]["t"]
    )
    assert data["user_id"] == ADA and data["settings"]["id"] == ADA
    assert len(data["log_entries"]) == REPORTS and len(data["sets"]) == n_sets
    assert sorted(data["log_entries"], key=lambda r: r["id"]) == clocked.rows(
        "SELECT * FROM log_entries WHERE user_id = ? ORDER BY id", (ADA,)
    )
    assert str(BOB) not in json.dumps(data)


async def test_export_too_big_for_telegram_says_so(clocked, monkeypatch):
    """With the limit set below this history's zip, the runner gets one clear line, and no
    file. (The real limit, 45 MB, would take about a million reports to reach.)"""
    ada = clocked.user(ADA, "Ada")
    await start(ada)
    add_history(clocked, ADA, reports=2_000)  # about 110 KB zipped
    monkeypatch.setattr(privacy, "EXPORT_MAX_BYTES", 50_000)
    ada.send("/export")
    msg = await ada.expect("too big")
    assert "Ask the bot's operator for a copy" in msg.plain
    assert not [m for m in ada.messages if m.kind == "document"]


async def test_export_cooldown(clocked):
    ada = clocked.user(ADA, "Ada")
    await start(ada)
    ada.send("/export")
    await ada.expect(lambda m: m.kind == "document")
    clocked.clock.advance(timedelta(seconds=10))
    ada.send("/export")
    msg = await ada.expect("try /export again in")
    assert f"in {privacy.EXPORT_COOLDOWN_SECONDS - 10} s" in msg.plain
    clocked.clock.advance(timedelta(seconds=privacy.EXPORT_COOLDOWN_SECONDS))
    ada.send("/export")
    await ada.expect(lambda m: m.kind == "document")


# --- /progress ----------------------------------------------------------------------------


async def test_progress_of_a_long_history_never_stalls_another_runner(clocked):
    ada, bob = clocked.user(ADA, "Ada"), clocked.user(BOB, "Bob")
    await start(ada)
    await start(bob)
    n_sets = add_history(clocked, ADA)

    started = time.perf_counter()
    latencies = await latencies_while(ada, "/progress", bob)
    took = time.perf_counter() - started
    print(f"/progress of {n_sets} sets: {took:.2f} s; Bob's /help: max {max(latencies):.3f} s")
    assert max(latencies) < LATENCY_BOUND, latencies
    photo = ada.messages[-1]
    assert photo.kind == "photo"
    [line] = [x for x in photo.plain.splitlines() if x.startswith("Hip rotations:")]
    assert line.endswith(f" · {n_sets // len(EXERCISES):,}"), line  # 20,000: Babel's en_GB


async def test_progress_chart_is_drawn_again_only_when_its_data_changes(clocked):
    ada = clocked.user(ADA, "Ada")
    await start(ada)
    ada.send("/log rotations 2x10")
    await ada.expect("Logged")

    ada.send("/progress")
    first = await ada.expect(lambda m: m.kind == "photo")
    assert ada.chat.actions.count("upload_photo") == 1
    # Again, within the cooldown: a friendly line, nothing read or drawn.
    clocked.clock.advance(timedelta(seconds=5))
    ada.send("/progress")
    wait = await ada.expect("try /progress again in")
    assert f"in {progress.PROGRESS_COOLDOWN_SECONDS - 5} s" in wait.plain
    # After it, with the same data: the same picture, not drawn again.
    clocked.clock.advance(timedelta(seconds=progress.PROGRESS_COOLDOWN_SECONDS))
    ada.send("/progress")
    second = await ada.expect(lambda m: m.kind == "photo")
    assert second.file_data == first.file_data
    assert ada.chat.actions.count("upload_photo") == 1
    assert clocked.services.charts[ADA][::2] == ("en", first.file_data)
    # New data: a new picture.
    ada.send("/log flexion 2x15 left")
    await ada.expect("Logged")
    clocked.clock.advance(timedelta(seconds=progress.PROGRESS_COOLDOWN_SECONDS))
    ada.send("/progress")
    third = await ada.expect(lambda m: m.kind == "photo")
    assert third.file_data != first.file_data
    assert ada.chat.actions.count("upload_photo") == 2
    assert "Band hip flexion and hold: 2 · 2" in third.plain


async def test_a_language_switch_draws_the_chart_again_in_the_new_language(clocked):
    """The kept chart is keyed on the language too: after /language, /progress draws the
    picture again in the new language (before, the English one came back from the cache)."""
    tag_languages(clocked, "es")
    ada = clocked.user(ADA, "Ada")
    await start(ada)
    ada.send("/log rotations 2x10")
    await ada.expect("Logged")
    ada.send("/progress")
    first = await ada.expect(lambda m: m.kind == "photo")
    assert "[es" not in first.plain

    ada.send("/language")
    picker = await ada.expect(lambda m: "Español" in str(m.buttons))
    ada.press("Español", picker)
    await ada.wait_until(lambda: "[es]" in picker.plain)
    assert clocked.rows("SELECT language FROM users WHERE id = ?", (ADA,)) == [{"language": "es"}]
    clocked.clock.advance(timedelta(seconds=progress.PROGRESS_COOLDOWN_SECONDS))
    ada.send("/progress")
    second = await ada.expect(lambda m: m.kind == "photo")
    assert "[es] 📈 This week:" in second.plain
    redrawn = ada.chat.actions.count("upload_photo")
    same = second.file_data == first.file_data
    print(f"after the switch: drawn {redrawn} times, same picture: {same}")
    assert redrawn == 2 and second.file_data != first.file_data
    assert clocked.services.charts[ADA][::2] == ("es", second.file_data)
    # In Spanish again, with the same data: the Spanish picture, not drawn a third time.
    clocked.clock.advance(timedelta(seconds=progress.PROGRESS_COOLDOWN_SECONDS))
    ada.send("/progress")
    third = await ada.expect(lambda m: m.kind == "photo")
    assert third.file_data == second.file_data
    assert ada.chat.actions.count("upload_photo") == 2
