"""Command line: ask, chat, faq check, course preview and run."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from bot.aftercare.day_messages import DayMessages, preview
from bot.answers.assistant import Assistant, Outcome
from bot.answers.knowledge import KnowledgeBase
from bot.answers.loader import load_faq
from bot.answers.matcher import Kind
from bot.answers.selftest import self_test
from bot.config import resolve_faq_path
from bot.console import chat
from bot.faqdoc import FaqError
from bot.locale import get_locale

EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report `... | head`
# JSON allows these raw inside strings, but line-splitting readers (Python's splitlines among
# them) treat them as line breaks: escaped, every answer stays on one line.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


def _outcome_json(question: str, outcome: Outcome, language: str) -> str:
    decision = outcome.decision
    text = json.dumps(
        {
            "question": question,
            "kind": str(decision.kind),
            "entry": decision.entry_id if decision.kind is Kind.ANSWER else None,
            "score": decision.score,
            "suggestions": outcome.suggestions(),
            "language": language,
            "text": outcome.reply.plain(),
        },
        ensure_ascii=False,
    )
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


def cmd_ask(args: argparse.Namespace, kb: KnowledgeBase, out: TextIO, inp: TextIO) -> int:
    """Answer one question, or every line of stdin with `-`."""
    assistant = Assistant(kb)
    questions = (line.rstrip("\r\n") for line in inp) if args.question == "-" else [args.question]
    for question in questions:
        outcome = assistant.ask(question)
        if args.json:
            out.write(_outcome_json(question, outcome, kb.language) + "\n")
        else:
            out.write(outcome.reply.plain() + "\n")
        out.flush()
    return 0


def cmd_chat(args: argparse.Namespace, kb: KnowledgeBase, out: TextIO, inp: TextIO) -> int:
    """Talk to the bot in the terminal."""
    interactive = inp.isatty()

    def lines() -> Iterator[str]:
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = inp.readline()
            if not line:
                return
            yield line

    def write(text: str) -> None:
        out.write(text + "\n\n")
        out.flush()

    chat(Assistant(kb), lines(), write)
    return 0


def cmd_faq_check(args: argparse.Namespace, kb: KnowledgeBase, out: TextIO, inp: TextIO) -> int:
    """Validate a FAQ file and check that every phrasing reaches its own entry."""
    conflicts = self_test(kb)
    for conflict in conflicts:
        out.write(f"{kb.source}: {conflict}\n")
    phrasings = sum(len(e.questions) for e in kb.entries) + sum(
        len(d.questions) for d in kb.declines
    )
    # Texts marked `source: clinic` are the clinic's own facts: listed for its doctor's review.
    clinic = kb.clinic_texts()
    if clinic:
        out.write(f"{kb.source}: the clinic's own (source: clinic): {', '.join(clinic)}\n")
    status = f"{len(conflicts)} conflict(s)" if conflicts else "OK"
    out.write(
        f"{kb.source}: {len(kb.entries)} entries, {len(kb.declines)} declines, "
        f"{phrasings} phrasings, {len(kb.red_flags)} red flags, "
        f"{len(kb.provenance())} sourced texts ({len(clinic)} the clinic's own): {status}\n"
    )
    return EXIT_PROBLEM if conflicts else 0


def cmd_course_preview(
    args: argparse.Namespace, kb: KnowledgeBase, out: TextIO, inp: TextIO
) -> int:
    """Print every day of the aftercare course."""
    if kb.course is None:
        out.write(f"{kb.source}: no aftercare course in this FAQ file\n")
        return 0
    messages = DayMessages(kb.course, get_locale(kb.language), kb.clinic, kb.texts.urgent)
    out.write(preview(messages))
    return 0


def cmd_run(args: argparse.Namespace, kb: KnowledgeBase, out: TextIO, inp: TextIO) -> int:
    """Start the Telegram bot."""
    from bot.telegram_app.runner import run

    return run(kb, faq_option=args.faq_option)


Command = Callable[[argparse.Namespace, KnowledgeBase, TextIO, TextIO], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--faq",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="FAQ file to use (default: $SOFTLIFT_FAQ or the shipped faq/softlifting.yaml)",
    )
    parser = argparse.ArgumentParser(
        prog="softlift-bot",
        description="Soft lifting patient assistant: FAQ answers and aftercare.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", parents=[common], help="start the Telegram bot")
    run.set_defaults(handler=cmd_run)
    chat_p = sub.add_parser("chat", parents=[common], help="talk to the bot in the terminal")
    chat_p.set_defaults(handler=cmd_chat)
    ask = sub.add_parser("ask", parents=[common], help="answer a question (or stdin lines with -)")
    ask.add_argument("question", help="the question, or - to read one question per line")
    ask.add_argument("--json", action="store_true", help="print JSON (JSON Lines for -)")
    ask.set_defaults(handler=cmd_ask)
    faq = sub.add_parser("faq", help="FAQ file tools")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True, metavar="SUBCOMMAND")
    check = faq_sub.add_parser("check", parents=[common], help="validate and self-test a FAQ")
    check.add_argument("path", nargs="?", help="the FAQ file (default: as --faq)")
    check.set_defaults(handler=cmd_faq_check)
    course = sub.add_parser("course", help="aftercare course tools")
    course_sub = course.add_subparsers(dest="course_command", required=True, metavar="SUBCOMMAND")
    preview = course_sub.add_parser(
        "preview", parents=[common], help="print all days of the course"
    )
    preview.set_defaults(handler=cmd_course_preview)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `softlift-bot` and `python -m bot`."""
    args = build_parser().parse_args(argv)
    args.faq_option = getattr(args, "path", None) or getattr(args, "faq", None)
    try:
        kb = load_faq(resolve_faq_path(args.faq_option, os.environ))
    except FaqError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_PROBLEM if args.command == "faq" else EXIT_USAGE
    handler: Command = args.handler
    return handler(args, kb, sys.stdout, sys.stdin)


def console_main() -> None:
    """Console-script wrapper: UTF-8 in and out, and quiet exits on Ctrl-C and closed pipes."""
    # Invalid bytes become U+FFFD instead of a traceback (UTF-8 locale) or lone surrogates
    # echoed back as raw bytes (C locale, whose surrogateescape Python uses by default).
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        # Python would report the pipe again while flushing at exit: point stdout elsewhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_BROKEN_PIPE
    sys.exit(code)
