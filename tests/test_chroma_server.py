"""`rag` with its vectors in a real Chroma server (`chroma run`, from the chromadb package) on a
free port of 127.0.0.1, started for this module and stopped at its end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from commands import RAG, free_port

from rag.resources import seeds_dir

BIN = Path(sys.executable).parent
GOLD = Path(__file__).resolve().parents[1] / "evals" / "seeds.jsonl"


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    with open(data / "server.log", "w") as log:
        server = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"chroma run did not start: {(data / 'server.log').read_text()[-2000:]}")
                    time.sleep(0.3)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.fixture
def rag(chroma_url, tmp_path):
    corpus = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), corpus)

    def run(*args: str, url: str = chroma_url) -> subprocess.CompletedProcess:
        command = [*RAG, *args, "--index-dir", str(tmp_path / "index"), "--chroma-url", url]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)

    run.corpus, run.index = corpus, tmp_path / "index"
    return run


def stored_chunks(url: str) -> int:
    import chromadb

    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port)
    return sum(collection.count() for collection in client.list_collections())


@pytest.mark.llm
def test_ingest_ask_and_eval_work_with_the_vectors_in_the_server(rag, chroma_url):
    ingested = rag("ingest", str(rag.corpus))
    assert ingested.returncode == 0, ingested.stderr
    assert not (rag.index / "chroma").exists()  # nothing on disk: the server holds the vectors
    chunks = json.loads((rag.index / "manifest.json").read_text())
    assert stored_chunks(chroma_url) >= sum(len(entry["chunks"]) for entry in chunks["files"].values())

    again = rag("ingest", str(rag.corpus))
    assert "0 chunk(s) embedded" in again.stderr

    answered = rag("ask", "Who does Lee meet in Beijing?", "--json")
    assert answered.returncode == 0, answered.stderr
    answer = json.loads(answered.stdout)
    assert "Xi Jinping" in answer["answer"] and answer["citations"]

    evaluated = rag("eval", str(GOLD), "--retrieval-only", "--out", str(rag.index.parent / "report.json"))
    assert evaluated.returncode == 0, evaluated.stdout + evaluated.stderr
    assert json.loads((rag.index.parent / "report.json").read_text())["metrics"]["hit@1"] >= 0.9


def test_rebuild_empties_the_servers_collection_first(rag, chroma_url):
    assert rag("ingest", str(rag.corpus)).returncode == 0
    before = stored_chunks(chroma_url)
    rebuilt = rag("ingest", "--rebuild", str(rag.corpus))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert stored_chunks(chroma_url) == before  # replaced, not added to


def test_an_unreachable_chroma_server_is_one_line(rag):
    closed = f"http://127.0.0.1:{free_port()}"
    result = rag("ingest", str(rag.corpus), url=closed)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: cannot reach the Chroma server at {closed}; is `chroma run` running? check RAG_CHROMA_URL"
    ]
