"""Settings: one frozen object read from the environment once, in main, and validated."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from bot.locale import LANGUAGE_CODE
from bot.storage.database import parse_database_url

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite:///data/softlift.db"
WEBHOOK_PORT_HINT = "; Telegram posts to 443, 80, 88 or 8443 only"
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"  # noqa: S104 - the webhook server must be reachable
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_TICK_SECONDS = 30.0
# Below this the tick would spin the CPU; above, a day's message could wait over an hour.
TICK_RANGE = (0.1, 3600.0)
DEFAULT_UNANSWERED_DAYS = 90
UNANSWERED_DAYS_RANGE = (1, 3650)
# Plain ASCII decimal ids: int() would also take "+1", "1_000" and other scripts' digits.
USER_ID_PATTERN = re.compile(r"[1-9][0-9]{0,19}")
CHAT_ID_PATTERN = re.compile(r"-?[1-9][0-9]{0,19}")
DECIMAL_PATTERN = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
# Telegram's ids have at most 52 significant bits; a longer number is a typo that would only
# fail later, when the database refuses it with a patient's staff alert (past 64 bits).
ID_LIMIT = 2**52
DIGEST_CHOICES = ("off", "weekly")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# [0-9], not \d: \d takes other scripts' digits ("١٢٣٤٥"), which no bot id is written in.
TOKEN_PATTERN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,}")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# …/bot, or …/bot{token} with a placeholder PTB 22 fills in (telegram/_bot.py,
# _SUPPORTED_INSERTIONS), then optionally /test.
API_BASE_PATH = re.compile(
    r"(?:/[^{}]*)?/bot(?:\{(?:token|TOKEN|bot_token|BOT_TOKEN|bot-token|BOT-TOKEN)\}(?:/test)?)?"
)
# A host name as resolvers take it, once IDNA-encoded ("_": a Compose service's name).
HOST_NAME = re.compile(rb"[A-Za-z0-9_.-]+")
# A bot id, a colon (maybe %-encoded) and a few secret characters: never put it in a message.
TOKEN_LIKE = re.compile(r"\d+(?::|%3[Aa])[A-Za-z0-9_-]{6,}")


class ConfigError(Exception):
    """A missing or malformed setting; the message is one readable line."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from the environment."""

    token: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    faq_paths: tuple[Path, ...] = ()  # one FAQ file per language; () for the shipped ones
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    admin_ids: frozenset[int] = frozenset()
    staff_chat_id: int | None = None
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_secret: str | None = field(default=None, repr=False)
    tick_seconds: float = DEFAULT_TICK_SECONDS
    unanswered_days: int = DEFAULT_UNANSWERED_DAYS
    staff_language: str | None = None  # the staff alerts' language; None: the first FAQ file's
    weekly_digest: bool = False  # the chart and unanswered groups to the staff chat each Monday

    @property
    def faq_path(self) -> Path | None:
        """The first FAQ file (None: the shipped English one), for single-language callers."""
        return self.faq_paths[0] if self.faq_paths else None

    @property
    def base_file_url(self) -> str:
        """The file download URL that goes with `api_base_url` (…/bot -> …/file/bot)."""
        cut = self.api_base_url.rfind("/bot")
        return f"{self.api_base_url[:cut]}/file{self.api_base_url[cut:]}"

    @classmethod
    def from_env(cls, env: Mapping[str, str], faq_option: str | None = None) -> Settings:
        """Read and validate the settings; ConfigError names the first bad one.

        `faq_option` is the command line's --faq, which wins over SOFTLIFT_FAQ.
        """

        try:
            return cls._read(env, faq_option)
        except ConfigError as exc:
            # A token pasted into another setting must not reach the screen or a log either.
            raise ConfigError(masked(str(exc), env.get("TELEGRAM_BOT_TOKEN", ""))) from None

    @classmethod
    def _read(cls, env: Mapping[str, str], faq_option: str | None) -> Settings:
        def get(name: str) -> str | None:
            return env_value(env, name) or None

        webhook_url = _webhook_url(get("SOFTLIFT_WEBHOOK_URL"))
        secret = get("SOFTLIFT_WEBHOOK_SECRET")
        if secret is not None and not SECRET_PATTERN.match(secret):
            raise ConfigError(
                "SOFTLIFT_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
        if webhook_url is not None and secret is None:
            raise ConfigError(
                "SOFTLIFT_WEBHOOK_SECRET is required with SOFTLIFT_WEBHOOK_URL, "
                "so that only Telegram can post updates"
            )
        staff_chat_id = _telegram_id("SOFTLIFT_STAFF_CHAT_ID", get("SOFTLIFT_STAFF_CHAT_ID"))
        if staff_chat_id == 0:  # no chat has id 0: every alert would wait for ever
            raise ConfigError(
                "SOFTLIFT_STAFF_CHAT_ID must be a Telegram chat id, not 0; "
                "leave it unset for no staff alerts"
            )
        weekly_digest = _digest(get("SOFTLIFT_DIGEST"))
        if weekly_digest and staff_chat_id is None:
            raise ConfigError(
                "SOFTLIFT_DIGEST=weekly needs SOFTLIFT_STAFF_CHAT_ID: the chat the digest goes to"
            )
        return cls(
            token=_token(get("TELEGRAM_BOT_TOKEN")),
            api_base_url=_api_base_url(
                get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL, get("TELEGRAM_BOT_TOKEN")
            ),
            faq_paths=resolve_faq_path(faq_option, env),
            database_url=_database(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            admin_ids=frozenset(_ints("SOFTLIFT_ADMIN_IDS", get("SOFTLIFT_ADMIN_IDS") or "")),
            staff_chat_id=staff_chat_id,
            log_level=_log_level(get("LOG_LEVEL") or "INFO"),
            webhook_url=webhook_url,
            webhook_listen=get("SOFTLIFT_WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN,
            webhook_port=_port(get("SOFTLIFT_WEBHOOK_PORT")),
            webhook_secret=secret,
            tick_seconds=_tick(get("SOFTLIFT_TICK_SECONDS")),
            unanswered_days=_unanswered_days(get("SOFTLIFT_UNANSWERED_DAYS")),
            staff_language=_language("SOFTLIFT_STAFF_LANGUAGE", get("SOFTLIFT_STAFF_LANGUAGE")),
            weekly_digest=weekly_digest,
        )


def env_value(env: Mapping[str, str], name: str) -> str:
    """A setting as written, without surrounding spaces; "" when unset; quotes refused."""
    value = env.get(name, "").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        # `docker run --env-file` keeps them; the token's error could not show them.
        raise ConfigError(
            f"{name} is written in quotes: remove them (docker run --env-file keeps "
            "quotes as part of the value)"
        )
    return value


def resolve_faq_path(cli_value: str | None, env: Mapping[str, str]) -> tuple[Path, ...]:
    """The FAQ files to use, one per language: --faq, else $SOFTLIFT_FAQ, comma-separated.

    () means the shipped ones: faq/softlifting.yaml, and faq/softlifting.ru.yaml when it loads.
    """
    value = cli_value or env_value(env, "SOFTLIFT_FAQ")
    paths = tuple(Path(part.strip()) for part in value.split(",") if part.strip())
    if value and not paths:
        # "," is what "${EN_FAQ},${RU_FAQ}" gives with both unset: the shipped files would
        # answer patients with their placeholder clinic, phone and booking link.
        raise ConfigError(
            f"SOFTLIFT_FAQ names no FAQ file: {value!r}; leave it unset for the shipped files"
        )
    return paths


def _language(name: str, value: str | None) -> str | None:
    """A language code such as en or ru (checked against the FAQ files at start-up)."""
    if value is None:
        return None
    if not LANGUAGE_CODE.fullmatch(value):
        raise ConfigError(f"{name} must be a language code such as en or ru, not {value!r}")
    return value


def _token(value: str | None) -> str:
    if value is None:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot) "
            "and set the token it gives you, or try the bot without one: softlift-bot chat"
        )
    if not TOKEN_PATTERN.fullmatch(value):
        # Never echo the value: a near-miss is still mostly a secret.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters); "
            "copy it again from @BotFather"
        )
    return value


def _api_base_url(value: str, token: str | None = None) -> str:
    """The Bot API URL as python-telegram-bot takes it: the token goes right after /bot.

    PTB 22 replaces a {token} placeholder with the token, else appends the token to the URL, so
    the path must end in /bot or /bot{token} (/bot{token}/test: Telegram's test environment).
    """
    _check_port("TELEGRAM_API_BASE_URL", value, _shown(value, token))
    parts = _split(value)
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or any(char in parts.netloc for char in "{}")
        or any(char in value for char in "?#")
        or not value.isprintable()  # urlsplit drops a tab or line break that httpx refuses
        or not API_BASE_PATH.fullmatch(parts.path)
    ):
        raise ConfigError(
            "TELEGRAM_API_BASE_URL must be an http(s) URL whose path ends in /bot or /bot{token} "
            "(/bot{token}/test for Telegram's test environment), "
            f"like {DEFAULT_API_BASE_URL}, not {_shown(value, token)}"
        )
    return value


def _check_port(name: str, value: str, shown: str, hint: str = "") -> None:
    """Refuse a URL whose port is no number or out of range, saying so (not that it is no URL)."""
    try:
        netloc = urlsplit(value).netloc
    except ValueError:  # no URL at all: the setting's own message says what it must be
        return
    # The port follows the last ":" after the user info and an IPv6 host's "]".
    host, colon, port = netloc.rpartition("@")[2].rpartition("]")[2].rpartition(":")
    if not colon or not port or (not host and "]" not in netloc):
        return
    if not port.isascii() or not port.isdigit():
        raise ConfigError(f"{name}: port {port!r} is no number, in {shown}")
    if not 1 <= int(port) <= 65535:
        raise ConfigError(f"{name}: port {int(port)} is out of range (1-65535{hint}), in {shown}")


def _split(value: str) -> SplitResult | None:
    """A URL's parts; None when it is none ("http://[::1/bot", a port 0 or over 65535, a host
    no resolver takes: "api..example.com", a label over 63 characters, a space or "*" in it)."""
    try:
        parts = urlsplit(value)
        if parts.port == 0:  # .port raises for one that is no number or out of range
            return None
        host = parts.hostname or ""
        name = host.encode("idna")  # UnicodeError, a ValueError, for such a host
    except ValueError:
        return None
    if host and not HOST_NAME.fullmatch(name) and not _ip_address(host):
        return None
    return parts


def _ip_address(host: str) -> bool:
    """Whether a URL's host is an IP address (an IPv6 one is written in brackets)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _shown(value: str, token: str | None) -> str:
    """The value quoted for an error message, unless it seems to hold a bot token."""
    secret = token.partition(":")[2] if token else ""
    if TOKEN_LIKE.search(value) or (secret and secret in value):
        return "the value given (not shown: it seems to contain a bot token)"
    return repr(value)


def _database(value: str) -> str:
    try:
        return parse_database_url(value).url
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def masked(message: str, token: str) -> str:
    """The message with the token, its secret half and anything shaped like a token hidden."""
    for secret in (token.strip(), token.strip().partition(":")[2]):
        if len(secret) >= 8:
            message = message.replace(secret, "[token]")
    return TOKEN_LIKE.sub("[token]", message)


def _int(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not CHAT_ID_PATTERN.fullmatch(value) and value != "0":
        raise ConfigError(f"{name} must be a whole number in plain digits, not {value!r}")
    return int(value)


def _fits_telegram(number: int) -> bool:
    """Whether a number is inside the range of Telegram's ids."""
    return abs(number) < ID_LIMIT


def _telegram_id(name: str, value: str | None) -> int | None:
    """A chat id: plain digits, inside the range of Telegram's ids."""
    number = _int(name, value)
    if number is not None and not _fits_telegram(number):
        raise ConfigError(f"{name} is too long for a Telegram id, not {value!r}")
    return number


def _ints(name: str, value: str) -> list[int]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    bad = [
        part
        for part in parts
        if not USER_ID_PATTERN.fullmatch(part) or not _fits_telegram(int(part))
    ]
    if bad:
        raise ConfigError(
            f"{name} must be Telegram user ids in plain digits separated by commas, like "
            f"12345,67890, not {bad[0]!r}"
        )
    return [int(part) for part in parts]


def _unanswered_days(value: str | None) -> int:
    if value is None:
        return DEFAULT_UNANSWERED_DAYS
    low, high = UNANSWERED_DAYS_RANGE
    if not USER_ID_PATTERN.fullmatch(value) or not low <= int(value) <= high:
        raise ConfigError(
            f"SOFTLIFT_UNANSWERED_DAYS must be a whole number {low}-{high}, not {value!r}"
        )
    return int(value)


def _digest(value: str | None) -> bool:
    """SOFTLIFT_DIGEST: off (the default) or weekly."""
    choice = (value or "off").lower()
    # .lower() maps the Kelvin sign to k: a name is read as written, in plain letters.
    if choice not in DIGEST_CHOICES or not (value or "").isascii():
        raise ConfigError(f"SOFTLIFT_DIGEST must be off or weekly, not {value!r}")
    return choice == "weekly"


def _log_level(value: str) -> str:
    level = value.upper()
    # .upper() maps the dotless ı to I ("ınfo" to INFO): a name is read as written.
    if level not in LOG_LEVELS or not value.isascii():
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def _webhook_url(value: str | None) -> str | None:
    if value is None:
        return None
    # Telegram's own limit, named beside the range: a webhook in range may still be refused.
    _check_port("SOFTLIFT_WEBHOOK_URL", value, repr(value), WEBHOOK_PORT_HINT)
    parts = _split(value)
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            f"SOFTLIFT_WEBHOOK_URL must be an https:// URL (Telegram requires TLS), not {value!r}"
        )
    if not value.isascii() or not value.isprintable() or " " in value:
        # Telegram calls the path percent-encoded; the route is the path as written.
        raise ConfigError(
            "SOFTLIFT_WEBHOOK_URL must be written in plain ASCII, other characters "
            f"percent-encoded (%D1%85 for х), not {value!r}"
        )
    return value


def _port(value: str | None) -> int:
    port = _int("SOFTLIFT_WEBHOOK_PORT", value)
    if port is None:
        return DEFAULT_WEBHOOK_PORT
    if not 1 <= port <= 65535:
        raise ConfigError(f"SOFTLIFT_WEBHOOK_PORT must be 1-65535, not {port}")
    return port


def _tick(value: str | None) -> float:
    if value is None:
        return DEFAULT_TICK_SECONDS
    low, high = TICK_RANGE
    if not DECIMAL_PATTERN.fullmatch(value) or not low <= float(value) <= high:
        raise ConfigError(
            f"SOFTLIFT_TICK_SECONDS must be {low:g}-{high:g} seconds in plain digits, like 60 or "
            f"0.5, not {value!r}"
        )
    return float(value)
