"""A question, read once: its words, its years, whether it is yes/no or a choice, and the kind of
answer it wants. `Question.parse` runs at the top of `Rag.ask`; every stage reads the fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from rag.countries import countries_named
from rag.text import content_words, words

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
_ASKS_DATE = re.compile(r"^\s*when\b|\b(what|which) (year|date|month|decade|century)\b", re.IGNORECASE)
_ASKS_WHO = re.compile(r"^\W*(who|whom|whose)\b", re.IGNORECASE)
_ASKS_DAY = re.compile(r"\b(what|which) day\b|\bon what day\b", re.IGNORECASE)
_ASKS_COUNTRY = re.compile(r"\b(what|which) (country|nation)\b", re.IGNORECASE)
_ASKS_NUMBER = re.compile(r"\bhow (many|much|long|old|far|big|large|tall|high)\b|\bwhat (percentage|share|number)\b", re.IGNORECASE)

# A question that asks for several things: "who are", "which ministers", "what two phrases",
# "list", "name all"; and one asking for the object of a verb ("who does Lee meet"), which may be
# several people.
_ASKS_SEVERAL = re.compile(
    r"\b(who|what|which)\s+(\w+\s+)?(are|were)\b|\b(which|what)\s+\w+[^s\W]s\b"
    r"|\b(which|what|name)\s+(two|three|four|five|six|several|some|few)\b|\b(list|all|both)\b",
    re.IGNORECASE,
)
_ASKS_OBJECT = re.compile(r"^\W*(who|whom|what)\s+(do|does|did|will|would|can|could|should|has|have|had)\b", re.IGNORECASE)
# A question about what its subject is called, which an answer can only give by naming the subject.
_ASKS_NAME = re.compile(r"\b(name|named|called|known as|title|full)\b", re.IGNORECASE)
_NAME = re.compile(r"(?<=\S\s)[A-Z][\w’'-]*")  # a capitalised word, not the first
_NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s)?")  # 2012, 20th, 1990s; not a model name like 5a
MONTHS = "january february march april may june july august september october november december".split()
DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_DATE_WORDS = frozenset(MONTHS + DAYS + "jan feb mar apr jun jul aug sep sept oct nov dec".split())
_DAY_WORDS = frozenset(DAYS + "today tomorrow yesterday weekend".split())
_NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion trillion dozen half once twice""".split()
)


class Wanted(Enum):
    """The kind of thing an answer must add to the question."""

    ANY = "any"
    DATE = "date"  # "when", "what year"
    DAY = "day"  # "which day": a weekday or a day of the month, not a month alone
    NUMBER = "number"  # "how many", "how long"
    COUNTRY = "country"  # "in what country", unless the question offers the countries to choose from


@dataclass(frozen=True)
class Question:
    text: str
    words: frozenset[str]  # content words, stemmed (rag.text.content_words)
    tokens: frozenset[str]  # every word, lower-cased
    years: frozenset[str]
    yes_no: bool
    choice: bool  # "Which painter is Canadian, Tessa Lorne or Jem Harlow?"
    wanted: Wanted
    countries: frozenset[str] = frozenset()  # the ones it names, read when it wants a country
    expects_one: bool = False  # one right answer: "who won", "when", "how many"; not "who does Lee meet"
    asks_name: bool = False  # "what is the full name of", "what was it called"
    names: frozenset[str] = frozenset()  # its capitalised words but the first, as content words

    @classmethod
    def parse(cls, text: str) -> Question:
        choice = bool(_CHOICE.search(text))
        wanted = _wanted(text, choice)
        return cls(
            text=text,
            words=frozenset(content_words(text)),
            tokens=frozenset(words(text)),
            years=frozenset(years(text)),
            yes_no=_is_yes_no(text),
            choice=choice,
            wanted=wanted,
            countries=frozenset(countries_named(text)) if wanted is Wanted.COUNTRY else frozenset(),
            expects_one=_expects_one(text, wanted, choice),
            asks_name=bool(_ASKS_NAME.search(text)),
            names=frozenset(content_words(" ".join(_NAME.findall(text)))),
        )

    @property
    def weighs_passages(self) -> bool:
        """Yes/no questions and "A or B?" choices are answered by weighing passages against each other."""
        return self.yes_no or self.choice

    def answered_in_kind(self, claim: str) -> bool:
        """Whether the claim holds the kind of thing the question asks for, beyond what the
        question itself says: a date for "when", a number for "how many" ("When was the Lumo 6
        announced?" is not answered by "The Lumo 6 was announced on Brightcell's website"), a
        country for "in what country" (not the town the question's chain passes through). Other
        questions accept any claim: "who" is not checked for a name, as "delegates chosen by
        member towns" answers it."""
        if self.wanted is Wanted.ANY:
            return True
        if self.wanted is Wanted.COUNTRY:
            return bool(countries_named(claim) - self.countries)
        added = set(words(claim)) - self.tokens
        if any(_NUMBER.fullmatch(t) for t in added):
            return True
        if self.wanted is Wanted.DAY:
            return bool(added & _DAY_WORDS)
        return bool(added & (_DATE_WORDS if self.wanted is Wanted.DATE else _NUMBER_WORDS))

    @property
    def asks_who(self) -> bool:
        """ "Who won", "whom did she meet", "whose novel": the answer is a person or a body."""
        return bool(_ASKS_WHO.match(self.text))

    @property
    def wants_a_date(self) -> bool:
        return self.wanted in (Wanted.DATE, Wanted.DAY)


def years(text: str) -> set[str]:
    return set(_YEAR.findall(text))


def _is_yes_no(text: str) -> bool:
    text = text.strip()
    if _YES_NO.match(text):
        return True
    if _WH_START.match(text):
        return False
    lead = _YES_NO_AFTER_LEAD.search(text)
    # "The Corran Hound and the Vell Terrier, are both breeds from which century?" asks which.
    return bool(lead) and not _WH_WORD.search(text, lead.end())


def _expects_one(text: str, wanted: Wanted, choice: bool) -> bool:
    """Whether one answer is wanted, so that two different ones are a conflict. Yes/no questions
    and choices are weighed whole, not picked among."""
    if choice or _is_yes_no(text):
        return False
    return wanted is not Wanted.ANY or not (_ASKS_SEVERAL.search(text) or _ASKS_OBJECT.search(text))


def _wanted(text: str, choice: bool) -> Wanted:
    if _ASKS_DAY.search(text):
        return Wanted.DAY
    if _ASKS_DATE.search(text):
        return Wanted.DATE
    if _ASKS_NUMBER.search(text):
        return Wanted.NUMBER
    if _ASKS_COUNTRY.search(text) and not choice:  # a choice names its countries
        return Wanted.COUNTRY
    return Wanted.ANY
