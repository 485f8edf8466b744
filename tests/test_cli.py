"""The command line: ask (one-shot, JSON, JSON Lines), chat, faq check and --faq."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.answers.matcher import MAX_MESSAGE_CHARS

FIXTURES = Path(__file__).parent / "fixtures"
KEYS = {"question", "kind", "entry", "score", "suggestions", "language", "text"}


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` as a user would."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SOFTLIFT_FAQ", None) if env is None else None
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
        check=False,
    )


def test_ask_prints_the_reply() -> None:
    result = run("ask", "how long does the procedure take")
    assert result.returncode == 0
    assert "hour" in result.stdout.lower()


def test_ask_json_is_one_object_with_the_contract() -> None:
    result = run("ask", "--json", "how long does the procedure take")
    row = json.loads(result.stdout)
    assert set(row) == KEYS
    assert row["kind"] == "answer" and row["language"] == "en"
    assert 0 <= row["score"] <= 100
    assert isinstance(row["suggestions"], list)


def test_json_lines_batch_keeps_order_and_count() -> None:
    questions = [
        "does it hurt",
        "what is the price",
        "",
        "my vision went blurry after the injections",
        "qwrtzp vbnm",
        "how long does it last",
    ]
    result = run("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert all(set(r) == KEYS for r in rows)
    kinds = [r["kind"] for r in rows]
    assert kinds[1] == "fallback" and kinds[2] == "fallback" and kinds[4] == "fallback"
    assert kinds[3] == "urgent"
    assert rows[0]["kind"] in {"answer", "clarify"}
    assert rows[5]["kind"] == "answer" and rows[5]["entry"]
    assert all(r["entry"] is None for r in rows if r["kind"] != "answer")


@pytest.mark.parametrize("end", ["\r", "\r\n"])
def test_a_batch_with_other_line_ends_is_read_line_by_line(end: str) -> None:
    # Found by probing (probe17): a file saved with "\r" alone was one question.
    result = run(
        "ask", "--json", "-", stdin=end.join(["does it hurt", "how long does it last"]) + end
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["does it hurt", "how long does it last"]


class _EndlessFirstLine(io.TextIOBase):
    """A batch whose first line is `chars` long: a read of a whole line is an error."""

    def __init__(self, chars: int, rest: str) -> None:
        self.left, self.rest = chars, rest

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            raise AssertionError("a whole line read into memory, however long it is")
        if self.left:
            piece = "a" * min(size, self.left)
            self.left -= len(piece)
            return piece
        piece, self.rest = self.rest[:size], self.rest[size:]
        return piece


def test_a_huge_line_in_a_batch_is_read_up_to_a_messages_length_and_the_rest_skipped() -> None:
    # Found by probing: `ask --json -` read each line whole before cutting it to the 4,096
    # characters the engine reads, so a 600 MB line (a binary piped in by mistake) ended in a
    # MemoryError traceback and the questions after it were never answered.
    lines = list(cli._lines(_EndlessFirstLine(50_000_000, "\ndoes it hurt\n")))
    assert lines == ["a" * MAX_MESSAGE_CHARS, "does it hurt"]


def test_a_batch_split_into_pieces_keeps_every_line_end(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pieces of 3 characters: a "\r\n" split between two is one line end, not two.
    monkeypatch.setattr(cli, "READ_CHARS", 3)
    text = "ab\r\ncd\re\n\nfgh\r\r\nlast"
    assert list(cli._lines(io.StringIO(text))) == ["ab", "cd", "e", "", "fgh", "", "last"]


def test_a_huge_line_on_stdin_gets_one_reply_and_the_next_line_its_own() -> None:
    result = run("ask", "--json", "-", stdin="x" * 1_000_000 + "\ndoes it hurt\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["x" * MAX_MESSAGE_CHARS, "does it hurt"]


def test_a_batch_saved_with_a_byte_order_mark_reads_its_first_question_without_it() -> None:
    # Found by probe21: a file saved by Notepad starts with U+FEFF, which came back as part of
    # the first "question", so it no longer matched its input line.
    result = run("ask", "--json", "-", stdin="\ufeffdoes it hurt\r\nhow long does it last\r\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == ["does it hurt", "how long does it last"]
    alone = json.loads(run("ask", "--json", "does it hurt").stdout)
    assert rows[0] == alone


def test_plain_batch_is_each_reply_as_ask_prints_it_a_blank_line_apart() -> None:
    # Found by probing: `ask -` ran the replies together ("Was this helpful?" then the next
    # answer's title on the next line), so nobody could tell where one ended.
    questions = ["does it hurt", "how long does it last", "what is the price"]
    alone = [run("ask", question).stdout for question in questions]
    batch = run("ask", "-", stdin="\n".join(questions) + "\n")
    assert batch.returncode == 0, batch.stderr
    assert batch.stdout == "\n".join(alone)


def test_faq_option_and_env_choose_another_file() -> None:
    mini = str(FIXTURES / "minimal.yaml")
    by_flag = run("ask", "--faq", mini, "--json", "how long does the procedure take")
    by_env = run("ask", "--json", "how long does the procedure take", env={"SOFTLIFT_FAQ": mini})
    for result in (by_flag, by_env):
        assert json.loads(result.stdout)["entry"] == "duration"


def test_chat_names_red_flag_examples_its_signs_disagree_with_at_start(tmp_path: Path) -> None:
    # Start-up served a doctor's signs without a word when an example showed them wrong; faq
    # check and /reload say it, and so does the start of a chat or of the bot now.
    faq = tmp_path / "faq.yaml"
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    faq.write_text(
        text.replace("examples: [my vision is blurry]", "examples: [my vision is blurry, zzz]"),
        encoding="utf-8",
    )
    result = run("chat", "--faq", str(faq), stdin="")
    assert result.returncode == 0
    assert "1 red-flag example(s) disagree with their signs" in result.stderr
    assert "example 'zzz' does not trigger it" in result.stderr
    assert "red-flag" not in run("chat", "--faq", str(FIXTURES / "minimal.yaml")).stderr


def test_faq_check_passes_on_the_shipped_file() -> None:
    result = run("faq", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_faq_check_reports_a_broken_file(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("related: [duration]", "related: [nowhere]"), encoding="utf-8")
    result = run("faq", "check", str(broken))
    assert result.returncode == 1
    assert f"{broken}:" in result.stderr and "'nowhere' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [("faq", "check", ""), ("faq", "check", " , "), ("ask", "--faq", "", "hi")],
    ids=["empty-path", "only-commas", "empty-faq-option"],
)
def test_an_empty_faq_path_is_refused_not_replaced_by_the_shipped_files(
    args: tuple[str, ...],
) -> None:
    # Found by probing: `faq check "$CLINIC_FAQ"` with the variable unset checked the shipped
    # files instead and printed OK with exit code 0.
    result = run(*args)
    assert result.returncode == 2, result.stdout
    assert "names no FAQ file" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_faq_check_says_when_a_file_has_no_red_flags(tmp_path: Path) -> None:
    # Found by probe24: `red_flags: []` loaded without a word, and the bot raised no alarms.
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    bare = tmp_path / "bare.yaml"
    bare.write_text(text[: text.index("red_flags:")] + "red_flags: []\n", encoding="utf-8")
    result = run("faq", "check", str(bare))
    assert "no red flags: danger signs get no urgent reply" in result.stdout, result.stderr
    assert "no red flags" not in run("faq", "check", str(FIXTURES / "minimal.yaml")).stdout


def test_faq_check_lists_self_test_conflicts(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    clash = tmp_path / "clash.yaml"
    # The entries must not name each other as related: those answer a close call.
    text = text.replace("will i get bruises", "procedure take how long")
    clash.write_text(text.replace("    related: [duration]\n", ""), encoding="utf-8")
    result = run("faq", "check", str(clash))
    assert result.returncode == 1
    assert "entry 'bruising': question 'procedure take how long' reaches clarify" in result.stdout


def test_faq_check_names_the_line_of_a_phrasing_in_conflict_and_how_to_fix_it(
    tmp_path: Path,
) -> None:
    # Found by probing: a conflict named the entry and the phrasing but no line, and not what
    # to change.
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("will i get bruises", "procedure take how long")
    text = text.replace("how much does it cost", "bruises last how long")
    clash = tmp_path / "clash.yaml"
    clash.write_text(text.replace("    related: [duration]\n", ""), encoding="utf-8")
    result = run("faq", "check", str(clash))
    assert result.returncode == 1
    lines = clash.read_text(encoding="utf-8").splitlines()
    asked = lines.index("      - procedure take how long") + 1
    declined = lines.index("      - bruises last how long") + 1
    out = result.stdout.splitlines()
    entry = f"{clash}:{asked}: entry 'bruising': question 'procedure take how long' reaches"
    decline = f"{clash}:{declined}: decline 'price': question 'bruises last how long' reaches"
    assert any(line.startswith(entry) and "reword" in line for line in out), out
    assert any(line.startswith(decline) and "reword" in line for line in out), out


def test_bad_faq_stops_other_commands_with_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "bad.yaml"
    broken.write_text("version: [1\n", encoding="utf-8")
    result = run("ask", "--faq", str(broken), "hello")
    assert result.returncode == 2
    assert "YAML syntax error" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("quit_word", ["/quit", None])
def test_chat_over_a_pipe_numbers_buttons_and_presses_them(quit_word: str | None) -> None:
    lines = ["/topics", "1", "does it hurt", "what is the price"]
    if quit_word:
        lines.append(quit_word)
    result = run("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0
    out = result.stdout
    assert "[1]" in out
    assert "choose a question" in out
    assert "doesn't cover" in out or "not covered" in out.lower()
    assert out.rstrip().endswith("Goodbye!")


def test_chat_takes_any_number_as_a_choice_without_a_traceback() -> None:
    # Found by probing: a number of 4,301 digits or more (a paste, a key held down) ended the
    # chat with a traceback, since int() refuses so many digits.
    lines = ["/topics", "9" * 5000, "0", "٣", "1"]
    result = run("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.count("There is no button") == 2
    assert "choose a question" in result.stdout
    assert result.stdout.rstrip().endswith("Goodbye!")


def test_chat_says_a_telegram_command_works_on_telegram_and_knows_no_other() -> None:
    # Found by eng33: "/aftercare" got the aftercare rules' answer and "/foo bar" the "not
    # covered" reply with the clinic's contact, as if they were questions.
    lines = ["/aftercare", "/timezone Etc/UTC", "/foo bar", "/stop my lip is white and cold"]
    result = run("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/aftercare works in the clinic's Telegram chat" in out
    assert "/timezone works in the clinic's Telegram chat" in out
    assert "I don't know that command" in out
    assert "not covered" not in out.lower() and "doesn't cover" not in out
    # A danger sign typed after a command still gets the urgent reply.
    assert "doctor" in out.split("I don't know that command", 1)[1]


def test_ask_says_what_the_chat_says_to_a_command() -> None:
    # Found by eng35: `ask "/forget"` got "Did you mean one of these?" with the aftercare
    # entry, and `ask "/help"` three unrelated topics, where the chat says where they work.
    batch = "/forget\n/aftercare yesterday\n/help\n/foo\n/stop my lip is white and cold\n"
    rows = [json.loads(line) for line in run("ask", "--json", "-", stdin=batch).stdout.splitlines()]
    texts = [row["text"] for row in rows]
    assert texts[0].startswith("/forget works in the clinic's Telegram chat")
    assert texts[1].startswith("/aftercare works in the clinic's Telegram chat")
    assert texts[2].startswith("Type a question in your own words")
    assert texts[3] == "Sorry, I don't know that command. Try /help."
    assert [row["kind"] for row in rows] == ["fallback"] * 4 + ["urgent"]
    assert all(row["suggestions"] == [] and row["score"] == 0.0 for row in rows[:4])
    one = run("ask", "/forget")
    assert one.stdout.startswith("/forget works in the clinic's Telegram chat"), one.stdout


def test_chat_runs_its_own_commands_with_words_or_the_bots_name_after_them() -> None:
    # Found by eng35: "/help does it hurt" and "/help@clinic_bot" said "/help works in the
    # clinic's Telegram chat. Here, type ... /help", while Telegram runs both as /help.
    lines = ["/help does it hurt", "/topics@clinic_bot", "/START please"]
    result = run("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "works in the clinic's Telegram chat" not in out
    assert out.count("[4] Who can have it") == 3
    assert "Hello!" in out and "Type a question in your own words" in out


def test_chat_keeps_an_answers_other_buttons_after_a_vote() -> None:
    # Found by probe27: after 👍 or 👎 every button of the answer was gone, so the related
    # topics still listed above it answered "There is no button 1", while on Telegram a vote
    # drops only its own row and the related topics stay pressable.
    lines = ["how long does the procedure take", "3", "4", "1"]
    result = run("chat", "--faq", str(FIXTURES / "telegram.yaml"), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    after_vote = result.stdout.split("Thank you for the feedback!", 1)[1]
    # The related topics again, and no vote row: "4" (👎) is gone, as on Telegram.
    kept = "  [1] Bruises & <swelling>\n  [2] Pain during the procedure\n\nThere is no button 4"
    assert after_vote.startswith(f"\n\n{kept}")
    assert "Bruises can appear & fade within two weeks." in after_vote


def test_chat_keeps_the_buttons_after_a_link_is_opened() -> None:
    # Found by probe27: "Book a visit" printed its link and dropped every button, so "All
    # topics" beside it answered "There is no button 2"; on Telegram a link button leaves its
    # message and buttons as they were.
    lines = ["what about mars rovers", "1", "2"]
    result = run("chat", "--faq", str(FIXTURES / "telegram.yaml"), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "There is no button" not in result.stdout
    assert "Choose a topic:" in result.stdout.split("https://example.com/book\n", 1)[1]


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_invalid_utf8_on_stdin_is_replaced_and_the_json_stays_valid(locale: str) -> None:
    env = {**os.environ, "LC_ALL": locale, "LANG": locale}
    env.pop("PYTHONIOENCODING", None)
    env.pop("PYTHONUTF8", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        input=b"does it hurt \xff\xfe\n\xc3(\n",
        capture_output=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    lines = result.stdout.decode("utf-8").splitlines()  # strict: raises on any raw byte
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 2
    assert rows[0]["question"] == "does it hurt \ufffd\ufffd"


def test_unicode_line_separators_never_split_an_answer() -> None:
    result = run("ask", "--json", "-", stdin="does\u2028it\u0085hurt\u2029\nhow long\n")
    assert result.returncode == 0
    lines = result.stdout.splitlines()  # splitlines also breaks on U+2028, U+2029, U+0085
    assert len(lines) == 2
    assert json.loads(lines[0])["question"] == "does\u2028it\u0085hurt\u2029"


def test_a_closed_pipe_exits_quietly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"does it hurt\n" * 5000)
    process.stdin.close()
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    assert process.stderr is not None
    with process.stderr:
        err = process.stderr.read()
    assert process.wait(timeout=60) in (0, 141)
    assert b"Traceback" not in err and b"BrokenPipe" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_for_the_replies_stops_with_one_line_not_a_traceback() -> None:
    # Found by probing: `ask --json - < questions > answers.jsonl` on a full disk ended in an
    # OSError traceback, and Python reported the same error again at exit.
    with Path("/dev/full").open("wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", "-"],
            input=b"does it hurt\n",
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert err == "softlift-bot: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("closed", [0, 1], ids=["stdin", "stdout"])
@pytest.mark.parametrize("command", [["ask", "--json", "-"], ["chat"], ["ask", "does it hurt"]])
def test_a_closed_stdin_or_stdout_is_no_input_or_no_output(command: list[str], closed: int) -> None:
    # Found by probing: with stdin or stdout closed (`<&-`, `>&-`, as some service managers
    # start a process) `ask` and `chat` ended in an AttributeError traceback on None.
    result = subprocess.run(
        [sys.executable, "-m", "bot", *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(closed),  # in the child, before the bot starts
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""


def test_ctrl_c_in_chat_exits_with_130_and_no_traceback() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"does it hurt\n")
    process.stdin.flush()
    process.stdout.readline()  # the intro: the chat is running and waits for more input
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err


def test_a_command_that_draws_no_chart_does_not_load_the_plotting_library() -> None:
    # Found by probing (probe18): every command imported matplotlib (about 0.4 s), and with a
    # home folder it may not write, it printed two warnings before even a settings error.
    code = (
        "import sys, bot.cli, bot.telegram_app.app\n"
        "sys.exit(bot.cli.main(['ask', 'does it hurt']) or 'matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "env",
    [{"SOFTLIFT_FAQ": "/nope.yaml"}, {"SOFTLIFT_FAQ": ","}, {"SOFTLIFT_FAQ": "faq/bad.yaml"}],
    ids=["missing-file", "no-file", "broken-file"],
)
def test_every_start_up_error_line_is_the_programs(env: dict[str, str], tmp_path: Path) -> None:
    # Found by eng36's colleague: `SOFTLIFT_FAQ=/nope.yaml` stopped with exit code 2 on
    # "/nope.yaml: cannot read the file", where the other setting errors say "softlift-bot:".
    broken = tmp_path / "bad.yaml"
    broken.write_text("version: [1\nlanguage: [en\n", encoding="utf-8")
    env = {k: v.replace("faq/bad.yaml", str(broken)) for k, v in env.items()}
    result = run("ask", "hi", env=env)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("softlift-bot: ") for line in lines), lines


def test_ask_says_where_a_telegram_command_works_in_words_that_fit_one_question() -> None:
    # Found by eng36's colleague: `ask "/aftercare"` ended "... type a question, /topics,
    # /help or /quit": a one-shot command has no /quit, nor a chat to type in.
    for args in (("ask", "/aftercare"), ("ask", "--lang", "ru", "/aftercare")):
        out = run(*args).stdout
        assert "/aftercare" in out and "softlift-bot ask" in out, out
        assert "/quit" not in out
    chat = run("chat", stdin="/aftercare\n").stdout
    assert "/aftercare works in the clinic's Telegram chat" in chat and "/quit" in chat
