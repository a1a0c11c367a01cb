"""One measurement of the speed suite (suite.py), run in a process of its own so that its peak
memory and start-up are its own. Prints one JSON line.

    python benchmarks/workers.py TASK PIPELINE ARGUMENTS_JSON
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale  # noqa: E402
import vanilla  # noqa: E402

from rag.config import Settings  # noqa: E402
from rag.evals.dataset import load as load_dataset  # noqa: E402
from rag.models.embedder import OnnxEmbedder  # noqa: E402
from rag.pipeline import Rag  # noqa: E402

SETTINGS = Settings()
SCALE_VECTORS = SETTINGS.cache_dir / "bench" / "scale-vectors.npz"
SEEDS = HERE.parent / "evals" / "seeds.jsonl"


class Recording:
    """An embedder that remembers what it was asked to embed, for the bare-embedder figure."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.name, self.dimension, self.token_ids = embedder.name, embedder.dimension, embedder.token_ids
        self.texts: list[str] = []

    def embed(self, texts: list[str]):
        self.texts.extend(texts)
        return self._embedder.embed(texts)


def _bare_seconds(embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.embed(texts)
    return time.perf_counter() - started


# -- ingest of a real corpus ------------------------------------------------------------------


def rag_ingest(corpus: str, index_dir: str) -> dict:
    rag = Rag(replace(SETTINGS, index_dir=Path(index_dir)))
    embedder = rag.embedder
    embedder.embed(["warm up"])
    rag.embedder = recording = Recording(embedder)
    report = rag.ingest([Path(corpus)])
    return {"chunks": report.chunks_embedded, "seconds": report.seconds, "bare_s": _bare_seconds(embedder, recording.texts)}


def vanilla_ingest(corpus: str, index_dir: str) -> dict:
    embedder = OnnxEmbedder(threads=SETTINGS.threads)
    embedder.embed(["warm up"])
    embed_model = vanilla.EmbeddedMiniLM(embedder)
    started = time.perf_counter()
    chunks = vanilla.ingest(Path(corpus), Path(index_dir), embed_model)
    seconds = time.perf_counter() - started
    return {"chunks": chunks, "seconds": seconds, "bare_s": _bare_seconds(embedder, embed_model.embedded_texts())}


# -- the generated corpus at scale: built with cached vectors, then queried warm ----------------


def rag_build(corpus: str, index_dir: str) -> dict:
    settings = replace(SETTINGS, index_dir=Path(index_dir), chunk_tokens=scale.CHUNK_TOKENS, chunk_overlap=scale.CHUNK_OVERLAP)
    rag = Rag(settings)
    rag.embedder = cached = scale.CachedEmbedder(rag.embedder, SCALE_VECTORS)
    report = rag.ingest([Path(corpus)])
    embedded = cached.misses
    cached.save()
    return {"chunks": report.chunks_embedded, "seconds": report.seconds, "embedded": embedded}


def vanilla_build(corpus: str, index_dir: str) -> dict:
    cached = scale.CachedEmbedder(OnnxEmbedder(threads=SETTINGS.threads), SCALE_VECTORS)
    started = time.perf_counter()
    chunks = vanilla.ingest(
        Path(corpus), Path(index_dir), vanilla.EmbeddedMiniLM(cached), scale.CHUNK_TOKENS, scale.CHUNK_OVERLAP, with_metadata=False
    )
    seconds = time.perf_counter() - started
    embedded = cached.misses
    cached.save()
    return {"chunks": chunks, "seconds": seconds, "embedded": embedded}


def rag_retrieve(index_dir: str, questions: list[str], rounds: int) -> dict:
    rag = Rag(replace(SETTINGS, index_dir=Path(index_dir)))
    return _timed_rounds(lambda question: rag.retrieve(question, SETTINGS.k), questions, rounds)


def vanilla_retrieve(index_dir: str, questions: list[str], rounds: int) -> dict:
    index = vanilla.load(Path(index_dir), vanilla.EmbeddedMiniLM(OnnxEmbedder(threads=SETTINGS.threads)))
    retriever = index.as_retriever(similarity_top_k=SETTINGS.k)
    return _timed_rounds(retriever.retrieve, questions, rounds)


def _timed_rounds(retrieve, questions: list[str], rounds: int) -> dict:
    """Each round asks every question once; p50 and p95 per round."""
    retrieve("warm up")
    p50s, p95s = [], []
    for _ in range(rounds):
        times = []
        for question in questions:
            started = time.perf_counter()
            retrieve(question)
            times.append(time.perf_counter() - started)
        times.sort()
        p50s.append(statistics.median(times) * 1000)
        p95s.append(times[round(0.95 * (len(times) - 1))] * 1000)
    return {"p50_ms": p50s, "p95_ms": p95s}


# -- answers over the seeds questions, warm ---------------------------------------------------


def rag_answers(index_dir: str, limit: int) -> dict:
    rag = Rag(replace(SETTINGS, index_dir=Path(index_dir), llm="local"))
    questions = _seeds_questions(limit)
    rag.ask(questions[0])  # loads the model and reads the prompt's fixed start once
    answers = [rag.ask(question) for question in questions]
    return {
        "latency_s": [a.timings["total"] for a in answers],
        "prompt_tokens": [a.usage.get("prompt_tokens", 0) for a in answers],
        "answers": [a.text for a in answers],
    }


def vanilla_answers(index_dir: str, limit: int) -> dict:
    embed_model, llm = vanilla.embedded_models()
    index = vanilla.load(Path(index_dir), embed_model)
    questions = _seeds_questions(limit)
    vanilla.ask(index, llm, questions[0])
    answers = [vanilla.ask(index, llm, question) for question in questions]
    return {
        "latency_s": [a["timings"]["total"] for a in answers],
        "prompt_tokens": [a["usage"]["prompt_tokens"] for a in answers],
        "answers": [a["answer"] for a in answers],
    }


def _seeds_questions(limit: int) -> list[str]:
    questions = [q.question for q in load_dataset(SEEDS).questions]
    return questions[:limit] if limit else questions


TASKS = {
    "ingest": (rag_ingest, vanilla_ingest),
    "build": (rag_build, vanilla_build),
    "retrieve": (rag_retrieve, vanilla_retrieve),
    "answers": (rag_answers, vanilla_answers),
}


def main() -> None:
    task, pipeline, arguments = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    rag_task, vanilla_task = TASKS[task]
    result = (rag_task if pipeline == "rag" else vanilla_task)(**arguments)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
