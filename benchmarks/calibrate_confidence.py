"""Set `min_confidence` and `yes_share` from the tune folds: how sure the model must be of a
claim before it is an answer, and how much of its yes-or-no weight it must put on yes for a Yes.

Runs each set's tune-fold sample through `rag` once (full mode, the embedded models), keeping
the verified claims, with the model's confidence, that reach the selection step, and the
first-token weight on yes of each yes/no verdict. Then replays the selection under each
candidate value (rag/answer/select.py, unchanged) and scores what it would answer: answerable
questions answered right, unanswerable ones refused, and the share of answer sentences that hold
a gold answer; and scores the verdicts each `yes_share` would give. Judge the chosen values on the check folds with
`rag eval SET --fold check`.

    python benchmarks/calibrate_confidence.py [--bench ../shared/bench] [--sample 25] [--fold tune]
    python benchmarks/calibrate_confidence.py --verdicts --sample 1000   # every yes/no question of the fold, yes_share only
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from pathlib import Path

from rag.answer import compose, extract, synthesize
from rag.answer import select as selection
from rag.citations import cite
from rag.config import load_settings
from rag.evals import runner as evals
from rag.evals import scoring
from rag.evals.dataset import GoldQuestion, load
from rag.evals.dataset import select as pick_questions
from rag.models.llm import Draft, Generation
from rag.pipeline import Rag
from rag.policy import Policy
from rag.question import Question
from rag.types import Answer, Claim

REPO = Path(__file__).resolve().parents[1]
SETS = ("rgb", "multihop_rag_factsonly", "squad2_sample500", "hotpotqa_distractor100")
MIN_CONFIDENCE = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7]
# Ways to read a reply's token probabilities as one confidence, from (chance it did not decline
# at the first token, its least likely token's log-probability, the mean log-probability).
MEASURES = {
    "not declined × weakest token (rag's)": lambda kept, weakest, mean: kept * math.exp(weakest),
    "not declined": lambda kept, weakest, mean: kept,
    "not declined × mean token": lambda kept, weakest, mean: kept * math.exp(mean),
}
YES_SHARE = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
Seen = tuple[GoldQuestion, Question, list[Claim], Answer]
Verdict = tuple[str, float]  # the gold verdict, the model's weight on yes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    parser.add_argument("--sample", type=int, default=25)
    parser.add_argument("--fold", default="tune")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--verdicts", action="store_true", help="ask only the yes/no questions; set yes_share alone")
    args = parser.parse_args()
    runs = {name: _run(args.bench / name, args.sample, args.fold, args.verdicts) for name in args.sets.split(",")}
    seen = {name: items for name, (items, _) in runs.items()}
    verdicts = {name: found for name, (_, found) in runs.items() if found}
    for measure, formula in {} if args.verdicts else MEASURES.items():
        print(f"Fold {args.fold}, confidence = {measure}: answerable right / unanswerable refused / claim precision\n")
        print("| min_confidence | " + " | ".join(seen) + " | mean |")
        print("|---:|" + "---|" * (len(seen) + 1))
        for threshold in MIN_CONFIDENCE:
            policy = replace(load_settings().policy, min_confidence=threshold)
            scores = [_score(_measured(items, formula), policy) for items in seen.values()]
            mean = [_mean([s[i] for s in scores]) for i in range(3)]
            cells = [" / ".join(f"{v:.2f}" for v in s) for s in scores + [tuple(mean)]]
            print(f"| {threshold:.2f} | " + " | ".join(cells) + " |")
        print()
    golds = [gold for found in verdicts.values() for gold, _ in found]
    print(f"\nFold {args.fold}: yes/no verdicts right (and how many), per yes_share; {golds.count('yes')} of {len(golds)} golds are yes\n")
    print("| yes_share | " + " | ".join(verdicts) + " | all |")
    print("|---:|" + "---|" * (len(verdicts) + 1))
    everything = [v for found in verdicts.values() for v in found]
    for share in YES_SHARE:
        cells = [f"{_verdicts_right(found, share):.2f} ({len(found)})" for found in [*verdicts.values(), everything]]
        print(f"| {share:.2f} | " + " | ".join(cells) + " |")


def _measured(items: list[Seen], formula) -> list[Seen]:
    """The claims under another confidence measure, from the probabilities recorded for them."""
    return [(gold, question, [_remeasured(claim, formula) for claim in claims], answer) for gold, question, claims, answer in items]


def _remeasured(claim: Claim, formula) -> Claim:
    readings = COMPONENTS.get(_key(claim.text))
    return replace(claim, confidence=max(formula(*r) for r in readings)) if readings else claim


def _key(sentence: str) -> str:
    return " ".join(sentence.split()).rstrip(".!?")


COMPONENTS: dict[str, list[tuple[float, float, float]]] = {}
_last: list[tuple[float, float, float]] = []


def _recording_confidence(generation: Generation) -> float | None:
    sure = CONFIDENCE(generation)
    if sure is not None:
        logprobs = generation.token_logprobs
        _last[:] = [(extract.not_declined(generation), min(logprobs), sum(logprobs) / len(logprobs))]
    return sure


def _recording_note(draft: Draft, sentence: str, sure: float) -> None:
    COMPONENTS.setdefault(_key(sentence), []).extend(_last)
    NOTE(draft, sentence, sure)


CONFIDENCE, NOTE = extract.confidence, Draft.note_confidence
extract.confidence, Draft.note_confidence = _recording_confidence, _recording_note


def _verdicts_right(found: list[Verdict], share: float) -> float:
    return _mean([("yes" if weight >= share else "no") == gold for gold, weight in found])


def _run(folder: Path, sample: int, fold: str, verdicts_only: bool = False) -> tuple[list[Seen], list[Verdict]]:
    """Each question with the claims selection was given, and each yes/no verdict's weight on
    yes, recorded as `rag` answers it."""
    dataset = load(folder)
    if verdicts_only:
        dataset = replace(dataset, questions=tuple(q for q in dataset.questions if _gold_verdict(q)))
    settings = load_settings()
    settings = replace(
        settings, index_dir=evals.index_dir_for(dataset.corpus, settings.cache_dir), policy=replace(settings.policy, min_confidence=0.0)
    )
    rag = Rag(settings)
    rag.ingest([dataset.corpus])
    given: list[tuple[Question, list[Claim]]] = []
    original = selection.select

    def recording(question: Question, claims: list[Claim], policy: Policy = settings.policy) -> selection.Selection:
        given.append((question, list(claims)))
        return original(question, claims, policy)

    weights: list[float | None] = []
    weighing = synthesize.yes_weight

    def recording_weight(generation: Generation) -> float | None:
        weights.append(weighing(generation))
        return weights[-1]

    compose.select, synthesize.yes_weight = recording, recording_weight
    seen, verdicts = [], []
    try:
        for gold in pick_questions(dataset.questions, None, sample, 0, fold):
            given.clear()
            weights.clear()
            answer = rag.ask(gold.question)
            question, claims = given[0] if given else (Question.parse(gold.question), [])
            seen.append((gold, question, claims, answer))
            verdict = _gold_verdict(gold)
            if weights and weights[-1] is not None and verdict:
                verdicts.append((verdict, weights[-1]))
    finally:
        compose.select, synthesize.yes_weight = original, weighing
    return seen, verdicts


def _gold_verdict(gold: GoldQuestion) -> str:
    """'yes' or 'no' for a yes/no question, else ''."""
    verdict = scoring.normalize(gold.answers[0]) if gold.answers else ""
    return verdict if verdict in ("yes", "no") else ""


def _score(items: list[Seen], policy: Policy) -> tuple[float, float, float]:
    right, refused, precision = [], [], []
    for gold, question, claims, answer in items:
        chosen = selection.select(question, claims, policy).kept
        text = " ".join(cite(c.text, c.sources) for c in chosen)
        replayed = replace(answer, text=text or compose.ABSTENTION, abstained=not text)
        correct = scoring.is_correct(gold, replayed)
        (right if gold.answerable else refused).append(correct)
        if gold.answerable and correct:
            precision.append(scoring.claim_precision(gold, replayed))
    return _mean(right), _mean(refused), _mean(precision)


def _mean(values: list) -> float:
    known = [float(v) for v in values if v == v]  # nan: the set has no such question
    return sum(known) / len(known) if known else float("nan")


if __name__ == "__main__":
    main()
