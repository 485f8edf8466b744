"""Write bot/locales/<lang>.words: the language's commonest words, most frequent first.

Development tool, not needed at run time: `pip install pyspellchecker` then
`python scripts/make_wordlist.py en 50000`. The list comes from pyspellchecker's word-frequency
dictionary (MIT licence, built from OpenSubtitles). The matcher uses it to tell a real word it
does not know ("find") from a typo ("fnid") and to weigh unknown words by how common they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

from spellchecker import SpellChecker  # type: ignore[import-not-found]


def main() -> None:
    """Write the list."""
    language, count = sys.argv[1], int(sys.argv[2])
    frequencies = SpellChecker(language=language).word_frequency.dictionary
    words = [
        w for w, _ in sorted(frequencies.items(), key=lambda kv: (-kv[1], kv[0])) if w.isalpha()
    ]
    target = Path(__file__).resolve().parent.parent / "bot" / "locales" / f"{language}.words"
    header = (
        f"# {count} commonest {language} words, most frequent first; see scripts/make_wordlist.py\n"
    )
    target.write_text(header + "\n".join(words[:count]) + "\n", encoding="utf-8")
    print(f"wrote {target} ({min(count, len(words))} words)")


if __name__ == "__main__":
    main()
