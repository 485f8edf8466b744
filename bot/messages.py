"""Transport-neutral replies: text, an optional title and rows of buttons, for every adapter."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Button:
    """A button: pressing it sends `data` back, or opens `url`."""

    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True)
class Reply:
    """What the bot says: an optional bold title, plain text and rows of buttons."""

    text: str
    title: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()

    def plain(self) -> str:
        """The whole reply as plain text."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    def after(self, paragraph: str) -> Reply:
        """The reply with a paragraph before its text."""
        return replace(self, text=f"{paragraph}\n\n{self.text}")


def split_message(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` characters, on paragraph boundaries if possible."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(paragraph) > limit:
            cut = paragraph.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            chunks.append(paragraph[:cut].rstrip())
            paragraph = paragraph[cut:].lstrip()
        current = paragraph
    if current or not chunks:
        chunks.append(current)
    return chunks


def button_rows(buttons: list[Button], columns: int) -> tuple[tuple[Button, ...], ...]:
    """Buttons laid out `columns` to a row."""
    return tuple(tuple(buttons[i : i + columns]) for i in range(0, len(buttons), columns))
