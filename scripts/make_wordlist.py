"""Write bot/locales/<lang>.words: the language's commonest words, most frequent first.

Development tool, not needed at run time. The matcher uses the list to tell a real word it does
not know ("find") from a typo ("fnid") and to weigh unknown words by how common they are.
Two open sources of word frequencies, picked per language (or with --source):

- English: pyspellchecker's word-frequency dictionary (MIT licence, built from OpenSubtitles).
  `pip install pyspellchecker` then `python scripts/make_wordlist.py en 50000`.
- Russian: wordfreq's frequency list (code Apache-2.0, data CC BY-SA 4.0: Wikipedia,
  OpenSubtitles, news, books, web text and more). `pip install wordfreq` then
  `python scripts/make_wordlist.py ru 50000`. pyspellchecker's Russian dictionary holds only
  about 19,900 words, too few for a language that writes each word in a dozen forms.

Words are lowercased and "ё" is written "е", as patients type it and as the Snowball stemmer
reads it; spellings that become the same word are merged, their frequencies added. Only words
of letters are kept (for Russian: of Cyrillic letters, so no stray Latin or digits).
The header line names the source, its version and its licence.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "bot" / "locales"

# The source each language's list is made from unless --source says otherwise.
DEFAULT_SOURCE = {"ru": "wordfreq"}

# Which words a language's list keeps; any other language keeps words of letters.
ALPHABET = {"ru": re.compile(r"[а-я]+")}


def from_pyspellchecker(language: str) -> tuple[Mapping[str, float], str]:
    """Word frequencies from pyspellchecker's dictionary, and the header's credit."""
    from spellchecker import SpellChecker  # type: ignore[import-not-found]

    credit = f"pyspellchecker {version('pyspellchecker')} (MIT licence, built from OpenSubtitles)"
    return SpellChecker(language=language).word_frequency.dictionary, credit


def from_wordfreq(language: str) -> tuple[Mapping[str, float], str]:
    """Word frequencies from wordfreq's large list, and the header's credit."""
    import wordfreq  # type: ignore[import-not-found]

    credit = (
        f"wordfreq {version('wordfreq')} by Robyn Speer (data licence CC BY-SA 4.0, "
        "https://creativecommons.org/licenses/by-sa/4.0/; sources and attribution: "
        "https://github.com/rspeer/wordfreq)"
    )
    return wordfreq.get_frequency_dict(language, wordlist="large"), credit


SOURCES: dict[str, Callable[[str], tuple[Mapping[str, float], str]]] = {
    "pyspellchecker": from_pyspellchecker,
    "wordfreq": from_wordfreq,
}


def commonest(language: str, frequencies: Mapping[str, float]) -> list[str]:
    """The words, lowercased, "ё" as "е", merged, letters only, most frequent first."""
    alphabet = ALPHABET.get(language)
    merged: dict[str, float] = defaultdict(float)
    for word, frequency in frequencies.items():
        folded = str(word).lower().replace("ё", "е")
        keep = alphabet.fullmatch(folded) if alphabet else folded.isalpha()
        if keep:
            merged[folded] += float(frequency)
    return [w for w, _ in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))]


def main() -> None:
    """Write the list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("language", help="language code, e.g. en or ru")
    parser.add_argument("count", type=int, help="how many words to keep, e.g. 50000")
    parser.add_argument("--source", choices=sorted(SOURCES), help="default: per language")
    parser.add_argument("--output", type=Path, help="default: bot/locales/<language>.words")
    args = parser.parse_args()
    source = args.source or DEFAULT_SOURCE.get(args.language, "pyspellchecker")
    frequencies, credit = SOURCES[source](args.language)
    words = commonest(args.language, frequencies)[: args.count]
    if len(words) < args.count:
        print(f"warning: {source} has only {len(words)} {args.language} words")
    target = args.output or LOCALES / f"{args.language}.words"
    header = (
        f"# {len(words)} commonest {args.language} words, most frequent first, from {credit}; "
        "see scripts/make_wordlist.py\n"
    )
    target.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(words)} words)")


if __name__ == "__main__":
    main()
