"""Whether a text holds a way to reach someone: a phone number, e-mail, link, handle or address."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import re2

from bot.storage.phone_digits import DASHES, has_phone_number

# Texts that carry a way to reach someone are never kept. One RE2 search, and for phone numbers
# in digits, and in words, another each and a check of each run it finds; each linear in the
# text (Python's engine retries near misses from every position: quadratic or worse).
# Letters and digits of the alphabets patients write in (Unicode's \pL makes the automaton
# outgrow RE2's memory budget, and it falls back to its slower engine).
_ALNUM = "0-9A-Za-zЁА-яё"
_END = rf"(?:[^{_ALNUM}_]|$)"
# Top-level domains of addresses and links typed without http; those that are also words
# ("June.By the way", "come at 5. me and my sister") count only in lower case.
_TLD_NAME = (
    r"(?:(?i:com|ru|net|org|info|biz|io|su|рф|ua|kz|uz|de|eu)"
    r"|me|by|co|tv|pro|app|site|online|link|ai|ly|cc)"
)
_TLD = rf"{_TLD_NAME}{_END}"
# "@" and "." as people write them to slip past filters: "(at)", " at ", "собака", "точка".
_AT = r"(?:\s*[(\[{<]\s*(?:at|собака)\s*[)\]}>]\s*|\s+(?:at|собака|собачка)\s+)"
_DOT = r"(?:\.|\s+\.\s+|\s*[(\[{<]\s*(?:dot|точка)\s*[)\]}>]\s*|\s+(?:dot|точка)\s+)"
# An address's parts, in any of the alphabets ("анна@почта.рф"), and the mail services whose
# name alone makes an address ("anna @ gmail"): errs toward not storing "I'm @ mail", while
# after " at " only names that are no English word count ("look at mail" stays).
_LOCAL = rf"[{_ALNUM}._%+-]+"
_LABEL = rf"[{_ALNUM}-]+"
_MAIL_NAMES = r"gmail|googlemail|yandex|яндекс|yahoo|hotmail|outlook|icloud|rambler|protonmail"
_MAIL_SERVICES = rf"{_MAIL_NAMES}|mail|ya|bk|inbox|list|proton"
_NETWORK = (
    r"instagram|insta|inst|ig|telegram|tg|whatsapp|viber|vk|vkontakte|facebook|fb|tiktok|skype"
    r"|snapchat|twitter|nick|username"
)
_NETWORK_RU = (
    r"инстаграмм?[а-я]{0,2}|инста|телеграмм?[а-я]{0,2}|телег[аеуи]|тг|вотсап[а-я]{0,2}"
    r"|ватсап[а-я]{0,2}|вацап[а-я]{0,2}|вайбер[а-я]{0,2}|вк|вконтакте|фейсбук[а-я]{0,2}"
    r"|тикток[а-я]{0,2}|скайп[а-я]{0,2}|ник"
)
_NETWORKS = f"{_NETWORK}|{_NETWORK_RU}"
_AFTER_NETWORK = rf"(?:^|[^{_ALNUM}_])(?:{{}})[\s:=-]+(?:(?:is|это)[\s:=-]+)?@?"
# A word shaped like a handle, in either alphabet: with "_", ending in digits, or two words
# joined by a dot ("anna_k", "анна1985", "anna.iva"; "e.g." and "10.30" are not).
_L = "a-zа-яё"
_HANDLE = (
    rf"[{_L}0-9.]*(?:[{_L}][{_L}0-9.]*_|_[{_L}0-9._]*[{_L}]|[{_L}]{{2}}[{_L}.]*[0-9]{{2}}"
    rf"|[{_L}]{{2}}[{_L}0-9]*\.[{_L}][{_L}0-9])"
)
# Any Latin word of five or more characters (Telegram's shortest username) ending its clause
# after "my telegram is", "мой вотсап:" or "telegram:". Errs toward not storing: "my instagram
# is private." goes too, while "my instagram is not working" stays.
_NAMED_HANDLE = (
    rf"(?:^|[^{_ALNUM}_])(?:(?:my|our|мой|моя|мои|наш|наша)\s+(?:{_NETWORKS})"
    rf"(?:\s+(?:is|это)|\s*[:=-])|(?:{_NETWORKS})\s*[:=])\s*@?[a-z][a-z0-9._]{{3,}}[a-z0-9]"
    rf"(?:\s*[.,;:!?()]|\s+(?:and|or|и|или){_END}|$)"
)
# Numbers as words: a phone number spelt out is five or more of them in a row ("восемь
# девятьсот сто десять десять" is the shortest Russian number), where a question has at most a
# few ("двадцать пять тысяч", "one, two or three sessions").
_NUMBER_WORD = (
    r"zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
    r"|seventy|eighty|ninety|hundred|double|triple"
    r"|ноль|нуль|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять"
    r"|одиннадцать|двенадцать|тринадцать|четырнадцать|пятнадцать|шестнадцать|семнадцать"
    r"|восемнадцать|девятнадцать|двадцать|тридцать|сорок|пятьдесят|шестьдесят|семьдесят"
    r"|восемьдесят|девяносто|сто|двести|триста|четыреста|пятьсот|шестьсот|семьсот|восемьсот"
    r"|девятьсот"
)
# A run of five numbers or more, each in words or a group of up to three digits, joined as a
# number's parts are written: spaces, commas, hyphens, dots (an ellipsis: "eight... nine") and
# slashes. It is a phone number when two of its numbers or more are words ("восемь 916 123 сорок
# пять 67"): digits alone are the other rule's, and a word beside a date or a price ("5 000 -
# 7 000, two") is no number. A longer group of digits (a year) ends the run. Errs toward not
# storing: five number words in a row go, whatever they count.
_NUMBER = rf"(?:{_NUMBER_WORD}|[0-9]{{1,3}})"
_NUMBER_JOIN = r"(?:\s*[,./-]+\s*|\s+)"
SPELT_MIN_NUMBERS = 5
SPELT_MIN_WORDS = 2
# Street addresses. In English, a house number, a name and a street ("12 Baker Street", "221B
# Baker St."): the name's words capitalised and no name after the street ("12 May St
# Petersburg"), but for the unambiguous street, avenue and boulevard ("14 park avenue"), so
# that "2 hours on the road" stays; or a flat ("apt 4B"). In Russian, a street and a capitalised
# name before a house number ("ул. Ленина 5", "проспект Мира 101"), or a street before a house
# ("улица ленина, д. 5", "Тверская ул., д. 7"), or a house with its flat or block, or a flat
# ("кв 12"): "на улице 30 градусов", "на улице холод. 2 дня" and "дома 2 дня" stay. After "my
# address is" or "мой адрес:", a digit in the same sentence.
_HOUSE_NUMBER = r"[0-9]{1,5}(?:[A-Za-z]|[а-яё]|/[0-9]{1,3})?"
_STREET_EN = r"street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|terrace|crescent|highway|hwy"
_STREET_EN_END = r"\.?(?:\s*(?:[,;:!?()]|$)|\s+[a-z0-9])"
_STREET_RU = (
    r"ул\.?|улиц[аеуы]|пр-т|просп\.|проспект[аеу]?|пер\.|переул(?:ок|ке|ка)|ш\.|шоссе"
    r"|б-р|бульвар[аеу]?|наб\.|набережн(?:ая|ой|ую)|пл\.|площад[ьи]|мкр\.?|микрорайон[аеу]?"
)
_BUILDING_RU = r"(?i:д\.|дом)\s*"
_FLAT_RU = r"(?i:кв\.?|квартира|корп\.?|корпус|стр\.)"
_START = rf"(?:^|[^{_ALNUM}_])"
_ADDRESS_RULES = (
    rf"{_START}{_HOUSE_NUMBER},?\s+(?:[A-Z][a-z'-]+\.?\s+){{1,3}}(?i:{_STREET_EN}){_STREET_EN_END}",
    rf"(?i:{_START}{_HOUSE_NUMBER}\s+(?:[a-z'-]+\s+){{1,2}}(?:street|avenue|boulevard){_END})",
    rf"(?i:{_START}(?:apt|apartment)\.?\s*(?:no\.?\s*|#\s*)?{_HOUSE_NUMBER}{_END})",
    rf"(?i:{_START}(?:my|our|home)\s+address\s*(?:is|[:=-]))[^.!?]{{0,40}}[0-9]",
    rf"{_START}(?i:{_STREET_RU})\s*[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁа-яё-]+)?\s*,?\s*"
    rf"(?:{_BUILDING_RU})?{_HOUSE_NUMBER}{_END}",
    rf"{_START}(?i:{_STREET_RU})[^.!?0-9]{{0,40}}[^{_ALNUM}_]{_BUILDING_RU}[0-9]",
    rf"{_START}{_BUILDING_RU}{_HOUSE_NUMBER}\s*,?\s*{_FLAT_RU}\s*[0-9]",
    rf"{_START}(?i:кв\.?|квартира)\s*[0-9]{{1,4}}{_END}",
    r"(?i:(?:мой|наш|домашний)\s+адрес\s*[:=-]|по\s+адресу)[^.!?]{0,40}[0-9]",
)
_CONTACT_RULES = (
    # An e-mail address, its "@" spaced out or in words.
    rf"[^\s@]+@[^\s@]+\.[{_ALNUM}_]",
    # With "@" itself a comma may stand for a dot ("anna@ gmail,com"); after " at " it may not,
    # since "at 7, me and my sister" is a sentence.
    rf"(?i:{_LOCAL}\s*@\s*{_LABEL}(?:\s*[.,]\s*{_LABEL})*\s*[.,]\s*){_TLD}",
    rf"(?i:{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}){_TLD}",
    rf"(?i:{_LOCAL}\s*@\s*(?:{_MAIL_SERVICES})){_END}",
    rf"(?i:{_LOCAL}{_AT}(?:{_MAIL_NAMES})){_END}",
    # A link: any with http, and without it a page under a site ("vk.com/id1", "t.me/anna").
    # A bare site ("I read on webmd.com") is kept: it is no way to reach the patient.
    r"(?i:https?://)",
    rf"[{_ALNUM}]\.{_TLD_NAME}/[^\s/]",
    # An @username.
    rf"@[{_ALNUM}_]{{3,}}",
    # A handle after the network's name: one shaped like a handle ("telegram anna_k", "мой
    # вотсап анна_иванова"), any Latin word after a Russian name ("инстаграм anna"), or any
    # Latin word closing "my telegram is ..." ("my telegram is annaivanova").
    "(?i:" + _AFTER_NETWORK.format(_NETWORKS) + _HANDLE + ")",
    "(?i:" + _AFTER_NETWORK.format(_NETWORK_RU) + r"[a-z][a-z0-9._]{2})",
    f"(?i:{_NAMED_HANDLE})",
    # A Skype name of a Microsoft account ("live:anna.iva", "live:.cid.1a2b").
    rf"(?i:{_START}live:\.?[a-z0-9][a-z0-9._-]{{2,}})",
    # A street address.
    *_ADDRESS_RULES,
)


def _contact_options() -> Any:
    """RE2's options for the filter: no captures."""
    options = re2.Options()
    options.never_capture = True
    return options


_CONTACT = re2.compile("|".join(f"(?:{rule})" for rule in _CONTACT_RULES), _contact_options())


def _run_options() -> Any:
    """RE2's options for finding runs of numbers: the longest match, no captures."""
    options = _contact_options()
    options.longest_match = True
    return options


# Each run taken whole, so that its words are counted once.
_NUMBER_RUNS = re2.compile(
    rf"(?i:{_START}{_NUMBER}(?:{_NUMBER_JOIN}{_NUMBER}){{{SPELT_MIN_NUMBERS - 1},}}{_END})",
    _run_options(),
)
_LETTERS = re.compile(r"[^\W\d_]+")


def _spelt_phone(text: str) -> bool:
    """Whether a folded text holds a phone number in words, maybe mixed with groups of digits."""
    return any(
        len(_LETTERS.findall(run.group())) >= SPELT_MIN_WORDS for run in _NUMBER_RUNS.finditer(text)
    )


# Decimal digits of other scripts ("٩١٦", "۰۹۱۲", "९८७"), which NFKC leaves as they are; one
# character at a time, so linear.
_OTHER_DIGITS = re.compile(r"(?:(?![0-9])\d)+")


def _ascii_digit(match: re.Match[str]) -> str:
    return "".join(str(unicodedata.decimal(char)) for char in match.group())


def looks_like_contact(text: str) -> bool:
    """True when a text seems to hold contact details (phone, e-mail, link, handle, address)."""
    # NFKC folds look-alikes ("＠", full-width letters); splitting folds every kind of space.
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    if not folded.isascii():  # a phone number typed in another script's digits too
        folded = _OTHER_DIGITS.sub(_ascii_digit, folded)
    for dash in DASHES:  # str.translate would take a dictionary lookup per character
        if dash in folded:
            folded = folded.replace(dash, "-")
    # Seven or more digits however grouped, unless they are a date, a time or a price; then
    # numbers in words.
    return _CONTACT.search(folded) is not None or has_phone_number(folded) or _spelt_phone(folded)
