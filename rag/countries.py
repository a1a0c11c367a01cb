"""Country names, so that an answer to "in what country" is held to name one.

The names are ISO 3166's, read from pycountry: each country's name, common and official names
("Korea, Republic of" also as "Korea"), historic countries (USSR, Yugoslavia), and the
subdivisions ISO itself types as countries (England, Scotland, Wales).
"""

from __future__ import annotations

import functools
import re

from rag.text import words

# Everyday names ISO spells another way ("Russian Federation", "Türkiye", "GB").
_EVERYDAY = ("Russia", "Turkey", "Britain", "Great Britain", "America", "Holland", "Northern Ireland", "U.S.")
_CODE = re.compile(r"\b[A-Z]{2,3}\b")  # USA, UK: codes count in capitals only ("us", "can", "per")
_EVERYDAY_CODES = ("US", "UK")
_SUBDIVISION_COUNTRIES = frozenset({"Country", "Nation"})
_BRACKETED = re.compile(r"\s*[\[(].*?[\])]")  # "Wales [Cymru GB-CYM]"
_LONGEST = 8  # words in the longest name looked for


def countries_named(text: str) -> set[str]:
    """The country names in `text`: names as lower-case word sequences, codes as written."""
    tokens = words(text)
    names = _names()
    spans = (" ".join(tokens[i : i + n]) for n in range(1, _LONGEST + 1) for i in range(len(tokens) - n + 1))
    return {span for span in spans if span in names} | (set(_CODE.findall(text)) & _codes())


@functools.cache
def _names() -> frozenset[str]:
    import pycountry

    spelled: list[str] = list(_EVERYDAY)
    for country in (*pycountry.countries, *pycountry.historic_countries):
        for field in ("name", "common_name", "official_name"):
            name = getattr(country, field, None)
            if name:
                spelled += [name, name.split(",")[0]]
    spelled += [s.name for s in pycountry.subdivisions if s.type in _SUBDIVISION_COUNTRIES]
    return frozenset(" ".join(words(_BRACKETED.sub("", name))) for name in spelled) - {""}


@functools.cache
def _codes() -> frozenset[str]:
    """Three-letter codes (USA, GBR) and the two everyday two-letter ones: the other two-letter
    codes are words in capitals too often ("IT", "IN")."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries) | frozenset(_EVERYDAY_CODES)
