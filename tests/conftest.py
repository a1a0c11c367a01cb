from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from commands import THREADS

from rag.config import Settings
from rag.models.llm import Generation, Messages, OnToken
from rag.resources import seeds_dir

# The machine's own provider settings must not decide which model the tests talk to: with an
# OPENAI_API_KEY set, `auto` would send the tests' questions to OpenAI.
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(_var, None)
# RAG_THREADS stays: it sets the real models' thread count (commands.THREADS).
for _var in [v for v in os.environ if v.startswith("RAG_") and v not in ("RAG_BENCH_DIR", "RAG_THREADS")]:
    os.environ.pop(_var)
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rag-test-config-")


class FakeLLM:
    """Answers each call with `reply(question, shown)`, where `shown` is the one sentence of an
    extraction call or the numbered passages of a synthesis call; records what it was asked.

    A reply given as (text, p) is written with probability p, reported when token
    probabilities are asked for; a plain text comes with none, as from a server that gives none;
    a Generation is returned as it is."""

    name = "fake"

    def __init__(self, reply: Callable[[str, str], str | tuple[str, float] | Generation]) -> None:
        self._reply = reply
        self.calls: list[Messages] = []

    def generate(self, messages: Messages, max_tokens: int, on_token: OnToken | None = None, logprobs: bool = False) -> Generation:
        self.calls.append(messages)
        question, passage = _parse(messages[-1]["content"])
        reply = self._reply(question, passage)
        if isinstance(reply, Generation):
            return reply
        text, sure = reply if isinstance(reply, tuple) else (reply, None)
        for i, piece in enumerate(text.split(" ")):
            if on_token:
                on_token((" " if i else "") + piece)
        given = (math.log(sure),) if logprobs and sure is not None else ()
        return Generation(
            text=text, prompt_tokens=50, completion_tokens=len(text.split()), first_token_s=0.01, total_s=0.02, token_logprobs=given
        )

    def prime(self, messages: Messages) -> None:
        self.primed = messages


def _parse(content: str) -> tuple[str, str]:
    question, _, shown = content.partition("\n")
    return question.removeprefix("Question: "), shown.removeprefix("Sentence: ")


@pytest.fixture
def fake_llm() -> Callable[[Callable[[str, str], str]], FakeLLM]:
    return FakeLLM


@pytest.fixture(scope="session")
def seeds_index_dir(tmp_path_factory) -> Path:
    """The seeds, indexed once with the embedded embedder, for tests that only read an index."""
    from rag.pipeline import Rag

    root = tmp_path_factory.mktemp("seeds-index")
    Rag(Settings(index_dir=root / "index", cache_dir=root / "cache", threads=THREADS)).ingest()
    return root / "index"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache", threads=THREADS)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    target = tmp_path / "corpus"
    shutil.copytree(seeds_dir(), target)
    return target
