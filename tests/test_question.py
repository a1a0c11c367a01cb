"""Reading a question's wording: yes/no, choice, the kind of answer it wants, its years."""

import pytest

from rag.question import answers_the_kind, is_choice, is_yes_no, years


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Are Frozen and Escape from the Dark both animated features?", True),
        ("Did the Sporting News report on it before The Roar did?", True),
        ("Between the May report and the June report, was there a change in its strategy?", True),
        ("After Polygon's review, did Engadget agree or disagree on the mechanic?", True),
        ("Which company, reported by The Verge, is set to release a console?", False),
        ("The Blue Lacy and the Chesapeake Bay Retriever, are both breeds developed during which century?", False),
        ("Who does Lee meet in Beijing?", False),
        ("What is the island called?", False),
    ],
)
def test_yes_no_questions_are_recognised(question, expected):
    assert is_yes_no(question) is expected


def test_a_choice_between_two_names_is_recognised():
    assert is_choice("Which singer is American, Mark King or Nick Hexum?")
    assert is_choice("Who is older: Sid Haig or Vic Darchinyan?")
    assert not is_choice("Which singer from Ohio is American?")
    assert not is_choice("Who directed the film that was shot in or around Leland, North Carolina?")


def test_years_are_four_digit_years_only():
    assert years("Who won the Masters in 2021, not 1999? It paid 20000.") == {"2021", "1999"}


@pytest.mark.parametrize(
    ("question", "claim", "expected"),
    [
        ("When was Diablo 3 released?", "Diablo 3 was released in May 2012.", True),
        ("When was the Pixel 5a announced?", "The Pixel 5a was announced on Google's website.", False),
        ("When was the Pixel 6 announced?", "The Pixel 6 was announced on Google's website.", False),
        ("When was the Pixel 6 announced?", "The Pixel 6 was announced on 19 October.", True),
        ("How many people did the 2 firms hire?", "The 2 firms hired many people.", False),
        ("When does he meet Xi?", "He meets Xi on Monday.", True),
        ("How many contractors were sanctioned?", "China sanctioned twenty contractors.", True),
        ("How many contractors were sanctioned?", "China sanctioned U.S. defense contractors.", False),
        ("Who won the 2021 Tour de France?", "Tadej Pogacar won it.", True),
        ("Who is on the IPCC Panel?", "The panel is made of representatives appointed by governments.", True),
        ("What did Lee say?", "that relations improved", True),
        ("In what country is the town where Ada Voss was born?", "Ada Voss was born in Tollmere.", False),
        ("In what country is the town where Ada Voss was born?", "Tollmere, in the hills of Wales.", True),
        ("Which country did the envoy visit after France?", "The envoy visited France again.", False),
        ("Which country did the envoy visit after France?", "The envoy went on to the Czech Republic.", True),
        ("What nation hosted the summit?", "The USA hosted it.", True),
        ("What nation hosted the summit?", "It was hosted by us.", False),
    ],
)
def test_a_claim_must_hold_the_kind_of_answer_asked_for(question, claim, expected):
    assert answers_the_kind(question, claim) is expected
