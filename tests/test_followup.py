"""Follow-up questions rewritten from the conversation before retrieval (fake model)."""

import pytest

from rag.followup import Turn, build_messages, by_position, names_in, standalone

LEE = [Turn("Who does Lee meet in Beijing?", "Lee meets Xi Jinping [1]. Lee will meet Premier Li Qiang and Zhao Leji [2].")]


def test_a_follow_up_is_rewritten_with_the_names_from_the_conversation(fake_llm):
    llm = fake_llm(lambda *_: "When does Lee meet Xi Jinping?")
    assert standalone("When does he meet the first one?", LEE, llm) == "When does Lee meet Xi Jinping?"
    shown = llm.calls[0][-1]["content"]
    assert "User: Who does Lee meet in Beijing?" in shown and "Assistant: Lee meets Xi Jinping." in shown
    assert "[1]" not in shown  # citation markers mean nothing to the rewrite
    assert shown.endswith("Last question: When does he meet Xi Jinping?")  # "the first one" settled by position


@pytest.mark.parametrize("question", ["What did China sanction in October?", "How many contractors were sanctioned?"])
def test_a_standalone_question_is_not_rewritten_and_the_model_is_not_asked(fake_llm, question):
    llm = fake_llm(lambda *_: "When does Lee meet Xi Jinping?")
    assert standalone(question, LEE, llm) == question
    assert llm.calls == []


def test_the_first_question_of_a_conversation_is_never_rewritten(fake_llm):
    llm = fake_llm(lambda *_: "Who is Lee?")
    assert standalone("Who is he?", [], llm) == "Who is he?"
    assert llm.calls == []


@pytest.mark.parametrize(
    "reply",
    [
        "Who does Lee meet in Beijing?",  # dropped "sanctioned", what the user asked
        "Lee meets Xi Jinping on Monday.",  # an answer, not a question
        "",
    ],
)
def test_a_rewrite_that_loses_the_question_is_not_used(fake_llm, reply):
    llm = fake_llm(lambda *_: reply)
    assert standalone("Were they sanctioned?", LEE, llm) == "Were they sanctioned?"


def test_without_a_model_follow_ups_go_to_retrieval_as_typed():
    assert standalone("When does he meet the first one?", LEE, None) == "When does he meet the first one?"


def test_the_rewrite_sees_only_the_last_turns():
    turns = [Turn(f"Question {n}?", f"Answer {n}.") for n in range(6)]
    shown = build_messages("And then?", turns)[-1]["content"]
    assert "Question 5?" in shown and "Question 2?" not in shown


MONDAY = Turn(
    "Who does Lee meet in Beijing?",
    "South Korean President Lee Jae-myung arrived in Beijing [3]. Lee is scheduled to meet Chinese President Xi Jinping "
    "on Monday [2]. He will also meet Premier Li Qiang and Zhao Leji [1].",
)


def test_names_in_an_answer_come_in_order_without_the_ones_the_question_named_or_days():
    assert names_in(MONDAY.answer, MONDAY.question) == ["Chinese President Xi Jinping", "Premier Li Qiang", "Zhao Leji"]


@pytest.mark.parametrize(
    ("question", "standalone_part"),
    [
        ("When does he meet the first one?", "Chinese President Xi Jinping"),
        ("When does he meet the second one?", "Premier Li Qiang"),
        ("Who is the last one?", "Zhao Leji"),
        ("When does he meet the fifth one?", "the fifth one"),  # no fifth name: left for the model
    ],
)
def test_the_first_or_last_one_is_the_name_the_last_answer_gave_in_that_place(question, standalone_part):
    assert standalone_part in by_position(question, MONDAY)


def test_the_model_is_asked_only_about_what_positions_could_not_settle(fake_llm):
    llm = fake_llm(lambda *_: "When does Lee meet Chinese President Xi Jinping?")
    assert standalone("When does he meet the first one?", [MONDAY], llm) == "When does Lee meet Chinese President Xi Jinping?"
    assert llm.calls[0][-1]["content"].endswith("Last question: When does he meet Chinese President Xi Jinping?")
    assert standalone("Who is the last one?", [MONDAY], llm) == "Who is Zhao Leji?"
    assert len(llm.calls) == 1


def test_an_ordinal_that_is_part_of_the_question_is_left_alone(fake_llm):
    llm = fake_llm(lambda *_: "Who was Xi Jinping?")
    assert standalone("Who was the first president of South Korea?", [MONDAY], llm) == "Who was the first president of South Korea?"
