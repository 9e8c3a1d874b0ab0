"""Place names as lookup keys, and why a name that matches no hub may look as if it should.

A name is looked up by its key (:func:`key`: NFKC, dashes and underscores as spaces, case
folded), then, if that misses, by its folded key (:func:`folded`: accents and the letters
Latin alphabets add, such as ``ł``, ``ı`` and ``ə``, written as their base letters), so that
``Lodz``, ``Munchen-Riem``, ``İSTANBUL`` and ``Boyuk Kesik`` find the hubs named ``Łódź``,
``München-Riem``, ``Istanbul`` and ``Böyük Kəsik``. A folded key that two hubs share is not
used: the name stays unknown, with suggestions, rather than one of the two picked unsaid.

What is never folded away: invisible characters (zero-width spaces and joiners, direction
marks, byte-order marks) and letters of another script that look Latin (the Cyrillic ``а`` of
``Аlmaty``). Such a name is unknown, and :func:`odd_characters` says why in words, since the
name as printed looks exactly like the hub it did not match.
"""

from __future__ import annotations

import unicodedata

from silkway._text import invisible

__all__ = ["folded", "key", "odd_characters"]

_LETTERS = str.maketrans({"ł": "l", "ı": "i", "ə": "e", "ø": "o", "đ": "d", "ħ": "h",
                          "ŧ": "t", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})
"""Letters that carry no combining mark to strip (after case folding), as their base letters."""


def key(text: str) -> str:
    """A place name as a lookup key: NFKC Unicode (a decomposed ``Du\u0308sseldorf`` and a
    full-width ``ＴＯＹＡＭＡ`` are the names they look like), dashes and underscores as spaces,
    runs of white space as one, case folded. The dot that case folding leaves of a Turkish
    ``İ`` (``i`` and U+0307) is dropped: ``İSTANBUL`` is ``istanbul``."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold().replace(
        "i\u0307", "i")


def folded(text: str) -> str:
    """:func:`key` without accents: the marks of accented letters stripped, ``ł`` as ``l``,
    ``ı`` as ``i``. A mark that composes with no letter (``B\u0301``, or marks piled on one
    another) is not an accent: such a key is returned as it is, and matches nothing."""
    composed = key(text)
    if any(unicodedata.combining(ch) for ch in composed):
        return composed
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", composed)
                   if not unicodedata.combining(ch))
    return bare.translate(_LETTERS)


def _script(ch: str) -> str | None:
    """The script of a letter by its Unicode name (``LATIN``, ``CYRILLIC`` …), else None."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else None


def odd_characters(text: str) -> str | None:
    """Why ``text`` may look like a known name and still match none, in a few words, or None:
    the first invisible character (a format character, e.g. U+200B ZERO WIDTH SPACE), or
    letters of two scripts in one word (``'а' is CYRILLIC SMALL LETTER A``)."""
    for ch in text:
        if invisible(ch):
            name = unicodedata.name(ch, "a format character")
            return f"it holds the invisible character U+{ord(ch):04X} {name}"
    stray = next((ch for ch in key(text) if unicodedata.combining(ch)), None)
    if stray is not None:
        return (f"it holds the combining mark U+{ord(stray):04X} "
                f"{unicodedata.name(stray, '')} on a letter it does not belong to")
    for word in text.split():
        scripts = {s for ch in word if (s := _script(ch)) is not None}
        if len(scripts) > 1 and "LATIN" in scripts:
            odd = next(ch for ch in word if (s := _script(ch)) not in (None, "LATIN"))
            return (f"it mixes scripts in one word: {odd!r} is "
                    f"{unicodedata.name(odd, 'not a Latin letter')}, not a Latin letter")
    return None
