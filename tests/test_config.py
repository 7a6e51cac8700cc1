"""Config comes from the environment (and .env), and bad values name their variable."""

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_URL, DEFAULT_DB, Config, ConfigError

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc-123"


def test_defaults(tmp_path):
    c = Config.from_env({}, dotenv=tmp_path / ".env")
    assert c.token is None
    assert c.db_path == DEFAULT_DB
    assert DEFAULT_DB.parent.name == "data"
    assert c.api_url == DEFAULT_API_URL
    assert c.file_url == "https://api.telegram.org/file/bot"
    assert (c.time_scale, c.log_level) == (1.0, "INFO")


def test_values_and_dotenv(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nHIPCOACH_TIME_SCALE=0.5\n")
    c = Config.from_env(
        {"HIPCOACH_TIME_SCALE": "0", "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot/"},
        dotenv=env_file,
    )
    assert c.token == TOKEN
    assert c.time_scale == 0.0  # the environment wins over .env
    assert c.api_url == "http://127.0.0.1:8081/bot"
    assert c.file_url == "http://127.0.0.1:8081/file/bot"
    assert c.scaled(30) == 0
    assert TOKEN not in repr(c)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("HIPCOACH_TIME_SCALE", "fast"),
        ("HIPCOACH_TIME_SCALE", "-1"),
        ("HIPCOACH_LOG_LEVEL", "LOUD"),
        ("TELEGRAM_API_URL", "ftp://example"),
        ("HIPCOACH_IDLE_TIMEOUT", "0"),
    ],
)
def test_invalid_values_name_the_variable(name, value, tmp_path):
    with pytest.raises(ConfigError, match=name):
        Config.from_env({name: value}, dotenv=tmp_path / ".env")


def test_bad_token_is_not_echoed(tmp_path):
    secret = "123456:short"
    with pytest.raises(ConfigError) as err:
        Config.from_env({"TELEGRAM_BOT_TOKEN": secret}, dotenv=tmp_path / ".env")
    assert secret not in str(err.value)


def test_db_path_is_resolved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    c = Config.from_env({"HIPCOACH_DB": "sub/x.db"}, dotenv=None)
    assert c.db_path == Path(tmp_path / "sub/x.db").resolve()


def test_webhook_and_admin_settings(tmp_path):
    c = Config.from_env(
        {
            "HIPCOACH_WEBHOOK_URL": "https://bot.example.com/hipcoach/",
            "HIPCOACH_WEBHOOK_SECRET": "s3cret_Value-1",
            "HIPCOACH_LISTEN": "0.0.0.0",
            "HIPCOACH_PORT": "8080",
            "HIPCOACH_ADMIN_IDS": " 42, 1001 ,",
        },
        dotenv=tmp_path / ".env",
    )
    assert (c.webhook_url, c.webhook_path) == ("https://bot.example.com/hipcoach/", "/hipcoach")
    assert (c.listen, c.port, c.admin_ids) == ("0.0.0.0", 8080, frozenset({42, 1001}))
    assert "s3cret" not in repr(c)
    d = Config.from_env({}, dotenv=tmp_path / ".env")
    assert (d.webhook_url, d.webhook_secret, d.listen, d.port) == (None, None, "127.0.0.1", 8443)
    assert d.admin_ids == frozenset()


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("HIPCOACH_WEBHOOK_SECRET", {"HIPCOACH_WEBHOOK_URL": "https://bot.example.com/h"}),
        (
            "HIPCOACH_WEBHOOK_SECRET",
            {"HIPCOACH_WEBHOOK_URL": "https://b.example/h", "HIPCOACH_WEBHOOK_SECRET": "no way!"},
        ),
        (
            "HIPCOACH_WEBHOOK_SECRET",
            {"HIPCOACH_WEBHOOK_URL": "https://b.example/h", "HIPCOACH_WEBHOOK_SECRET": "a" * 257},
        ),
        ("HIPCOACH_WEBHOOK_URL", {"HIPCOACH_WEBHOOK_URL": "http://bot.example.com/h"}),
        ("HIPCOACH_WEBHOOK_URL", {"HIPCOACH_WEBHOOK_URL": "https://:99999/"}),
        ("HIPCOACH_PORT", {"HIPCOACH_PORT": "70000"}),
        ("HIPCOACH_PORT", {"HIPCOACH_PORT": "https"}),
        ("HIPCOACH_LISTEN", {"HIPCOACH_LISTEN": "not a host"}),
        ("HIPCOACH_ADMIN_IDS", {"HIPCOACH_ADMIN_IDS": "42,@ops"}),
        ("HIPCOACH_ADMIN_IDS", {"HIPCOACH_ADMIN_IDS": "-5"}),
        # isdigit() says yes to '²' (then int() raised); int() reads '٣' as 3 and '+7' as 7.
        ("HIPCOACH_ADMIN_IDS", {"HIPCOACH_ADMIN_IDS": "42,²"}),
        ("HIPCOACH_ADMIN_IDS", {"HIPCOACH_ADMIN_IDS": "٣"}),
        ("HIPCOACH_ADMIN_IDS", {"HIPCOACH_ADMIN_IDS": "9" * 20}),
        ("HIPCOACH_PORT", {"HIPCOACH_PORT": "٨٠٨٠"}),
        ("HIPCOACH_PORT", {"HIPCOACH_PORT": "+443"}),
    ],
)
def test_invalid_webhook_and_admin_settings_name_the_variable(name, env, tmp_path):
    with pytest.raises(ConfigError, match=name) as err:
        Config.from_env(env, dotenv=tmp_path / ".env")
    secret = env.get("HIPCOACH_WEBHOOK_SECRET")
    assert not secret or secret not in str(err.value)  # a secret is never echoed


def test_plain_http_webhook_only_on_this_machine(tmp_path):
    env = {"HIPCOACH_WEBHOOK_URL": "http://127.0.0.1:8443/hook", "HIPCOACH_WEBHOOK_SECRET": "x"}
    assert Config.from_env(env, dotenv=tmp_path / ".env").webhook_path == "/hook"


@pytest.mark.parametrize(
    ("webhook", "feed_path", "feed_url"),
    [
        ("https://bot.example.com", "/calendar", "https://bot.example.com/calendar/T.ics"),
        ("https://bot.example.com/", "/calendar", "https://bot.example.com/calendar/T.ics"),
        ("https://bot.example.com/hook", "/calendar", "https://bot.example.com/calendar/T.ics"),
        (
            "https://bot.example.com:8443/a/b/hook",
            "/a/b/calendar",
            "https://bot.example.com:8443/a/b/calendar/T.ics",
        ),
        ("http://127.0.0.1:8443/a/hook/", "/a/calendar", "http://127.0.0.1:8443/a/calendar/T.ics"),
    ],
)
def test_the_feed_lives_next_to_the_webhook(webhook, feed_path, feed_url, tmp_path):
    env = {"HIPCOACH_WEBHOOK_URL": webhook, "HIPCOACH_WEBHOOK_SECRET": "x"}
    c = Config.from_env(env, dotenv=tmp_path / ".env")
    assert (c.feed_path, c.feed_url("T")) == (feed_path, feed_url)


def test_no_feed_url_in_polling_mode(tmp_path):
    assert Config.from_env({}, dotenv=tmp_path / ".env").feed_url("T") is None
