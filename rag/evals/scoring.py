"""Score one answer and one ranking against a gold question. Pure functions: no models, no I/O.

Answer matching follows the convention of the public sets in ../shared/bench: a gold string counts
when it appears in the answer with case, punctuation and articles ignored, and a full date counts in
any order it is written ("8 June 1951" is "June 8, 1951"); yes/no golds are matched on the answer's
first yes or no.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rag.citations import cited_numbers, without_citations
from rag.dates import in_one_order
from rag.evals.dataset import GoldQuestion
from rag.text import split_sentences
from rag.types import Answer

RANK_DEPTH = 10  # documents ranked per question: MRR@10, recall@10, all-gold@10
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_POSSESSIVE = re.compile(r"['’]s\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation + "‘’“”–—…")
_YES_NO = ("yes", "no")


def normalize(text: str) -> str:
    text = in_one_order(unicodedata.normalize("NFKC", text)).lower()
    text = _POSSESSIVE.sub("", text).translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains(answer: str, gold: str) -> bool:
    """Whether the gold string appears in the answer as whole words, both normalised."""
    needle = normalize(gold)
    return bool(needle) and f" {needle} " in f" {normalize(answer)} "


def is_correct(question: GoldQuestion, answer: Answer) -> bool:
    if not question.answerable:
        return answer.abstained
    if answer.abstained:
        return False
    text = without_citations(answer.text)
    if all(normalize(g) in _YES_NO for g in question.answers):
        return _first_yes_no(text) in {normalize(g) for g in question.answers}
    found = [contains(text, gold) for gold in question.answers]
    return all(found) if question.match_all else any(found)


def _first_yes_no(text: str) -> str | None:
    return next((word for word in normalize(text).split() if word in _YES_NO), None)


def claim_precision(question: GoldQuestion, answer: Answer) -> float:
    """The share of the answer's sentences that hold a gold answer: one right claim among three
    candidates is 1/3, however right the answer counts."""
    text = without_citations(answer.text)
    claims = [text[a:b] for a, b in split_sentences(text)]
    if not claims:
        return 0.0
    yes_no = all(normalize(g) in _YES_NO for g in question.answers)
    golds = {normalize(g) for g in question.answers}
    holding = [(_first_yes_no(c) in golds) if yes_no else any(contains(c, g) for g in question.answers) for c in claims]
    return sum(holding) / len(claims)


def token_f1(question: GoldQuestion, answer: Answer) -> float:
    """SQuAD's token F1, best over the gold strings (all of them together under match: all)."""
    if not question.answerable:
        return 1.0 if answer.abstained else 0.0
    if answer.abstained:
        return 0.0
    predicted = normalize(without_citations(answer.text)).split()
    golds = [" ".join(question.answers)] if question.match_all else list(question.answers)
    return max(_f1(predicted, normalize(gold).split()) for gold in golds)


def _f1(predicted: list[str], gold: list[str]) -> float:
    common = sum((Counter(predicted) & Counter(gold)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def is_gold_doc(source: str, gold_docs: tuple[str, ...]) -> bool:
    """Sources are named "<ingested folder>/<path>"; gold docs by their path in the corpus."""
    return any(source == gold or source.endswith("/" + gold) for gold in gold_docs)


def document_name(source: str) -> str:
    return source.split("/", 1)[-1]


@dataclass(frozen=True)
class CitationCheck:
    valid: bool  # the answer cites, and every [n] names a passage that was shown to the model
    supported: tuple[bool, ...]  # per citation of the answer's text: its passage is from a gold doc, or holds a gold answer
    reason: str = ""


def check_citations(question: GoldQuestion, answer: Answer) -> CitationCheck:
    if answer.abstained:
        return CitationCheck(True, ())
    numbers = cited_numbers(answer.text)
    if not numbers:
        return CitationCheck(False, (), "no [n] citation in the answer")
    listed = {c.n for c in answer.citations}
    unknown = sorted({n for n in numbers if n not in listed or not 1 <= n <= len(answer.passages)})
    if unknown:
        return CitationCheck(False, (), f"cites [{', '.join(map(str, unknown))}], not a shown passage")
    supported = tuple(
        is_gold_doc(c.passage.source, question.gold_docs) or any(contains(c.passage.text, g) for g in question.answers)
        for c in answer.cited_by_text
    )
    return CitationCheck(True, supported)


@dataclass(frozen=True)
class RankCheck:
    first_gold_rank: int | None  # 1-based rank of the first gold document, None if not in the top RANK_DEPTH
    gold_ranks: tuple[int, ...]  # ranks of every gold document found

    def hit(self, cutoff: int) -> bool:
        return self.first_gold_rank is not None and self.first_gold_rank <= cutoff

    def recall(self, cutoff: int, gold_count: int) -> float:
        return sum(1 for r in self.gold_ranks if r <= cutoff) / gold_count

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.first_gold_rank if self.first_gold_rank else 0.0


def rank_documents(sources: list[str]) -> list[str]:
    """Ranked passages' sources as distinct documents in rank order, the first RANK_DEPTH of them."""
    ranked: list[str] = []
    for source in sources:
        if source not in ranked:
            ranked.append(source)
    return ranked[:RANK_DEPTH]


def check_ranking(question: GoldQuestion, ranked_sources: list[str]) -> RankCheck:
    ranks = tuple(r for r, s in enumerate(ranked_sources, start=1) if is_gold_doc(s, question.gold_docs))
    return RankCheck(ranks[0] if ranks else None, ranks)
