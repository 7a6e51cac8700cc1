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
