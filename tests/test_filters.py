"""`--source` filters: only the matching documents are searched, and the top k is filled from them
(the real embedder, Chroma and BM25)."""

from __future__ import annotations

import json
import subprocess

import pytest
from commands import RAG

from rag.config import Settings
from rag.evals import runner
from rag.evals.dataset import GoldQuestion
from rag.pipeline import Rag
from rag.store.scope import NoMatchingSource, scope

QUESTION = "When was the Kessel harbour bridge repainted green?"


@pytest.fixture
def library(tmp_path):
    """Forty notes that answer the question well, and six memos that barely touch it: more good
    notes than either retriever's candidate pool, so a filter applied after the search would
    find no memo at all."""
    notes, memos = tmp_path / "docs" / "notes", tmp_path / "docs" / "memos"
    notes.mkdir(parents=True)
    memos.mkdir()
    for i in range(40):
        (notes / f"bridge-{i:02}.txt").write_text(
            f"The Kessel harbour bridge was repainted green in {1960 + i}. Crew {i} repainted the Kessel bridge green in {i + 2} weeks.\n"
        )
    for i in range(6):
        (memos / f"memo-{i}.md").write_text(f"Memo {i}: the harbour committee compared paint suppliers for quarter {i + 1}.\n")
    return tmp_path / "docs"


@pytest.fixture
def rag(tmp_path, library):
    rag = Rag(Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache", threads=2))
    rag.ingest([library])
    return rag


def test_a_filtered_search_fills_the_top_k_from_the_matching_documents_only(rag):
    assert not any("memos/" in p.source for p in rag.retrieve(QUESTION, k=30))  # the memos rank below every note
    found = rag.retrieve(QUESTION, k=4, sources=["docs/memos/*"])
    assert len(found) == 4 and all(p.source.startswith("docs/memos/") for p in found)


def test_a_question_is_answered_only_from_the_matching_documents(tmp_path, library, fake_llm):
    llm = fake_llm(lambda question, shown: f"{shown.split(':')[0]} compared paint suppliers.")
    rag = Rag(Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache", threads=2), llm=llm)
    rag.ingest([library])
    answer = rag.ask("Who compared paint suppliers for the harbour bridge?", k=3, sources=["*.md"])
    assert answer.passages and all(p.source.endswith(".md") for p in answer.passages)
    assert answer.citations and all(c.passage.source.startswith("docs/memos/") for c in answer.citations)


def test_search_on_the_command_line_takes_repeated_filters_and_prints_json(rag, tmp_path):
    command = [*RAG, "search", QUESTION, "--k", "3", "--json", "--index-dir", str(tmp_path / "index")]
    one = "--source", "memo-1.md"
    two = "--source", "bridge-07.txt"
    done = subprocess.run([*command, *one, *two], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sources = {p["source"] for p in json.loads(done.stdout)["passages"]}
    assert sources == {"docs/memos/memo-1.md", "docs/notes/bridge-07.txt"}


def test_a_filter_matching_no_document_is_one_line_and_exit_2(rag, tmp_path):
    done = subprocess.run(
        [*RAG, "ask", QUESTION, "--llm", "none", "--source", "*.pdf", "--index-dir", str(tmp_path / "index")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --source '*.pdf' matches none of the 46 indexed document(s); `rag status --json` lists them"
    ]


@pytest.mark.parametrize(
    ("glob", "expected"),
    [
        ("notes/*.md", {"notes/a.md"}),  # by the name users see
        ("b.txt", {"notes/sub/b.txt"}),  # by the file name alone
        ("/home/me/*", {"notes/a.md", "notes/sub/b.txt"}),  # by path
        ("notes/*", {"notes/a.md", "notes/sub/b.txt"}),  # * crosses folders, as in a shell's **
    ],
)
def test_a_glob_matches_a_document_by_its_name_file_name_or_path(glob, expected):
    documents = [("/home/me/notes/a.md", "notes/a.md"), ("/home/me/notes/sub/b.txt", "notes/sub/b.txt"), ("/srv/c.pdf", "c.pdf")]
    assert scope([glob], documents).sources == expected


def test_no_glob_is_no_filter_and_a_glob_matching_nothing_is_refused():
    assert scope([], [("/a.md", "a.md")]) is None
    with pytest.raises(NoMatchingSource, match="matches none of the 1 indexed"):
        scope(["*.pdf"], [("/a.md", "a.md")])


def test_an_eval_with_a_filter_ranks_only_the_matching_documents(rag, tmp_path):
    gold = GoldQuestion("q1", QUESTION, ("1960",), "factoid", ("notes/bridge-00.txt",))
    filtered = runner.run(rag, (gold,), 4, retrieval_only=True, sources=["docs/memos/*"])
    unfiltered = runner.run(rag, (gold,), 4, retrieval_only=True)
    assert filtered[0].ranked_sources and all(s.startswith("docs/memos/") for s in filtered[0].ranked_sources)
    assert not any(s.startswith("docs/memos/") for s in unfiltered[0].ranked_sources)
