"""The reference pipeline: what a user builds by hand with LlamaIndex, over the same embedded
models as `rag` (MiniLM int8 ONNX, the Qwen2.5 GGUF through rag's llama.cpp engine with the chat
template stored in the file).

SimpleDirectoryReader -> SentenceSplitter -> VectorStoreIndex on Chroma -> retriever or a
streaming query engine, each with LlamaIndex's defaults except the chunk size, top k and models,
which are set to rag's. Used by benchmarks/suite.py; also runs alone, as a user would:

    python benchmarks/vanilla.py ingest CORPUS --index-dir DIR
    python benchmarks/vanilla.py ask "QUESTION" --index-dir DIR      # one JSON line
    python benchmarks/vanilla.py chat --index-dir DIR                # LlamaIndex's chat REPL
"""

from __future__ import annotations

import argparse
import json
import queue
import threading
import time
from pathlib import Path
from typing import Any

from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.node_parser import SentenceSplitter
from llama_index.vector_stores.chroma import ChromaVectorStore
from pydantic import PrivateAttr

from rag.config import Settings

SETTINGS = Settings()
MAX_ANSWER_TOKENS = 256  # LlamaIndex's default num_output


class EmbeddedMiniLM(BaseEmbedding):
    """rag's ONNX MiniLM behind LlamaIndex's embedding interface; remembers what it embedded."""

    _embedder: Any = PrivateAttr()
    _seen: list = PrivateAttr(default_factory=list)

    def __init__(self, embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self._seen.extend(texts)
        return self._embedder.embed(texts).tolist()

    def embedded_texts(self) -> list[str]:
        return list(self._seen)


class EmbeddedQwen(CustomLLM):
    """The embedded GGUF, loaded as rag loads it (same context, threads and seed), answering
    through the chat template stored in the file."""

    _llm: Any = PrivateAttr()
    usage: dict = {}

    def __init__(self, model_path: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from rag.models.llm import LlamaCppChat

        self._llm = LlamaCppChat(model_path, "qwen", SETTINGS.threads, SETTINGS.llm_context_tokens)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=SETTINGS.llm_context_tokens,
            num_output=MAX_ANSWER_TOKENS,
            is_chat_model=True,
            model_name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        )

    @llm_chat_callback()
    def chat(self, messages, **kwargs: Any) -> ChatResponse:
        text = "".join(r.delta for r in self.stream_chat(messages, **kwargs))
        return ChatResponse(message=ChatMessage(role="assistant", content=text))

    @llm_chat_callback()
    def stream_chat(self, messages, **kwargs: Any):
        plain = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        pieces: queue.Queue = queue.Queue()
        done = object()

        def run() -> None:
            try:
                generation = self._llm.generate(plain, MAX_ANSWER_TOKENS, pieces.put)
                self.usage = {"prompt_tokens": generation.prompt_tokens, "completion_tokens": generation.completion_tokens}
            finally:
                pieces.put(done)

        def tokens():
            threading.Thread(target=run, daemon=True).start()
            text = ""
            while (piece := pieces.get()) is not done:
                text += piece
                yield ChatResponse(message=ChatMessage(role="assistant", content=text), delta=piece)

        return tokens()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.chat([ChatMessage(role="user", content=prompt)]).message.content)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
        for response in self.stream_chat([ChatMessage(role="user", content=prompt)]):
            yield CompletionResponse(text=response.message.content, delta=response.delta)


def vector_store(index_dir: Path) -> ChromaVectorStore:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(index_dir), settings=ChromaSettings(anonymized_telemetry=False))
    return ChromaVectorStore(chroma_collection=client.get_or_create_collection("vanilla"))


def ingest(
    corpus: Path,
    index_dir: Path,
    embed_model: BaseEmbedding,
    chunk_tokens: int = SETTINGS.chunk_tokens,
    chunk_overlap: int = SETTINGS.chunk_overlap,
    with_metadata: bool = True,
) -> int:
    """Index every file under `corpus`; the number of chunks stored. Without `with_metadata`,
    chunks are embedded and sized without the file's metadata, which LlamaIndex otherwise puts
    in front of each (the scale runs need one chunk per paragraph, as rag makes, to share
    cached vectors)."""
    documents = SimpleDirectoryReader(str(corpus), recursive=True).load_data()
    if not with_metadata:
        for document in documents:
            document.excluded_embed_metadata_keys = document.excluded_llm_metadata_keys = list(document.metadata)
    storage = StorageContext.from_defaults(vector_store=vector_store(index_dir))
    index = VectorStoreIndex.from_documents(
        documents,
        storage_context=storage,
        embed_model=embed_model,
        transformations=[SentenceSplitter(chunk_size=chunk_tokens, chunk_overlap=chunk_overlap)],
    )
    return index.vector_store.client.count()


def load(index_dir: Path, embed_model: BaseEmbedding) -> VectorStoreIndex:
    return VectorStoreIndex.from_vector_store(vector_store(index_dir), embed_model=embed_model)


def embedded_models() -> tuple[EmbeddedMiniLM, EmbeddedQwen]:
    from rag.models import embedded as embedded_llm
    from rag.models.embedder import OnnxEmbedder

    return EmbeddedMiniLM(OnnxEmbedder(threads=SETTINGS.threads)), EmbeddedQwen(embedded_llm.model_path(SETTINGS.cache_dir))


def ask(index: VectorStoreIndex, llm: EmbeddedQwen, question: str) -> dict:
    """Answer through a streaming query engine; times as rag reports them (first token, total)."""
    started = time.perf_counter()
    engine = index.as_query_engine(llm=llm, similarity_top_k=SETTINGS.k, streaming=True)
    response = engine.query(question)
    first_token, pieces = 0.0, []
    for piece in response.response_gen:
        first_token = first_token or time.perf_counter() - started
        pieces.append(piece)
    return {"answer": "".join(pieces), "timings": {"first_token": first_token, "total": time.perf_counter() - started}, "usage": llm.usage}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("ingest", "ask", "chat"))
    parser.add_argument("text", nargs="?", help="ingest: the corpus folder; ask: the question")
    parser.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "ingest":
        from rag.models.embedder import OnnxEmbedder

        print(ingest(Path(args.text), args.index_dir, EmbeddedMiniLM(OnnxEmbedder(threads=SETTINGS.threads))))
        return
    embed_model, llm = embedded_models()
    index = load(args.index_dir, embed_model)
    if args.command == "ask":
        print(json.dumps(ask(index, llm, args.text)), flush=True)
    else:
        index.as_chat_engine(llm=llm, similarity_top_k=SETTINGS.k).streaming_chat_repl()


if __name__ == "__main__":
    main()
