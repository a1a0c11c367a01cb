"""Verification of the citations a model writes: wrong numbers repaired, unsupported sentences dropped."""

from dataclasses import replace

from passages import DIRECTOR, LI, OFFICES, ROLE, SANCTIONS, XI, XI_AGAIN

from rag.answer.verify import verify
from rag.policy import DEFAULT
from rag.question import Question
from rag.types import Passage, Repair

FILM_QUESTION = "Who directed the film in which Mara Quinn played a nurse?"


def test_a_supported_sentence_keeps_its_citation():
    checked = verify(Question.parse("Who does Lee meet?"), "Lee will meet Premier Li Qiang [2].", [XI, LI])
    assert checked.sentences == (("Lee will meet Premier Li Qiang.", (2,)),)
    assert checked.repaired == () and checked.removed == ()


def test_a_wrong_citation_is_repaired_to_the_passage_that_says_it():
    checked = verify(Question.parse("Who does Lee meet?"), "Lee will meet Premier Li Qiang [1].", [XI, LI])
    assert checked.sentences == (("Lee will meet Premier Li Qiang.", (2,)),)
    assert checked.repaired == (Repair("Lee will meet Premier Li Qiang.", (1,), (2,)),)


def test_a_citation_to_a_passage_that_was_not_shown_is_repaired():
    checked = verify(Question.parse("Who does Lee meet?"), "Lee will meet Premier Li Qiang [7].", [XI, LI])
    assert checked.sentences[0][1] == (2,)


def test_a_cited_passage_that_shares_only_the_questions_words_is_not_kept_as_a_source():
    checked = verify(Question.parse("Who does Lee meet in Beijing?"), "Lee meets Xi Jinping [1][2][3].", [XI, LI, XI_AGAIN])
    assert checked.sentences == (("Lee meets Xi Jinping.", (1, 3)),)


def test_an_invented_number_with_a_real_citation_is_dropped():
    checked = verify(
        Question.parse("How many contractors were sanctioned?"), "China sanctioned 10 U.S. defense contractors [1].", [SANCTIONS]
    )
    assert checked.sentences == ()
    assert checked.removed == ("China sanctioned 10 U.S. defense contractors.",)


def test_a_number_written_as_a_word_is_checked_as_a_number():
    stay = Passage("t@1", "news/trip.txt", "Mina Arden landed in Quito on Friday for a five-day stay.", 1, 1)
    question = Question.parse("How long is Arden's stay in Quito?")
    wrong = verify(question, "Arden's stay in Quito is three days long [1].", [stay])
    assert wrong.sentences == () and wrong.removed == ("Arden's stay in Quito is three days long.",)
    right = verify(question, "Arden's stay in Quito lasts 5 days [1].", [stay])
    assert right.sentences == (("Arden's stay in Quito lasts 5 days.", (1,)),)


def test_an_invented_fact_citing_a_real_passage_is_dropped_and_the_rest_kept():
    text = "Lee will meet Premier Li Qiang [2]. Seoul has a population of nearly ten million [1]."
    checked = verify(Question.parse("Who does Lee meet?"), text, [XI, LI])
    assert [s for s, _ in checked.sentences] == ["Lee will meet Premier Li Qiang."]
    assert checked.removed == ("Seoul has a population of nearly ten million.",)


def test_an_answer_split_across_two_passages_cites_both():
    checked = verify(Question.parse("Who does Lee meet?"), "Lee meets Xi Jinping and Li Qiang [1][2].", [XI, LI])
    assert checked.sentences == (("Lee meets Xi Jinping and Li Qiang.", (1, 2)),)
    assert checked.repaired == ()


def test_an_answer_needing_two_passages_but_citing_one_gets_the_other():
    checked = verify(Question.parse("Who does Lee meet?"), "Lee meets Xi Jinping and Li Qiang [1].", [XI, LI])
    assert checked.sentences[0][1] == (1, 2)


def test_a_chained_answer_keeps_the_cited_first_hop_and_gains_the_second():
    answer = 'Pavel Orsi directed "Night Ward", in which Mara Quinn played a nurse [1].'
    checked = verify(Question.parse(FILM_QUESTION), answer, [ROLE, DIRECTOR])
    assert checked.sentences[0][1] == (1, 2)


def test_a_sentence_that_only_restates_the_question_is_dropped():
    checked = verify(Question.parse("Who does Lee meet in Beijing?"), "Lee meets people in Beijing [1].", [XI, LI])
    assert checked.removed == ("Lee meets people in Beijing.",)


def test_a_yes_no_verdict_stands_on_passages_about_what_was_asked():
    question = "Was Night Ward directed by Pavel Orsi?"
    checked = verify(Question.parse(question), "Yes [1].", [XI, DIRECTOR])
    assert checked.sentences == (("Yes.", (2,)),)


def test_a_verdict_with_nothing_about_the_question_behind_it_is_dropped():
    checked = verify(Question.parse("Was Night Ward directed by Pavel Orsi?"), "No [1].", [XI, LI])
    assert checked.sentences == () and checked.removed == ("No.",)


def test_a_verdict_keeps_standing_when_its_paraphrase_of_the_question_does_not():
    question = "Was Night Ward directed by Pavel Orsi?"
    checked = verify(Question.parse(question), "Yes, the drama shows Orsi's signature directing style [2].", [ROLE, DIRECTOR])
    assert checked.sentences == (("Yes.", (2,)),)
    assert checked.removed == ("Yes, the drama shows Orsi's signature directing style.",)


def test_a_verdict_falls_with_a_number_it_invents():
    checked = verify(Question.parse("Was Night Ward a success?"), "Yes, it won three Oscars in 1995 [1].", [ROLE, DIRECTOR])
    assert checked.sentences == ()


def test_a_claim_saying_met_where_its_passage_says_meet_is_supported():
    previous = Passage("a@11", "seeds/a.txt", "Lee raised the issue during his previous meeting with Xi in November.", 11, 11)
    checked = verify(Question.parse("When did Lee previously meet Xi?"), "Lee previously met Xi in November [1].", [previous])
    assert checked.sentences == (("Lee previously met Xi in November.", (1,)),)


def test_a_sentence_supports_what_its_page_title_says_it_is_about():
    question = "Which charity has offices in Port Anselm?"
    assert verify(Question.parse(question), "The Wrenfield Trust [1].", [OFFICES]).sentences == (("The Wrenfield Trust.", (1,)),)
    untitled = replace(OFFICES, heading="")
    assert verify(Question.parse(question), "The Wrenfield Trust [1].", [untitled]).sentences == ()


def test_a_name_no_passage_holds_is_invented_even_among_words_that_are_held():
    born = Passage("q@1", "wiki/marta-quell.md", "She was born in Harrow Vale and grew up by the sea.", 3, 3, heading="Marta Quell")
    town = Passage("h@1", "wiki/harrow-vale.md", "It lies in Wales, on the river Teme.", 3, 3, heading="Harrow Vale")
    question = "In what country is the town where Marta Quell was born?"
    assert verify(Question.parse(question), "Harrow Vale is in England [1].", [born, town]).sentences == ()
    assert verify(Question.parse(question), "Harrow Vale is in Wales [1].", [born, town]).sentences == (
        ("Harrow Vale is in Wales.", (1, 2)),
    )


def test_the_town_a_chain_passes_through_is_no_answer_to_in_what_country():
    born = Passage("q@1", "wiki/ada-voss.md", "She was born in Tollmere.", 3, 3, heading="Ada Voss")
    town = Passage("t@1", "wiki/tollmere.md", "Tollmere is a mill town in Scotland.", 1, 1, heading="Tollmere")
    question = "In what country is the town where Ada Voss was born?"
    assert verify(Question.parse(question), "Tollmere [1].", [born, town]).sentences == ()
    assert verify(Question.parse(question), "Scotland [2].", [born, town]).sentences == (("Scotland.", (2,)),)


RACE_2019 = Passage("r@1", "sport/race.txt", "Egan Bernal of Team Vardø won the 2019 Tour of Calder after a late attack.", 1, 1)


def test_a_claim_restating_the_question_with_what_its_passage_does_not_say_is_dropped():
    question = Question.parse("Who won the mountain stage of the 2021 Tour of Calder in the rain?")
    checked = verify(question, "Egan Bernal of Team Vardø won the mountain stage of the 2021 Tour of Calder in the rain [1].", [RACE_2019])
    assert checked.sentences == ()
    assert checked.removed == ("Egan Bernal of Team Vardø won the mountain stage of the 2021 Tour of Calder in the rain.",)
    lenient = replace(DEFAULT, restated_support=0.0)
    assert verify(
        question, "Egan Bernal of Team Vardø won the mountain stage of the 2021 Tour of Calder in the rain [1].", [RACE_2019], lenient
    ).sentences


def test_a_claim_repeating_a_number_of_the_question_its_passage_lacks_is_dropped_though_the_rest_is_held():
    question = Question.parse("Who won the 2021 Tour of Calder?")
    checked = verify(question, "Egan Bernal won the 2021 Tour of Calder [1].", [RACE_2019])
    assert checked.sentences == ()


def test_a_bare_answer_repeating_nothing_of_the_question_is_checked_on_what_it_adds():
    question = Question.parse("Who won the 2019 Tour of Calder after a late attack?")
    checked = verify(question, "Egan Bernal [1].", [RACE_2019])
    assert checked.sentences == (("Egan Bernal.", (1,)),)


def test_a_claim_repeating_the_question_its_passage_holds_stands_under_the_default_bar():
    question = Question.parse("Who won the Tour of Calder in 2019?")
    checked = verify(question, "Egan Bernal won the 2019 Tour of Calder [1].", [RACE_2019])
    assert checked.sentences == (("Egan Bernal won the 2019 Tour of Calder.", (1,)),)
