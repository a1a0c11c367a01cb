"""Answering with a fake LLM: citations come from the passage a claim was read from, unsupported claims never show."""

import math
from dataclasses import replace

from passages import DIRECTOR, LI, PLAYER, ROLE, SANCTIONS, TEAM, XI, XI_AGAIN

from rag import render
from rag.answer.compose import ABSTENTION, answer
from rag.answer.extract import build_messages
from rag.answer.select import select
from rag.answer.synthesize import weighed_verdict
from rag.models.llm import Generation
from rag.models.providers import SINGLE
from rag.policy import Policy
from rag.question import Question
from rag.types import Claim, Passage

UNGATED = Policy(min_evidence=0.0)  # these passages carry no focus score: no evidence gate


def replies(table):
    return lambda question, passage: table.get(passage, "NONE")


def test_each_claim_cites_the_passage_it_came_from(fake_llm):
    llm = fake_llm(replies({XI.text: "Lee meets Xi Jinping on Monday.", LI.text: "Lee will meet Premier Li Qiang and Zhao Leji."}))
    result = answer(Question.parse("Who does Lee meet?"), [XI, LI], llm, UNGATED)
    assert result.text == "Lee meets Xi Jinping on Monday [1]. Lee will meet Premier Li Qiang and Zhao Leji [2]."
    assert [(c.n, c.passage.span) for c in result.citations] == [(1, "L2"), (2, "L3")]
    assert not result.abstained


def test_claims_read_in_the_order_the_document_tells_them_whatever_their_scores(fake_llm):
    llm = fake_llm(replies({XI.text: "Lee meets Xi Jinping on Monday.", LI.text: "Lee will meet Premier Li Qiang and Zhao Leji."}))
    result = answer(Question.parse("Who does Lee meet?"), [LI, XI], llm, UNGATED)  # the later line scored higher
    assert result.text == "Lee meets Xi Jinping on Monday [2]. Lee will meet Premier Li Qiang and Zhao Leji [1]."


def test_passages_that_do_not_answer_are_not_cited(fake_llm):
    llm = fake_llm(replies({LI.text: "Lee will meet Premier Li Qiang."}))
    result = answer(Question.parse("Who does Lee meet?"), [XI, LI], llm, UNGATED)
    assert [c.n for c in result.citations] == [2]
    assert "[1]" not in result.text


def test_claim_with_a_number_its_passage_lacks_is_dropped(fake_llm):
    llm = fake_llm(replies({SANCTIONS.text: "China sanctioned 10 U.S. defense contractors."}))
    result = answer(Question.parse("How many contractors were sanctioned?"), [SANCTIONS], llm, UNGATED)
    assert result.abstained
    assert result.text == ABSTENTION
    assert result.removed_sentences == ("China sanctioned 10 U.S. defense contractors.",)


def test_invented_fact_with_an_invented_citation_becomes_the_abstention(fake_llm):
    llm = fake_llm(lambda q, p: "The population of Seoul is 9.7 million [3].")
    result = answer(Question.parse("What is the population of Seoul?"), [XI, LI], llm, UNGATED)
    assert result.abstained and result.text == ABSTENTION and result.citations == ()


def test_model_declining_in_its_own_words_counts_as_nothing_found(fake_llm):
    llm = fake_llm(lambda q, p: "The population of Seoul is not mentioned in the sentence.")
    result = answer(Question.parse("What is the population of Seoul?"), [XI], llm, UNGATED)
    assert result.abstained and result.removed_sentences == ()


def test_same_fact_from_two_documents_is_one_claim_with_two_citations(fake_llm):
    llm = fake_llm(replies({XI.text: "Lee meets Chinese President Xi Jinping.", XI_AGAIN.text: "Lee meets Chinese President Xi Jinping."}))
    result = answer(Question.parse("Who does Lee meet?"), [XI, LI, XI_AGAIN], llm, UNGATED)
    assert result.text == "Lee meets Chinese President Xi Jinping [1][3]."
    assert [c.n for c in result.citations] == [1, 3]


def test_citation_numbers_the_model_writes_are_replaced_by_the_real_one(fake_llm):
    llm = fake_llm(replies({LI.text: "Lee will meet Premier Li Qiang [4]."}))
    result = answer(Question.parse("Who does Lee meet?"), [XI, LI], llm, UNGATED)
    assert result.text == "Lee will meet Premier Li Qiang [2]."


def test_no_passages_abstains_without_calling_the_model(fake_llm):
    llm = fake_llm(lambda q, p: "Seoul has 9.7 million people.")
    result = answer(Question.parse("What is the population of Seoul?"), [], llm, UNGATED)
    assert result.abstained and llm.calls == []


def test_prompt_shows_the_question_and_one_passage_after_the_worked_examples():
    messages = build_messages(Question.parse("Who does Lee meet?"), LI)
    assert messages[0]["role"] == "system" and "NONE" in messages[0]["content"]
    assert messages[-1] == {"role": "user", "content": f"Question: Who does Lee meet?\nSentence: {LI.text}"}
    assert [m["role"] for m in messages[1:-1]] == ["user", "assistant"] * ((len(messages) - 2) // 2)
    assert len(messages) > 3


def test_answer_json_has_the_documented_fields(fake_llm):
    llm = fake_llm(replies({LI.text: "Lee will meet Premier Li Qiang."}))
    data = answer(Question.parse("Who does Lee meet?"), [XI, LI], llm, UNGATED).to_json()
    assert {"question", "answer", "citations", "abstained", "timings"} <= set(data)
    assert data["citations"] == [{"n": 2, "source": "seeds/a.txt", "span": "L3", "heading": "", "text": LI.text, "score": 0.0}]


def test_a_reply_that_only_repeats_the_question_is_no_answer(fake_llm):
    llm = fake_llm(lambda q, p: "Lee called Xi.")
    result = answer(Question.parse("What did Lee call Xi?"), [XI, LI], llm, UNGATED)
    assert result.abstained and result.removed_sentences == ()


def scored(passage: Passage, score: float) -> Passage:
    return Passage(passage.id, passage.source, passage.text, passage.line_start, passage.line_end, score)


def test_weak_evidence_abstains_without_asking_the_model(fake_llm):
    llm = fake_llm(lambda q, p: "Seoul has 9.7 million people.")
    result = answer(Question.parse("What is the population of Seoul?"), [scored(XI, 0.3), scored(LI, 0.2)], llm, Policy(min_evidence=0.5))
    assert result.abstained and result.text == ABSTENTION
    assert result.abstention_reason == "weak evidence"
    assert llm.calls == []


def test_strong_evidence_reaches_the_model(fake_llm):
    llm = fake_llm(replies({LI.text: "Lee will meet Premier Li Qiang."}))
    result = answer(Question.parse("Who does Lee meet?"), [scored(XI, 0.9), scored(LI, 0.8)], llm, Policy(min_evidence=0.5))
    assert result.text == "Lee will meet Premier Li Qiang [2]."


def test_without_a_model_the_best_sentences_are_the_answer():
    passages = [scored(SANCTIONS, 0.4), scored(XI, 0.95), scored(LI, 0.9)]
    result = answer(Question.parse("Who does Lee meet?"), passages, None, UNGATED)
    assert result.text == f"{XI.text[:-1]} [2]. {LI.text[:-1]} [3]."
    assert [c.n for c in result.citations] == [2, 3]
    assert result.model == "none (extractive)"


def test_without_a_model_a_sentence_far_behind_the_best_is_left_out():
    result = answer(Question.parse("Who does Lee meet?"), [scored(XI, 0.95), scored(LI, 0.3)], None, UNGATED)
    assert [c.n for c in result.citations] == [1]


def test_a_yes_no_question_is_answered_from_all_passages_in_one_call(fake_llm):
    film = "Was Night Ward directed by Pavel Orsi?"
    llm = fake_llm(lambda q, shown: "Yes, Pavel Orsi directed it [1]." if "[2]" in shown else "NONE")
    result = answer(Question.parse(film), [XI, DIRECTOR], llm, UNGATED)
    assert len(llm.calls) == 1
    assert result.text == "Yes, Pavel Orsi directed it [2]."
    assert [(r.cited, r.now) for r in result.repaired_citations] == [((1,), (2,))]
    assert result.to_json()["repaired_citations"] == [{"sentence": "Yes, Pavel Orsi directed it.", "cited": [1], "now": [2]}]


def test_a_synthesised_answer_no_passage_supports_becomes_the_abstention(fake_llm):
    llm = fake_llm(lambda q, shown: "Yes, it won three Oscars in 1995 [1][2].")
    result = answer(Question.parse("Was Night Ward a success?"), [ROLE, DIRECTOR], llm, UNGATED)
    assert result.abstained and result.abstention_reason == "nothing supported"
    assert result.removed_sentences == ("Yes, it won three Oscars in 1995.",)


def test_an_answer_no_single_sentence_holds_is_sought_over_all_passages_at_once(fake_llm):
    bridge = "In what state is the team Tomas Brenner played for based?"
    chained = "West Arlen: he played for the Dunmore Falcons, based in Dunmore, West Arlen [1][2]."
    llm = fake_llm(lambda q, shown: chained if "[2]" in shown else "NONE")
    result = answer(Question.parse(bridge), [PLAYER, replace(TEAM, link="Dunmore Falcons")], llm, UNGATED)
    assert len(llm.calls) == 3  # one sentence at a time, then both at once
    assert not result.abstained and "West Arlen" in result.text
    assert [c.n for c in result.citations] == [1, 2]


def test_a_town_read_from_one_sentence_gives_way_to_the_country_its_page_names(fake_llm):
    born = Passage("q@1", "wiki/ada-voss.md", "She was born in Tollmere.", 3, 3, heading="Ada Voss")
    town = Passage("t@1", "wiki/tollmere.md", "Tollmere is a mill town in Scotland.", 1, 1, heading="Tollmere", link="Tollmere")
    per_sentence = {born.text: "Tollmere", town.text: "NONE"}
    llm = fake_llm(lambda q, shown: "Scotland [2]." if "[2]" in shown else next(v for k, v in per_sentence.items() if k in shown))
    result = answer(Question.parse("In what country is the town where Ada Voss was born?"), [born, town], llm, UNGATED)
    assert not result.abstained and result.text == "Scotland [2]."
    assert result.removed_sentences == ("Tollmere.",)


def test_without_a_title_link_there_is_no_second_try(fake_llm):
    chained = "West Arlen: he played for the Dunmore Falcons, based in Dunmore, West Arlen [1][2]."
    llm = fake_llm(lambda q, shown: chained if "[2]" in shown else "NONE")
    result = answer(Question.parse("In what state is the team Tomas Brenner played for based?"), [PLAYER, TEAM], llm, UNGATED)
    assert len(llm.calls) == 2 and result.abstained


def test_a_sentence_is_read_under_the_title_naming_its_page_but_not_under_a_headline():
    assert build_messages(Question.parse("Which team did he play for?"), PLAYER)[-1]["content"].endswith(
        "Sentence: Tomas Brenner: He played for the Dunmore Falcons (1951, 1955–1959)."
    )
    headline = "Flood warning ignored: the dam breach at Dunleigh shocks the valley"
    news = Passage("n@1", "news/breach.md", "He said that the river had been rising since the morning.", 9, 9, heading=headline)
    assert build_messages(Question.parse("What did he say?"), news)[-1]["content"].endswith(f"Sentence: {news.text}")


# -- choosing the answer among the claims ------------------------------------------------------

PRIZE_WON = Passage("p@1", "news/prize.txt", "Mina Arden won the 2021 Tarn Prize for her first novel.", 1, 1)
PRIZE_LISTED = Passage("p@2", "news/prize.txt", "Jem Harlow was shortlisted for the 2021 Tarn Prize.", 2, 2)
VIADUCT = Passage("v@1", "rail/lune.txt", "The Lune Viaduct carried the railway over the river from 1859.", 1, 1)
VIADUCT_GUIDE = Passage("v@2", "rail/guide.txt", "The guidebook says the Lune Viaduct opened in 1860.", 4, 4)
LUND_ARRIVES = Passage("l@1", "news/lund.txt", "Foreign Minister Anna Lund arrived in Oslo on Friday for a two-day visit.", 1, 1)
LUND_MEETS = Passage("l@2", "news/lund.txt", "In Oslo, Lund will meet Prime Minister Jonas Dahl.", 2, 2)
LUND_ALSO = Passage("l@3", "news/lund.txt", "Lund is also due to see the trade envoy Sara Vik in Oslo.", 3, 3)


def test_a_question_with_one_answer_gets_the_one_the_model_is_surest_of(fake_llm):
    llm = fake_llm(replies({PRIZE_LISTED.text: ("Jem Harlow won the 2021 Tarn Prize.", 0.3), PRIZE_WON.text: ("Mina Arden", 0.9)}))
    result = answer(Question.parse("Who won the 2021 Tarn Prize?"), [PRIZE_LISTED, PRIZE_WON], llm, UNGATED)
    assert result.text == "Mina Arden [2]."  # a bare name, as the model often writes it
    assert result.conflicts == () and [c.n for c in result.citations] == [2]
    assert "Jem Harlow won the 2021 Tarn Prize." in result.removed_sentences


def test_two_answers_held_nearly_as_surely_are_reported_as_a_conflict(fake_llm, capsys):
    llm = fake_llm(
        replies({VIADUCT.text: ("The Lune Viaduct opened in 1859.", 0.9), VIADUCT_GUIDE.text: ("The Lune Viaduct opened in 1860.", 0.85)})
    )
    result = answer(Question.parse("When did the Lune Viaduct open?"), [VIADUCT, VIADUCT_GUIDE], llm, UNGATED)
    assert result.text == "The Lune Viaduct opened in 1859 [1]."
    assert [(c.text, c.sources) for c in result.conflicts] == [("The Lune Viaduct opened in 1860.", (2,))]
    assert [c.n for c in result.citations] == [1, 2]  # the conflicting passage is among the sources
    assert result.to_json()["conflicts"] == [{"text": "The Lune Viaduct opened in 1860.", "citations": [2], "confidence": 0.85}]
    render.answer(result)
    assert "Passages disagree: [2] says The Lune Viaduct opened in 1860." in capsys.readouterr().out


def test_the_same_answer_from_two_passages_is_one_answer_citing_both(fake_llm):
    guide = replace(VIADUCT_GUIDE, text="The guidebook says the Lune Viaduct opened in May 1859.")
    llm = fake_llm(
        replies({VIADUCT.text: ("The Lune Viaduct opened in 1859.", 0.9), guide.text: ("The Lune Viaduct opened in May 1859.", 0.6)})
    )
    result = answer(Question.parse("When did the Lune Viaduct open?"), [VIADUCT, guide], llm, UNGATED)
    assert result.conflicts == ()
    assert {n for c in result.citations for n in [c.n]} == {1, 2}


def test_two_sentences_giving_the_same_date_are_one_the_more_exact_citing_both(fake_llm):
    trains = replace(VIADUCT_GUIDE, text="Trains first crossed the Lune Viaduct in June 1859.")
    llm = fake_llm(
        replies({VIADUCT.text: ("The Lune Viaduct opened in 1859.", 0.9), trains.text: ("Trains first crossed it in June 1859.", 0.6)})
    )
    result = answer(Question.parse("When did the Lune Viaduct open?"), [VIADUCT, trains], llm, UNGATED)
    assert result.text == "Trains first crossed it in June 1859 [1][2]."
    assert result.conflicts == ()


def test_the_same_person_named_twice_is_one_sentence_the_model_was_surest_of(fake_llm):
    won, named = PRIZE_WON, replace(PRIZE_LISTED, text="The 2021 Tarn Prize went to Mina Arden.")
    llm = fake_llm(replies({won.text: ("Mina Arden won the 2021 Tarn Prize.", 0.5), named.text: ("The prize went to Mina Arden.", 0.9)}))
    result = answer(Question.parse("Who won the 2021 Tarn Prize?"), [won, named], llm, UNGATED)
    assert result.text == "The prize went to Mina Arden [1][2]."


def test_a_question_asking_for_several_things_keeps_every_answer(fake_llm):
    llm = fake_llm(
        replies(
            {
                LUND_MEETS.text: ("Lund will meet Prime Minister Jonas Dahl.", 0.9),
                LUND_ALSO.text: ("Lund will see trade envoy Sara Vik.", 0.5),
            }
        )
    )
    result = answer(Question.parse("Who does Lund meet in Oslo?"), [LUND_MEETS, LUND_ALSO], llm, UNGATED)
    assert result.text == "Lund will meet Prime Minister Jonas Dahl [1]. Lund will see trade envoy Sara Vik [2]."
    assert result.conflicts == ()


def test_a_claim_that_only_restates_the_questions_subject_is_dropped(fake_llm):
    llm = fake_llm(
        replies(
            {
                LUND_ARRIVES.text: ("Lund meets Foreign Minister Anna Lund in Oslo.", 0.9),
                LUND_MEETS.text: ("Lund will meet Prime Minister Jonas Dahl.", 0.9),
            }
        )
    )
    result = answer(Question.parse("Who does Lund meet in Oslo?"), [LUND_ARRIVES, LUND_MEETS], llm, UNGATED)
    assert result.text == "Lund will meet Prime Minister Jonas Dahl [2]."
    assert result.removed_sentences == ("Lund meets Foreign Minister Anna Lund in Oslo.",)


def test_a_question_about_what_the_subject_is_called_may_be_answered_with_its_name(fake_llm):
    llm = fake_llm(replies({LUND_ARRIVES.text: ("Lund is Foreign Minister Anna Lund.", 0.9)}))
    result = answer(Question.parse("What is the full name of Lund?"), [LUND_ARRIVES], llm, UNGATED)
    assert result.text == "Lund is Foreign Minister Anna Lund [1]."


def test_a_claim_the_model_was_unsure_of_is_set_aside_and_none_left_abstains(fake_llm):
    llm = fake_llm(replies({LUND_ARRIVES.text: ("Lund stays in Oslo for two days.", 0.2)}))
    question = Question.parse("How long does Lund stay in Oslo?")
    assert not answer(question, [LUND_ARRIVES], llm, replace(UNGATED, min_confidence=0.1)).abstained
    unsure = answer(question, [LUND_ARRIVES], llm, replace(UNGATED, min_confidence=0.5))
    assert unsure.abstained and unsure.removed_sentences == ("Lund stays in Oslo for two days.",)
    assert unsure.abstention_reason == "nothing answers"


def test_a_capable_model_answers_in_one_cited_prompt_that_is_verified_the_same_way(fake_llm):
    def one_prompt(question, shown):
        assert "[1]" in shown and "[3]" in shown  # every passage, numbered, in one call
        return "Lund will meet Prime Minister Jonas Dahl [2] and the trade envoy Sara Vik [3]. Lund also meets the King [1]."

    llm = fake_llm(one_prompt)
    result = answer(Question.parse("Who does Lund meet in Oslo?"), [LUND_ARRIVES, LUND_MEETS, LUND_ALSO], llm, UNGATED, drafting=SINGLE)
    assert len(llm.calls) == 1
    assert result.text == "Lund will meet Prime Minister Jonas Dahl and the trade envoy Sara Vik [2][3]."
    assert result.removed_sentences == ("Lund also meets the King.",)  # no passage names a king


FROZEN = Passage("f@1", "films/frost.txt", "Frost Hollow is a 2013 animated musical film.", 1, 1)
HARBOUR = Passage("f@2", "films/harbour.txt", "Night Harbour is a 2019 live-action drama film.", 1, 1)


def verdict(text: str, yes: float) -> Generation:
    return Generation(text, 90, 3, 0.1, 0.2, token_logprobs=(math.log(max(yes, 1 - yes)),), first_choices=(("Yes", yes), ("No", 1 - yes)))


def test_a_yes_the_model_barely_prefers_is_a_no_citing_the_same_passages():
    barely = verdict("Yes, both are animated [1][2].", yes=0.55)
    assert weighed_verdict(barely.text, barely, yes_share=0.7) == "No [1][2]."
    assert weighed_verdict(barely.text, barely, yes_share=0.5) == barely.text  # its own pick
    sure = verdict("Yes [1][2].", yes=0.9)
    assert weighed_verdict(sure.text, sure, yes_share=0.7) == sure.text


def test_a_yes_no_answer_follows_the_models_odds_against_the_bar(fake_llm):
    question = Question.parse("Are Frost Hollow and Night Harbour both animated films?")
    llm = fake_llm(lambda q, shown: verdict("Yes [1][2].", yes=0.6))
    assert answer(question, [FROZEN, HARBOUR], llm, replace(UNGATED, yes_share=0.5)).text == "Yes [1][2]."
    assert answer(question, [FROZEN, HARBOUR], llm, replace(UNGATED, yes_share=0.8)).text == "No [1][2]."


def test_a_claim_answering_another_question_is_no_conflict():
    question = Question.parse("When did the Lune Viaduct open?")
    best = Claim("The Lune Viaduct opened in 1859.", (1,), 0.9)
    elsewhere = Claim("Trains to Carlisle ran from March 1862.", (2,), 0.85)
    chosen = select(question, [best, elsewhere])
    assert chosen.kept == (best,) and chosen.conflicts == ()
    assert chosen.set_aside == ("Trains to Carlisle ran from March 1862.",)


FERRY = Passage("f@1", "news/ferry.txt", "The Skerry ferry made its first crossing on March 3, 2016, after two years of delays.", 1, 1)
FERRY_TRIALS = Passage("f@2", "news/ferry.txt", "Sea trials ran on 3 March 2015 and again on 9 March 2015.", 2, 2)
COACH = Passage("c@1", "sport/coach.txt", "Head coach Rolf Amsel signed a new contract with Vardø United.", 1, 1)


def test_a_date_given_without_its_year_gets_the_year_its_passage_writes(fake_llm):
    llm = fake_llm(replies({FERRY.text: "The first crossing was on March 3."}))
    result = answer(Question.parse("When did the Skerry ferry make its first crossing?"), [FERRY], llm, UNGATED)
    assert result.text == "The first crossing was on March 3, 2016 [1]."


def test_a_month_and_year_get_the_day_and_read_as_a_day(fake_llm):
    llm = fake_llm(replies({FERRY.text: "The Skerry ferry first crossed in March 2016."}))
    result = answer(Question.parse("When did the Skerry ferry make its first crossing?"), [FERRY], llm, UNGATED)
    assert result.text == "The Skerry ferry first crossed on March 3, 2016 [1]."


def test_a_partial_date_its_passage_could_complete_two_ways_is_left_as_written(fake_llm):
    llm = fake_llm(replies({FERRY_TRIALS.text: "Sea trials ran in March 2015."}))
    result = answer(Question.parse("When did the Skerry ferry's sea trials run?"), [FERRY_TRIALS], llm, UNGATED)
    assert result.text == "Sea trials ran in March 2015 [1]."


def test_a_surname_answering_who_gets_the_full_name_its_passage_gives_without_the_title(fake_llm):
    llm = fake_llm(replies({COACH.text: "Amsel."}))
    result = answer(Question.parse("Who signed a new contract with Vardø United?"), [COACH], llm, UNGATED)
    assert result.text == "Rolf Amsel [1]."


def test_a_surname_is_completed_only_for_a_who_question(fake_llm):
    llm = fake_llm(replies({COACH.text: "Amsel signed a new contract."}))
    result = answer(Question.parse("What did the head coach of Vardø United sign?"), [COACH], llm, UNGATED)
    assert result.text == "Amsel signed a new contract [1]."


SINGER = Passage("s@1", "wiki/ida-rosk.md", 'She sang in the band "Low Harbour" for nine years.', 2, 2, heading="Ida Rosk")
SINGER_FILM = Passage("s@2", "wiki/grey-tide.md", "The cast of Grey Tide includes Ida Rosk and Per Alm.", 3, 3, heading="Grey Tide")


def test_the_person_a_chained_question_passes_through_is_not_taken_for_its_answer(fake_llm):
    per_sentence = {
        SINGER.text: ('Ida Rosk sang in "Low Harbour" for nine years.', 0.4),
        SINGER_FILM.text: ("Ida Rosk sang in Grey Tide for nine years.", 0.6),
    }
    llm = fake_llm(lambda q, shown: next(reply for text, reply in per_sentence.items() if text in shown))
    question = Question.parse("Grey Tide is a film featuring a singer who sang in what for nine years?")
    result = answer(question, [SINGER, SINGER_FILM], llm, UNGATED)
    assert result.text == 'Ida Rosk sang in "Low Harbour" for nine years [1].'


def test_a_person_every_claim_names_is_the_answer_to_who(fake_llm):
    won = replace(PRIZE_WON, text="Mina Arden won the 2021 Tarn Prize for Glass Rivers.")
    named = replace(PRIZE_LISTED, text="The 2021 Tarn Prize went to Mina Arden.")
    per_sentence = {
        won.text: ("Mina Arden won the 2021 Tarn Prize for Glass Rivers.", 0.5),
        named.text: ("The prize went to Mina Arden.", 0.9),
    }
    llm = fake_llm(replies(per_sentence))
    result = answer(Question.parse("Who won the 2021 Tarn Prize?"), [won, named], llm, UNGATED)
    assert result.text == "The prize went to Mina Arden [1][2]."


def test_a_surname_its_passage_uses_alone_before_a_longer_name_is_left_alone(fake_llm):
    family = Passage("c@2", "sport/coach.txt", "Amsel thanked the board, and his brother Jon Amsel.", 2, 2)
    llm = fake_llm(replies({family.text: "Amsel."}))
    result = answer(Question.parse("Who thanked the board?"), [family], llm, UNGATED)
    assert result.text == "Amsel [1]."


def test_a_completed_date_keeps_the_order_the_claim_wrote_it_in(fake_llm):
    launch = Passage("g@1", "news/launch.txt", "The game launches on 20th April 2018; stores say April 20, 2018.", 1, 1)
    llm = fake_llm(replies({launch.text: "The game launches on April 20th."}))
    result = answer(Question.parse("When does the game launch?"), [launch], llm, UNGATED)
    assert result.text == "The game launches on April 20, 2018 [1]."
