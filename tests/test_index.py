"""Integration: the real ONNX embedder, real Chroma and BM25 on disk."""

from __future__ import annotations

import json

import pytest
from wiki import write_wiki

from rag.pipeline import Rag
from rag.question import Question
from rag.retrieval.focus import focus


@pytest.fixture
def rag(settings):
    return Rag(settings)


def test_ingest_indexes_the_corpus_and_reports_it(rag, corpus):
    report = rag.ingest([corpus])
    assert sorted(report.indexed) == ["corpus/000_2700a83b44745f36.txt", "corpus/003_84942052fcf9cf94.txt"]
    assert report.chunks_embedded >= 2 and not report.skipped
    stats = rag.index.stats()
    assert stats["documents"] == 2 and stats["chunks"] == report.chunks_embedded


def test_second_ingest_of_unchanged_files_embeds_nothing(rag, corpus):
    rag.ingest([corpus])
    again = rag.ingest([corpus])
    assert again.chunks_embedded == 0 and again.unchanged == 2 and again.indexed == []


def test_editing_one_file_re_embeds_only_that_file_and_drops_its_old_text(rag, corpus, settings):
    rag.ingest([corpus])
    article = corpus / "003_84942052fcf9cf94.txt"
    article.write_text("The delegation also visited the Forbidden City museum on Tuesday.\n")
    report = rag.ingest([corpus])
    assert report.indexed == ["corpus/003_84942052fcf9cf94.txt"] and report.unchanged == 1
    fresh = Rag(settings)  # a new process sees the same index
    texts = [p.text for p in fresh.retrieve("Forbidden City museum", k=3)]
    assert any("Forbidden City" in t for t in texts)
    assert not any("pivotal four-day diplomatic mission" in p.text for p in fresh.retrieve("pivotal diplomatic mission", k=5))


def test_a_removed_file_leaves_the_index(rag, corpus):
    rag.ingest([corpus])
    (corpus / "003_84942052fcf9cf94.txt").unlink()
    report = rag.ingest([corpus])
    assert report.removed == ["corpus/003_84942052fcf9cf94.txt"]
    assert rag.index.stats()["documents"] == 1
    assert all(p.source.endswith("000_2700a83b44745f36.txt") for p in rag.retrieve("Lee President visit", k=5))


def test_missing_path_and_unsupported_file_are_skipped_with_a_reason(rag, corpus, tmp_path):
    (corpus / "photo.png").write_bytes(b"\x89PNG")
    (corpus / "empty.txt").write_text("  \n")
    report = rag.ingest([corpus, tmp_path / "nope"])
    reasons = {item.path.rsplit("/", 1)[-1]: item.reason for item in report.skipped}
    assert reasons == {"photo.png": "unsupported file type .png", "empty.txt": "no text in it", "nope": "no such file or directory"}
    assert len(report.indexed) == 2


def test_hybrid_retrieval_puts_every_person_lee_meets_in_front_of_the_model(rag, corpus):
    rag.ingest([corpus])
    question = "Who does Lee meet in Beijing?"
    sentences = focus(Question.parse(question), rag.retrieve(question), rag.embedder, rag.settings.k)
    shown = " ".join(s.text for s in sentences)
    for name in ("Xi Jinping", "Li Qiang", "Zhao Leji"):
        assert name in shown
    line_spans = {(s.source, s.span) for s in sentences}
    assert ("corpus/000_2700a83b44745f36.txt", "L3") in line_spans


def test_retrieved_passages_carry_the_line_span_of_their_text(rag, corpus):
    rag.ingest([corpus])
    lines = (corpus / "000_2700a83b44745f36.txt").read_text().splitlines()
    for passage in rag.retrieve("North Korea ballistic missiles", k=4):
        if passage.source.endswith("000_2700a83b44745f36.txt"):
            first_line = lines[passage.line_start - 1]
            assert passage.text.splitlines()[0].strip() in first_line


def test_ask_reads_the_focused_sentences_one_at_a_time_and_cites_each(settings, corpus, fake_llm):
    def reply(question: str, sentence: str) -> str:
        return "Lee will meet Premier Li Qiang and Zhao Leji." if "Li Qiang" in sentence else "NONE"

    llm = fake_llm(reply)
    rag = Rag(settings, llm=llm)
    rag.ingest([corpus])
    result = rag.ask("Who does Lee meet in Beijing?")
    assert len(llm.calls) == settings.k
    assert result.text == f"Lee will meet Premier Li Qiang and Zhao Leji [{result.citations[0].n}]."
    assert [(c.passage.source, c.passage.span) for c in result.citations] == [("corpus/000_2700a83b44745f36.txt", "L3")]
    assert result.timings["total"] >= result.timings["retrieve"] > 0


def test_new_chunk_settings_re_embed_every_file(settings, corpus):
    from dataclasses import replace

    Rag(settings).ingest([corpus])
    report = Rag(replace(settings, chunk_tokens=120)).ingest([corpus])
    assert len(report.indexed) == 2 and report.unchanged == 0
    assert Rag(replace(settings, chunk_tokens=120)).ingest([corpus]).chunks_embedded == 0


def test_a_session_opened_before_an_ingest_finds_the_chunks_it_added(settings, corpus):
    reader = Rag(settings)
    reader.ingest([corpus])
    reader.retrieve("Lee President visit")  # the session's keyword index is now loaded
    (corpus / "ferry.txt").write_text("The night ferry to Varne island leaves from pier nine at eleven.\n")
    Rag(settings).ingest([corpus])  # another process adds a file
    found = reader.retrieve("When does the night ferry to Varne leave?", k=2)
    assert found[0].source == "corpus/ferry.txt" and found[0].span == "L1"


def test_the_keyword_side_finds_a_chunk_by_its_source_name(rag, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "Varne lighthouse.txt").write_text("It was built of granite in 1871 and painted white.\n")
    (notes / "harbour.txt").write_text("The harbour wall was rebuilt in stone after the 1871 storm.\n")
    rag.ingest([notes])
    assert [p.source for p in rag.index.search_keywords("lighthouse", 5)] == ["notes/Varne lighthouse.txt"]


def test_an_index_without_a_saved_keyword_index_still_searches_by_keyword_and_the_next_ingest_saves_one(rag, corpus, settings):
    import shutil

    rag.ingest([corpus])
    shutil.rmtree(settings.index_dir / "bm25")  # as an older rag's format, or an ingest killed before its first one
    assert Rag(settings).index.search_keywords("Zhao Leji", 1)[0].text.count("Zhao Leji")
    assert not (settings.index_dir / "bm25").exists()  # a reader never writes
    assert Rag(settings).ingest([corpus]).chunks_embedded == 0
    assert (settings.index_dir / "bm25").exists()


def _rewrite_chunk_table(settings, columns: list[str]) -> None:
    """The saved chunk table as a rag that knew other Passage fields would have written it."""
    saved = settings.index_dir / "bm25"
    where = {name: i for i, name in enumerate(json.loads((saved / "columns.json").read_text()))}
    rows = [[row[where[name]] if name in where else "" for name in columns] for row in json.loads((saved / "chunks.json").read_text())]
    (saved / "chunks.json").write_text(json.dumps(rows))
    if columns == UNNAMED:
        (saved / "columns.json").unlink()  # the table before it named its columns
    else:
        (saved / "columns.json").write_text(json.dumps(columns))


UNNAMED = ["id", "source", "text", "line_start", "line_end", "score", "page_start", "page_end", "heading", "link"]


@pytest.mark.parametrize(
    "columns",
    [
        UNNAMED,  # the table before it named its columns
        # reordered, with a column this version does not know, without the fields it has added since
        ["heading", "text", "id", "line_end", "line_start", "source", "colour"],
    ],
)
def test_a_chunk_table_saved_by_another_version_is_read_by_column_name(rag, corpus, settings, columns):
    rag.ingest([corpus])
    before = Rag(settings).index.search_keywords("Zhao Leji", 3)
    _rewrite_chunk_table(settings, columns)
    after = Rag(settings).index.search_keywords("Zhao Leji", 3)
    assert [(p.id, p.source, p.text, p.line_start, p.line_end) for p in after] == [
        (p.id, p.source, p.text, p.line_start, p.line_end) for p in before
    ]
    assert after[0].text.count("Zhao Leji")


def test_a_chunk_table_lacking_the_text_is_not_trusted_and_the_next_ingest_writes_a_whole_one(rag, corpus, settings):
    rag.ingest([corpus])
    _rewrite_chunk_table(settings, ["id", "source", "line_start", "line_end"])
    assert Rag(settings).index.search_keywords("Zhao Leji", 1)[0].text.count("Zhao Leji")  # read from the stored chunks
    assert Rag(settings).ingest([corpus]).chunks_embedded == 0
    assert "text" in json.loads((settings.index_dir / "bm25" / "columns.json").read_text())


def test_a_question_embeds_as_it_does_inside_a_batch(rag):
    question = "Who does Lee meet in Beijing?"
    alone = rag.embedder.embed([question])[0]
    in_a_batch = rag.embedder.embed([question] + [f"filler sentence {n}" for n in range(100)])[0]
    assert abs(float(alone @ in_a_batch) - 1.0) < 1e-4


def test_a_bridge_question_gets_the_page_its_first_passage_names_by_title_second(rag, tmp_path):
    towns = {"Oldbridge": 5120, "Kestle": 8400, "Penmarrow": 3310}
    pages = {
        town: f"{town} is the town where many race walkers were born. At the 2016 census, the population of the town was {people:,}."
        for town, people in towns.items()
    }
    wiki = write_wiki(
        tmp_path / "wiki",
        {"Harrow Vale": "Harrow Vale is a market town in the hill country. At the 2016 census, it had a population of 7,245.", **pages},
    )
    rag.ingest([wiki])
    found = rag.retrieve("At the 2016 census, what was the population of the town where Marta Quell was born?", 2)
    assert [p.source for p in found] == ["wiki/marta-quell.md", "wiki/harrow-vale.md"]
    assert found[1].link == "Harrow Vale"
