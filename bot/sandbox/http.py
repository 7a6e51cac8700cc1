"""Serve a FakeBotAPI over real HTTP on 127.0.0.1, so PTB's default httpx stack is exercised.

Runs tornado on the already-running asyncio loop. Point PTB at it with
``ApplicationBuilder().base_url(await server.start()).base_file_url(server.base_file_url)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.sandbox.fake_api import FakeBotAPI

_LOG = logging.getLogger(__name__)
_HOLD_SECONDS = 3600.0  # a timeout fault keeps the request open "forever"


def _log_quietly(handler: tornado.web.RequestHandler) -> None:
    """Error statuses are normal, asserted-on traffic here; keep them out of WARNING logs."""
    request = handler.request
    _LOG.debug("%s %s %s", handler.get_status(), request.method, request.uri)


class _ApiHandler(tornado.web.RequestHandler):
    """``/bot<token>/<method>``: form, JSON, multipart or query parameters."""

    def initialize(self, server: FakeBotAPIServer) -> None:
        """Receive the owning server (tornado's per-handler hook)."""
        self.server = server
        self.task: asyncio.Future[tuple[int, bytes]] | None = None

    def _params(self) -> dict[str, Any]:
        content_type = self.request.headers.get("Content-Type", "")
        params: dict[str, Any] = {
            k: v[-1].decode("utf-8") for k, v in self.request.query_arguments.items()
        }
        if content_type.startswith("application/json") and self.request.body:
            body = json.loads(self.request.body)
            if isinstance(body, dict):
                params.update(body)
        else:
            params.update(
                {k: v[-1].decode("utf-8") for k, v in self.request.body_arguments.items()}
            )
        return params

    async def _serve(self, token: str, method: str) -> None:
        try:
            params = self._params()
        except ValueError:
            self.set_status(400)
            self.finish({"ok": False, "error_code": 400, "description": "Bad Request"})
            return
        files = {
            name: (items[0].filename, items[0].body, items[0].content_type)
            for name, items in self.request.files.items()
        }
        self.task = self.server.track(self.server.api.handle(token, method, params, files))
        try:
            status, body = await self.task
            if status == 0:
                self.task = self.server.track(asyncio.sleep(_HOLD_SECONDS))
                await self.task
                return
        except asyncio.CancelledError:
            return  # client went away or server stopping: nothing to answer
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    def on_connection_close(self) -> None:
        """Stop long polls and held requests when the client disconnects."""
        if self.task is not None:
            self.task.cancel()

    async def get(self, token: str, method: str) -> None:
        """Bot API calls may use GET with query parameters."""
        await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        """What PTB's HTTPXRequest uses."""
        await self._serve(token, method)


class _FileHandler(tornado.web.RequestHandler):
    """``/file/bot<token>/<file_path>``: downloads of stored uploads."""

    def initialize(self, server: FakeBotAPIServer) -> None:
        """Receive the owning server."""
        self.server = server

    def get(self, token: str, file_path: str) -> None:
        """Return the raw bytes (or Telegram's 404 JSON)."""
        status, body = self.server.api.download(token, file_path)
        self.set_status(status)
        if status != 200:
            self.set_header("Content-Type", "application/json")
        self.finish(body)


class FakeBotAPIServer:
    """HTTP front-end for a FakeBotAPI on a random free port of 127.0.0.1."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        self.port: int | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` form; PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB ``base_file_url`` form; PTB appends ``<token>/<file_path>``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def track(self, awaitable: Any) -> asyncio.Future[Any]:
        """Run request work as a task so stop() and disconnects can cancel it."""
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> str:
        """Bind and serve on the running loop; return the PTB base_url."""
        app = tornado.web.Application(
            [
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"server": self}),
                (r"/bot([^/]+)/([^/?]+)", _ApiHandler, {"server": self}),
            ],
            log_function=_log_quietly,
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self.base_url

    async def stop(self) -> None:
        """Stop listening, cancel pending long polls and drop open connections."""
        if self._server is None:
            return
        self._server.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.close_all_connections()
        self._server = None
