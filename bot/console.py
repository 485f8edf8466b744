"""The terminal adapter: the same replies as the bot, buttons shown as numbered choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.answers.assistant import Assistant
from bot.answers.languages import Languages
from bot.answers.matcher import Kind
from bot.buttons import Vote, parse
from bot.messages import Button, Reply

QUIT = frozenset({"/quit", "/exit", "/q"})
MAX_CHOICE_DIGITS = 9


def render(reply: Reply) -> tuple[str, list[Button]]:
    """Plain text of a reply with its buttons numbered from 1."""
    buttons = [b for row in reply.buttons for b in row]
    lines = [reply.plain()]
    if buttons:
        lines.append("")
        for number, button in enumerate(buttons, start=1):
            target = f" ({button.url})" if button.url else ""
            lines.append(f"  [{number}] {button.label}{target}")
    return "\n".join(lines), buttons


def chat(
    languages: Languages,
    lines: Iterable[str],
    write: Callable[[str], None],
    language: str | None = None,
) -> None:
    """Run a conversation over input lines until they end or the user types /quit.

    Each line is answered in its own language unless `language` forces one; commands and
    numbers go to the language of the last reply, whose buttons are on the screen.
    """
    current = languages.assistant(language)
    write(current.locale.t("console_intro"))
    buttons: list[Button] = []
    for raw in lines:
        line = raw.strip()
        if line.lower() in QUIT:
            break
        if _is_command(line):
            reply = _reply_to(current, line, buttons)
        else:
            outcome = languages.ask(line, language, fallback=current.kb.language)
            current = languages.assistant(outcome.language)
            reply = outcome.reply
            if line.startswith("/") and outcome.decision.kind is not Kind.URGENT:
                # "/aftercare" is no question; a danger sign typed after a command still is.
                reply = Reply(_not_here(current, line))
        if reply is None:
            write(current.locale.t("console_choice_invalid", number=line))
            continue
        text, buttons = render(reply)
        write(text)
    write(current.locale.t("console_bye"))


def _not_here(assistant: Assistant, line: str) -> str:
    """What a command the terminal does not run gets: where it works, or that it is unknown."""
    name = line[1:].split(maxsplit=1)[0].split("@")[0].lower() if line[1:].strip() else ""
    locale = assistant.locale
    if f"command_{name}" in locale.messages:
        return locale.t("console_telegram_only", command=f"/{name}")
    return locale.t("unknown_command")


def _is_command(line: str) -> bool:
    return line.lower() in {"/start", "/topics", "/help"} or line.isdecimal()


def _reply_to(assistant: Assistant, line: str, buttons: list[Button]) -> Reply | None:
    """The reply to a command or a numbered button; None for a number with no button."""
    command = line.lower()
    if command in {"/start", "/topics"}:
        return assistant.replies.welcome() if command == "/start" else assistant.replies.topics()
    if command == "/help":
        return assistant.replies.help()
    # int() refuses over 4,300 digits: a number that long is no button's anyway.
    number = int(line) if len(line) <= MAX_CHOICE_DIGITS else 0
    if not 1 <= number <= len(buttons):
        return None
    button = buttons[number - 1]
    if button.url:  # a link opens elsewhere: on Telegram its message keeps every button
        return Reply(button.url, buttons=tuple((b,) for b in buttons))
    if isinstance(parse(button.data), Vote):
        # As on Telegram, a vote drops only its own row: the related topics stay pressable.
        kept = tuple((b,) for b in buttons if not isinstance(parse(b.data), Vote))
        return Reply(assistant.replies.feedback_thanks(), buttons=kept)
    return assistant.press(button.data)
