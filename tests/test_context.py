from rag.context import sentences
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
