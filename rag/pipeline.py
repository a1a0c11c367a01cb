"""One question-answering session: settings, models and index, loaded once and lazily.

The CLI, the REPL and the evals all go through `Rag.ask`, so they share one code path.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from rag import resources
from rag.answer import compose as answering
from rag.answer import extract, synthesize
from rag.config import ConfigError, Settings
from rag.ingest import writer
from rag.ingest.writer import IngestReport, OnProgress
from rag.models import providers as models
from rag.models.embedded import ModelFileError
from rag.models.embedder import Embedder
from rag.models.llm import ChatModel, EngineError, OnToken
from rag.models.remote import ProviderError
from rag.question import Question
from rag.retrieval.focus import focus
from rag.retrieval.search import retrieve
from rag.store.chroma import ChromaUnavailable
from rag.store.index import MANIFEST, Index, IndexUnusable
from rag.store.manifest import Manifest
from rag.store.scope import NoMatchingSource
from rag.types import Answer, Passage

Sources = Sequence[str]  # globs naming the documents to search (rag/store/scope.py); empty: all
# Errors a user's question, setting or path can run into, each with a message naming the fix: a
# session (chat, the MCP server) reports them and goes on.
RECOVERABLE = (ConfigError, IndexUnusable, ChromaUnavailable, ModelFileError, EngineError, ProviderError, NoMatchingSource, OSError)


class Rag:
    def __init__(self, settings: Settings, llm: ChatModel | None = None) -> None:
        self.settings = settings
        self._llm = llm
        # Called with (bytes done, bytes total) while the embedded model file is assembled.
        self.on_assemble: Callable[[int, int], None] | None = None

    @functools.cached_property
    def embedder(self) -> Embedder:
        return models.build_embedder(self.settings)

    @functools.cached_property
    def index(self) -> Index:
        return Index(self.settings, self.embedder)

    @functools.cached_property
    def llm(self) -> ChatModel | None:
        """The chat model, loaded on first use; None under `--llm none`."""
        return self._llm if self._llm is not None else models.build_llm(self.settings, self.on_assemble)

    @property
    def llm_name(self) -> str:
        """The model's own name once loaded (a server names the model it serves), else the configured one."""
        loaded = self.__dict__.get("llm") or self._llm
        return loaded.name if loaded is not None else models.llm_name(self.settings)

    def warm_up(self) -> None:
        """Load the embedder, the index and the model, and have the model read its drafting
        prompt's worked examples: the first question then starts warm (chat does this while
        the user types)."""
        self.context("warm up")  # opens Chroma and the keyword index
        if self.llm is None:
            return
        question, nobody = Question.parse("Who?"), Passage("", "", "Nobody.", 0, 0)
        if models.drafting(self.settings) == models.SINGLE:
            self.llm.prime(synthesize.build_messages(question, [nobody], self.settings.policy, synthesize.ANSWER))
        else:
            self.llm.prime(extract.build_messages(question, nobody, self.settings.policy))

    def ingest(
        self, paths: list[Path] | None = None, on_progress: OnProgress | None = None, touched: set[Path] | None = None
    ) -> IngestReport:
        """`touched`: the only files that may have changed since the last ingest, when a watcher knows."""
        return writer.ingest(self.index, paths or [resources.seeds_dir()], on_progress, touched)

    def manifest(self) -> Manifest:
        """What the index holds, read without loading the embedder or the index."""
        return self.index.manifest if "index" in self.__dict__ else Manifest.load(self.settings.index_dir / MANIFEST)

    def status(self) -> dict:
        """What is indexed, with which embedder, and which model answers (`rag status`)."""
        self.index.follow_writes()
        return {**self.index.stats(), "model": self.llm_name}

    def needs_default_corpus(self) -> bool:
        return not self.manifest().files

    def retrieve(self, question: str | Question, k: int | None = None, sources: Sources = ()) -> list[Passage]:
        """The k passages that bear most on the question (`rag search`); of the documents the
        `sources` globs match only, when any is given."""
        self.index.follow_writes()
        within = self.index.scope(sources)
        return retrieve(self.index, self.embedder, _parsed(question), k or self.settings.k, self.settings.policy, within)

    def context(self, question: str | Question, k: int | None = None, sources: Sources = ()) -> list[Passage]:
        """The sentences the model reads: the k that bear most on the question, from the top k passages."""
        k, question = k or self.settings.k, _parsed(question)
        return focus(question, self.retrieve(question, k, sources), self.embedder, k, self.settings.policy)

    def ask(self, question: str | Question, k: int | None = None, on_text: OnToken | None = None, sources: Sources = ()) -> Answer:
        """`on_text` is shown the draft as the model writes it; the Answer is what survived the check."""
        started = time.perf_counter()
        drafting = models.drafting(self.settings)  # a wrong setting fails before any work
        question = _parsed(question)
        passages = self.context(question, k, sources)
        retrieved = time.perf_counter()
        result = answering.answer(question, passages, self.llm, self.settings.policy, on_text, drafting)
        timings = {"retrieve": retrieved - started, **result.timings, "total": time.perf_counter() - started}
        return replace(result, timings=timings)


def _parsed(question: str | Question) -> Question:
    return question if isinstance(question, Question) else Question.parse(question)
