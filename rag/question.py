"""What a question asks for, read from its wording: yes/no or a choice, the kind of answer, its years."""

from __future__ import annotations

import re

from rag.countries import countries_named
from rag.text import words

_AUXILIARY = r"(is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b"
_YES_NO = re.compile(rf"^{_AUXILIARY}", re.IGNORECASE)
# "Between the spring survey and the autumn one, did the river rise?"
_YES_NO_AFTER_LEAD = re.compile(rf",\s*{_AUXILIARY}", re.IGNORECASE)
_WH_WORD = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.IGNORECASE)
_WH_START = re.compile(r"^\W*(who|whom|whose|what|which|when|where|why|how)\b", re.IGNORECASE)
# The alternatives close the question after a comma or colon: "Who is older, A or B?". A bare
# "or" is no choice: "the album made in or near Brackmoor".
_CHOICE = re.compile(r"[,:][^,:]+?\s+or\s+[^,:]+\?\s*$", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_ASKS_DATE = re.compile(r"^\s*when\b|\b(what|which) (year|date|day|month|decade|century)\b", re.IGNORECASE)
_ASKS_COUNTRY = re.compile(r"\b(what|which) (country|nation)\b", re.IGNORECASE)
_ASKS_NUMBER = re.compile(r"\bhow (many|much|long|old|far|big|large|tall|high)\b|\bwhat (percentage|share|number)\b", re.IGNORECASE)

_NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s)?")  # 2012, 20th, 1990s; not a model name like 5a
_MONTHS = "january february march april may june july august september october november december"
_DAYS = "monday tuesday wednesday thursday friday saturday sunday"
_DATE_WORDS = frozenset((_MONTHS + " " + _DAYS + " jan feb mar apr jun jul aug sep sept oct nov dec").split())
_NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion trillion dozen half once twice""".split()
)


def is_yes_no(question: str) -> bool:
    question = question.strip()
    if _YES_NO.match(question):
        return True
    if _WH_START.match(question):
        return False
    lead = _YES_NO_AFTER_LEAD.search(question)
    # "The Corran Hound and the Vell Terrier, are both breeds from which century?" asks which.
    return bool(lead) and not _WH_WORD.search(question, lead.end())


def is_choice(question: str) -> bool:
    """ "Which painter is Canadian, Tessa Lorne or Jem Harlow?" """
    return bool(_CHOICE.search(question))


def years(text: str) -> set[str]:
    return set(_YEAR.findall(text))


def answers_the_kind(question: str, claim: str) -> bool:
    """Whether the claim holds the kind of thing the question asks for, beyond what the question
    itself says: a date for "when", a number for "how many" ("When was the Lumo 6 announced?" is
    not answered by "The Lumo 6 was announced on Brightcell's website"), a country for "in what
    country" (not the town the question's chain passes through). Other questions accept any
    claim: "who" is not checked for a name, as "delegates chosen by member towns" answers it."""
    added = set(words(claim)) - set(words(question))
    has_number = any(_NUMBER.fullmatch(t) for t in added)
    if _ASKS_DATE.search(question):
        return has_number or bool(added & _DATE_WORDS)
    if _ASKS_NUMBER.search(question):
        return has_number or bool(added & _NUMBER_WORDS)
    if _ASKS_COUNTRY.search(question) and not is_choice(question):  # a choice names its countries
        return bool(countries_named(claim) - countries_named(question))
    return True
