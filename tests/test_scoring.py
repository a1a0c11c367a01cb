"""The eval scorer on hand-made answers: each case is one a careless scorer would get wrong."""

from __future__ import annotations

import pytest

from rag.answer.compose import ABSTENTION
from rag.evals import runner as evals
from rag.evals import scoring
from rag.evals.dataset import GoldQuestion
from rag.types import Answer, Citation, Passage, Repair

LEE = GoldQuestion(
    id="lee",
    question="Who does Lee meet in Beijing?",
    answers=("Xi Jinping", "Li Qiang", "Zhao Leji"),
    type="people",
    gold_docs=("000_lee.txt",),
    match_all=True,
)
MONDAY = GoldQuestion("day", "When does Lee meet Xi?", ("Monday",), "date", ("000_lee.txt",))
SEOUL = GoldQuestion("seoul", "What is the population of Seoul?", (), "unanswerable", ())

ON_LEE = Passage("a", "seeds/000_lee.txt", "Lee will meet Xi Jinping on Monday.", 3, 3)
ELSEWHERE = Passage("b", "seeds/003_other.txt", "Lee flew on to Shanghai after a meeting.", 7, 7)


def answered(text: str, *cited: int, passages=(ON_LEE, ELSEWHERE)) -> Answer:
    shown = tuple(passages)
    citations = tuple(Citation(n, shown[n - 1]) for n in cited if 1 <= n <= len(shown))
    return Answer("q", text, citations, abstained=False, passages=shown)


def abstained() -> Answer:
    return Answer("q", ABSTENTION, (), abstained=True, passages=(ON_LEE,), abstention_reason="nothing supported")


def result(gold: GoldQuestion, answer: Answer) -> evals.QuestionResult:
    ranked = ("seeds/000_lee.txt",)
    return evals.QuestionResult(
        gold,
        4,
        ranked,
        scoring.check_ranking(gold, list(ranked)),
        0.01,
        answer,
        scoring.is_correct(gold, answer),
        scoring.token_f1(gold, answer),
        scoring.check_citations(gold, answer),
    )


def test_a_right_answer_with_a_wrong_citation_is_correct_but_unsupported_and_fails():
    answer = answered("Lee meets Xi on Monday [2].", 2)
    assert scoring.is_correct(MONDAY, answer)
    check = scoring.check_citations(MONDAY, answer)
    assert check.valid and check.supported == (False,)
    outcome = result(MONDAY, answer)
    assert outcome.passed is False and "[2]" in outcome.reason


def test_a_right_answer_cited_to_its_passage_passes():
    outcome = result(MONDAY, answered("Lee meets Xi on Monday [1].", 1))
    assert outcome.passed is True and outcome.citations.supported == (True,)


def test_a_citation_to_a_passage_never_shown_is_invalid():
    check = scoring.check_citations(MONDAY, answered("Monday [5].", 5))
    assert not check.valid and "[5]" in check.reason


def test_an_answer_without_any_citation_is_not_validly_cited():
    assert not scoring.check_citations(MONDAY, answered("Monday.")).valid


def test_a_cited_passage_holding_the_gold_answer_supports_it_even_outside_the_gold_docs():
    holds_answer = Passage("c", "seeds/009_x.txt", "The meeting is set for Monday.", 1, 1)
    check = scoring.check_citations(MONDAY, answered("Monday [1].", 1, passages=(holds_answer,)))
    assert check.supported == (True,)


def test_an_abstention_on_an_answerable_question_is_wrong_and_says_so():
    outcome = result(MONDAY, abstained())
    assert outcome.correct is False and outcome.f1 == 0.0
    assert outcome.reason == "abstained (nothing supported) on an answerable question"


def test_an_abstention_on_an_unanswerable_question_is_right_and_an_answer_is_wrong():
    assert scoring.is_correct(SEOUL, abstained()) and scoring.token_f1(SEOUL, abstained()) == 1.0
    guess = answered("Seoul has 9.4 million people [1].", 1)
    assert not scoring.is_correct(SEOUL, guess) and scoring.token_f1(SEOUL, guess) == 0.0


def test_match_all_needs_every_name():
    assert not scoring.is_correct(LEE, answered("Lee meets Xi Jinping [1] and Li Qiang [1].", 1))
    assert scoring.is_correct(LEE, answered("Xi Jinping, Li Qiang and Zhao Leji [1].", 1))
    assert "'Zhao Leji'" in result(LEE, answered("Xi Jinping and Li Qiang [1].", 1)).reason


def test_any_one_gold_string_is_enough_by_default():
    gold = GoldQuestion("d", "When did Fort Carrow fall?", ("1143", "March 1143"), "answerable", ())
    assert scoring.is_correct(gold, answered("It fell in 1143 [1].", 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No, the articles disagree [1].", True),
        ("no.", True),
        ("Yes, although there is no proof [1].", False),
        ("It is not clear [1].", False),  # "not" is not the word "no"
    ],
)
def test_yes_no_is_matched_on_the_first_yes_or_no_word(text, expected):
    gold = GoldQuestion("yn", "Do both articles agree?", ("no",), "comparison", ())
    assert scoring.is_correct(gold, answered(text, 1)) is expected


@pytest.mark.parametrize(
    ("gold", "text", "expected"),
    [
        ("Ashgrove Film Studios.", "They were released by ashgrove film studios [1].", True),
        ("the U.S.", "In the US [1].", True),
        ("Xi Jinping", "He met Xi Jinping's deputy [1].", True),
        ("1,000", "About 1000 people came [1].", True),
        ("Lee", "He flew to Leeds [1].", False),  # whole words only
        ("Monday", "Tuesday [1].", False),
        ("3 March 1962", "She was born on March 3rd, 1962 [1].", True),  # one date, another order
        ("March 3, 1962", "She was born on 3 March 1963 [1].", False),
    ],
)
def test_containment_ignores_case_punctuation_and_articles_but_not_word_boundaries(gold, text, expected):
    question = GoldQuestion("p", "?", (gold,), "answerable", ())
    assert scoring.is_correct(question, answered(text, 1)) is expected


def test_token_f1_rewards_short_exact_answers_over_padded_ones():
    exact = scoring.token_f1(MONDAY, answered("Monday [1].", 1))
    padded = scoring.token_f1(MONDAY, answered("Lee meets Xi Jinping in Beijing on Monday [1].", 1))
    assert exact == 1.0
    assert padded == pytest.approx(2 * (1 / 8) * 1 / (1 / 8 + 1))


def test_ranking_metrics_count_documents_not_chunks():
    gold = GoldQuestion("m", "?", ("x",), "comparison", ("a.txt", "c.txt"))
    sources = ["corpus/b.txt", "corpus/b.txt", "corpus/a.txt", "corpus/d.txt", "corpus/c.txt"]
    ranked = scoring.rank_documents(sources)
    assert ranked == ["corpus/b.txt", "corpus/a.txt", "corpus/d.txt", "corpus/c.txt"]
    rank = scoring.check_ranking(gold, ranked)
    assert rank.first_gold_rank == 2 and rank.reciprocal_rank == 0.5
    assert not rank.hit(1) and rank.hit(2)
    assert rank.recall(3, 2) == 0.5 and rank.recall(4, 2) == 1.0


def test_gold_docs_match_whole_file_names_only():
    assert scoring.is_gold_doc("corpus/a.txt", ("a.txt",))
    assert not scoring.is_gold_doc("corpus/data.txt", ("a.txt",))


def test_claim_precision_counts_the_sentences_that_hold_a_gold_answer():
    assert scoring.claim_precision(MONDAY, answered("Monday [1].", 1)) == 1.0
    listed = answered("Lee meets Xi on Monday [1]. He meets Li on Tuesday [1]. Talks end on Friday [2].", 1, 2)
    assert scoring.is_correct(MONDAY, listed) and scoring.claim_precision(MONDAY, listed) == pytest.approx(1 / 3)
    verdict = GoldQuestion("yn", "Do both articles agree?", ("no",), "comparison", ())
    assert scoring.claim_precision(verdict, answered("No, they differ [1]. Yes, on the date [2].", 1, 2)) == 0.5


def test_the_run_reports_what_verification_repaired_and_removed_before_the_answer_was_shown():
    repaired = answered("Lee meets Xi on Monday [1]. He flew on [2].", 1, 2)
    repaired = Answer(
        repaired.question,
        repaired.text,
        repaired.citations,
        False,
        repaired.passages,
        removed_sentences=("Lee met the Pope.",),
        repaired_citations=(Repair("Lee meets Xi on Monday.", (2,), (1,)),),
    )
    result = evals.QuestionResult(
        MONDAY, 4, (), scoring.check_ranking(MONDAY, []), 0.0, repaired, True, 0.5, scoring.check_citations(MONDAY, repaired)
    )
    metrics = evals.aggregate([result], 4)
    assert metrics["citations_repaired"] == 0.5 and metrics["sentences_removed_mean"] == 1.0
    assert metrics["claim_precision"] == 0.5
