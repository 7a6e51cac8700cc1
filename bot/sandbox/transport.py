"""A PTB request backend that talks to a FakeBotAPI in-process (no sockets, no threads).

Plugging in at ``BaseRequest`` level means PTB's own serialization, error mapping
(BadRequest, Forbidden, RetryAfter, ...) and retry logic all run unchanged.
"""

from __future__ import annotations

import re
from typing import IO
from urllib.parse import unquote

from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.sandbox.fake_api import FakeBotAPI

_API_URL = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[^/?#]+)")
_FILE_URL = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


def _read(content: bytes | IO[bytes]) -> bytes:
    """PTB may hand over file handles; the fake stores plain bytes."""
    return content if isinstance(content, bytes) else content.read()


class FakeRequest(BaseRequest):
    """Serve PTB's HTTP calls from a FakeBotAPI on the same event loop."""

    def __init__(self, api: FakeBotAPI, *, read_timeout: float | None = 5.0) -> None:
        self.api = api
        self._read_timeout = read_timeout
        self._initialized = False

    @property
    def read_timeout(self) -> float | None:
        """Added by PTB to the getUpdates long-poll timeout."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open; tracked so misuse after shutdown fails like HTTPXRequest."""
        self._initialized = True

    async def shutdown(self) -> None:
        """Nothing to close."""
        self._initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Route a Bot API URL to ``api.handle`` and a file URL to ``api.download``."""
        if not self._initialized:
            raise RuntimeError("This FakeRequest is not initialized!")
        file_match = _FILE_URL.search(url)
        if file_match is not None:
            # PTB percent-encodes the file URL's path, the token's colon included.
            token, path = unquote(file_match["token"]), unquote(file_match["path"])
            return self.api.download(token, path)
        match = _API_URL.search(url)
        if match is None:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        params: dict[str, str] = request_data.json_parameters if request_data else {}
        files = {
            name: (filename, _read(content), mime)
            for name, (filename, content, mime) in (
                request_data.multipart_data if request_data else {}
            ).items()
        }
        status, body = await self.api.handle(match["token"], match["method"], params, files)
        if status == 0:
            timeout = None if isinstance(read_timeout, DefaultValue) else read_timeout
            raise TimedOut(f"Timed out (simulated by the sandbox, read_timeout={timeout})")
        return status, body
