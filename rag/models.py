"""Build the embedder and the chat model for the configured provider."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag import embedded_llm
from rag.config import ConfigError, Settings
from rag.embedder import OnnxEmbedder
from rag.llm import ChatModel, LlamaCppChat

NO_LLM = "none"
EXTRACTIVE = "none (extractive)"  # the name `--llm none` answers under
LLM_PROVIDERS = ("local", NO_LLM)


def build_embedder(settings: Settings) -> OnnxEmbedder:
    return OnnxEmbedder(threads=settings.threads)


def build_llm(settings: Settings, on_assemble: Callable[[int, int], None] | None = None) -> ChatModel | None:
    """The configured chat model, or None for `--llm none` (answers quote the passages)."""
    if settings.llm not in LLM_PROVIDERS:
        raise ConfigError(f"unknown llm provider {settings.llm!r}; choose one of: {', '.join(LLM_PROVIDERS)}")
    if settings.llm == NO_LLM:
        return None
    if settings.llm_model_path:
        path = Path(settings.llm_model_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"llm_model_path {path} does not exist; point RAG_LLM_MODEL_PATH at a GGUF file")
    else:
        path = embedded_llm.model_path(settings.cache_dir, on_assemble)
    return LlamaCppChat(path, llm_name(settings), settings.threads, settings.llm_context_tokens)


def llm_name(settings: Settings) -> str:
    """The model that answers, named without loading it."""
    if settings.llm == NO_LLM:
        return EXTRACTIVE
    if settings.llm_model_path:
        return Path(settings.llm_model_path).stem
    return embedded_llm.NAME
