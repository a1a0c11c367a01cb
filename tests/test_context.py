import numpy as np

from rag.question import Question
from rag.retrieval.focus import focus, sentences
from rag.text import split_sentences
from rag.types import Passage


def test_abbreviations_do_not_end_a_sentence():
    text = "Beijing sanctioned 20 U.S. defense contractors. Lee met Xi. Dr. Kim agreed."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Beijing sanctioned 20 U.S. defense contractors.",
        "Lee met Xi.",
        "Dr. Kim agreed.",
    ]


def test_citations_after_the_period_stay_with_their_sentence():
    text = "Lee meets Xi. [1] He also meets Li Qiang [2]."
    assert [text[a:b] for a, b in split_sentences(text)] == ["Lee meets Xi. [1]", "He also meets Li Qiang [2]."]


def test_each_sentence_gets_its_own_line_span():
    chunk = Passage("c", "seeds/a.txt", "First line here.\nSecond line. Still second.\n\nFourth line.", 10, 13)
    spans = [(s.text, s.span) for s in sentences(chunk)]
    assert spans == [
        ("First line here.", "L10"),
        ("Second line.", "L11"),
        ("Still second.", "L11"),
        ("Fourth line.", "L13"),
    ]


def test_passages_naming_the_asked_year_are_preferred():
    from rag.retrieval.focus import about_the_years

    old = Passage("a", "news/2018.txt", "Rafe Linden won the Kestrel Cup in 2018.", 1, 1)
    new = Passage("b", "news/2019.txt", "Ines Arkwright won the 2019 Kestrel Cup.", 1, 1)
    assert about_the_years(Question.parse("Who won the Kestrel Cup in 2019?"), [old, new]) == [new]
    assert about_the_years(Question.parse("Who won the Kestrel Cup in 1999?"), [old, new]) == [old, new]
    assert about_the_years(Question.parse("Who won the Kestrel Cup?"), [old, new]) == [old, new]


class WordsOnlyEmbedder:
    """Every text the same vector: sentences are told apart by the question words they hold."""

    def embed(self, texts):
        return np.ones((len(texts), 3)) / np.sqrt(3)


def test_a_passage_reached_by_a_title_link_gets_its_best_sentence_in_front_of_the_model():
    question = "Who directed the film shot near Brackmoor in 1983?"
    town = Passage(
        "t",
        "wiki/brackmoor.md",
        "A 1983 film was shot in Brackmoor. Brackmoor is a town where films were shot in 1983. It has a port.",
        1,
        1,
    )
    film = Passage(
        "f", "wiki/salt-engine.md", "It has a cast of six. It was written and directed by Iris Calloway.", 1, 1, link="Salt Engine"
    )
    chosen = focus(Question.parse(question), [town, film], WordsOnlyEmbedder(), limit=2)
    assert [s.text for s in chosen] == ["A 1983 film was shot in Brackmoor.", "It was written and directed by Iris Calloway."]
    assert chosen[0].score >= chosen[1].score
    unlinked = focus(Question.parse(question), [town, Passage("f", "wiki/salt-engine.md", film.text, 1, 1)], WordsOnlyEmbedder(), limit=2)
    assert "Iris Calloway" not in " ".join(s.text for s in unlinked)
