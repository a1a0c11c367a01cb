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
