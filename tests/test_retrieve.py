from rag.question import Question
from rag.retrieval.hops import with_linked_document
from rag.retrieval.search import collapse_near_duplicates, cover_the_question, fuse_scores
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
    question = "Were Glass Harbour and The Owl Road both animated features?"
    ranked = [
        p("harbour-1", "Glass Harbour is a 2011 animated musical film.", 1.0),
        p("harbour-2", "Glass Harbour was the best-selling animated film of 2011.", 0.98),
        p("harbour-3", "Glass Harbour won two Lantern Awards.", 0.97),
        p("owl", "The Owl Road is a 1979 live-action film about canal horses.", 0.90),
    ]
    assert [x.id for x in cover_the_question(Question.parse(question), ranked)][:2] == ["harbour-1", "owl"]


def test_covering_keeps_the_order_when_every_passage_adds_the_same_words():
    ranked = [p("a", "Lee meets Xi", 0.9), p("b", "Lee meets Xi", 0.8), p("c", "Lee meets Xi", 0.7)]
    assert [x.id for x in cover_the_question(Question.parse("Who does Lee meet?"), ranked)] == ["a", "b", "c"]


def test_templated_articles_on_different_subjects_are_not_taken_for_copies():
    def article(hero: str, day: int, page: int) -> str:
        return (
            f"# The best {hero} loadouts and perks in Glimmerkeep 2\n\nSource: Pixelhaus\nAuthor: Nora Vance\n"
            f"Published: 2024-03-{day}\nURL: https://www.pixelhaus.example/{page}/{hero.lower()}-best-loadout-perks\n\n"
            f"For this Glimmerkeep 2 guide, we have tried and ranked the strongest Glimmerkeep 2 {hero} loadouts for season 2."
        )

    warden, alchemist = article("Warden", 11, 41170233), article("Alchemist", 12, 41172806)
    assert [x.id for x in collapse_near_duplicates([p("w", warden), p("a", alchemist)], k=2)] == ["w", "a"]


def test_the_linked_passage_adding_most_question_words_goes_second_and_scores_keep_falling():
    question = "How many residents did the town where Marta Quell was born have in 2016?"
    ranked = [p("quell", "Marta Quell was born in Harrow Vale.", 0.9), p("walk", "Marta Quell won a race.", 0.7), p("other", "x", 0.5)]
    town = p("town", "Harrow Vale had 7,245 residents in 2016.", 0.1)
    coast = p("coast", "Harrow Vale lies near the coast.", 0.1)
    got = with_linked_document(Question.parse(question), ranked, 3, lambda first: [coast, town])
    assert [x.id for x in got] == ["quell", "town", "walk"]
    assert [x.score for x in got] == sorted((x.score for x in got), reverse=True)


def test_without_linked_documents_the_ranking_stands():
    ranked = [p("a", score=0.9), p("b", score=0.8)]
    assert with_linked_document(Question.parse("Who?"), ranked, 2, lambda first: []) == ranked
