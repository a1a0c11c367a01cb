"""Reading a question's wording: yes/no, choice, the kind of answer it wants, its years."""

import pytest

from rag.question import Question, years


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Are Glass Harbour and The Owl Road both animated features?", True),
        ("Did the Northgate Courier report on it before The Quill did?", True),
        ("Between the spring survey and the autumn one, did the river rise?", True),
        ("After Bytewire's review, did Pixelhaus praise or pan the sequel?", True),
        ("Which company, named by the Northgate Courier, is about to launch a tablet?", False),
        ("The Corran Hound and the Vell Terrier, are both breeds from which century?", False),
        ("Who does Lee meet in Beijing?", False),
        ("What is the island called?", False),
    ],
)
def test_yes_no_questions_are_recognised(question, expected):
    assert Question.parse(question).yes_no is expected


def test_a_choice_between_two_names_is_recognised():
    assert Question.parse("Which painter is Canadian, Tessa Lorne or Jem Harlow?").choice
    assert Question.parse("Who is older: Odile Brandt or Cass Merriman?").choice
    assert not Question.parse("Which painter from Ontario is Canadian?").choice
    assert not Question.parse("Which band recorded the album made in or near Brackmoor, East Varrow?").choice


def test_years_are_four_digit_years_only():
    assert years("Who won the Kestrel Cup in 2019, not 1999? It paid 20000.") == {"2019", "1999"}


@pytest.mark.parametrize(
    ("question", "claim", "expected"),
    [
        ("When was Glimmerkeep 3 released?", "Glimmerkeep 3 was released in May 2014.", True),
        ("When was the Lumo 5a announced?", "The Lumo 5a was announced on Brightcell's website.", False),
        ("When was the Lumo 6 announced?", "The Lumo 6 was announced on Brightcell's website.", False),
        ("When was the Lumo 6 announced?", "The Lumo 6 was announced on 3 September.", True),
        ("How many workers did the 2 firms hire?", "The 2 firms hired many workers.", False),
        ("When does he meet Xi?", "He meets Xi on Monday.", True),
        ("On which day does Mara sail?", "Mara sails in November.", False),
        ("On which day does Mara sail?", "Mara sails on Tuesday.", True),
        ("What day does Mara sail?", "Mara sails on 4 May.", True),
        ("How many contractors were sanctioned?", "China sanctioned twenty contractors.", True),
        ("How many contractors were sanctioned?", "China sanctioned U.S. defense contractors.", False),
        ("Who won the 2017 Vellmark Rally?", "Oskar Tamm won it.", True),
        ("Who sits on the Varn Council?", "The council is made of delegates chosen by member towns.", True),
        ("What did Lee say?", "that relations improved", True),
        ("In what country is the town where Ada Voss was born?", "Ada Voss was born in Tollmere.", False),
        ("In what country is the town where Ada Voss was born?", "Tollmere, in the hills of Wales.", True),
        ("Which country did the envoy visit after France?", "The envoy visited France again.", False),
        ("Which country did the envoy visit after France?", "The envoy went on to the Czech Republic.", True),
        ("What nation hosted the summit?", "The USA hosted it.", True),
        ("What nation hosted the summit?", "It was hosted by us.", False),
        ("Which country has more lakes, Finland or Norway?", "Finland has more lakes.", True),
    ],
)
def test_a_claim_must_hold_the_kind_of_answer_asked_for(question, claim, expected):
    assert Question.parse(question).answered_in_kind(claim) is expected


@pytest.mark.parametrize(
    ("question", "one"),
    [
        ("Who won the 2017 Vellmark Rally?", True),
        ("When did the Lune Viaduct open?", True),
        ("How many contractors were sanctioned?", True),
        ("Which team did Orsi join in 2019?", True),
        ("Who does Lee meet in Beijing?", False),  # the object of "meet": as many people as he meets
        ("Which ministers resigned?", False),
        ("What two phrases did the mayor use for the plan?", False),  # a counted plural
        ("Name three rivers that cross Orvale.", False),
        ("Who are the founders of the Wrenfield Trust?", False),
        ("Are both bridges made of stone?", False),  # weighed whole, not picked among
    ],
)
def test_a_question_says_whether_it_wants_one_answer_or_several(question, one):
    assert Question.parse(question).expects_one is one
