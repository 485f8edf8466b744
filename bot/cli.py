"""Command line: ask, chat, faq check, faq suggest, course preview, stats and run."""

from __future__ import annotations

import argparse
import asyncio
import errno
import io
import json
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO, TypeVar
from zoneinfo import ZoneInfo

from bot.aftercare.day_messages import DayMessages, preview
from bot.answers.answer_model import load_answer_model
from bot.answers.assistant import Outcome
from bot.answers.knowledge import KnowledgeBase
from bot.answers.languages import (
    Languages,
    UnknownLanguage,
    agreement_problems,
    load_each,
    load_languages,
)
from bot.answers.matcher import MAX_MESSAGE_CHARS, Kind
from bot.answers.selftest import self_test
from bot.config import DEFAULT_DATABASE_URL, ConfigError, env_value, resolve_faq_path
from bot.console import answer, chat
from bot.faqdoc import FaqError
from bot.insights import service as insights
from bot.insights.snapshot import PERIOD_DAYS, period
from bot.locale import get_locale
from bot.storage.database import (
    Database,
    DatabaseTooNew,
    DatabaseUnavailable,
    DatabaseUnreadable,
    parse_database_url,
)
from bot.storage.store import Store

EXIT_PROBLEM = 1
EXIT_USAGE = 2
MAX_DAYS = 3650
# The commands that serve patients: at their start, red-flag examples their signs disagree
# with are named (faq check and /reload name them too; the bot serves the signs as written).
SERVING = frozenset({"chat", "run"})
# --until: a period of up to MAX_DAYS ending then, and the midnight after it, stay inside the
# calendar (and no bot database holds anything before 1970).
UNTIL_RANGE = (date(1970, 1, 1), date(9998, 12, 31))
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report `... | head`
# Only a write fails so (no space, over the quota, a file too large): the replies on stdout.
FULL_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# JSON allows these raw inside strings, but line-splitting readers (Python's splitlines among
# them) treat them as line breaks: escaped, every answer stays on one line.
T = TypeVar("T")
# A line of a batch or the chat is kept up to the longest message Telegram takes (all the engine
# reads of one); the rest is read a piece at a time and skipped, so a huge line (a binary piped
# in by mistake) cannot exhaust memory and the lines after it are still answered.
LINE_CHARS = MAX_MESSAGE_CHARS
READ_CHARS = 64 * 1024
_LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


def _outcome_json(question: str, outcome: Outcome) -> str:
    decision = outcome.decision
    text = json.dumps(
        {
            "question": question,
            "kind": str(decision.kind),
            "entry": decision.entry_id if decision.kind is Kind.ANSWER else None,
            "score": decision.score,
            "suggestions": outcome.suggestions(),
            "language": outcome.language,
            "text": outcome.reply.plain(),
        },
        ensure_ascii=False,
    )
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


def cmd_ask(args: argparse.Namespace, languages: Languages, out: TextIO, inp: TextIO) -> int:
    """Answer one question, or every line of stdin with `-`, each in its own language."""
    questions = _lines(inp) if args.question == "-" else [args.question]
    for index, question in enumerate(questions):
        # No chat to type /topics or /quit in: one question per run.
        outcome = answer(languages, question, args.lang, elsewhere="ask_telegram_only")
        if args.json:
            out.write(_outcome_json(question, outcome) + "\n")
        else:
            # Replies are paragraphs: a blank line before each but the first tells them apart.
            out.write(("\n" if index else "") + outcome.reply.plain() + "\n")
        out.flush()
    return 0


def _lines(inp: TextIO) -> Iterator[str]:
    """Each line, whatever ends it: "\n", "\r\n", or "\r" alone (old Mac files); LINE_CHARS at most."""
    line = ""
    after_cr = False  # the last piece ended in "\r": a "\n" opening the next ends no other line
    # readline, not read: a line is answered as soon as it arrives, as a pipe feeds it.
    while piece := inp.readline(READ_CHARS):
        if after_cr and piece.startswith("\n"):
            piece = piece[1:]
        after_cr = piece.endswith("\r")
        *ended, rest = _LINE_END.split(piece)
        for part in ended:
            yield (line + part)[:LINE_CHARS]
            line = ""
        line = (line + rest)[:LINE_CHARS]
    if line:
        yield line


def cmd_chat(args: argparse.Namespace, languages: Languages, out: TextIO, inp: TextIO) -> int:
    """Talk to the bot in the terminal; Ctrl-C ends it at once with 130."""
    interactive = inp.isatty()
    # A KeyboardInterrupt that lands in a finaliser is swallowed and the chat would go on; the
    # chat holds nothing to save (every reply is flushed), so Ctrl-C simply ends the process.
    signal.signal(signal.SIGINT, _quit_chat)

    def lines() -> Iterator[str]:
        read = _lines(inp)
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = next(read, None)
            if line is None:
                return
            yield line

    def write(text: str) -> None:
        out.write(text + "\n\n")
        out.flush()

    chat(languages, lines(), write, language=args.lang)
    return 0


def _quit_chat(signum: int, frame: object) -> None:
    """Ctrl-C in the chat: a new line, and the usual exit code."""
    sys.stderr.write("\n")
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


def faq_check(paths: Sequence[Path], out: TextIO, err: TextIO) -> int:
    """Validate each FAQ file on its own and all of them together; one summary line per file."""
    results = load_each(paths)
    failed = False
    for result in results:
        if isinstance(result, FaqError):
            err.write(f"{result}\n")
            failed = True
        else:
            failed |= _check_one(result, out)
    kbs = [r for r in results if isinstance(r, KnowledgeBase)]
    if len(kbs) == len(results) and len(kbs) > 1:
        problems = agreement_problems(kbs)
        for problem in problems:
            err.write(f"{problem}\n")
        sources = ", ".join(kb.source for kb in kbs)
        status = f"{len(problems)} difference(s)" if problems else "OK"
        languages = ", ".join(kb.language for kb in kbs)
        out.write(f"{sources}: {len(kbs)} languages ({languages}) agree: {status}\n")
        failed |= bool(problems)
    return EXIT_PROBLEM if failed else 0


def _check_one(kb: KnowledgeBase, out: TextIO) -> bool:
    """Self-test one loaded file and print its summary line; True when it has conflicts."""
    conflicts = self_test(kb)
    for conflict in conflicts:
        out.write(f"{conflict}\n")
    phrasings = sum(len(e.questions) for e in kb.entries) + sum(
        len(d.questions) for d in kb.declines
    )
    if not kb.red_flags:  # may be meant, but a health bot should not be left so by accident
        out.write(f"{kb.source}: no red flags: danger signs get no urgent reply with this file\n")
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
    # One beside the file that is not used is named on stderr (stale, or unreadable).
    if (model := load_answer_model(kb)) is not None:
        out.write(f"{kb.source}: answer model: {len(model.labels)} labels, used\n")
    return bool(conflicts)


def cmd_course_preview(
    args: argparse.Namespace, languages: Languages, out: TextIO, inp: TextIO
) -> int:
    """Print every day of the aftercare course (of the --lang file, else the first file)."""
    kb = languages.assistant(args.lang).kb
    if kb.course is None:
        out.write(f"{kb.source}: no aftercare course in this FAQ file\n")
        return 0
    messages = DayMessages(kb.course, get_locale(kb.language), kb.clinic, kb.texts.urgent)
    out.write(preview(messages))
    return 0


class UsageError(Exception):
    """A bad setting or option for a command; the message is one readable line."""


def open_store(env: Mapping[str, str]) -> Store:
    """The bot's database from DATABASE_URL, as `run` reads it; never creates a SQLite file."""
    try:
        target = parse_database_url(env_value(env, "DATABASE_URL") or DEFAULT_DATABASE_URL)
    except (ValueError, ConfigError) as exc:
        raise UsageError(str(exc)) from None
    if target.path is not None and not target.path.is_file():
        raise UsageError(f"no database at {target.path}: set DATABASE_URL to the bot's database")
    # A command run once stops at once with one line, as `run` does at start-up: no retries.
    return Store(Database(target, connect_backoff=()))


def cmd_stats(args: argparse.Namespace, languages: Languages, out: TextIO, inp: TextIO) -> int:
    """Print the /stats caption and text report; write the chart to --png."""
    assistant = languages.assistant(args.lang)

    async def read(store: Store) -> tuple[insights.Chart, str]:
        span = _period(args, languages)
        chart = await insights.chart(store, assistant, span)
        return chart, (await insights.text_report(store, assistant, span)).plain()

    chart, text = _with_store(read)
    if args.png is not None:
        try:
            args.png.write_bytes(chart.png)
        except OSError as exc:
            raise UsageError(f"cannot write the chart to {args.png}: {exc.strerror}") from None
    out.write(f"{chart.caption}\n\n{text}\n")
    return 0


def cmd_faq_suggest(
    args: argparse.Namespace, languages: Languages, out: TextIO, inp: TextIO
) -> int:
    """Print the reviewable YAML snippet per FAQ file from the unanswered questions."""

    async def read(store: Store) -> dict[str, str]:
        return await insights.suggestions(store, languages, _period(args, languages))

    snippets = _with_store(read)
    wanted = [args.lang] if args.lang else list(snippets)
    out.write("---\n".join(snippets[code] for code in wanted))
    return 0


def _period(args: argparse.Namespace, languages: Languages) -> insights.Period:
    """The --days days that end today (or on --until) in the clinic's zone (the first FAQ's)."""
    zone = ZoneInfo(languages.primary.kb.clinic.timezone)
    if args.until is None:
        return insights.Period.last_days(datetime.now(UTC), zone, args.days)
    start, end = period(args.until, args.days)
    return insights.Period(start, end, zone)


def _with_store(job: Callable[[Store], Awaitable[T]]) -> T:
    """Run `job` against the bot's database, closed afterwards."""

    async def run() -> T:
        store = open_store(os.environ)
        try:
            await store.open()
            return await job(store)
        finally:
            await store.close()

    return asyncio.run(run())


def cmd_run(args: argparse.Namespace, languages: Languages, out: TextIO, inp: TextIO) -> int:
    """Start the Telegram bot: each patient in their own language."""
    from bot.telegram_app.runner import run

    return run(languages, faq_option=args.faq_option)


Command = Callable[[argparse.Namespace, Languages, TextIO, TextIO], int]


def _date(value: str) -> date:
    """--until: a date as YYYY-MM-DD, within UNTIL_RANGE."""
    # The form first: date.fromisoformat also takes ISO 8601's "2026-W01" and "20260101".
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, not {value!r}")
    try:
        when = date.fromisoformat(value)
    except ValueError:  # the form, not a real day
        raise argparse.ArgumentTypeError(f"{value} is no day of the calendar") from None
    first, last = UNTIL_RANGE
    if not first <= when <= last:
        raise argparse.ArgumentTypeError(f"must be a date between {first} and {last}, not {value}")
    return when


def _days(value: str) -> int:
    """--days: a whole number of days, 1-3650."""
    # ASCII digits: isdigit() also takes "²", which int() refuses with a bare argparse error.
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be a whole number 1-{MAX_DAYS}, not {value!r}")
    return int(value)


def _faq_files(value: str) -> str:
    """--faq and `faq check` paths: at least one file named (never silently the shipped ones)."""
    if not any(part.strip() for part in value.split(",")):
        raise argparse.ArgumentTypeError(f"names no FAQ file: {value!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--faq",
        type=_faq_files,
        default=argparse.SUPPRESS,
        metavar="PATHS",
        help="FAQ files to use, one per language, separated by commas (default: $SOFTLIFT_FAQ "
        "or the shipped faq/softlifting.yaml and faq/softlifting.ru.yaml)",
    )
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument(
        "--lang",
        metavar="LANG",
        help="answer in this language (en, ru: one of the FAQ files') instead of each message's own",
    )
    days = argparse.ArgumentParser(add_help=False)
    days.add_argument(
        "--days",
        type=_days,
        default=PERIOD_DAYS,
        metavar="N",
        help=f"the last N days, today included (default {PERIOD_DAYS})",
    )
    days.add_argument(
        "--until",
        type=_date,
        metavar="YYYY-MM-DD",
        help="end the period on this day instead of today (the clinic's days)",
    )
    parser = argparse.ArgumentParser(
        prog="softlift-bot",
        description="Soft lifting patient assistant: FAQ answers and aftercare.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", parents=[common], help="start the Telegram bot")
    run.set_defaults(handler=cmd_run)
    chat_p = sub.add_parser("chat", parents=[common, lang], help="talk to the bot in the terminal")
    chat_p.set_defaults(handler=cmd_chat)
    ask = sub.add_parser(
        "ask", parents=[common, lang], help="answer a question (or stdin lines with -)"
    )
    ask.add_argument("question", help="the question, or - to read one question per line")
    ask.add_argument("--json", action="store_true", help="print JSON (JSON Lines for -)")
    ask.set_defaults(handler=cmd_ask)
    faq = sub.add_parser("faq", help="FAQ file tools")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True, metavar="SUBCOMMAND")
    check = faq_sub.add_parser(
        "check", parents=[common], help="validate and self-test the FAQ files, alone and together"
    )
    check.add_argument(
        "path",
        nargs="*",
        type=_faq_files,
        help="the FAQ files, one per language (default: as --faq)",
    )
    suggest = faq_sub.add_parser(
        "suggest",
        parents=[common, days],
        help="a YAML snippet per FAQ file from the unanswered questions in the database",
    )
    suggest.add_argument(
        "--lang", metavar="LANG", help="only the snippet for this language's FAQ file (en, ru)"
    )
    suggest.set_defaults(handler=cmd_faq_suggest)
    course = sub.add_parser("course", help="aftercare course tools")
    course_sub = course.add_subparsers(dest="course_command", required=True, metavar="SUBCOMMAND")
    preview = course_sub.add_parser(
        "preview", parents=[common, lang], help="print all days of the course"
    )
    preview.set_defaults(handler=cmd_course_preview)
    stats = sub.add_parser(
        "stats",
        parents=[common, days],
        help="print the /stats totals and report from the database (DATABASE_URL)",
    )
    stats.add_argument(
        "--lang", metavar="LANG", help="the report's language (en, ru: one of the FAQ files')"
    )
    stats.add_argument("--png", type=Path, metavar="FILE", help="also write the chart to FILE")
    stats.set_defaults(handler=cmd_stats)
    return parser


def _warn_red_flag_conflicts(languages: Languages) -> None:
    """Say on stderr when red-flag examples disagree with their signs (served all the same)."""
    conflicts = languages.red_flag_conflicts()
    if conflicts:
        sys.stderr.write(
            f"softlift-bot: {len(conflicts)} red-flag example(s) disagree with their signs "
            f"(the first: {conflicts[0]}); `softlift-bot faq check` lists them\n"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `softlift-bot` and `python -m bot`."""
    args = build_parser().parse_args(argv)
    args.faq_option = ",".join(getattr(args, "path", None) or []) or getattr(args, "faq", None)
    try:
        paths = resolve_faq_path(args.faq_option, os.environ)
    except ConfigError as exc:
        _error(exc)
        return EXIT_USAGE
    if args.command == "faq" and args.faq_command == "check":
        return faq_check(paths, sys.stdout, sys.stderr)
    try:
        languages = load_languages(paths)
        languages.assistant(getattr(args, "lang", None))
    except (FaqError, UnknownLanguage) as exc:
        _error(exc)
        return EXIT_USAGE
    if languages.left_out:
        first = languages.left_out[0]
        sys.stderr.write(
            f"softlift-bot: {first.file} is left out ({len(languages.left_out)} problem(s), "
            f"the first: {first}); `softlift-bot faq check` lists them\n"
        )
    if args.command in SERVING:
        _warn_red_flag_conflicts(languages)
    handler: Command = args.handler
    try:
        return handler(args, languages, sys.stdout, sys.stdin)
    except (UsageError, DatabaseTooNew, DatabaseUnreadable) as exc:
        _error(exc)
        return EXIT_USAGE
    except DatabaseUnavailable as exc:
        _error(exc)
        return EXIT_PROBLEM


def _error(problem: object) -> None:
    """A problem that stops the command, on stderr: every line of it begins "softlift-bot:"."""
    # A broken FAQ file has a line per problem: each is the program's, as a bad setting's is.
    sys.stderr.write("".join(f"softlift-bot: {line}\n" for line in str(problem).splitlines()))


def console_main() -> None:
    """Console-script wrapper: UTF-8 in and out; one-line exits on Ctrl-C, pipes and full disks."""
    # Invalid bytes become U+FFFD instead of a traceback (UTF-8 locale) or lone surrogates
    # echoed back as raw bytes (C locale, whose surrogateescape Python uses by default).
    # A byte order mark opening stdin (a batch file saved by Notepad) is no part of its first
    # line: "utf-8-sig" drops it there, and reads the rest as UTF-8.
    for stream, encoding in (
        (sys.stdin, "utf-8-sig"),
        (sys.stdout, "utf-8"),
        (sys.stderr, "utf-8"),
    ):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding=encoding, errors="replace")
    # A closed stream (`<&-`, `>&-`) is None: no input, as with `< /dev/null`, and the output
    # goes nowhere, as print() sends it.
    if sys.stdin is None:
        sys.stdin = Path(os.devnull).open(encoding="utf-8")  # noqa: SIM115 - for the whole run
    if sys.stdout is None:
        sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - as above
    try:
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        _drop_output()
        code = EXIT_BROKEN_PIPE
    except OSError as exc:
        if exc.errno not in FULL_ERRORS:
            raise
        _drop_output()
        sys.stderr.write(f"softlift-bot: cannot write the output: {exc.strerror}\n")
        code = EXIT_PROBLEM
    sys.exit(code)


def _drop_output() -> None:
    """Point stdout at nothing: Python would report the failed write again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
