"""Build the embedder and the chat model for the configured provider. Only this module knows
the provider names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.config import ConfigError, Settings
from rag.models import embedded as embedded_llm
from rag.models.embedder import Embedder, OnnxEmbedder, token_counter
from rag.models.llm import ChatModel, LlamaCppChat

AUTO = "auto"
LOCAL = "local"
OPENAI = "openai"
COMPATIBLE = "openai-compatible"
NO_LLM = "none"
EXTRACTIVE = "none (extractive)"  # the name `--llm none` answers under
LLM_PROVIDERS = (AUTO, LOCAL, OPENAI, COMPATIBLE, NO_LLM)
EMBEDDERS = (LOCAL, OPENAI, COMPATIBLE)
# Drafting strategies (rag/answer/compose.py): one call a sentence, or one prompt over all of them.
EXTRACT = "extract"
SINGLE = "single"
DRAFTS = (AUTO, EXTRACT, SINGLE)

OPENAI_URL = "https://api.openai.com/v1"
OPENAI_CHAT_MODEL = "gpt-4o-mini"
OPENAI_EMBED_MODEL = "text-embedding-3-small"
KEY_SETTING = "RAG_LLM_API_KEY or OPENAI_API_KEY"


def llm_provider(settings: Settings) -> str:
    """The provider `auto` stands for: a configured base URL or key means a remote model."""
    if settings.llm not in LLM_PROVIDERS:
        raise ConfigError(f"unknown llm provider {settings.llm!r}; choose one of: {', '.join(LLM_PROVIDERS)}")
    if settings.llm != AUTO:
        return settings.llm
    if settings.llm_base_url:
        return COMPATIBLE
    return OPENAI if settings.llm_api_key else LOCAL


def build_llm(settings: Settings, on_assemble: Callable[[int, int], None] | None = None) -> ChatModel | None:
    """The configured chat model, or None for `--llm none` (answers quote the passages)."""
    provider = llm_provider(settings)
    if provider == NO_LLM:
        return None
    if provider in (OPENAI, COMPATIBLE):
        from rag.models.remote import OpenAIChat

        default_model = OPENAI_CHAT_MODEL if provider == OPENAI else ""
        return OpenAIChat(_endpoint(settings, provider, settings.llm_base_url, settings.llm_api_key), settings.llm_model or default_model)
    if settings.llm_model_path:
        path = Path(settings.llm_model_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"llm_model_path {path} does not exist; point RAG_LLM_MODEL_PATH at a GGUF file")
    else:
        path = embedded_llm.model_path(settings.cache_dir, on_assemble)
    return LlamaCppChat(path, llm_name(settings), settings.threads, settings.llm_context_tokens)


def drafting(settings: Settings) -> str:
    """The drafting strategy `auto` stands for: the embedded 1.5B model reads one sentence at a
    time, as it cannot weigh many passages at once; a model behind an API, chosen by the user
    and usually far larger, gets one cited prompt (k times fewer calls, and it can combine
    passages). A local GGUF file of the user's own is read sentence by sentence as well: its
    size says little about what it can do."""
    if settings.draft not in DRAFTS:
        raise ConfigError(f"unknown draft strategy {settings.draft!r}; choose one of: {', '.join(DRAFTS)}")
    if settings.draft != AUTO:
        return settings.draft
    return SINGLE if llm_provider(settings) in (OPENAI, COMPATIBLE) else EXTRACT


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder not in EMBEDDERS:
        raise ConfigError(f"unknown embedder {settings.embedder!r}; choose one of: {', '.join(EMBEDDERS)}")
    if settings.embedder == LOCAL:
        return OnnxEmbedder(threads=settings.threads)
    from rag.models.remote import OpenAIEmbedder

    base_url = settings.embed_base_url or settings.llm_base_url
    default_model = OPENAI_EMBED_MODEL if settings.embedder == OPENAI else ""
    endpoint = _endpoint(settings, settings.embedder, base_url, settings.embed_api_key or settings.llm_api_key)
    return OpenAIEmbedder(endpoint, settings.embed_model or default_model, token_counter())


def llm_name(settings: Settings) -> str:
    """The model that answers, named without loading it (a remote server names its own model
    once asked; answers report that name)."""
    provider = llm_provider(settings)
    if provider == NO_LLM:
        return EXTRACTIVE
    if provider == OPENAI:
        return settings.llm_model or OPENAI_CHAT_MODEL
    if provider == COMPATIBLE:
        return f"{settings.llm_model or 'the first model'} at {settings.llm_base_url}"
    if settings.llm_model_path:
        return Path(settings.llm_model_path).stem
    return embedded_llm.NAME


def _endpoint(settings: Settings, provider: str, base_url: str, api_key: str):
    from rag.models.remote import Endpoint

    if provider == OPENAI:
        if not api_key:
            raise ConfigError(f"the openai provider needs an API key: set {KEY_SETTING}, or use --llm local")
        base_url = base_url or OPENAI_URL
    elif not base_url:
        raise ConfigError("the openai-compatible provider needs the server's URL: set RAG_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1")
    return Endpoint(base_url.rstrip("/"), api_key, settings.llm_timeout, settings.llm_max_retries, KEY_SETTING)
