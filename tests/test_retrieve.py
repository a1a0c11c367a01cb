from rag.retrieve import collapse_near_duplicates, reciprocal_rank_fusion
from rag.types import Passage


def p(pid: str, text: str = "") -> Passage:
    return Passage(pid, "doc.txt", text or f"text of {pid}", 1, 1)


def test_a_passage_both_retrievers_found_beats_one_only_one_ranked_first():
    fused = reciprocal_rank_fusion([[p("a"), p("b")], [p("c"), p("b")]])
    assert [x.id for x in fused][0] == "b"
    assert {x.id for x in fused} == {"a", "b", "c"}


def test_near_duplicates_do_not_crowd_out_distinct_evidence():
    same = "Lee will meet Premier Li Qiang and Zhao Leji in Beijing on Monday"
    ranked = [p("a", same), p("b", same + " next week"), p("c", "China sanctioned 20 U.S. defense contractors")]
    assert [x.id for x in collapse_near_duplicates(ranked, k=2)] == ["a", "c"]
