"""`rag` against a real OpenAI-compatible server: llama.cpp's own (the prebuilt xllamacpp wheel),
serving the embedded GGUF on a free port of 127.0.0.1, started once for this module and stopped
at its end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pexpect
import pytest
from commands import RAG, THREADS, free_port

from rag.config import Settings
from rag.models import embedded as embedded_llm

ALIAS = "loopback-qwen"
QUESTION = "Who does Lee meet in Beijing?"
pytestmark = pytest.mark.llm
GOLD = Path(__file__).resolve().parents[1] / "evals" / "seeds.jsonl"
# The server, as the README's "serve the embedded model yourself" runs it.
SERVE = """
import signal, sys, xllamacpp
model, alias, port, threads = sys.argv[1:]
params = xllamacpp.CommonParams()
params.model.path, params.model_alias, params.port = model, {alias}, int(port)
params.hostnames = ["127.0.0.1"]
params.n_ctx, params.n_parallel, params.embedding, params.pooling_type = 4096, 1, True, 1
params.cpuparams.n_threads = params.cpuparams_batch.n_threads = int(threads)
server = xllamacpp.Server(params)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The server's base URL. It also serves embeddings: --embedding plus a pooling type (the
    GGUF sets none), so one request gives one vector per text."""
    model = embedded_llm.model_path(Settings().cache_dir)
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    command = [sys.executable, "-c", SERVE, str(model), ALIAS, str(port), str(THREADS)]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path, limit_s: float = 180) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the server did not start within {limit_s} s: {log_path.read_text()[-2000:]}")


@pytest.fixture
def rag(server, tmp_path):
    """Run `rag` in a fresh folder with its answers coming from the server."""
    env = {**os.environ, "RAG_LLM_BASE_URL": server, "COLUMNS": "200"}

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([*RAG, *args], cwd=tmp_path, env={**env, **extra_env}, capture_output=True, text=True, timeout=600)

    run.workdir, run.env = tmp_path, env
    return run


def test_an_answer_streams_from_the_server_and_comes_back_cited(rag):
    result = rag("ask", QUESTION, "--stream-json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    drafts, answer = events[:-1], events[-1]
    assert answer["event"] == "answer" and drafts and all(e["event"] == "draft" for e in drafts)
    assert "Xi Jinping" in "".join(e["text"] for e in drafts)
    assert "Xi Jinping" in answer["answer"] and not answer["abstained"]
    assert any("Xi Jinping" in c["text"] and c["source"].startswith("seeds/") for c in answer["citations"])
    assert answer["model"] == ALIAS
    assert answer["timings"]["first_token"] < answer["timings"]["total"]
    assert answer["usage"]["completion_tokens"] > 0


def test_on_a_terminal_the_draft_streams_then_the_checked_answer_and_sources_show(rag):
    child = pexpect.spawn(RAG[0], [*RAG[1:], "ask", QUESTION], cwd=str(rag.workdir), env=rag.env, encoding="utf-8", timeout=300)
    child.expect("finding passages")  # the live display is up before the first token
    child.expect("Sources:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Xi Jinping" in child.before


def test_eval_runs_through_the_same_server(rag):
    gold = shutil.copy(GOLD, rag.workdir / "gold.jsonl")  # away from the gates beside it: 3 questions would miss them
    # Behind a server the embedded 1.5B model is still a 1.5B model: one prompt over every
    # passage names one of the three people Lee meets, so it reads a sentence at a time here.
    result = rag("eval", str(gold), "--limit", "3", "--out", "report.json", RAG_DRAFT="extract")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((rag.workdir / "report.json").read_text())
    assert report["model"] == ALIAS and report["metrics"]["questions"] == 3
    lee = report["questions"][0]
    assert lee["question"] == QUESTION and lee["correct"] is True and lee["citations"]


def test_embeddings_through_the_server_build_and_query_an_index_that_the_local_embedder_then_refuses(rag):
    docs = rag.workdir / "docs"
    docs.mkdir()
    (docs / "lighthouse.txt").write_text(
        "The Varne lighthouse was built in 1872 by the engineer Tomas Brell.\n"
        "Its lamp was converted to electricity in 1931 and automated in 1987.\n"
    )
    (docs / "orchard.txt").write_text("The Hollin orchard grows forty kinds of pear and ships them each autumn.\n")
    remote = {"RAG_EMBEDDER": "openai-compatible"}
    ingested = rag("ingest", "docs", **remote)
    assert ingested.returncode == 0, ingested.stderr
    manifest = json.loads((rag.workdir / ".rag" / "manifest.json").read_text())
    assert manifest["embedder"] == ALIAS and manifest["dimension"] > 0

    answered = rag("ask", "Who built the Varne lighthouse?", "--json", **remote)
    assert answered.returncode == 0, answered.stderr
    answer = json.loads(answered.stdout)
    assert "Brell" in answer["answer"]
    assert answer["citations"][0]["source"].endswith("lighthouse.txt")

    refused = rag("ask", "Who built the Varne lighthouse?")
    assert refused.returncode == 1
    assert "rag ingest --rebuild" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1

    rebuilt = rag("ingest", "--rebuild", "docs")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads((rag.workdir / ".rag" / "manifest.json").read_text())["embedder"] != ALIAS
    assert "Brell" in json.loads(rag("ask", "Who built the Varne lighthouse?", "--llm", "none", "--json").stdout)["answer"]
