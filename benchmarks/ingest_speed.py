"""Ingest speed: chunks/s of `rag ingest` end to end, and as a ratio to the bare embedder.

The bare embedder embeds exactly the texts the ingest embedded (chunks under their markdown
headings), in the same process, so
the ratio shows what chunking, Chroma and BM25 cost on top of embedding.

    python benchmarks/ingest_speed.py [CORPUS_DIR] [--runs 3]
    python benchmarks/ingest_speed.py --generate 5000 [--runs 1]

CORPUS_DIR defaults to ../shared/bench/squad2_sample500/corpus (411 Wikipedia paragraphs);
--generate N writes a corpus of about N chunks (100 files of varied sentences) instead.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from rag.config import Settings
from rag.chroma import COLLECTION
from rag.index import embedding_text
from rag.pipeline import Rag

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "squad2_sample500" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generate", type=int, metavar="CHUNKS", help="ingest a generated corpus of about this many chunks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as generated:
        if args.generate:
            args.corpus = _generate(Path(generated), args.generate)
        _measure(args)


def _generate(root: Path, chunks: int) -> Path:
    """~CHUNKS chunks of 200 tokens: 100 files, each of CHUNKS/100 paragraphs of ~150 words."""
    towns = ["Arden", "Brell", "Corvin", "Dunmore", "Elstow", "Fenwick", "Garth", "Holloway", "Ivell", "Jarrow"]
    for f in range(100):
        paragraphs = []
        for p in range(max(chunks // 100, 1)):
            town = towns[(f + p) % len(towns)]
            sentences = [
                f"In year {1800 + f + p + s} the {town} council of district {f}-{p} approved {s + 3} bridges and {p + 7} ferries."
                for s in range(10)
            ]
            paragraphs.append(" ".join(sentences))
        (root / f"district-{f:03d}.txt").write_text("\n\n".join(paragraphs))
    return root


def _measure(args) -> None:
    ingest_rates, bare_rates = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as index_dir:
            rag = Rag(Settings(index_dir=Path(index_dir)))
            rag.embedder.embed(["warm up"])
            report = rag.ingest([args.corpus])
            ingest_rates.append(report.chunks_embedded / report.seconds)
            texts = _chunk_texts(Path(index_dir))
            started = time.perf_counter()
            rag.embedder.embed(texts)
            bare_rates.append(len(texts) / (time.perf_counter() - started))
    ingest, bare = statistics.median(ingest_rates), statistics.median(bare_rates)
    print(f"corpus {args.corpus} ({report.chunks_embedded} chunks from {len(report.indexed)} files)")
    print(f"rag ingest      {ingest:6.1f} chunks/s   runs: {', '.join(f'{r:.1f}' for r in ingest_rates)}")
    print(f"bare embedder   {bare:6.1f} chunks/s   runs: {', '.join(f'{r:.1f}' for r in bare_rates)}")
    print(f"ratio           {ingest / bare:6.2f}x the bare embedder")


def _chunk_texts(index_dir: Path) -> list[str]:
    client = chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    stored = client.get_collection(COLLECTION).get(include=["documents", "metadatas"])
    return [embedding_text(text, meta.get("heading", "")) for text, meta in zip(stored["documents"], stored["metadatas"])]


if __name__ == "__main__":
    main()
