"""The log never carries what a patient wrote, nor the token, whichever library logs it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from telegram import Chat, Message, Update

from bot.telegram_app.logging_setup import configure_logging

TOKEN = "123456:ABCdefGhIJKlmNoPQRstuVWXyz0123456789"
SECRET_TEXT = "my lip turned blue, call me on +44 7700 900123"


@pytest.fixture
def root_handlers() -> Iterator[None]:
    """Restore the root logger after a test configures it."""
    root, own = logging.getLogger(), logging.getLogger("bot")
    saved, level, own_level = list(root.handlers), root.level, own.level
    yield
    root.handlers[:] = saved
    root.setLevel(level)
    own.setLevel(own_level)


def test_an_update_the_library_cannot_parse_is_not_logged_in_full(
    capsys: pytest.CaptureFixture[str], root_handlers: None
) -> None:
    configure_logging("INFO", [TOKEN])
    data = {"update_id": 1, "message": {"text": SECRET_TEXT, "chat": {"id": 5}}}
    try:
        raise ValueError("bad update")
    except ValueError as exc:
        # What telegram.ext's webhook handler does with an update it cannot parse.
        logging.getLogger("telegram.ext._utils.webhookhandler").critical(
            "Received data was *not* processed! Received data was: %r", data, exc_info=exc
        )
    err = capsys.readouterr().err
    assert "Received data was" in err and "bad update" in err
    assert SECRET_TEXT not in err and "blue" not in err


def test_whole_updates_in_library_debug_lines_are_withheld(
    capsys: pytest.CaptureFixture[str], root_handlers: None
) -> None:
    configure_logging("DEBUG", [TOKEN])
    logging.getLogger("telegram").setLevel(logging.DEBUG)
    update = Update(1, message=Message(1, None, Chat(5, "private"), text=SECRET_TEXT))  # type: ignore[arg-type]
    logging.getLogger("telegram.ext.Application").critical("Processing update %s", update)
    logging.getLogger("bot.x").warning("url %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
    err = capsys.readouterr().err
    assert "Processing update" in err and SECRET_TEXT not in err
    assert TOKEN not in err and "[secret]" in err


def test_at_debug_only_the_bots_own_debug_lines_are_logged(
    capsys: pytest.CaptureFixture[str], root_handlers: None
) -> None:
    # Found by probe22: README says library debug logs stay off, but LOG_LEVEL=DEBUG let any
    # library not named in the lists log at DEBUG: a /stats chart printed some 370 lines of
    # matplotlib's font matching (a library may print what it is given).
    configure_logging("DEBUG", [TOKEN])
    logging.getLogger("matplotlib.font_manager").debug("findfont: library line")
    logging.getLogger("some.library").debug("another library line")
    logging.getLogger("bot.telegram_app.delivery").debug("the bot's own line")
    err = capsys.readouterr().err
    assert "the bot's own line" in err
    assert "library line" not in err
