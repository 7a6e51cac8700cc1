"""Fair update processing: bursts pass, floods are dropped, idle chats are forgotten."""

import asyncio

from telegram import Chat, Message, Update

from bot.transport import updates
from bot.transport.updates import FairUpdateProcessor


def update(chat_id: int, n: int) -> Update:
    chat = Chat(chat_id, "private")
    return Update(n, message=Message(n, date=None, chat=chat))  # type: ignore[arg-type]


async def test_a_burst_passes_a_flood_is_cut_and_order_is_kept():
    processor = FairUpdateProcessor(burst=5, per_second=0.001, max_pending=100)
    seen: list[int] = []

    async def handle(n: int) -> None:
        await asyncio.sleep(0)
        seen.append(n)

    await asyncio.gather(*(processor.do_process_update(update(1, n), handle(n)) for n in range(12)))
    assert seen == [0, 1, 2, 3, 4]  # the first five, in order; the rest dropped
    assert processor.dropped == 7
    await processor.do_process_update(update(2, 99), handle(99))  # another chat is unaffected
    assert seen[-1] == 99


async def test_idle_chats_are_forgotten_when_many_are_tracked(monkeypatch):
    monkeypatch.setattr(updates, "MAX_TRACKED", 10)
    ticks = iter(range(10**6))
    processor = FairUpdateProcessor(burst=3, per_second=1.0, clock=lambda: float(next(ticks)))

    async def noop() -> None:
        return None

    for chat_id in range(50):
        await processor.do_process_update(update(chat_id, chat_id), noop())
    assert len(processor._chats) <= 10
