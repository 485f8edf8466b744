"""The terminal adapter: the same replies as the bot, buttons shown as numbered choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.answers.assistant import Assistant, Outcome
from bot.answers.languages import Languages
from bot.answers.matcher import Decision, Kind
from bot.buttons import Vote, parse
from bot.messages import Button, Reply

QUIT = frozenset({"/quit", "/exit", "/q"})
MAX_CHOICE_DIGITS = 9
# A command is no question: no entry, no score, no suggestions.
NO_DECISION = Decision(Kind.FALLBACK, None, 0.0, ())


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
        if line.isdecimal():
            reply = _press(current, line, buttons)
        else:
            outcome = answer(languages, line, language, fallback=current.kb.language)
            current = languages.assistant(outcome.language)
            reply = outcome.reply
        if reply is None:
            write(current.locale.t("console_choice_invalid", number=line))
            continue
        text, buttons = render(reply)
        write(text)
    write(current.locale.t("console_bye"))


def answer(
    languages: Languages,
    line: str,
    language: str | None,
    fallback: str | None = None,
    elsewhere: str = "console_telegram_only",
) -> Outcome:
    """A line's outcome in the terminal: a question's answer or a command's reply.

    /start, /topics and /help run here; another command says where it works (the locale's
    `elsewhere` message) or that it is unknown; a danger sign typed after any command still
    gets the urgent reply.
    """
    outcome = languages.ask(line, language, fallback=fallback)
    if not line.startswith("/") or outcome.decision.kind is Kind.URGENT:
        return outcome
    # A command goes to the language of the conversation, not to that of its English name.
    assistant = languages.assistant(language or fallback)
    word = line[1:].split(maxsplit=1)[0] if line[1:].strip() else ""
    reply = _command_reply(assistant, word, elsewhere)
    return Outcome(NO_DECISION, reply, assistant.kb.language)


def _command_reply(assistant: Assistant, word: str, elsewhere: str) -> Reply:
    """/start, /topics or /help (with any @bot after it, as Telegram takes them), or why not."""
    name = word.split("@")[0].lower()
    locale = assistant.locale
    if name == "start":
        return assistant.replies.welcome()
    if name == "topics":
        return assistant.replies.topics()
    if name == "help":
        return assistant.replies.help()
    if f"command_{name}" in locale.messages:
        return Reply(locale.t(elsewhere, command=f"/{name}"))
    return Reply(locale.t("unknown_command"))


def _press(assistant: Assistant, line: str, buttons: list[Button]) -> Reply | None:
    """The reply to a numbered button; None for a number with no button."""
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
