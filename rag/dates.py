"""Dates as prose writes them: "April 29, 2015", "29th of April 2015", "April 29", "May 2012".

One place reads them, for completing a partial date from its passage and for judging that two
dates written in different orders are the same date.
"""

from __future__ import annotations

import re

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[5-9]|20)\d\d"
FULL_DATE = re.compile(rf"\b(?:{_MONTH}\s+{_DAY},?\s+{_YEAR}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR})\b")
# A day without its year, or a month and year without the day; not the start of a full date.
PARTIAL_DATE = re.compile(rf"\b(?:{_MONTH}\s+{_DAY}|{_DAY}\s+(?:of\s+)?{_MONTH}|(?<!\d\s)(?<!of\s){_MONTH},?\s+{_YEAR})\b(?!,?\s+\d)")
_WORD = re.compile(r"[A-Za-z]+|\d+")
_ORDINAL = frozenset(("of", "st", "nd", "rd", "th"))


def parts(date: str) -> frozenset[str]:
    """A date as its month (three letters), day and year: "April 29, 2015" → {apr, 29, 2015}."""
    return frozenset(w.lower()[:3] if w.isalpha() else w.lstrip("0") for w in _WORD.findall(date) if w.lower() not in _ORDINAL)


def month_first(date: str) -> bool:
    return date[0].isalpha()


def in_one_order(text: str) -> str:
    """The text with every full date written day first ("June 8, 1951" → "8 jun 1951"), so two
    ways of writing one date read alike."""
    return FULL_DATE.sub(_day_first, text)


def _day_first(match: re.Match) -> str:
    found = parts(match.group())
    month = next(p for p in found if p.isalpha())
    day, year = sorted((p for p in found if p.isdigit()), key=int)
    return f"{day} {month} {year}"
