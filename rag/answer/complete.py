"""Complete a claim's partial answer from the passages it cites.

The small model often copies part of what its sentence says: "April 29" from "on April 29,
2015", "Manziel" where the sentence names "Johnny Manziel". A reader should not have to open the
passage for the year or the first name, so where the cited passages hold exactly one fuller form
of a date, or of a surname in a who-question, the claim gets that form. Only words the cited
passages hold are added, so the claim stays as supported as it was.
"""

from __future__ import annotations

import re

from rag.dates import FULL_DATE, PARTIAL_DATE, month_first, parts
from rag.question import Question
from rag.text import STOPWORDS
from rag.types import Claim, Passage

_IN_A_DAY = re.compile(rf"\bin ({FULL_DATE.pattern})")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")
# Words that stand before a name without being part of it: "President Joe Biden" completes "Biden" to "Joe Biden".
_TITLES = frozenset(
    """mr mrs ms dr sir dame president vice prime minister premier chancellor senator governor
    mayor king queen prince princess general coach ceo chairman chairwoman chief secretary judge
    justice pope lord lady captain professor former late""".split()
)


def complete(question: Question, claim: Claim, passages: list[Passage]) -> Claim:
    cited = [passages[n - 1].text for n in claim.sources if 1 <= n <= len(passages)]
    text = _complete_dates(claim.text, " ".join(cited))
    if question.asks_who:
        text = _complete_surnames(text, cited, question)
    return Claim(text, claim.sources, claim.confidence) if text != claim.text else claim


def _complete_dates(text: str, cited: str) -> str:
    written: dict[frozenset[str], list[str]] = {}
    for match in FULL_DATE.finditer(cited):
        written.setdefault(parts(match.group()), []).append(match.group())

    def completed(match: re.Match) -> str:
        partial = parts(match.group())
        found = [dates for whole, dates in written.items() if partial < whole]
        if len(found) != 1:
            return match.group()
        # The date as the claim began writing it: "April 20th" is "April 20, 2018", not "20th April 2018".
        return next((date for date in found[0] if month_first(date) == month_first(match.group())), found[0][0])

    text = PARTIAL_DATE.sub(completed, text)
    return _IN_A_DAY.sub(r"on \1", text)  # "in May 2012" given its day is "on 15 May 2012"


def _complete_surnames(text: str, cited: list[str], question: Question) -> str:
    """A name given by one word in the claim, where the cited passages hold one longer name
    ending in it, and none uses the word alone before the longer name (then "Biden" may be
    another Biden than the "Hunter Biden" named after)."""
    runs = [[_untitled(run.split()) for run in _CAPITALISED_RUN.findall(passage)] for passage in cited]
    for run in _CAPITALISED_RUN.finditer(text):
        name = run.group()
        if " " in name or name.lower() in STOPWORDS or name.lower() in question.tokens:
            continue
        longer = {" ".join(words) for passage in runs for words in passage if len(words) > 1 and words[-1] == name}
        if len(longer) == 1 and not any(_alone_first(passage, name) for passage in runs):
            return text[: run.start()] + longer.pop() + text[run.end() :]
    return text


def _alone_first(runs: list[list[str]], name: str) -> bool:
    for words in runs:
        if words and words[-1] == name:
            return len(words) == 1
    return False


def _untitled(words: list[str]) -> list[str]:
    """The name in a run of capitalised words, without the titles or owner before it."""
    owners = [i for i, word in enumerate(words) if word.endswith(("'s", "’s"))]
    if owners:
        words = words[owners[-1] + 1 :]  # "Texas A&M's Johnny Manziel"
    while words and words[0].lower().strip(".") in _TITLES:
        words = words[1:]
    return words
