import numpy as np

from rag.context import focus, sentences
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
    from rag.context import about_the_years

    old = Passage("a", "news/2020.txt", "Dustin Johnson won the Masters in 2020.", 1, 1)
    new = Passage("b", "news/2021.txt", "Hideki Matsuyama won the 2021 Masters.", 1, 1)
    assert about_the_years("Who won the Masters in 2021?", [old, new]) == [new]
    assert about_the_years("Who won the Masters in 1999?", [old, new]) == [old, new]
    assert about_the_years("Who won the Masters?", [old, new]) == [old, new]


class WordsOnlyEmbedder:
    """Every text the same vector: sentences are told apart by the question words they hold."""

    def embed(self, texts):
        return np.ones((len(texts), 3)) / np.sqrt(3)


def test_a_passage_reached_by_a_title_link_gets_its_best_sentence_in_front_of_the_model():
    question = "Who directed the film shot in or around Leland in 1986?"
    town = Passage("t", "wiki/leland.md", "A 1986 film was shot in Leland. Leland is a town where films were shot in 1986. It has a port.", 1, 1)
    film = Passage("f", "wiki/maximum-overdrive.md", "It has a cast of six. It was written and directed by Stephen King.", 1, 1, link="Maximum Overdrive")
    chosen = focus(question, [town, film], WordsOnlyEmbedder(), limit=2)
    assert [s.text for s in chosen] == ["A 1986 film was shot in Leland.", "It was written and directed by Stephen King."]
    assert chosen[0].score >= chosen[1].score
    unlinked = focus(question, [town, Passage("f", "wiki/maximum-overdrive.md", film.text, 1, 1)], WordsOnlyEmbedder(), limit=2)
    assert "Stephen King" not in " ".join(s.text for s in unlinked)
