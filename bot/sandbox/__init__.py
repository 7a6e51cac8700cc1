"""Offline Telegram sandbox: a fake Bot API the real PTB Application can run against."""

from bot.sandbox.fake_api import FakeBotAPI
from bot.sandbox.fake_user import FakeGroup, FakeUser
from bot.sandbox.http import FakeBotAPIServer
from bot.sandbox.models import BotMessage, RecordedRequest
from bot.sandbox.transport import FakeRequest

__all__ = [
    "BotMessage",
    "FakeBotAPI",
    "FakeBotAPIServer",
    "FakeGroup",
    "FakeRequest",
    "FakeUser",
    "RecordedRequest",
]
