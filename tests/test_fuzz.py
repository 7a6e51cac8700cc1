"""Random updates against the running bot: zero unhandled exceptions, a consistent database."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.state import services_of
from bot.views.callbacks import parse_session_button

from .conftest import Harness

pytestmark = pytest.mark.reliability

COMMANDS = [
    "/start",
    "/help",
    "/routine",
    "/cancel",
    "/plan",
    "/runs",
    "/log",
    "/progress",
    "/history",
    "/undo",
    "/export",
    "/timezone",
    "/remind",
    "/afterrun",
    "/stats",
    "/deleteme",
    "/nope",
    "/start@hipcoach_bot",
]
PREFIXES = ["r", "c", "m", "menu", "pl", "rm", "lg", "pg", "md", "x", ""]

junk = st.text(max_size=80)
callback = st.one_of(
    st.text(max_size=64),
    st.builds(
        lambda p, a, b, action, arg: ":".join(str(x) for x in (p, a, b, action, arg) if x != ""),
        st.sampled_from(PREFIXES),
        st.integers(-5, 10**12),
        st.integers(-5, 10**7),
        st.sampled_from(["go", "stop", "done", "n", "fb", "pause", "resume", "skip", "new", ""]),
        st.one_of(st.integers(-3, 99), st.sampled_from(["easy", "pain", "x" * 30]), st.just("")),
    ),
)
action = st.one_of(
    st.tuples(st.just("text"), junk),
    st.tuples(st.just("command"), st.tuples(st.sampled_from(COMMANDS), junk)),
    st.tuples(st.just("press"), st.integers(0, 20)),
    st.tuples(st.just("data"), callback),
    st.tuples(
        st.just("media"),
        st.sampled_from(["sticker", "photo", "voice", "document", "location", "forward", "edit"]),
    ),
)


async def scenario(actions: list[tuple[int, tuple]], root: Path) -> None:
    h = Harness(root)
    await h.start()
    try:
        users = [h.user(9100 + i, f"Fuzz{i}") for i in range(3)]
        for u in users:
            u.send("/routine")
            await u.expect("Pick a routine")
        for who, (kind, value) in actions:
            u = users[who]
            if kind == "text":
                u.send(value or ".")
            elif kind == "command":
                u.send(f"{value[0]} {value[1]}".strip())
            elif kind == "press":
                keyboards = [m for m in u.messages if m.buttons]
                if keyboards:
                    m = keyboards[-1]
                    flat = m.labels
                    u.press(flat[value % len(flat)], m)
            elif kind == "data":
                u.press_data(u.messages[-1].message_id, value or "?")
            elif value == "sticker":
                u.send_sticker()
            elif value == "photo":
                u.send_photo()
            elif value == "voice":
                u.send_voice()
            elif value == "document":
                u.send_document()
            elif value == "location":
                u.send_location(51.5, -0.12)
            elif value == "forward":
                u.send_forwarded("hello")
            else:
                u.send_edited(1, "/routine")
        for u in users:  # each chat runs in order: this answer comes after all of its updates
            u.send("/help")
            await u.expect(
                lambda m: "/routine" in m.plain and "What I can do" in m.plain, timeout=15
            )
        assert services_of(h.app).errors == 0, "an update raised"
        dupes = h.rows(
            "SELECT session_id, exercise, side, set_no, COUNT(*) n FROM sets "
            "WHERE session_id IS NOT NULL GROUP BY 1, 2, 3, 4 HAVING n > 1"
        )
        assert dupes == []
        active = h.rows("SELECT user_id, COUNT(*) n FROM sessions WHERE status='active' GROUP BY 1")
        assert all(r["n"] == 1 for r in active)
    finally:
        await h.stop()


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.tuples(st.integers(0, 2), action), min_size=10, max_size=30))
def test_random_updates_never_raise(actions):
    with tempfile.TemporaryDirectory() as root:
        asyncio.run(scenario(actions, Path(root)))


@given(st.text(max_size=100))
def test_session_callback_parser_never_raises(data):
    parsed = parse_session_button(data)
    if parsed is not None:
        assert data.startswith("r:")
        assert data.split(":")[3] == parsed.action
