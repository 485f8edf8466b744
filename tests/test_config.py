"""Settings: read from a mapping, validated, one readable line for anything wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from telegram import Bot

from bot.config import ConfigError, Settings

TOKEN = "123456789:AAExampleTokenForTests_0123456789abc"


def test_defaults_with_only_a_token() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.database_url == "sqlite:///data/softlift.db"
    assert settings.faq_path is None
    assert settings.admin_ids == frozenset()
    assert settings.staff_chat_id is None
    assert settings.log_level == "INFO"
    assert settings.webhook_url is None
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8443)
    assert settings.tick_seconds == 30.0
    assert not settings.weekly_digest


def test_every_setting_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot{token}",
            "SOFTLIFT_FAQ": "faq/other.yaml",
            "DATABASE_URL": "sqlite:////data/softlift.db",
            "SOFTLIFT_ADMIN_IDS": " 12, 34 ,",
            "SOFTLIFT_STAFF_CHAT_ID": "-100123",
            "LOG_LEVEL": "debug",
            "SOFTLIFT_WEBHOOK_URL": "https://bot.example.com/hook",
            "SOFTLIFT_WEBHOOK_LISTEN": "127.0.0.1",
            "SOFTLIFT_WEBHOOK_PORT": "8080",
            "SOFTLIFT_WEBHOOK_SECRET": "s3cret_-X",
            "SOFTLIFT_TICK_SECONDS": "0.5",
            "SOFTLIFT_DIGEST": "Weekly",
        }
    )
    assert settings.weekly_digest
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot{token}"
    assert settings.faq_path == Path("faq/other.yaml")
    assert settings.database_url == "sqlite:////data/softlift.db"
    assert settings.admin_ids == frozenset({12, 34})
    assert settings.staff_chat_id == -100123
    assert settings.log_level == "DEBUG"
    assert settings.webhook_url == "https://bot.example.com/hook"
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 8080)
    assert settings.webhook_secret == "s3cret_-X"
    assert settings.tick_seconds == 0.5


def test_token_and_secret_stay_out_of_repr() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SOFTLIFT_WEBHOOK_URL": "https://x.example/h",
        "SOFTLIFT_WEBHOOK_SECRET": "topsecretvalue",
    }
    text = repr(Settings.from_env(env))
    assert TOKEN not in text
    assert "topsecretvalue" not in text


def test_missing_token_says_botfather_and_chat() -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "  "})
    message = str(raised.value)
    assert "@BotFather" in message
    assert "softlift-bot chat" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "does not look like a bot token"),
        ("TELEGRAM_API_BASE_URL", "ftp://x/bot", "TELEGRAM_API_BASE_URL"),
        ("TELEGRAM_API_BASE_URL", "https://api.example.com/", "TELEGRAM_API_BASE_URL"),
        ("DATABASE_URL", "mysql://db/bot", "sqlite:///path/to/file.db or postgresql://"),
        ("DATABASE_URL", "postgresql://bot:pw@db", "names no database"),
        ("DATABASE_URL", "postgresql:///bot", "names no server"),
        ("SOFTLIFT_ADMIN_IDS", "12,abc", "SOFTLIFT_ADMIN_IDS"),
        ("SOFTLIFT_STAFF_CHAT_ID", "staff", "SOFTLIFT_STAFF_CHAT_ID"),
        # Found by probing: 0 (meant as "off") was taken, and every alert retried for ever.
        ("SOFTLIFT_STAFF_CHAT_ID", "0", "leave it unset for no staff alerts"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL"),
        # Found by probing: `docker run --env-file` keeps quotes, and the token's error (which
        # never shows the value) said to copy it again from @BotFather, which cannot help.
        ("TELEGRAM_BOT_TOKEN", f'"{TOKEN}"', "TELEGRAM_BOT_TOKEN is written in quotes"),
        ("SOFTLIFT_WEBHOOK_SECRET", "'abc'", "SOFTLIFT_WEBHOOK_SECRET is written in quotes"),
        ("SOFTLIFT_FAQ", '"faq/softlifting.yaml"', "SOFTLIFT_FAQ is written in quotes"),
        # Found by probing: .upper() and .lower() read other letters as these ASCII names.
        ("LOG_LEVEL", "\u0131nfo", "LOG_LEVEL must be one of"),  # dotless ı -> INFO
        ("SOFTLIFT_DIGEST", "wee\u212aly", "SOFTLIFT_DIGEST must be off or weekly"),  # Kelvin
        # Found by probing: \d took other scripts' digits for the bot id.
        ("TELEGRAM_BOT_TOKEN", "\u0661\u0662\u0663\u0664\u0665:" + "A" * 30, "bot token"),
        ("SOFTLIFT_WEBHOOK_URL", "http://bot.example.com/hook", "https://"),
        # Found by probing: URLs urlsplit cannot take stopped start-up with a traceback.
        ("SOFTLIFT_WEBHOOK_URL", "https://[::1/hook", "SOFTLIFT_WEBHOOK_URL must be an https"),
        # Found by probing (eng33): a port out of range was refused as "must be an https://
        # URL", which it was: the operator was sent looking at the scheme.
        (
            "SOFTLIFT_WEBHOOK_URL",
            "https://bot.example.com:99999/hook",
            "port 99999 is out of range",
        ),
        ("SOFTLIFT_WEBHOOK_URL", "https://bot.example.com:0/hook", "port 0 is out of range"),
        ("SOFTLIFT_WEBHOOK_URL", "https://bot.example.com:84x3/hook", "port '84x3' is no number"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:99999/bot", "port 99999 is out of range"),
        ("TELEGRAM_API_BASE_URL", "http://[::1/bot", "TELEGRAM_API_BASE_URL must be"),
        # Found by probing: a host name no resolver can take (an empty label, one over 63
        # characters) was accepted, and start-up retried getMe for ever as if Telegram were away.
        ("TELEGRAM_API_BASE_URL", "http://api..example.com/bot", "TELEGRAM_API_BASE_URL must be"),
        ("TELEGRAM_API_BASE_URL", f"http://{'a' * 64}.example/bot", "TELEGRAM_API_BASE_URL must"),
        ("SOFTLIFT_WEBHOOK_URL", "https://bot..example.com/hook", "must be an https"),
        # Found by probing: nor was a character no host name has (a space, "*", "<"): start-up
        # retried getMe for ever ("no answer (NetworkError)") instead of naming the setting.
        ("TELEGRAM_API_BASE_URL", "http://bot api:8081/bot", "TELEGRAM_API_BASE_URL must be"),
        ("TELEGRAM_API_BASE_URL", "https://api*telegram.org/bot", "TELEGRAM_API_BASE_URL must"),
        ("TELEGRAM_API_BASE_URL", "https://api<telegram.org/bot", "TELEGRAM_API_BASE_URL must"),
        ("SOFTLIFT_WEBHOOK_PORT", "70000", "SOFTLIFT_WEBHOOK_PORT"),
        ("SOFTLIFT_WEBHOOK_SECRET", "has space", "SOFTLIFT_WEBHOOK_SECRET"),
        ("SOFTLIFT_WEBHOOK_SECRET", "x" * 257, "SOFTLIFT_WEBHOOK_SECRET"),
        ("SOFTLIFT_TICK_SECONDS", "0", "0.1-3600 seconds"),
        ("SOFTLIFT_TICK_SECONDS", "-1", "0.1-3600 seconds"),
        ("SOFTLIFT_TICK_SECONDS", "nan", "0.1-3600 seconds"),
        ("SOFTLIFT_TICK_SECONDS", "soon", "SOFTLIFT_TICK_SECONDS"),
        # Found by probing: Python's numbers take "1_0" (10) and "1e1"; a setting is plain.
        ("SOFTLIFT_TICK_SECONDS", "1_0", "0.1-3600 seconds in plain digits"),
        ("SOFTLIFT_TICK_SECONDS", "1e1", "0.1-3600 seconds in plain digits"),
        # Found by probing: Telegram calls a path it has percent-encoded, which the bot's literal
        # route never matches: every update refused with 404 while the bot looks healthy.
        ("SOFTLIFT_WEBHOOK_URL", "https://bot.example.com/хук", "percent-encoded"),
        ("SOFTLIFT_DIGEST", "daily", "SOFTLIFT_DIGEST must be off or weekly, not 'daily'"),
        ("SOFTLIFT_DIGEST", "weekly", "SOFTLIFT_DIGEST=weekly needs SOFTLIFT_STAFF_CHAT_ID"),
        # Found by probing: "," ("${EN_FAQ},${RU_FAQ}" with both unset) served the shipped
        # files, whose placeholder clinic, phone and booking link patients were then given.
        ("SOFTLIFT_FAQ", " , ", "SOFTLIFT_FAQ names no FAQ file"),
    ],
)
def test_malformed_settings_name_the_setting_in_one_line(
    name: str, value: str, expected: str
) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, name: value}
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.telegram.org/bot",
        "http://127.0.0.1:8081/bot{token}",
        "http://127.0.0.1:8081/bot{BOT_TOKEN}",
        "https://proxy.example.com/telegram/bot",
        "https://api.telegram.org/bot{token}/test",
        "http://telegram_bot_api:8081/bot",  # a Compose service name may have "_"
        "http://[::1]:8081/bot",
        "https://пример.рф/bot",
    ],
)
def test_api_base_url_forms_give_python_telegram_bot_the_right_urls(base_url: str) -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url})
    bot = Bot(TOKEN, base_url=settings.api_base_url, base_file_url=settings.base_file_url)
    head = base_url[: base_url.rfind("/bot")]
    tail = "/test" if base_url.endswith("/test") else ""
    assert bot.base_url == f"{head}/bot{TOKEN}{tail}"
    assert bot.base_file_url == f"{head}/file/bot{TOKEN}{tail}"


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.telegram.org/bot/",
        "https://api.telegram.org/bots",
        "https://api.telegram.org/bot/getMe",
        "https://api.telegram.org/bot/test",
        "https://api.telegram.org/bot{token}/getMe",
        "https://api.telegram.org/bot{tok}",
        "https://api.telegram.org/bot?",
        "https://api.telegram.org/bot?proxy=1",
        "https://api.telegram.org/bot#",
        "http://{token}.example.com/bot",
        "https:///bot",
        # urlsplit drops tabs and line breaks, httpx refuses them: getMe would fail for ever.
        "http://127.0.0.1:8081\n/bot",
        "https://api.telegram.org/b\tot",
        "https://api.telegram.org/bot\r{token}",
    ],
)
def test_api_base_url_must_end_where_the_token_goes(base_url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url})
    message = str(raised.value)
    assert "TELEGRAM_API_BASE_URL" in message and "ends in /bot" in message
    assert repr(base_url) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "base_url",
    [
        f"https://api.telegram.org/bot{TOKEN}",
        f"https://api.telegram.org/bot{TOKEN}/",
        f"https://api.telegram.org/bot{TOKEN.replace(':', '%3A')}",
        f"https://api.telegram.org/bot{TOKEN.partition(':')[2]}",
        "https://api.telegram.org/bot987654321:AAOtherBotsToken_0123456789xyz",
        "https://api.telegram.org/bot987654321:AAShort",
    ],
)
def test_api_base_url_errors_never_echo_a_token(base_url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url})
    message = str(raised.value)
    assert "TELEGRAM_API_BASE_URL" in message and "not shown" in message
    assert TOKEN.partition(":")[2] not in message
    assert "AAOtherBotsToken" not in message and "AAShort" not in message


def test_token_is_never_echoed_in_errors() -> None:
    almost = "123456789:short"
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": almost})
    assert almost not in str(raised.value)


def test_webhook_url_needs_a_secret() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "SOFTLIFT_WEBHOOK_URL": "https://bot.example.com/hook"}
    with pytest.raises(ConfigError, match="SOFTLIFT_WEBHOOK_SECRET is required"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "@BotFather"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://[::1/bot"}, "/bot"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "SOFTLIFT_FAQ": ","}, "SOFTLIFT_FAQ names no FAQ file"),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "SOFTLIFT_WEBHOOK_URL": "https://bot.example.com:99999/hook",
                "SOFTLIFT_WEBHOOK_SECRET": "s3cret",
            },
            "port 99999 is out of range",
        ),
    ],
)
def test_run_with_bad_settings_exits_2_with_one_line(
    env: dict[str, str], expected: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SOFTLIFT_ADMIN_IDS", "+1", "plain digits"),
        ("SOFTLIFT_ADMIN_IDS", "0", "plain digits"),
        ("SOFTLIFT_ADMIN_IDS", "12,٣٤", "plain digits"),  # Arabic-Indic digits int() would take
        ("SOFTLIFT_ADMIN_IDS", "1_000", "plain digits"),
        ("SOFTLIFT_STAFF_CHAT_ID", "-10_0", "plain digits"),
        # Found by probing: a 20-digit id was taken, and the first danger sign's staff alert
        # then failed in the database (past 64 bits) instead of start-up stopping.
        ("SOFTLIFT_STAFF_CHAT_ID", "-99999999999999999999", "too long for a Telegram id"),
        ("SOFTLIFT_STAFF_CHAT_ID", str(2**52), "too long for a Telegram id"),
        ("SOFTLIFT_ADMIN_IDS", "12,99999999999999999999", "plain digits"),
        ("SOFTLIFT_WEBHOOK_PORT", "８４４３", "plain digits"),  # full-width digits
        ("SOFTLIFT_TICK_SECONDS", "1e15", "0.1-3600 seconds"),
        ("SOFTLIFT_TICK_SECONDS", "1e-6", "0.1-3600 seconds"),
        ("SOFTLIFT_UNANSWERED_DAYS", "0", "1-3650"),
        ("SOFTLIFT_UNANSWERED_DAYS", "ninety", "1-3650"),
    ],
)
def test_numbers_are_plain_digits_in_a_sane_range(name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, name: value})


def test_plain_ids_and_the_retention_period_are_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SOFTLIFT_ADMIN_IDS": "12, 34",
            "SOFTLIFT_STAFF_CHAT_ID": "-100123",
            "SOFTLIFT_UNANSWERED_DAYS": "30",
        }
    )
    assert settings.admin_ids == {12, 34} and settings.staff_chat_id == -100123
    assert settings.unanswered_days == 30 and settings.tick_seconds == 30.0


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("SOFTLIFT_WEBHOOK_URL", "http://host/{token}"),
        ("SOFTLIFT_WEBHOOK_URL", "ftp://host/hook/{secret}"),
        ("TELEGRAM_API_BASE_URL", "https://api.example/x{token}"),
        ("SOFTLIFT_STAFF_CHAT_ID", "{token}"),
    ],
)
def test_the_token_is_masked_in_every_message(name: str, template: str) -> None:
    secret = TOKEN.partition(":")[2]
    value = template.format(token=TOKEN, secret=secret)
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, name: value})
    message = str(raised.value)
    assert name in message
    assert TOKEN not in message and secret not in message


def test_a_postgresql_url_is_kept_and_its_password_never_shown() -> None:
    url = "postgres://bot:pa55word@db.internal:5433/clinic"
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": url})
    assert settings.database_url == "postgresql://bot:pa55word@db.internal:5433/clinic"
    assert "pa55word" not in repr(settings)
