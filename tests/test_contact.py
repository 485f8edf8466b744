"""The contact-details filter: what it catches, what it lets through, and its running time."""

from __future__ import annotations

import time

import pytest

from bot.storage.contact import looks_like_contact


def _fastest(text: str) -> float:
    """The best of seven timings of the contact filter on one text, in seconds."""
    times = []
    for _ in range(7):
        began = time.perf_counter()
        looks_like_contact(text)
        times.append(time.perf_counter() - began)
    return min(times)


@pytest.mark.parametrize(
    "unit",
    [
        "a",
        "a@",
        "a.",
        "a at ",
        "a(at)",
        "a @ a . ",
        "a.coma",
        "instagram ",
        "инстаграм ",
        "123456 x",
    ],
)
def test_the_contact_filter_takes_linear_time_on_hostile_text(unit: str) -> None:
    # Near misses repeated: a backtracking engine retries each from every position (quadratic
    # or worse). Compared with itself at two lengths, so the machine's speed does not matter:
    # 16 times the text is about 16 times the time when linear, 256 times when quadratic.
    telegram_longest = unit * (4096 // len(unit))  # Telegram's longest message
    assert not looks_like_contact(telegram_longest)
    short, long = unit * (1024 // len(unit)), unit * (16384 // len(unit))
    assert _fastest(long) < 64 * _fastest(short)


@pytest.mark.parametrize(
    "text",
    [
        "anna@ gmail.com",
        "anna @ gmail . com",
        "anna@ gmail. com",
        "анна @ mail.ru",
        "anna.k@ почта.рф",
        # A comma for the dot, or no domain after a well-known provider.
        "anna@ gmail,com",
        "anna@ gmail",
        "anna @ yandex please",
        "my email is anna.k at gmail",
        "ANNA (AT) GMAIL",
        "почта: anna собака yandex",
    ],
)
def test_an_email_with_its_at_sign_spaced_is_contact(text: str) -> None:
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "instagram.com/anna",
        "my page: Instagram.com/anna.iva",
        "t.me/anna",
        "vk.com/id123",
        "wa.me/79161234567",
        "https://webmd.com",
    ],
)
def test_a_link_to_a_page_is_contact(text: str) -> None:
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "I read on webmd.com that fillers migrate",
        "is mayoclinic.org reliable?",
        "I saw a video on youtube.com, does it hurt",
        "a friend sent me www.webmd.com, is it true",
        "на сайте клиника.рф пишут про отёки",
    ],
)
def test_a_bare_domain_is_no_contact(text: str) -> None:
    # A site named in a question is no way to reach the patient; a page under it may be.
    assert not looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "@анна_иванова",
        "my telegram is annaivanova",
        "my insta: anna.iva",
        "my Instagram is annaivanova, write me there",
        "my telegram is annaivanova and my sister's is mariak",
        "telegram: annaivanova",
        "instagram anna.iva",
        "напишите мне в телеграм annaivanova",
        "мой вотсап annaivanova",
        "мой вотсап анна_иванова",
        "мой телеграм: anna.iva",
        "мой инстаграм - анна1985",
    ],
)
def test_a_handle_after_a_network_name_is_contact(text: str) -> None:
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "can I post photos on my instagram after the procedure",
        "my instagram is not working, can I book here",
        "Instagram: can I post photos after",
        "my telegram is on another phone, is that ok",
        "my instagram is fine.",
        "мой инстаграм закрыт, можно ли выложить фото",
        "is telegram ok for questions?",
        "can I use telegram 10.30 tomorrow",
    ],
)
def test_a_network_name_in_a_question_is_no_contact(text: str) -> None:
    assert not looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "plus seven nine one six one two three four five six seven",
        "my number is nine one six, one two three, four five six seven",
        "восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь",
        "плюс семь девять один шесть один два три четыре пять шесть семь",
        "Восемь-девятьсот-сто-десять-десять",
    ],
)
def test_a_phone_number_in_words_is_contact(text: str) -> None:
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "I had one, two or three sessions",
        "is forty five too old, I had two sessions",
        "twenty five thirty five, which is better",
        "двадцать пять тысяч рублей за два шприца",
        "через две три недели",
        "сто двадцать пять тысяч это много",
    ],
)
def test_a_few_numbers_in_words_are_no_contact(text: str) -> None:
    assert not looks_like_contact(text)
