"""Follow-up questions rewritten from the conversation before retrieval (fake model)."""

import pytest

from rag.followup import Turn, build_messages, standalone

LEE = [Turn("Who does Lee meet in Beijing?", "Lee meets Xi Jinping [1]. Lee will meet Premier Li Qiang and Zhao Leji [2].")]


def test_a_follow_up_is_rewritten_with_the_names_from_the_conversation(fake_llm):
    llm = fake_llm(lambda *_: "When does Lee meet Xi Jinping?")
    assert standalone("When does he meet the first one?", LEE, llm) == "When does Lee meet Xi Jinping?"
    shown = llm.calls[0][-1]["content"]
    assert "User: Who does Lee meet in Beijing?" in shown and "Assistant: Lee meets Xi Jinping." in shown
    assert "[1]" not in shown  # citation markers mean nothing to the rewrite
    assert shown.endswith("Last question: When does he meet the first one?")


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
