"""Run a dataset's questions through the pipeline, score them, aggregate, gate on thresholds, report.

Retrieval is scored at document level from a deep ranking (RANK_DEPTH documents), and answers
through `Rag.ask`, the same path the CLI and the REPL use.
"""

from __future__ import annotations

import hashlib
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag.evals import baselines, scoring
from rag.evals.dataset import FOLDS, GoldQuestion
from rag.evals.scoring import RANK_DEPTH, CitationCheck, RankCheck
from rag.evals.thresholds import LOWER_IS_BETTER
from rag.pipeline import Rag, Sources
from rag.question import Question
from rag.text import split_sentences
from rag.types import Answer

# Passages ranked per question for the document ranking; enough to reach RANK_DEPTH documents
# when a document has several chunks among the best.
RANKING_PASSAGES = 4 * RANK_DEPTH


@dataclass(frozen=True)
class QuestionResult:
    gold: GoldQuestion
    k: int
    ranked_sources: tuple[str, ...]
    rank: RankCheck
    retrieve_s: float
    answer: Answer | None = None  # None in --retrieval-only runs
    correct: bool | None = None
    f1: float | None = None
    citations: CitationCheck | None = None
    baselines: dict[str, Answer] = field(default_factory=dict)  # the trivial answers, by baseline name

    @property
    def scored_retrieval(self) -> bool:
        return bool(self.gold.gold_docs)

    @property
    def passed(self) -> bool | None:
        if self.answer is None:
            return self.rank.hit(self.k) if self.scored_retrieval else None
        if not self.correct:
            return False
        return self.answer.abstained or (self.citations.valid and all(self.citations.supported))

    @property
    def reason(self) -> str:
        return _answer_reason(self) if self.answer is not None else _rank_reason(self)

    def _support_per_citation(self) -> list[bool | None]:
        """None where support was not judged (the citations were invalid)."""
        judged = list(self.citations.supported)
        return judged + [None] * (len(self.answer.cited_by_text) - len(judged))

    def to_json(self) -> dict:
        item = {
            "id": self.gold.id,
            "question": self.gold.question,
            "type": self.gold.type,
            "gold_answers": list(self.gold.answers),
            "match": "all" if self.gold.match_all else "any",
            "gold_docs": list(self.gold.gold_docs),
            "retrieved_docs": [scoring.document_name(s) for s in self.ranked_sources],
            "first_gold_rank": self.rank.first_gold_rank,
            "retrieve_ms": round(self.retrieve_s * 1000, 2),
            "passed": self.passed,
            "reason": self.reason,
        }
        if self.answer is not None:
            item.update(
                answer=self.answer.text,
                abstained=self.answer.abstained,
                correct=self.correct,
                token_f1=round(self.f1, 4),
                citations=[
                    {"n": c.n, "source": c.passage.source, "span": c.passage.span, "text": c.passage.text, "supports": ok}
                    for c, ok in zip(self.answer.cited_by_text, self._support_per_citation())
                ],
                citations_valid=self.citations.valid,
                abstention_reason=self.answer.abstention_reason,
                confidence=self.answer.to_json()["confidence"],
                conflicts=[c.to_json() for c in self.answer.conflicts],
                removed_sentences=list(self.answer.removed_sentences),
                repaired_citations=[r.to_json() for r in self.answer.repaired_citations],
                latency_s=round(self.answer.timings.get("total", 0.0), 3),
                usage=self.answer.usage,
            )
        return item


def _rank_reason(result: QuestionResult) -> str:
    if not result.scored_retrieval:
        return "no gold documents: retrieval not scored"
    if result.rank.first_gold_rank is None:
        return f"no gold document in the top {RANK_DEPTH}"
    where = "within" if result.rank.hit(result.k) else "outside"
    return f"first gold document at rank {result.rank.first_gold_rank}, {where} the top {result.k}"


def _answer_reason(result: QuestionResult) -> str:
    gold, answer = result.gold, result.answer
    if not gold.answerable:
        return "abstained, as it should" if answer.abstained else "answered, but the documents do not say"
    if answer.abstained:
        missed = "" if result.rank.hit(RANK_DEPTH) else f" (no gold document in the top {RANK_DEPTH})"
        return f"abstained ({answer.abstention_reason}) on an answerable question" + missed
    if not result.correct:
        if gold.match_all:
            missing = [g for g in gold.answers if not scoring.contains(answer.text, g)]
            return "missing " + ", ".join(repr(g) for g in missing)
        return "no gold answer in it (expected " + " or ".join(repr(g) for g in gold.answers) + ")"
    if not result.citations.valid:
        return "right answer, but " + result.citations.reason
    unsupported = [c.n for c, ok in zip(answer.cited_by_text, result.citations.supported) if not ok]
    if unsupported:
        cites = ", ".join(f"[{n}]" for n in unsupported)
        return f"right answer, but {cites} neither comes from a gold document nor holds a gold answer"
    return "right answer, cited to a supporting passage"


OnQuestion = Callable[[QuestionResult], None]


def run(
    rag: Rag,
    questions: tuple[GoldQuestion, ...],
    k: int,
    retrieval_only: bool,
    on_question: OnQuestion | None = None,
    sources: Sources = (),
) -> list[QuestionResult]:
    """`sources`: globs of the only documents searched (`rag eval --source`)."""
    results = []
    for gold in questions:
        result = evaluate_question(rag, gold, k, retrieval_only, sources)
        results.append(result)
        if on_question:
            on_question(result)
    return results


def evaluate_question(rag: Rag, gold: GoldQuestion, k: int, retrieval_only: bool, sources: Sources = ()) -> QuestionResult:
    question = Question.parse(gold.question)  # once, for the ranking, the answer and the baselines
    started = time.perf_counter()
    passages = rag.retrieve(question, RANKING_PASSAGES, sources)
    retrieve_s = time.perf_counter() - started
    ranked = tuple(scoring.rank_documents([p.source for p in passages]))
    result = QuestionResult(gold, k, ranked, scoring.check_ranking(gold, list(ranked)), retrieve_s)
    if retrieval_only:
        return result
    answer = rag.ask(question, k, sources=sources)
    return replace(_scored(result, answer), baselines=baselines.answers(question, answer, rag.settings.policy))


def _scored(result: QuestionResult, answer: Answer) -> QuestionResult:
    gold = result.gold
    return replace(
        result,
        answer=answer,
        correct=scoring.is_correct(gold, answer),
        f1=scoring.token_f1(gold, answer),
        citations=scoring.check_citations(gold, answer),
    )


# -- aggregation ------------------------------------------------------------------------------


def aggregate(results: list[QuestionResult], k: int) -> dict[str, float]:
    """Every metric the results allow; a metric with no question to measure it on is left out."""
    metrics: dict[str, float] = {"questions": len(results)}
    metrics.update(_retrieval_metrics([r for r in results if r.scored_retrieval], k))
    if results:
        metrics["retrieval_p50_ms"] = statistics.median(r.retrieve_s for r in results) * 1000
    answered = [r for r in results if r.answer is not None]
    if answered:
        metrics.update(_answer_metrics(answered))
    return {name: round(value, 4) for name, value in metrics.items()}


def by_type(results: list[QuestionResult], k: int) -> dict[str, dict[str, float]]:
    types = sorted({r.gold.type for r in results})
    return {t: aggregate([r for r in results if r.gold.type == t], k) for t in types}


def baseline_metrics(results: list[QuestionResult]) -> dict[str, dict[str, float]]:
    """Each trivial baseline's answer metrics on the run's questions (none under --retrieval-only)."""
    answered = [r for r in results if r.baselines]
    if not answered:
        return {}
    table = {}
    for name in baselines.NAMES:
        metrics = _answer_metrics([_scored(r, r.baselines[name]) for r in answered])
        table[name] = {m: round(metrics[m], 4) for m in baselines.COMPARED if m in metrics}
    return table


def margins(metrics: dict[str, float], trivial: dict[str, dict[str, float]]) -> dict[str, float]:
    """How far the run is ahead of the best trivial baseline on each metric: > 0 is ahead, for
    metrics where lower is better too."""
    result = {}
    for name in baselines.COMPARED:
        values = [t[name] for t in trivial.values() if name in t]
        if name in metrics and values:
            lower = LOWER_IS_BETTER.search(name)
            result[name] = round(min(values) - metrics[name] if lower else metrics[name] - max(values), 4)
    return result


def _retrieval_metrics(scored: list[QuestionResult], k: int) -> dict[str, float]:
    if not scored:
        return {}
    metrics = {f"hit@{c}": _mean(r.rank.hit(c) for r in scored) for c in sorted({1, k, 5, RANK_DEPTH})}
    for cutoff in sorted({k, RANK_DEPTH}):
        metrics[f"recall@{cutoff}"] = _mean(r.rank.recall(cutoff, len(r.gold.gold_docs)) for r in scored)
    metrics[f"mrr@{RANK_DEPTH}"] = _mean(r.rank.reciprocal_rank for r in scored)
    several = [r for r in scored if len(set(r.gold.gold_docs)) > 1]
    if several:
        metrics[f"all_gold@{RANK_DEPTH}"] = _mean(r.rank.recall(RANK_DEPTH, len(r.gold.gold_docs)) == 1 for r in several)
    return metrics


def _answer_metrics(results: list[QuestionResult]) -> dict[str, float]:
    answerable = [r for r in results if r.gold.answerable]
    unanswerable = [r for r in results if not r.gold.answerable]
    cited = [r for r in answerable if not r.answer.abstained]
    latencies = sorted(r.answer.timings.get("total", 0.0) for r in results)
    metrics = {"accuracy": _mean(r.correct for r in results)}
    if answerable:
        metrics["answer_correct"] = _mean(r.correct for r in answerable)
        metrics["token_f1"] = _mean(r.f1 for r in answerable)
        metrics["false_refusal"] = _mean(r.answer.abstained for r in answerable)
    if unanswerable:
        metrics["abstention_correct"] = _mean(r.answer.abstained for r in unanswerable)
    if answerable and unanswerable:
        # Youden's J of the choice to abstain: 0 for always abstaining, never abstaining, or
        # abstaining at random, so unlike either share alone no trivial policy scores above 0.
        metrics["abstention_skill"] = metrics["abstention_correct"] - metrics["false_refusal"]
    right = [r for r in cited if r.correct]
    if right:
        metrics["claim_precision"] = _mean(scoring.claim_precision(r.gold, r.answer) for r in right)
    spoken = [r for r in results if not r.answer.abstained]
    if spoken:
        # Before verification: how often the model's own [n] needed changing, and what it said that no passage held.
        metrics["citations_repaired"] = _mean(len(r.answer.repaired_citations) / _sentences(r.answer) for r in spoken)
    metrics["sentences_removed_mean"] = _mean(len(r.answer.removed_sentences) for r in results)
    if cited:
        metrics["citation_validity"] = _mean(r.citations.valid for r in cited)
        metrics["citation_support"] = _mean(_mean(r.citations.supported) if r.citations.supported else 0.0 for r in cited)
    metrics["latency_p50_s"] = statistics.median(latencies)
    metrics["latency_p95_s"] = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)]
    metrics["prompt_tokens_mean"] = _mean(r.answer.usage.get("prompt_tokens", 0) for r in results)
    metrics["completion_tokens_mean"] = _mean(r.answer.usage.get("completion_tokens", 0) for r in results)
    return metrics


def _sentences(answer: Answer) -> int:
    return max(1, len(split_sentences(answer.text)))


def _mean(values) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else 0.0


# -- the report -------------------------------------------------------------------------------


def index_dir_for(corpus: Path, base: Path) -> Path:
    """A benchmark corpus gets its own index, one per corpus folder, reused while its files match."""
    digest = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:10]
    return base / "eval-indexes" / f"{corpus.resolve().parent.name}-{digest}"


def by_fold(results: list[QuestionResult], k: int) -> dict[str, dict[str, float]]:
    """Each fold's metrics, and `gap`: check minus tune, per metric both measured. A gap well
    below zero says what tuning bought did not carry over to unseen questions."""
    folds = {f: aggregate([r for r in results if r.gold.fold == f], k) for f in FOLDS}
    if not all(folds[f]["questions"] for f in FOLDS):
        return {}
    tune, check = folds["tune"], folds["check"]
    gap = {name: round(check[name] - tune[name], 4) for name in tune if name in check and name != "questions"}
    return {**folds, "gap": gap}
