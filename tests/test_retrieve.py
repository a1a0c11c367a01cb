from rag.retrieve import collapse_near_duplicates, cover_the_question, fuse_scores
from rag.types import Passage


def p(pid: str, text: str = "", score: float = 1.0) -> Passage:
    return Passage(pid, "doc.txt", text or f"text of {pid}", 1, 1, score)


def test_a_passage_both_retrievers_rate_well_beats_one_only_one_ranked_first():
    fused = fuse_scores([p("a", score=0.62), p("b", score=0.60)], [p("c", score=9.0), p("b", score=8.5)])
    assert [x.id for x in fused][0] == "b"
    assert {x.id for x in fused} == {"a", "b", "c"}


def test_a_clear_keyword_winner_keeps_its_lead_over_a_vector_near_tie():
    """Rank fusion would put "a" (1st by vector, 2nd by BM25) first; its BM25 score is a third of "k"'s."""
    by_vector = [p("a", score=0.61), p("k", score=0.60)]
    by_keyword = [p("k", score=12.0), p("a", score=4.0)]
    assert [x.id for x in fuse_scores(by_vector, by_keyword)] == ["k", "a"]


def test_near_duplicates_do_not_crowd_out_distinct_evidence():
    same = "Lee will meet Premier Li Qiang and Zhao Leji in Beijing on Monday"
    ranked = [p("a", same), p("b", same + " next week"), p("c", "China sanctioned 20 U.S. defense contractors")]
    assert [x.id for x in collapse_near_duplicates(ranked, k=2)] == ["a", "c"]


def test_a_question_about_two_things_gets_a_passage_on_each_near_the_top():
    question = "Were Frozen and Escape from the Dark both animated features?"
    ranked = [
        p("frozen-1", "Frozen is a 2013 animated musical film.", 1.0),
        p("frozen-2", "Frozen was the highest-grossing animated film of 2013.", 0.98),
        p("frozen-3", "Frozen won two Academy Awards.", 0.97),
        p("escape", "Escape from the Dark is a 1976 live-action film about pit ponies.", 0.90),
    ]
    assert [x.id for x in cover_the_question(question, ranked)][:2] == ["frozen-1", "escape"]


def test_covering_keeps_the_order_when_every_passage_adds_the_same_words():
    ranked = [p("a", "Lee meets Xi", 0.9), p("b", "Lee meets Xi", 0.8), p("c", "Lee meets Xi", 0.7)]
    assert [x.id for x in cover_the_question("Who does Lee meet?", ranked)] == ["a", "b", "c"]
