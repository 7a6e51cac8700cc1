"""The token is never printed: not when Telegram rejects it at start-up, not in a traceback
nobody caught, not percent-encoded in a URL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.ops.logsetup import REDACTED, SECRET_REDACTED, Redactor, install_excepthooks, redact
from bot.sandbox import FakeBotAPI, FakeBotAPIServer

from .conftest import TOKEN
from .test_webhook import free_port

SECRET = "webhook_Secret-42xyz"


def spellings(secret: str) -> list[str]:
    """Every way the secret could be printed: as is, percent-encoded, and its key half."""
    return [
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote(secret, safe="").replace("%3A", "%3a"),
        secret.partition(":")[2] or secret,
    ]


def assert_nowhere(text: str) -> None:
    for spelling in [*spellings(TOKEN), SECRET]:
        assert spelling not in text, f"{spelling!r} was printed"


async def run_against(tmp_path: Path, base_url: str, **env: str) -> tuple[int, str, str]:
    """The real `python -m bot run`, with its stdout and stderr captured."""
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": base_url,
        "HIPCOACH_DB": str(tmp_path / "bot.db"),
        **env,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.e2e
@pytest.mark.parametrize("level", ["WARNING", "DEBUG"])
@pytest.mark.parametrize(
    "status, names",
    [
        (401, "TELEGRAM_BOT_TOKEN (401 Unauthorized)"),  # the fake knows another token
        (404, "TELEGRAM_API_URL"),  # no Bot API at that path
    ],
)
async def test_a_rejected_start_is_one_line_without_the_token(tmp_path, status, names, level):
    api = FakeBotAPI("654321:some-other-bots-token-entirely")
    server = FakeBotAPIServer(api)
    base_url = await server.start()
    try:
        url = base_url if status == 401 else base_url.removesuffix("/bot") + "/no-api-here"
        env = {"HIPCOACH_LOG_LEVEL": level}
        if level == "DEBUG":  # the webhook start-up goes through the same getMe first
            env |= {"HIPCOACH_WEBHOOK_URL": "https://bot.example.com/h"}
            env |= {"HIPCOACH_WEBHOOK_SECRET": SECRET, "HIPCOACH_PORT": str(free_port())}
        code, out, err = await run_against(tmp_path, url, **env)
    finally:
        await server.stop()
    assert code == 2  # a configuration error: systemd's RestartPreventExitStatus=2
    assert_nowhere(out + err)
    ours = [line for line in err.splitlines() if " ERROR bot: " in line]
    assert len(ours) == 1 and names in ours[0], err
    if level == "WARNING":  # the one line is all there is
        assert err.strip() == ours[0] and out == ""
    else:  # DEBUG really was on (PTB's traceback of the refusal, too), and redacted
        assert "getMe" in err and "Traceback" in err


def test_every_spelling_of_the_token_and_secret_is_redacted():
    clean = Redactor(TOKEN, SECRET)
    for spelling in spellings(TOKEN):
        text = f"GET http://127.0.0.1/bot{spelling}/getMe failed"
        assert clean(text) == f"GET http://127.0.0.1/bot{REDACTED}/getMe failed"
    assert clean(f"secret_token={quote(SECRET)}") == f"secret_token={SECRET_REDACTED}"
    # A token we were not told about is still caught by its shape, encoded or not.
    other = "987654:ABCdefGHIjklMNOpqrSTUvwx"
    assert redact(quote(other, safe="")) == REDACTED and redact(other) == REDACTED
    assert redact("update 123456 at 12:30 took 0.5 s") == "update 123456 at 12:30 took 0.5 s"


def test_uncaught_exceptions_are_printed_redacted(tmp_path):
    """A real interpreter: the main thread's and another thread's tracebacks go through the
    hooks configure_logging installs."""
    script = tmp_path / "crash.py"
    script.write_text(
        "import sys, threading\n"
        "from urllib.parse import quote\n"
        "from bot.ops.logsetup import configure_logging\n"
        "token, secret = sys.argv[1], sys.argv[2]\n"
        "configure_logging('INFO', token, secret)\n"
        "def worker():\n"
        "    raise RuntimeError(f'thread saw {quote(token)}')\n"
        "t = threading.Thread(target=worker, name='worker')\n"
        "t.start(); t.join()\n"
        "raise ValueError(f'The token `{token}` was rejected; secret {secret}')\n"
    )
    done = subprocess.run(
        [sys.executable, str(script), TOKEN, SECRET],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 1
    assert_nowhere(done.stdout + done.stderr)
    assert "Exception in thread worker:" in done.stderr
    assert f"RuntimeError: thread saw {REDACTED}" in done.stderr
    assert f"ValueError: The token `{REDACTED}` was rejected; secret {SECRET_REDACTED}" in (
        done.stderr
    )
    assert done.stderr.count("Traceback (most recent call last)") == 2


def test_the_hooks_in_process(monkeypatch, capsys):
    for name in ("excepthook", "unraisablehook"):
        monkeypatch.setattr(sys, name, getattr(sys, name))
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthooks(TOKEN, SECRET)
    try:
        raise KeyError(quote(TOKEN, safe=""))
    except KeyError as exc:
        sys.excepthook(KeyError, exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "Traceback" in err and REDACTED in err
    assert_nowhere(err)
