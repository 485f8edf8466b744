"""Reply composition: buttons, paging, callback data limits, long-text splitting, packaging."""

from __future__ import annotations

import pytest

from bot import buttons
from bot.answers.assistant import Assistant
from bot.answers.matcher import Kind
from bot.answers.replies import PAGE_SIZE
from bot.messages import split_message


def all_buttons(assistant: Assistant) -> list[str]:
    """Every button's data reachable from the topic screens and every answer."""
    replies = [
        assistant.replies.welcome(),
        assistant.replies.topics(),
        assistant.replies.fallback(),
    ]
    for topic in assistant.kb.topics:
        page = 0
        while (reply := assistant.replies.group(topic.id, page)) is not None:
            replies.append(reply)
            page += 1
    replies += [assistant.replies.entry(e) for e in assistant.kb.entries]
    return [b.data for r in replies for row in r.buttons for b in row if b.data]


def test_callback_data_fit_telegrams_limit(assistant: Assistant) -> None:
    data = all_buttons(assistant)
    assert data
    assert max(len(d.encode()) for d in data) <= buttons.DATA_LIMIT


def test_every_button_leads_somewhere(assistant: Assistant) -> None:
    for data in all_buttons(assistant):
        press = buttons.parse(data)
        assert press is not None, data
        if not isinstance(press, buttons.Vote):
            assert assistant.replies.on_press(press) is not None, data


def test_stale_or_forged_buttons_get_a_polite_reply(assistant: Assistant) -> None:
    # Half of a surrogate pair, which a JSON "\ud83d" can deliver, crashed the parser.
    forged = ["e:no-such-entry", "g:procedure:99", "g:nowhere:0", "g:procedure:x", "zzz", ""]
    for data in [*forged, "e:\ud83d", "\udc00"]:
        reply = assistant.press(data)
        assert reply.text == assistant.locale.t("stale_button")


def test_topic_pages_hold_at_most_page_size_entries(assistant: Assistant) -> None:
    seen: set[str] = set()
    for topic in assistant.kb.topics:
        page = 0
        while (reply := assistant.replies.group(topic.id, page)) is not None:
            entries = [b for row in reply.buttons for b in row if b.data.startswith("e:")]
            assert 0 < len(entries) <= PAGE_SIZE
            seen |= {b.data[2:] for b in entries}
            page += 1
    assert seen == {e.id for e in assistant.kb.entries}


def test_answer_has_related_topics_and_feedback_row(assistant: Assistant) -> None:
    outcome = assistant.ask("how long does the result last")
    assert outcome.decision.kind is Kind.ANSWER and not outcome.not_covered
    feedback = [buttons.parse(b.data) for row in outcome.reply.buttons for b in row]
    assert [f.helpful for f in feedback if isinstance(f, buttons.Vote)] == [True, False]
    assert 1 <= len(outcome.suggestions()) <= 3
    assert assistant.locale.t("helpful_prompt") in outcome.reply.plain()


def test_two_questions_are_answered_one_after_the_other(assistant: Assistant) -> None:
    outcome = assistant.ask("how long does it take and does it hurt")
    duration, pain = (assistant.kb.by_id[e] for e in ("duration", "pain-during"))
    text = outcome.reply.text
    assert outcome.reply.title == duration.title
    assert text.index(duration.answer) < text.index(pain.title) < text.index(pain.answer)
    assert text.endswith(assistant.locale.t("helpful_prompt"))


def test_clarify_offers_candidates_and_none_of_these(assistant: Assistant) -> None:
    from bot.answers.matcher import Candidate, Decision

    decision = Decision(
        Kind.CLARIFY, None, 40.0, (Candidate("swelling", 40), Candidate("bruising", 38))
    )
    reply = assistant.replies.for_decision(decision)
    data = [b.data for row in reply.buttons for b in row]
    assert data == ["e:swelling", "e:bruising", "none"]


def test_not_covered_is_a_field_of_the_outcome(assistant: Assistant) -> None:
    assert assistant.ask("how much does it cost").not_covered
    for small_talk in ("hi", "thanks!", "", "🙂"):
        assert not assistant.ask(small_talk).not_covered, small_talk
    assert not assistant.ask("my lip turned blue").not_covered


def test_fallback_names_the_clinic_and_offers_topics(assistant: Assistant) -> None:
    reply = assistant.ask("how much does it cost").reply
    assert assistant.kb.clinic.phone in reply.text
    assert any(b.data == "tp" for row in reply.buttons for b in row)
    assert any(b.url == assistant.kb.clinic.booking_url for row in reply.buttons for b in row)


@pytest.mark.parametrize("limit", [50, 200, 4096])
def test_split_message_respects_limit_and_keeps_text(limit: int) -> None:
    text = "\n\n".join(f"Paragraph {i}. " + "word " * (i * 7) for i in range(40))
    chunks = split_message(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())


def test_split_message_prefers_paragraph_boundaries() -> None:
    chunks = split_message("a" * 30 + "\n\n" + "b" * 30, 40)
    assert chunks == ["a" * 30, "b" * 30]
