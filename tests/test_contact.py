"""The contact-details filter: what it catches, what it lets through, and its running time."""

from __future__ import annotations

import random
import time

import pytest

from bot.storage.contact import looks_like_contact
from bot.storage.phone_digits import MIN_DIGITS, NOT_PHONES, SEPARATORS, Shape, is_phone_number


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
        "12.03.2026 14:30, ",
        "12.3.2026x",
        "5 000 - 7 000 руб, ",
        "12:30 ",
        "1 x",
        "one two three four; ",  # a dot would join them: an ellipsis, as in a number spelt out
        "восемь 916 12; ",
        "12 baker road; ул. ленина; ",
        "my telegram is ab. ",
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


@pytest.mark.parametrize(
    "text",
    [
        # Number words joined by dots, an ellipsis or slashes, as a phone number is written.
        "eight. nine. one. six. one. two",
        "eight nine one six... one two three",
        "восемь...девять...один...шесть...один",
        "eight/nine/one/six/one",
        # Number words and groups of digits mixed, neither seven digits nor five words alone.
        "восемь 916 123 сорок пять 67",
        "my number is eight 9 1 six 1 2 3",
        "звоните: восемь, 916, сто двадцать три, 45, 67",
    ],
)
def test_a_phone_number_spelt_with_other_joins_or_with_digits_is_contact(text: str) -> None:
    # Found by probing: "eight nine one six ..." and «восемь девять один...» were kept.
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "it costs 5 000 - 7 000, two sessions?",
        "day one, 2, 3, 4, 5: is the swelling normal",
        "I had it on 12.03.2026, two weeks ago",
        "at 14.30 two of us, 1 or 2 syringes each",
        "one. is it safe? two. does it hurt?",
        "oh, one or two sessions?",
    ],
)
def test_a_few_numbers_in_words_beside_digits_are_no_contact(text: str) -> None:
    assert not looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "skype live:anna.ivanova_1",
        "my skype: live:.cid.1a2b3c4d5e",
        "add me live:annaivanova",
        "скайп live:anna",
    ],
)
def test_a_skype_id_is_contact(text: str) -> None:
    # Found by probing: a Microsoft account's Skype name ("live:...") was kept.
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "I live at 12 Baker Street, flat 3",
        "221B Baker St.",
        "send it to 5 Elm road please",
        "it's 14 park avenue",
        "my address is Oxford, 12 High St",
        "apt 4B, is parking near",
        "мой адрес: ул. Ленина 5",
        "я живу на улице Ленина, дом 5, кв 12",
        "ул. ленина д.5 кв.12",
        "Тверская ул., д. 7",
        "проспект Мира 101",
        "г. Москва, пер. Сивцев Вражек 3",
        "дом 5, корпус 2",
        "квартира 12",
    ],
)
def test_a_street_address_is_contact(text: str) -> None:
    # Found by probing: a patient's street address in a question was kept.
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "can I go out on the street 2 days after",
        "I drove 2 hours on the road, is that ok",
        "can I walk 10 minutes down Oxford Street after?",
        "what is the clinic's address",
        "is the clinic on Baker Street?",
        "where do you live: Moscow or Kazan?",
        "I live 2 hours away, can I come the same day",
        "на улице 30 градусов, можно гулять?",
        "на улице жара 30 градусов, можно ли на солнце",
        "отёк 5 кв. см это нормально?",
        "я буду дома 2 дня, это нормально",
        "дома 3 дня сидеть?",
        "какой у вас адрес?",
        "After 2 weeks Dr Smith said it was fine",
        "I fly on 12 May St Petersburg - Moscow, is that ok",
        "На улице холод. 2 дня после процедуры можно гулять?",
        "my address is private. Can I come at 5?",
        "мой адрес поменялся, можно ли прийти через 2 недели",
    ],
)
def test_a_street_or_address_named_in_a_question_is_no_contact(text: str) -> None:
    assert not looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "my whatsapp is +٤٤ ٧٩٤٦ ٠٩٥٨٠٠",  # Arabic-Indic digits (an Arabic keyboard)
        "call me ۰۹۱۲ ۳۴۵ ۶۷۸۹",  # Extended Arabic-Indic (Persian, Urdu)
        "फ़ोन ९८७६५४३२१०",  # Devanagari
        "8 (٩١٦) 123-45-67",  # mixed with ASCII
    ],
)
def test_a_phone_number_in_another_scripts_digits_is_contact(text: str) -> None:
    # Found by probing: NFKC folds full-width and mathematical digits to ASCII, but not these,
    # so such a number in a question the FAQ does not cover was kept for the staff's reports.
    assert looks_like_contact(text)


@pytest.mark.parametrize("text", ["٢٠٢٥", "١٢.٠٣.٢٠٢٦", "٥ ٠٠٠ - ٧ ٠٠٠"])
def test_a_year_date_or_price_in_another_scripts_digits_is_no_contact(text: str) -> None:
    assert not looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "8 (916) 123-45-67",
        "+7 916 123 45 67",
        "8.916.123.45.67",
        "8-916-123-45-67",
        "89161234567",
        "8 916 1234567",
        "(916) 123 4567",
        "123-45-67",
        "07700 900123",
        "+44 20 7946 0958",
        "tel:89161234567",
        "call 8 916 123 45 67 after 14:00",
        "8 916 123 45 67 14:00-18:00",
        "8 916 123 45 67.",
        "8–916–123–45–67",
        "8 - 916 - 123 - 45 - 67",
        # Grouped like a price range or a date, but not round or not a date.
        "1234-5678",
        "555-1234",
        "12.34.5678",
        "12.03.2026 8 916 123 45 67",
    ],
)
def test_a_phone_number_however_grouped_is_contact(text: str) -> None:
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "звоните с 10 до 18: 8 916 123 45 67",
        "1: 89161234567, 2: 89031234567",
        "call 9-18: (916) 123-45-67",
        "8 916 123 45 67 :3",
        "89161234567 :)",
        # A time's minutes or hour have two digits at most: the rest is no part of a time.
        "звоните до 18:89161234567",
        "89161234567:30",
    ],
)
def test_a_phone_number_next_to_a_colon_that_joins_no_time_is_contact(text: str) -> None:
    # Only a colon between two digits joins a time ("14:30"); after "18:" with a space, or
    # before ":3", the colon is any other boundary.
    assert looks_like_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "12.03.2026 14:30",
        "appointment 12.03.2026 at 14:30, can I drink before",
        "2026-03-12 14:30",
        "15/03 at 10:00",
        "15.03.2026 10:00-12:00",
        "в 14:30 12.03.2026",
        "12.03.2026 14.30",
        "1.3.2026",
        "5000-7000 руб",
        "5000 - 7000 руб",
        "5000–7000 руб",
        "4990-6990",
        "10000-15000 rubles",
        "$300-500",
        "5 000 - 7 000 руб",
        "15 000-20 000 ₽",
        "1 500 000",
        "2023-2024",
        "I'm 45, had 2 sessions",
        "3 sessions of 1.5 ml, 2 weeks apart",
    ],
)
def test_dates_times_prices_and_counts_are_no_contact(text: str) -> None:
    assert not looks_like_contact(text)


def test_the_automaton_fits_its_memory(capfd: pytest.CaptureFixture[str]) -> None:
    # Out of memory, RE2 says so on stderr and runs its slower engine: a hundred times slower.
    rng = random.Random(1)
    for alphabet in ("0123456789 .-()/+:", "0123456789 .-/xа@", "a@._-1 "):
        looks_like_contact("".join(rng.choice(alphabet) for _ in range(4096)))
    assert "out of memory" not in capfd.readouterr().err


def _shaped(rng: random.Random, shape: Shape) -> tuple[list[str], list[str]]:
    """A run of a shape, as its groups of digits and the separators between them."""
    groups = ["".join(rng.choice(allowed) for allowed in rng.choice(group)) for group, _ in shape]
    between = [
        rng.choice([word for name in sorted(names) for word in SEPARATORS[name]])
        for _, names in shape[:-1]
    ]
    return groups, between


def _joined(groups: list[str], between: list[str]) -> str:
    """A run from its groups and the separators between them."""
    return "".join(group + after for group, after in zip(groups, [*between, ""], strict=True))


def _runs(rng: random.Random) -> str:
    """A run of digits and separators, often one of the shapes or a slip from one."""
    if rng.random() < 0.6:
        run = _joined(*_shaped(rng, rng.choice(NOT_PHONES)))
        if rng.random() < 0.5:
            at = rng.randrange(len(run))
            run = run[:at] + rng.choice("0123456789 .-/()") + run[at + 1 :]
        if rng.random() < 0.3:
            run += rng.choice([" ", "-", "."]) + str(rng.randrange(100))
    else:
        run = "".join(
            "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 5)))
            + "".join(rng.choice(" .-/()") for _ in range(rng.randint(1, 2)))
            for _ in range(rng.randint(1, 6))
        )
    return " ".join(run.split()).strip(" .-/()")


def test_a_run_of_a_shape_is_no_phone_number() -> None:
    rng = random.Random(7)
    for shape in NOT_PHONES:
        for _ in range(40):
            run = _joined(*_shaped(rng, shape))
            assert not looks_like_contact(f"is {run} ok"), run


def test_a_run_out_of_every_shape_is_a_phone_number_when_it_has_digits_enough() -> None:
    # A separator that no shape names, or a group longer than any shape has, takes a run out
    # of every shape: its digits alone decide.
    rng = random.Random(7)
    seen = {True: 0, False: 0}
    for shape in NOT_PHONES:
        for _ in range(40):
            groups, between = _shaped(rng, shape)
            if rng.random() < 0.7:
                between[rng.randrange(len(between))] = rng.choice(
                    ["(", ") ", ". ", "+", "--", " / "]
                )
            else:
                at = rng.randrange(len(groups))
                groups[at] = groups[at].ljust(8, "5")
            run = _joined(groups, between)
            expected = sum(map(len, groups)) >= MIN_DIGITS
            assert looks_like_contact(f"is {run} ok") is expected, run
            seen[expected] += 1
    assert min(seen.values()) > 200


def test_a_run_is_judged_whole_inside_a_sentence() -> None:
    # The search hands the check each run whole, whatever its digits and separators.
    rng = random.Random(7)
    seen = {True: 0, False: 0}
    for _ in range(4000):
        run = _runs(rng)
        if not run:
            continue
        expected = is_phone_number(run)
        assert looks_like_contact(f"is {run} ok") is expected, run
        seen[expected] += 1
    assert min(seen.values()) > 500
