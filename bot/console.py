"""The terminal adapter: the same replies as the bot, buttons shown as numbered choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.answers.assistant import Assistant
from bot.buttons import Vote, parse
from bot.messages import Button, Reply

QUIT = frozenset({"/quit", "/exit", "/q"})


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


def chat(assistant: Assistant, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """Run a conversation over input lines until they end or the user types /quit."""
    write(assistant.locale.t("console_intro"))
    buttons: list[Button] = []
    for raw in lines:
        line = raw.strip()
        if line.lower() in QUIT:
            break
        reply = _reply_to(assistant, line, buttons)
        if reply is None:
            write(assistant.locale.t("console_choice_invalid", number=line))
            continue
        text, buttons = render(reply)
        write(text)
    write(assistant.locale.t("console_bye"))


def _reply_to(assistant: Assistant, line: str, buttons: list[Button]) -> Reply | None:
    command = line.lower()
    if command in {"/start", "/topics"}:
        return assistant.replies.welcome() if command == "/start" else assistant.replies.topics()
    if command == "/help":
        return assistant.replies.help()
    if line.isdigit():
        number = int(line)
        if not 1 <= number <= len(buttons):
            return None
        button = buttons[number - 1]
        if button.url:
            return Reply(button.url)
        if isinstance(parse(button.data), Vote):
            return Reply(assistant.replies.feedback_thanks())
        return assistant.press(button.data)
    return assistant.ask(line).reply
